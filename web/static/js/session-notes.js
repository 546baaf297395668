// Live notes on the session page: the shared notes and (for mentors) private notes.
import { attachNotes } from "./notes.js";
import { notesSocket } from "./notes-socket.js";

export function attachSessionNotes(root, channel = null, { onActionLine = () => {} } = {}) {
  const sessionId = root.dataset.sessionId;
  const userId = Number(root.dataset.userId);
  const people = JSON.parse(root.dataset.people || "{}");
  const status = root.querySelector("[data-notes-status]");
  const typingLine = root.querySelector("[data-notes-typing]");
  const setStatus = (state) => {
    const words = {
      connecting: "Connecting…", reconnecting: "Reconnecting…", online: "Live: changes save as you type",
      offline: "Offline: your changes are kept and will sync when you are back",
      replaced: "These notes are open in another tab or the call; reload to edit here",
    };
    status.textContent = words[state] || state;
    status.dataset.state = state;
  };
  channel = channel || notesSocket(sessionId, { onStatus: setStatus });
  const onError = (error) => { status.textContent = `Notes problem: ${error.message}`; };
  const editors = {};
  const shared = root.querySelector("[data-notes-shared]");
  editors.shared = attachNotes(shared, channel, {
    userId,
    doc: "shared",
    onError,
    onTyping(ids) {
      const names = ids.filter((id) => id !== userId).map((id) => people[id] || "Someone");
      typingLine.textContent = names.length ? `${names.join(", ")} typing…` : "";
    },
  });
  const privateArea = root.querySelector("[data-notes-private]");
  if (privateArea) {
    editors.private = attachNotes(privateArea, channel, { userId, doc: `private:${userId}`, onError });
  }
  const actionButton = root.querySelector("[data-notes-action]");
  actionButton?.addEventListener("click", () => {
    // The line the caret is on becomes an action item for the person who picks it.
    const { value, selectionStart } = shared;
    const start = value.lastIndexOf("\n", selectionStart - 1) + 1;
    const end = value.indexOf("\n", selectionStart);
    const line = value.slice(start, end === -1 ? undefined : end).replace(/^[-*\s\[\]x]+/, "").trim();
    if (!line) {
      status.textContent = "Put the cursor on a line of the notes first.";
      return;
    }
    onActionLine(line);
  });
  return { channel, editors };
}

