// The dashboard's action items: tick one off (or back on) where it is listed.
import { api } from "./api.js";

const status = document.querySelector("[data-dashboard-status]");
document.querySelectorAll("[data-action-item]").forEach((check) => {
  const row = check.closest("li");
  const title = row.querySelector("label").textContent;
  check.addEventListener("change", async () => {
    const done = check.checked;
    try {
      await api("PATCH", `/action-items/${check.dataset.actionItem}`, { done });
      row.classList.toggle("done", done);
      status.textContent = done ? `Done: “${title}”.` : `Open again: “${title}”.`;
      status.classList.remove("error");
    } catch (err) {
      check.checked = !done;
      status.textContent = `Could not save “${title}”: ${err.message}`;
      status.classList.add("error");
    }
  });
});
