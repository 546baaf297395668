// The office-hours page: pre-join, lobby, the call (the host or spotlight large, attendees in a
// grid, the active speaker highlighted), people with hands and media state, the host's controls,
// and chat. `window.tandemOfficeHours` is a small hook for tests.

import { LocalMedia } from "../room/local-media.js";
import { GroupCall } from "./group-call.js";
import { startPreview, wireDevicePickers } from "../room/prejoin.js";

const $ = (id) => document.getElementById(id);
const root = $("room");
const sessionId = Number(root.dataset.sessionId);
const me = { userId: Number(root.dataset.userId), name: root.dataset.userName };
const rejoinKey = `tandem:office-hours:${sessionId}:in-call`;
const media = new LocalMedia();
const tiles = new Map(); // peer id -> {figure, video, stream}
let call = null;
let speaker = null;

function setPressed(button, isOn, onLabel, offLabel) {
  button.setAttribute("aria-pressed", String(isOn));
  button.textContent = isOn ? onLabel : offLabel;
}

function show(sectionId) {
  for (const id of ["prejoin", "lobby", "call", "left"]) $(id).hidden = id !== sectionId;
}

function mediaText(state) {
  if (!state) return "";
  const parts = [];
  if (!state.mic) parts.push("mic off");
  if (state.screen) parts.push("sharing screen");
  else if (!state.camera) parts.push("camera off");
  return parts.join(" · ");
}

function handPosition(peerId) {
  const index = call ? call.hands.indexOf(peerId) : -1;
  return index < 0 ? 0 : index + 1;
}

// --- tiles ---------------------------------------------------------------------------------------

function tileFor(peerId) {
  let tile = tiles.get(peerId);
  if (tile) return tile;
  const figure = document.createElement("figure");
  figure.className = "tile";
  figure.dataset.peerId = peerId;
  const video = document.createElement("video");
  video.autoplay = true;
  video.playsInline = true;
  const isSelf = peerId === call?.peerId;
  const stream = isSelf ? media.stream : new MediaStream();
  if (isSelf) {
    video.muted = true;
    video.classList.add("mirror");
    figure.classList.add("self");
  }
  video.srcObject = stream;
  const caption = document.createElement("figcaption");
  figure.append(video, caption);
  tile = { figure, video, stream, caption };
  tiles.set(peerId, tile);
  return tile;
}

function captionTile(tile, person) {
  const isSelf = person.peer_id === call.peerId;
  const name = document.createElement("span");
  name.className = "name";
  name.textContent = isSelf ? `You (${person.name})` : person.name;
  const extra = document.createElement("span");
  extra.className = "media-icons";
  const notes = [];
  if (person.user_id === call.hostUserId) notes.push("host");
  const position = handPosition(person.peer_id);
  if (position) notes.push(`hand raised (${position})`);
  const state = isSelf ? media.state : person.media;
  if (mediaText(state)) notes.push(mediaText(state));
  extra.textContent = notes.join(" · ");
  tile.caption.replaceChildren(name, extra);
  tile.video.setAttribute("aria-label", isSelf ? "You" : `Video of ${person.name}`);
  tile.figure.classList.toggle("hand", Boolean(position));
  tile.figure.classList.toggle("screen", Boolean(state?.screen));
}

function layout() {
  const stagePeer = (call.spotlight && call.people.has(call.spotlight)) ? call.spotlight : call.hostPeerId;
  for (const [peerId, tile] of tiles) {
    if (!call.people.has(peerId)) view.removeTile(peerId);
  }
  for (const person of call.people.values()) {
    const tile = tileFor(person.peer_id);
    captionTile(tile, person);
    const parent = person.peer_id === stagePeer ? $("stage") : $("grid");
    if (tile.figure.parentElement !== parent) parent.append(tile.figure);
  }
  $("stage").classList.toggle("empty", !$("stage").children.length);
}

// --- the people list and the host's controls ---------------------------------------------------

function actionButton(label, action, peerId, text) {
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = text;
  button.setAttribute("aria-label", label);
  button.dataset.action = action;
  button.dataset.peerId = peerId;
  return button;
}

