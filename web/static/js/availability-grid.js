// Arrow keys move between the week grid's checkboxes, like a spreadsheet; Space ticks.
const grid = document.querySelector("[data-week-grid]");
if (grid) {
  const rows = [...grid.querySelectorAll("tbody tr")].map((tr) => [...tr.querySelectorAll("input")]);
  const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
  grid.addEventListener("keydown", (event) => {
    const move = moves[event.key];
    if (!move || !(event.target instanceof HTMLInputElement)) return;
    const row = rows.findIndex((cells) => cells.includes(event.target));
    const col = rows[row].indexOf(event.target);
    const next = rows[row + move[0]]?.[col + move[1]];
    if (next) {
      event.preventDefault();
      next.focus();
    }
  });
}
