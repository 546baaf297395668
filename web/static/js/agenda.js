// The session agenda: add, edit, tick off, reorder (drag or keyboard), delete, templates,
// and turning an item into an action item. Everything user-written is set as text, never HTML.
import { api } from "./api.js";

export function attachAgenda(root) {
  const sessionId = root.dataset.sessionId;
  const people = JSON.parse(root.dataset.people || "{}");
  const list = root.querySelector("[data-agenda-list]");
  const status = root.querySelector("[data-agenda-status]");
  const form = root.querySelector("[data-agenda-add]");
  const templateForm = root.querySelector("[data-agenda-template]");
  let items = [];
  let dragged = null;

  const say = (text, isError = false) => {
    status.textContent = text;
    status.classList.toggle("error", isError);
  };

  async function run(action, success) {
    try {
      await action();
      if (success) say(success);
      await refresh();
    } catch (err) {
      say(err.message + (err.fields ? " " + Object.values(err.fields).join(" ") : ""), true);
    }
  }

  async function refresh() {
    items = (await api("GET", `/sessions/${sessionId}/agenda`)).items;
    render();
  }

  function button(label, title, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "small";
    b.textContent = label;
    b.title = title;
    b.setAttribute("aria-label", title);
    b.addEventListener("click", onClick);
    return b;
  }

  const move = (item, position) =>
    run(() => api("PATCH", `/sessions/${sessionId}/agenda/${item.id}`, { position }), "Moved.");

  function render() {
    list.replaceChildren();
    if (!items.length) {
      const empty = document.createElement("li");
      empty.className = "empty";
      empty.textContent = "No agenda yet. Add a point or start from a template.";
      list.append(empty);
      return;
    }
    items.forEach((item, index) => {
      const li = document.createElement("li");
      li.className = "agenda-item" + (item.done ? " done" : "");
      li.draggable = true;
      li.dataset.id = item.id;
      const check = document.createElement("input");
      check.type = "checkbox";
      check.checked = item.done;
      check.id = `agenda-done-${item.id}`;
      check.addEventListener("change", () =>
        run(() => api("PATCH", `/sessions/${sessionId}/agenda/${item.id}`, { done: check.checked })));
      const label = document.createElement("label");
      label.htmlFor = check.id;
      label.className = "agenda-title";
      label.textContent = item.title;
      const meta = document.createElement("span");
      meta.className = "meta";
      const bits = [];
      if (item.minutes) bits.push(`${item.minutes} min`);
      if (item.owner_id && people[item.owner_id]) bits.push(people[item.owner_id]);
      if (item.carried_over) bits.push("carried over");
      meta.textContent = bits.join(" · ");
      const details = document.createElement("p");
      details.className = "meta prose";
      details.textContent = item.details || "";
      const tools = document.createElement("span");
      tools.className = "tools";
      tools.append(
        button("↑", `Move “${item.title}” up`, () => index > 0 && move(item, index - 1)),
        button("↓", `Move “${item.title}” down`, () => index < items.length - 1 && move(item, index + 1)),
        button("✎", `Edit “${item.title}”`, () => editItem(item)),
        button("→ action", `Make “${item.title}” an action item`, () => makeAction(item)),
        button("✕", `Delete “${item.title}”`, () =>
          run(() => api("DELETE", `/sessions/${sessionId}/agenda/${item.id}`), "Deleted.")),
      );
      li.append(check, label, meta, tools);
      if (item.details) li.append(details);
      li.addEventListener("dragstart", () => { dragged = item; li.classList.add("dragging"); });
      li.addEventListener("dragend", () => li.classList.remove("dragging"));
      li.addEventListener("dragover", (e) => e.preventDefault());
      li.addEventListener("drop", (e) => {
        e.preventDefault();
        if (dragged && dragged.id !== item.id) move(dragged, index);
        dragged = null;
      });
      list.append(li);
    });
  }

  function editItem(item) {
    const title = prompt("Agenda point", item.title);
    if (title === null || title.trim() === item.title) return;
    const minutes = prompt("Minutes (leave empty for none)", item.minutes ?? "");
    if (minutes === null) return;
    const body = { title: title.trim(), minutes: minutes === "" ? null : Number(minutes) };
    run(() => api("PATCH", `/sessions/${sessionId}/agenda/${item.id}`, body), "Saved.");
  }

  function makeAction(item) {
    const owner = item.owner_id || Number(root.dataset.userId);
    const due = prompt(`Due date for “${item.title}” (YYYY-MM-DD, or leave empty)`, "");
    if (due === null) return;
    run(() => api("POST", `/sessions/${sessionId}/action-items`, {
      title: item.title, owner_id: owner, agenda_item_id: item.id, due_on: due || null,
    }), "Action item added: it is on the owner's dashboard.");
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = { title: data.get("title") };
    if (data.get("minutes")) body.minutes = Number(data.get("minutes"));
    if (data.get("owner_id")) body.owner_id = Number(data.get("owner_id"));
    run(async () => {
      await api("POST", `/sessions/${sessionId}/agenda`, body);
      form.reset();
    }, "Added.");
  });
  templateForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const template = new FormData(templateForm).get("template");
    run(() => api("POST", `/sessions/${sessionId}/agenda/template`, { template }), "Template added.");
  });
  root.addEventListener("tandem:agenda-changed", refresh);
  refresh().catch((err) => say(err.message, true));
  return { refresh };
}

const root = document.querySelector("[data-agenda]");
if (root) window.tandemAgenda = attachAgenda(root);
