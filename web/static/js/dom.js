// Small DOM builders shared by the session page's panels. User text is always set as text.

/** An element with properties (class, type, ...), attributes (`attrs`) and children. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  const { attrs = {}, dataset = {}, ...rest } = props;
  Object.assign(node, rest);
  Object.entries(attrs).forEach(([name, value]) => node.setAttribute(name, value));
  Object.assign(node.dataset, dataset);
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

/** A small button whose accessible name says what it does to which item. */
export function smallButton(text, label, onClick, className = "small") {
  const b = el("button", { type: "button", className, textContent: text });
  if (label !== text) b.setAttribute("aria-label", label);
  b.addEventListener("click", onClick);
  return b;
}

/** Today's date in the viewer's zone as YYYY-MM-DD, for a date input's `min`. */
export function todayISO() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** A YYYY-MM-DD date in words ("Mon 12 Jan"), read as a calendar day, not a UTC instant. */
export function dayInWords(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return new Date(y, m - 1, d).toLocaleDateString(undefined, {
    weekday: "short", day: "numeric", month: "short",
  });
}

/** A <select> of the session's participants (`people`: id → name), `selected` preselected. */
export function ownerSelect(people, { id, name = "owner_id", selected = "", none = null }) {
  const select = el("select", { id, name });
  if (none !== null) select.append(el("option", { value: "", textContent: none }));
  Object.entries(people).forEach(([uid, person]) => {
    select.append(el("option", { value: uid, textContent: person, selected: String(selected) === uid }));
  });
  return select;
}

/** A labelled field for an inline form: [label, control]. */
export function labelled(text, control) {
  const grow = control.type === "text" ? " grow" : "";
  return el("span", { className: "inline-field" + grow }, el("label", { htmlFor: control.id, textContent: text }), control);
}

/** Re-render `container` without losing what is being typed in an open inline editor, or
 * the keyboard focus (a live update from someone else must not throw it away). */
export function keepEditing(container, render) {
  const open = container.querySelector("form[data-editor]");
  const saved = open ? { key: open.dataset.editor, values: new FormData(open) } : null;
  const active = container.contains(document.activeElement) ? document.activeElement : null;
  const focusKey = active && (active.id ? `#${CSS.escape(active.id)}`
    : active.getAttribute("aria-label") ? `[aria-label="${CSS.escape(active.getAttribute("aria-label"))}"]`
    : active.name ? `form[data-editor] [name="${CSS.escape(active.name)}"]` : null);
  render();
  const again = saved && container.querySelector(`form[data-editor="${saved.key}"]`);
  if (again) {
    for (const [name, value] of saved.values) {
      const field = again.elements.namedItem(name);
      if (field && "value" in field) field.value = value;
    }
  }
  if (focusKey && !container.contains(document.activeElement)) container.querySelector(focusKey)?.focus();
}