function renderPeople() {
  const focused = document.activeElement?.dataset?.action
    ? { action: document.activeElement.dataset.action, peerId: document.activeElement.dataset.peerId }
    : null;
  const list = $("people");
  const items = [];
  for (const person of call.people.values()) {
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
    const position = handPosition(person.peer_id);
    state.textContent = [position ? `✋ ${position}` : "", mediaText(isSelf ? media.state : person.media)]
      .filter(Boolean).join(" · ");
    item.append(name, state);
    if (call.isHost && !isSelf) {
      const controls = document.createElement("span");
      controls.className = "host-controls";
      if (position) controls.append(actionButton(`Lower ${person.name}'s hand`, "hand-lower", person.peer_id, "Lower hand"));
      controls.append(
        actionButton(`Mute ${person.name}`, "mute", person.peer_id, "Mute"),
        actionButton(`Stop ${person.name}'s camera`, "stop-camera", person.peer_id, "Stop camera"),
        call.spotlight === person.peer_id
          ? actionButton(`Stop spotlighting ${person.name}`, "spotlight-off", person.peer_id, "Unspotlight")
          : actionButton(`Spotlight ${person.name}`, "spotlight", person.peer_id, "Spotlight"),
        actionButton(`Remove ${person.name}`, "remove", person.peer_id, "Remove"),
      );
      item.append(controls);
    }
    items.push(item);
  }
  list.replaceChildren(...items);
  $("people-count").textContent = String(call.people.size);
  if (focused) {
    list.querySelector(`button[data-action="${focused.action}"][data-peer-id="${CSS.escape(focused.peerId)}"]`)?.focus();
  }
}

function onPeopleClick(event) {
  const button = event.target.closest("button[data-action]");
  if (!button || !call) return;
  const { action, peerId } = button.dataset;
  const person = call.people.get(peerId);
  if (action === "remove" && !window.confirm(`Remove ${person?.name || "this person"} from this session?`)) return;
  if (action === "spotlight-off") call.send({ type: "spotlight", peer_id: null });
  else call.send({ type: action, peer_id: peerId });
}

