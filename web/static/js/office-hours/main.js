// The office-hours page: pre-join, lobby, the call (the host or spotlight large, attendees in a
// grid, the active speaker highlighted), people with hands and media state, the host's controls,
// and chat. `window.tandemOfficeHours` is a small hook for tests.

import { LocalMedia } from "../room/local-media.js";
import { startPreview } from "../room/prejoin.js";
import { GroupCall } from "./group-call.js";
import { handPosition, markSpeaker, onHostAction, renderLobby, renderPeople } from "./people.js";
import { Tiles } from "./tiles.js";
import {
  addChatLine, showCallStatus, startClock, syncHandButton, syncMediaButtons, waitingText, wireCallControls,
} from "../room/call-view.js";

const $ = (id) => document.getElementById(id);
const root = $("room");
const sessionId = Number(root.dataset.sessionId);
const me = { userId: Number(root.dataset.userId), name: root.dataset.userName };
const rejoinKey = `tandem:office-hours:${sessionId}:in-call`;
const media = new LocalMedia();
const tiles = new Tiles(media);
let call = null;

function show(sectionId) {
  for (const id of ["prejoin", "lobby", "call", "left"]) $(id).hidden = id !== sectionId;
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
    tiles.layout(call);
    showWhoIsHere();
    renderPeople(call, media, tiles.speaker);
    renderLobby(call);
    syncControls();
  },
  renderLobby: () => renderLobby(call),
  removeTile: (peerId) => tiles.remove(peerId),
  setMedia: (subscriptions) => call && tiles.setMedia(call, subscriptions),
  setSpeaker(peerId) {
    if (peerId === tiles.speaker) return;
    tiles.setSpeaker(peerId);
    markSpeaker(peerId);
  },
  onMutedByHost() {
    media.setMic(false);
    call?.announceMedia();
    view.setStatus("open", "The host muted you. You can unmute yourself when you want to speak.");
  },
  // The server has already stopped forwarding our video (camera and screen share alike).
  async onCameraStoppedByHost() {
    media.cameraOff();
    media.screenOff();
    $("preview-off").hidden = false;
    await call?.link?.replaceTrack("screen", null);
    await call?.replaceTrack("video", null);
    view.setStatus("open", "The host turned your video off. You can turn it back on.");
  },
  addChat(message, isMine) {
    addChatLine($("chat-log"), message, isMine);
  },
  setStatus(state, reason = "") {
    showCallStatus($("call-status"), state, reason, (why) => view.showLeft(why));
  },
  showLeft(message) {
    sessionStorage.removeItem(rejoinKey);
    show("left");
    $("left-message").textContent = message;
    $("left-title").focus();
    tiles.clear();
    media.stopAll();
    call = null;
  },
};

/** Alone in the room: say whom we wait for (the host, or for the host anyone). */
function showWhoIsHere() {
  const isAlone = call.people.size <= 1;
  $("call-waiting").hidden = !isAlone;
  const host = root.dataset.hostName;
  $("call-waiting").textContent = !isAlone ? ""
    : call.isHost || !host ? "Waiting for attendees…" : waitingText([host]);
}

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
  syncMediaButtons(media);
  syncHandButton(Boolean(call && handPosition(call, call.peerId)));
  $("hand-button").hidden = Boolean(call?.isHost); // the host runs the queue, not joins it
}

function leave(message) {
  call?.leave();
  view.showLeft(message);
}

function wireControls() {
  wireCallControls({
    media, join, syncControls,
    setStatus: view.setStatus,
    announceMedia: () => call?.announceMedia(),
    sendCamera: () => call?.replaceTrack("video", media.cameraTrack),
    // The screen is a second video beside the camera. The first share makes the server offer an
    // m-line for it (the answer attaches the track); later ones only replace the track.
    sendScreen: () => call?.replaceTrack("screen", media.screenTrack),
    sendChat: (text) => call?.send({ type: "chat", text }),
    replaceTrack: (kind, track) => call?.replaceTrack(kind, track),
  });
  $("hand-button").addEventListener("click", () => {
    if (call) call.raiseHand(!handPosition(call, call.peerId));
  });
  $("leave-button").addEventListener("click", () => leave("You can join again while the session lasts."));
  $("lobby-leave-button").addEventListener("click", () => leave("You left the lobby."));
  $("people").addEventListener("click", (event) => onHostAction(call, event));
  $("lobby-list").addEventListener("click", (event) => onHostAction(call, event));
  $("admit-all-button").addEventListener("click", () => call?.send({ type: "lobby-admit-all" }));
}

window.tandemOfficeHours = {
  call: null,
  get pc() { return call?.link?.pc ?? null; },
  get peerId() { return call?.peerId ?? null; },
  get isHost() { return Boolean(call?.isHost); },
  /** What each tile shows: whose it is, where, whether it has video, whether they speak. */
  tiles: () => tiles.describe(),
  subscriptions: () => call?.link?.subscriptions ?? [],
  stats: () => (call ? call.stats() : Promise.resolve({})),
  join,
};

async function start() {
  wireControls();
  startClock($("call-elapsed"), root.dataset.startsAt);
  try {
    await startPreview(media);
  } finally {
    $("join-button").disabled = false; // ready, with whatever media we could get
  }
  if (sessionStorage.getItem(rejoinKey)) await join(); // back after a reload: straight in
}

start();
