// The people list (hands, media state, who is speaking) and the lobby, with the host's controls
// as labelled buttons so they work from the keyboard. Each label starts with the button's visible
// text ("Mute" -> "Mute Ada"), so speech control finds it by what it shows.

import { icon } from "../room/call-view.js";

const $ = (id) => document.getElementById(id);

/** 1-based place of a peer's raised hand, or 0. */
export function handPosition(call, peerId) {
  const index = call ? call.hands.indexOf(peerId) : -1;
  return index < 0 ? 0 : index + 1;
}

export function mediaText(state) {
  if (!state) return "";
  const parts = [];
  if (!state.mic) parts.push("mic off");
  if (!state.camera) parts.push("camera off");
  if (state.screen) parts.push("sharing screen");
  return parts.join(" · ");
}

/** For the host: how well this attendee receives others' video (their link is weak). */
export function receptionText(reception) {
  if (reception === "reduced") return "weak link: reduced video";
  if (reception === "paused") return "weak link: video paused";
  return "";
}

function actionButton(label, action, peerId, text) {
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = text;
  button.setAttribute("aria-label", label);
  button.dataset.action = action;
  button.dataset.peerId = peerId;
  return button;
}

function hostControls(call, person) {
  const controls = document.createElement("span");
  controls.className = "host-controls";
  const { name, peer_id: peerId } = person;
  if (handPosition(call, peerId)) controls.append(actionButton(`Lower hand of ${name}`, "hand-lower", peerId, "Lower hand"));
  controls.append(
    actionButton(`Mute ${name}`, "mute", peerId, "Mute"),
    actionButton(`Stop video of ${name}`, "stop-camera", peerId, "Stop video"),
    call.spotlight === peerId
      ? actionButton(`End spotlight on ${name}`, "spotlight-off", peerId, "End spotlight")
      : actionButton(`Spotlight ${name}`, "spotlight", peerId, "Spotlight"),
    actionButton(`Remove ${name}`, "remove", peerId, "Remove"),
  );
  return controls;
}

/** Redraw the people list, keeping keyboard focus on the same control. */
export function renderPeople(call, media, speaker) {
  const active = document.activeElement?.dataset;
  const focused = active?.action ? { action: active.action, peerId: active.peerId } : null;
  const items = [...call.people.values()].map((person) => {
    const isSelf = person.peer_id === call.peerId;
    const item = document.createElement("li");
    item.dataset.peerId = person.peer_id;
    item.classList.toggle("speaking", person.peer_id === speaker);
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = person.name + (isSelf ? " (you)" : "")
      + (person.user_id === call.hostUserId ? " · host" : "");
    const state = document.createElement("span");
    state.className = "state";
    const position = handPosition(call, person.peer_id);
    if (position) state.append(icon("hand"));
    state.append([position ? `hand raised (${position})` : "", mediaText(isSelf ? media.state : person.media),
      call.isHost && !isSelf ? receptionText(person.reception) : ""]
      .filter(Boolean).join(" · "));
    item.append(name, state);
    if (call.isHost && !isSelf) item.append(hostControls(call, person));
    return item;
  });
  const list = $("people");
  list.replaceChildren(...items);
  $("people-count").textContent = String(call.people.size);
  if (focused) {
    list.querySelector(`button[data-action="${focused.action}"][data-peer-id="${CSS.escape(focused.peerId)}"]`)?.focus();
  }
}

export function markSpeaker(peerId) {
  for (const item of $("people").children) item.classList.toggle("speaking", item.dataset.peerId === peerId);
}

/** The host's lobby panel: who waits, with Admit and Decline for each. */
export function renderLobby(call) {
  $("lobby-panel").hidden = !call?.isHost;
  if (!call?.isHost) return;
  const items = call.waiting.map((w) => {
    const item = document.createElement("li");
    item.dataset.peerId = w.peer_id;
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = w.name;
    const controls = document.createElement("span");
    controls.className = "host-controls";
    controls.append(
      actionButton(`Admit ${w.name}`, "lobby-admit", w.peer_id, "Admit"),
      actionButton(`Decline ${w.name}`, "lobby-decline", w.peer_id, "Decline"),
    );
    item.append(name, controls);
    return item;
  });
  $("lobby-list").replaceChildren(...items);
  $("lobby-count").textContent = String(call.waiting.length);
  $("admit-all-button").disabled = !call.waiting.length;
}

/** Clicks on the host's controls become messages to the server. */
export function onHostAction(call, event) {
  const button = event.target.closest("button[data-action]");
  if (!button || !call) return;
  const { action, peerId } = button.dataset;
  const person = call.people.get(peerId);
  if (action === "remove" && !window.confirm(`Remove ${person?.name || "this person"} from this session?`)) return;
  if (action === "spotlight-off") call.send({ type: "spotlight", peer_id: null });
  else call.send({ type: action, peer_id: peerId });
}