function renderLobby() {
  const panel = $("lobby-panel");
  panel.hidden = !call?.isHost;
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

// --- what the call tells the page --------------------------------------------------------------

const view = {
  showLobby({ position, host_present: hostPresent }) {
    show("lobby");
    $("lobby-status").textContent = `You are number ${position} in line. `
      + (hostPresent ? "The host will let you in." : "The host has not arrived yet; you will be let in once they do.");
  },
  showCall() {
    show("call");
    syncControls();
  },
  render() {
    if (!call) return;
    layout();
    renderPeople();
    renderLobby();
    syncControls();
  },
  renderLobby,
  removeTile(peerId) {
    const tile = tiles.get(peerId);
    if (!tile) return;
    tile.figure.remove();
    tiles.delete(peerId);
  },
  setMedia(subscriptions) {
    for (const { peer_id: peerId, kind, track } of subscriptions) {
      if (!call.people.has(peerId)) continue;
      const tile = tileFor(peerId);
      for (const old of tile.stream.getTracks()) {
        if (old.kind === kind && old !== track) tile.stream.removeTrack(old);
      }
      if (!tile.stream.getTracks().includes(track)) tile.stream.addTrack(track);
      tile.video.play().catch(() => {});
    }
    layout();
  },
  setSpeaker(peerId) {
    if (peerId === speaker) return;
    speaker = peerId;
    for (const [id, tile] of tiles) tile.figure.classList.toggle("speaking", id === peerId);
    for (const item of $("people").children) item.classList.toggle("speaking", item.dataset.peerId === peerId);
  },
  onMutedByHost() {
    media.setMic(false);
    call?.announceMedia();
    view.setStatus("open", "The host muted you. You can unmute yourself when you want to speak.");
  },
  async onCameraStoppedByHost() {
    media.cameraOff();
    if (!media.screenTrack) await call?.replaceTrack("video", null);
    else call?.announceMedia();
    view.setStatus("open", "The host turned your camera off. You can turn it back on.");
  },
  addChat(message, isMine) {
    const item = document.createElement("li");
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = isMine ? "You" : message.name;
    const text = document.createElement("span");
    text.textContent = message.text; // text, never HTML
    item.append(who, text);
    $("chat-log").append(item);
    item.scrollIntoView({ block: "nearest" });
  },
  setStatus(state, reason = "") {
    const status = $("call-status");
    if (state === "connecting") status.textContent = "Connecting…";
    else if (state === "reconnecting") status.textContent = "Connection lost. Reconnecting…";
    else if (state === "open") status.textContent = reason;
    else if (state === "closed" && reason) view.showLeft(reason);
  },
  showLeft(message) {
    sessionStorage.removeItem(rejoinKey);
    show("left");
    $("left-message").textContent = message;
    for (const peerId of [...tiles.keys()]) view.removeTile(peerId);
    media.stopAll();
    call = null;
  },
};

// --- joining and the controls ------------------------------------------------------------------

async function join() {
  $("join-error").hidden = true;
  show("call"); // a `lobby` message moves us to the lobby if the host has to let us in
  call = new GroupCall(sessionId, media, view, me);
  window.tandemOfficeHours.call = call;
  try {
    await call.join();
    sessionStorage.setItem(rejoinKey, "1");
  } catch (err) {
    call = null;
    sessionStorage.removeItem(rejoinKey);
    show("prejoin");
    $("join-error").hidden = false;
    $("join-error").textContent = err.message;
  }
}

function syncControls() {
  const s = media.state;
  setPressed($("mic-button"), s.mic, "Microphone on", "Microphone off");
  setPressed($("camera-button"), s.camera, "Camera on", "Camera off");
  setPressed($("screen-button"), s.screen, "Stop sharing", "Share screen");
  const isRaised = Boolean(call && handPosition(call.peerId));
  setPressed($("hand-button"), isRaised, "Lower hand", "Raise hand");
  $("mic-button").disabled = !media.micTrack;
}

async function toggleCamera() {
  try {
    if (media.cameraTrack) media.cameraOff();
    else await media.cameraOn();
  } catch (err) {
    view.setStatus("open", `The camera could not be started (${err.name}).`);
  }
  $("preview-off").hidden = Boolean(media.cameraTrack);
  await call?.replaceTrack("video", media.videoTrack);
  syncControls();
}

// Screen sharing swaps the track on the video sender: the server forwards whatever it gets.
async function toggleScreen() {
  if (media.screenTrack) {
    media.screenOff();
  } else {
    try {
      await media.screenOn(() => stopSharing());
    } catch {
      view.setStatus("open", "Screen sharing was cancelled or is not allowed.");
      return;
    }
  }
  await call?.replaceTrack("video", media.videoTrack);
  syncControls();
}

async function stopSharing() {
  if (!media.screenTrack) return;
  media.screenOff();
  await call?.replaceTrack("video", media.videoTrack);
  syncControls();
}

function leave(message) {
  call?.leave();
  view.showLeft(message);
}

function wireControls() {
  $("join-button").addEventListener("click", join);
  $("rejoin-button").addEventListener("click", async () => {
    await startPreview(media);
    await join();
  });
  $("mic-button").addEventListener("click", () => {
    media.setMic(!media.state.mic);
    call?.announceMedia();
    syncControls();
  });
  $("camera-button").addEventListener("click", toggleCamera);
  $("screen-button").addEventListener("click", toggleScreen);
  $("hand-button").addEventListener("click", () => {
    if (call) call.raiseHand(!handPosition(call.peerId));
  });
  $("leave-button").addEventListener("click", () => leave("You can join again while the session lasts."));
  $("lobby-leave-button").addEventListener("click", () => leave("You left the lobby."));
  $("people").addEventListener("click", onPeopleClick);
  $("lobby-list").addEventListener("click", onPeopleClick);
  $("admit-all-button").addEventListener("click", () => call?.send({ type: "lobby-admit-all" }));
  $("chat-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("chat-input");
    const text = input.value.trim();
    if (text && call?.send({ type: "chat", text })) input.value = "";
  });
  wireDevicePickers(media, (kind, track) => call?.replaceTrack(kind, track));
}

window.tandemOfficeHours = {
  call: null,
  get pc() { return call?.link?.pc ?? null; },
  get peerId() { return call?.peerId ?? null; },
  get isHost() { return Boolean(call?.isHost); },
  /** What each tile shows: whose it is, where, and whether a video track is attached. */
  tiles: () => [...tiles.entries()].map(([peerId, tile]) => ({
    peerId,
    isStage: tile.figure.parentElement === $("stage"),
    hasVideo: tile.stream.getVideoTracks().length > 0,
    isSpeaking: tile.figure.classList.contains("speaking"),
  })),
  subscriptions: () => call?.link?.subscriptions ?? [],
  stats: () => (call ? call.stats() : Promise.resolve({})),
  join,
};

async function start() {
  wireControls();
  try {
    await startPreview(media);
  } finally {
    $("join-button").disabled = false; // ready, with whatever media we could get
  }
  if (sessionStorage.getItem(rejoinKey)) await join(); // back after a reload: straight in
}

start();
