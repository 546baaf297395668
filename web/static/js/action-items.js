// The session's action items: add one (owner among the participants, optional due date), tick
// it off, edit it in place. Changes by others arrive live (show()). User text is set as text.
import { api } from "./api.js";
import { dayInWords, el, keepEditing, labelled, ownerSelect, smallButton, todayISO } from "./dom.js";

/**
 * @param {HTMLElement} root the [data-actions] section
 * @param {{onChanged(): Promise<void>}} panels refetches agenda and action items after a write
 */
export function attachActionItems(root, panels) {
  const sessionId = root.dataset.sessionId;
  const userId = root.dataset.userId;
  const people = JSON.parse(root.dataset.people || "{}");
  const list = root.querySelector("[data-actions-list]");
  const status = root.querySelector("[data-actions-status]");
  const form = root.querySelector("[data-actions-add]");
  let items = [];
  let loaded = false;
  let editingId = null;
  let focusAfter = null;

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

  const patch = (item, body) => api("PATCH", `/action-items/${item.id}`, body);

  function editor(item) {
    const title = el("input", { type: "text", id: `action-edit-title-${item.id}`, name: "title", required: true, maxLength: 300, value: item.title });
    const owner = ownerSelect(people, { id: `action-edit-owner-${item.id}`, selected: item.owner_id });
    const due = el("input", { type: "date", id: `action-edit-due-${item.id}`, name: "due_on", value: item.due_on ?? "" });
    // An old due date stays valid; a new one may not lie in the past.
    due.min = item.due_on && item.due_on < todayISO() ? item.due_on : todayISO();
    const cancel = () => {
      editingId = null;
      focusAfter = `[data-id="${item.id}"] [data-edit]`;
      render();
    };
    const f = el("form", { className: "inline-editor", dataset: { editor: `action-${item.id}` } },
      labelled("Action item", title), labelled("Owner", owner), labelled("Due (optional)", due),
      el("button", { type: "submit", className: "primary small", textContent: "Save" }),
      smallButton("Cancel", `Cancel editing “${item.title}”`, cancel));
    f.addEventListener("keydown", (e) => { if (e.key === "Escape") cancel(); });
    f.addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = { title: title.value.trim(), owner_id: Number(owner.value), due_on: due.value || null };
      editingId = null;
      focusAfter = `[data-id="${item.id}"] [data-edit]`;
      if (!(await run(() => patch(item, body), "Saved."))) editingId = item.id;
    });
    return f;
  }

  function row(item) {
    const li = el("li", { className: "action-item" + (item.done ? " done" : ""), dataset: { id: item.id } });
    if (editingId === item.id) {
      li.append(editor(item));
      return li;
    }
    const check = el("input", { type: "checkbox", checked: item.done, id: `action-done-${item.id}` });
    check.addEventListener("change", () =>
      run(() => patch(item, { done: check.checked }), check.checked ? `Done: “${item.title}”.` : `Open again: “${item.title}”.`));
    const bits = [people[item.owner_id] || "someone"];
    if (item.due_on) bits.push(`due ${dayInWords(item.due_on)}`);
    const edit = smallButton("Edit", `Edit “${item.title}”`, () => {
      editingId = item.id;
      focusAfter = `[data-id="${item.id}"] form input`;
      render();
    });
    edit.dataset.edit = "";
    li.append(
      check,
      el("label", { htmlFor: check.id, className: "action-title", textContent: item.title }),
      el("span", { className: "meta", textContent: bits.join(" · ") }),
      el("span", { className: "tools" }, edit),
    );
    return li;
  }

  function render() {
    if (editingId !== null && !items.some((i) => i.id === editingId)) editingId = null;
    list.replaceChildren(...items.map(row));
    if (!items.length) {
      list.append(el("li", { className: "empty", textContent: loaded ? "No action items yet." : "Loading…" }));
    }
    if (focusAfter) {
      list.querySelector(focusAfter)?.focus();
      focusAfter = null;
    }
  }

  const due = form.querySelector("input[type=date]");
  due.min = todayISO();
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = { title: String(data.get("title")).trim(), owner_id: Number(data.get("owner_id")), due_on: data.get("due_on") || null };
    run(async () => {
      await api("POST", `/sessions/${sessionId}/action-items`, body);
      form.reset();
      form.elements.namedItem("owner_id").value = userId;
    }, "Action item added: it is on the owner's dashboard.");
  });
  render();
  return {
    /** Show the action items as the server has them now. */
    show(newItems) {
      items = newItems;
      loaded = true;
      keepEditing(list, render);
    },
    /** Start a new action item from some text (a line of the notes). */
    draft(text) {
      form.elements.namedItem("title").value = text.slice(0, 300);
      form.elements.namedItem("owner_id").value = userId;
      form.elements.namedItem("due_on").focus();
      say(`Pick an owner and a due date, then add “${text}”.`);
    },
  };
}
