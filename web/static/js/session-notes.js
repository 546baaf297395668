// Live notes on the session page: the shared notes and (for mentors) private notes.
import { attachNotes } from "./notes.js";
import { notesSocket } from "./notes-socket.js";

export function attachSessionNotes(root, channel = null) {
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
  return { channel, editors };
}

const root = document.querySelector("[data-notes]");
if (root && !root.hasAttribute("data-notes-manual")) window.tandemNotes = attachSessionNotes(root);
