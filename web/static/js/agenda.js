// The session agenda: add, edit in place, tick off, reorder (drag or keyboard), delete,
// templates, and turning an item into an action item. Changes by others arrive live (show()).
// Everything user-written is set as text, never HTML.
import { api } from "./api.js";
import { el, keepEditing, labelled, ownerSelect, smallButton, todayISO } from "./dom.js";

/**
 * @param {HTMLElement} root the [data-agenda] section
 * @param {{onChanged(): Promise<void>}} panels refetches agenda and action items after a write
 */
export function attachAgenda(root, panels) {
  const sessionId = root.dataset.sessionId;
  const userId = root.dataset.userId;
  const people = JSON.parse(root.dataset.people || "{}");
  const list = root.querySelector("[data-agenda-list]");
  const status = root.querySelector("[data-agenda-status]");
  const form = root.querySelector("[data-agenda-add]");
  const templateForm = root.querySelector("[data-agenda-template]");
  let items = [];
  let loaded = false;
  let editing = null; // {id, mode: "edit" | "action"}
  let focusAfter = null; // a selector to focus once rendered
  let dragged = null;

  const say = (text, isError = false) => {
    status.textContent = text;
    status.classList.toggle("error", isError);
  };

  async function run(action, success) {
    try {
      await action();
      if (success) say(success);
      await panels.onChanged();
      return true;
    } catch (err) {
      say(err.message + (err.fields ? " " + Object.values(err.fields).join(" ") : ""), true);
      return false;
    }
  }

  const patch = (item, body) => api("PATCH", `/sessions/${sessionId}/agenda/${item.id}`, body);
  const move = (item, position) => {
    focusAfter = `[data-id="${item.id}"] [data-move="${position < items.indexOf(item) ? "up" : "down"}"]`;
    return run(() => patch(item, { position }), "Moved.");
  };

  function editor(item) {
    const title = el("input", { type: "text", id: `agenda-edit-title-${item.id}`, name: "title", required: true, maxLength: 200, value: item.title });
    const minutes = el("input", { type: "number", id: `agenda-edit-minutes-${item.id}`, name: "minutes", min: 1, max: 240, value: item.minutes ?? "" });
    const owner = ownerSelect(people, { id: `agenda-edit-owner-${item.id}`, selected: item.owner_id ?? "", none: "Nobody in particular" });
    const cancel = () => close(item, "edit");
    const f = el("form", { className: "inline-editor", dataset: { editor: `agenda-${item.id}` } },
      labelled("Point", title), labelled("Minutes", minutes), labelled("Owner", owner),
      el("button", { type: "submit", className: "primary small", textContent: "Save" }),
      smallButton("Cancel", `Cancel editing “${item.title}”`, cancel));
    f.addEventListener("keydown", (e) => { if (e.key === "Escape") cancel(); });
    f.addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = {
        title: title.value.trim(),
        minutes: minutes.value === "" ? null : Number(minutes.value),
        owner_id: owner.value === "" ? null : Number(owner.value),
      };
      editing = null;
      focusAfter = `[data-id="${item.id}"] [data-edit]`;
      if (!(await run(() => patch(item, body), "Saved."))) editing = { id: item.id, mode: "edit" };
    });
    return f;
  }

  function actionForm(item) {
    const owner = ownerSelect(people, { id: `agenda-action-owner-${item.id}`, selected: item.owner_id ?? userId });
    const due = el("input", { type: "date", id: `agenda-action-due-${item.id}`, name: "due_on", min: todayISO() });
    const cancel = () => close(item, "action");
    const f = el("form", { className: "inline-editor", dataset: { editor: `agenda-action-${item.id}` } },
      el("span", { className: "meta editor-note", textContent: `New action item: “${item.title}”` }),
      labelled("Owner", owner), labelled("Due (optional)", due),
      el("button", { type: "submit", className: "primary small", textContent: "Add action item" }),
      smallButton("Cancel", `Cancel the action item “${item.title}”`, cancel));
    f.addEventListener("keydown", (e) => { if (e.key === "Escape") cancel(); });
    f.addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = { title: item.title.slice(0, 300), owner_id: Number(owner.value), agenda_item_id: item.id, due_on: due.value || null };
      editing = null;
      focusAfter = `[data-id="${item.id}"] [data-action]`;
      const ok = await run(() => api("POST", `/sessions/${sessionId}/action-items`, body),
        "Action item added: it is on the owner's dashboard.");
      if (!ok) editing = { id: item.id, mode: "action" };
    });
    return f;
  }

  function open(item, mode) {
    editing = { id: item.id, mode };
    render();
    list.querySelector(`[data-id="${item.id}"] form input, [data-id="${item.id}"] form select`)?.focus();
  }

  function close(item, mode) {
    editing = null;
    render();
    list.querySelector(`[data-id="${item.id}"] [data-${mode}]`)?.focus();
  }

  function row(item, index) {
    const li = el("li", { className: "agenda-item" + (item.done ? " done" : ""), dataset: { id: item.id } });
    if (editing?.id === item.id && editing.mode === "edit") {
      li.append(editor(item));
      return li;
    }
    li.draggable = true;
    const check = el("input", { type: "checkbox", checked: item.done, id: `agenda-done-${item.id}` });
    check.addEventListener("change", () => run(() => patch(item, { done: check.checked })));
    const bits = [];
    if (item.minutes) bits.push(`${item.minutes} min`);
    if (item.owner_id && people[item.owner_id]) bits.push(people[item.owner_id]);
    if (item.carried_over) bits.push("carried over");
    const up = smallButton("↑", `Move “${item.title}” up`, () => index > 0 && move(item, index - 1));
    const down = smallButton("↓", `Move “${item.title}” down`, () => index < items.length - 1 && move(item, index + 1));
    const edit = smallButton("Edit", `Edit “${item.title}”`, () => open(item, "edit"));
    const action = smallButton("→ Action item", `Make “${item.title}” an action item`, () => open(item, "action"));
    up.dataset.move = "up";
    down.dataset.move = "down";
    edit.dataset.edit = "";
    action.dataset.action = "";
    li.append(
      check,
      el("label", { htmlFor: check.id, className: "agenda-title", textContent: item.title }),
      el("span", { className: "meta", textContent: bits.join(" · ") }),
      el("span", { className: "tools" }, up, down, edit, action,
        smallButton("Delete", `Delete “${item.title}”`, () =>
          run(() => api("DELETE", `/sessions/${sessionId}/agenda/${item.id}`), "Deleted."))),
    );
    if (item.details) li.append(el("p", { className: "meta prose", textContent: item.details }));
    if (editing?.id === item.id && editing.mode === "action") li.append(actionForm(item));
    li.addEventListener("dragstart", () => { dragged = item; li.classList.add("dragging"); });
    li.addEventListener("dragend", () => li.classList.remove("dragging"));
    li.addEventListener("dragover", (e) => e.preventDefault());
    li.addEventListener("drop", (e) => {
      e.preventDefault();
      if (dragged && dragged.id !== item.id) move(dragged, index);
      dragged = null;
    });
    return li;
  }

  function render() {
    if (editing && !items.some((i) => i.id === editing.id)) editing = null;
    list.replaceChildren();
    if (!items.length) {
      list.append(el("li", { className: "empty", textContent: loaded ? "No agenda yet. Add a point or start from a template." : "Loading…" }));
    }
    items.forEach((item, index) => list.append(row(item, index)));
    if (focusAfter) {
      list.querySelector(focusAfter)?.focus();
      focusAfter = null;
    }
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
  render();
  return {
    /** Show the agenda as the server has it now (an `agenda` message or a fetch). */
    show(newItems) {
      items = newItems;
      loaded = true;
      keepEditing(list, render);
    },
    say,
  };
}
