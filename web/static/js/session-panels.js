// The session's panels (agenda, action items, live notes) on its page and beside its call:
// one notes socket carries the notes and the live `agenda` messages (docs/notes-protocol.md).
import { api } from "./api.js";
import { attachActionItems } from "./action-items.js";
import { attachAgenda } from "./agenda.js";
import { attachSessionNotes } from "./session-notes.js";

const agendaRoot = document.querySelector("[data-agenda]");
const actionsRoot = document.querySelector("[data-actions]");
const notesRoot = document.querySelector("[data-notes]");
const sessionId = agendaRoot.dataset.sessionId;

const panels = {
  /** Fetch the agenda and action items again (after a write, or a reconnect). */
  async onChanged() {
    const [agenda, actions] = await Promise.all([
      api("GET", `/sessions/${sessionId}/agenda`),
      api("GET", `/sessions/${sessionId}/action-items`),
    ]);
    agendaView.show(agenda.items);
    actionsView.show(actions.action_items);
  },
};
const agendaView = attachAgenda(agendaRoot, panels);
const actionsView = attachActionItems(actionsRoot, panels);
const notes = attachSessionNotes(notesRoot, null, { onActionLine: (line) => actionsView.draft(line) });
notes.channel.onMessage((msg) => {
  if (msg.type !== "agenda" || String(msg.session_id) !== sessionId) return;
  agendaView.show(msg.items);
  actionsView.show(msg.action_items);
});
// Changes made while offline are not replayed: fetch once on every (re)connect.
const refresh = () => panels.onChanged().catch((err) => agendaView.say(err.message, true));
notes.channel.onOpen(refresh);
refresh();
window.tandemNotes = notes;
window.tandemAgenda = { refresh };
