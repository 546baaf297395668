// The call page: pre-join screen, call view, controls and chat. Data comes from data- attributes
// (the CSP allows no inline script). `window.tandemCall` is a small hook for tests and benchmarks.

import { Call } from "./call.js";
import { LocalMedia } from "./local-media.js";
import { startPreview } from "./prejoin.js";
import {
  addChatLine, avatarFor, initialsOf, showCallStatus, showStream, startClock, syncMediaButtons,
  waitingText, wireCallControls,
} from "./call-view.js";

const $ = (id) => document.getElementById(id);
const root = $("room");
const sessionId = Number(root.dataset.sessionId);
const myUserId = Number(root.dataset.userId);
// Everyone else in the session, for "Waiting for Priya…".
const others = Object.entries(JSON.parse(root.dataset.people || "{}"))
  .filter(([userId]) => Number(userId) !== myUserId).map(([, name]) => name);
const rejoinKey = `tandem:room:${sessionId}:in-call`;
const media = new LocalMedia();
media.device = root.dataset.device || "";
const marks = { joinClicked: null, firstRemoteFrame: null };
let call = null;

const LEFT_REASONS = {
  left: "left the call",
  dropped: "lost their connection",
  replaced: "rejoined from another tab",
};

function tileOf(peerId) {
  return document.querySelector(`.tile[data-peer-id="${CSS.escape(peerId)}"]`);
}

function iconsFor(state) {
  const parts = [];
  if (state && !state.mic) parts.push("mic off");
  if (state && !state.camera && !state.screen) parts.push("camera off");
  if (state && state.screen) parts.push("sharing screen");
  return parts.join(" · ");
}

const view = {
  addTile(peer, stream) {
    const figure = document.createElement("figure");
    figure.className = "tile";
    figure.dataset.peerId = peer.peer_id;
    const video = document.createElement("video");
    video.autoplay = true;
    video.playsInline = true;
    video.srcObject = stream;
    video.setAttribute("aria-label", `Video of ${peer.name}`);
    const watchFirstFrame = () => video.requestVideoFrameCallback?.(() => {
      marks.firstRemoteFrame ??= performance.now();
    });
    watchFirstFrame();
    const caption = document.createElement("figcaption");
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = peer.name;
    const icons = document.createElement("span");
    icons.className = "media-icons";
    const qualityText = document.createElement("span");
    qualityText.className = "quality";
    qualityText.textContent = "connecting…";
    caption.append(name, icons, qualityText);
    figure.append(video, avatarFor(peer.name), caption);
    $("tiles").append(figure);
    view.setPeerMedia(peer.peer_id, peer.media);
    showWhoIsHere();
    stream.addEventListener("addtrack", () => video.play().catch(() => {}));
  },
  removeTile(peerId, person, reason) {
    tileOf(peerId)?.remove();
    showWhoIsHere();
    if (person && reason !== "rejoined" && reason !== "left-by-me") {
      view.setStatus("open", `${person.name} ${LEFT_REASONS[reason] || "left"}.`);
    }
  },
  setPeerMedia(peerId, state) {
    const tile = tileOf(peerId);
    if (!tile) return;
    tile.querySelector(".media-icons").textContent = iconsFor(state);
    tile.classList.toggle("screen", Boolean(state?.screen));
    // No frozen last frame: a camera that is off shows the person's initials.
    tile.classList.toggle("camera-off", Boolean(state && !state.camera && !state.screen));
  },
  setPeerConnection(peerId, state) {
    const tile = tileOf(peerId);
    if (!tile) return;
    let note = tile.querySelector(".notice-overlay");
    const isTrouble = state === "disconnected" || state === "failed";
    if (isTrouble && !note) {
      note = document.createElement("p");
      note.className = "notice-overlay";
      note.setAttribute("role", "status");
      tile.append(note);
    }
    if (note) {
      if (isTrouble) note.textContent = "Connection interrupted, reconnecting…";
      else note.remove();
    }
  },
  setQuality(peerId, q) {
    const el = tileOf(peerId)?.querySelector(".quality");
    if (!el) return;
    el.textContent = `${q.kbps} kbps · ${q.lossPct}% loss${q.rttMs !== null ? ` · ${q.rttMs} ms` : ""}`;
    el.className = `quality ${q.verdict}`;
    el.title = `Connection quality: ${q.verdict}`;
  },
  addChat(message, isMine) {
    addChatLine($("chat-log"), message, isMine);
  },
  setStatus(state, reason = "") {
    showCallStatus($("call-status"), state, reason, (why) => showLeft(why));
  },
};

/** Alone in the call: say whom we wait for, and show our own video large instead of small. */
function showWhoIsHere() {
  const isAlone = !$("tiles").children.length;
  $("stage").classList.toggle("alone", isAlone);
  $("call-waiting").hidden = !isAlone;
  $("call-waiting").textContent = isAlone ? waitingText(others) : "";
}

function showLeft(message) {
  sessionStorage.removeItem(rejoinKey);
  $("call").hidden = true;
  $("left").hidden = false;
  $("left-message").textContent = message;
  $("left-title").focus(); // brings the card into view, and tells a screen reader
  media.stopAll();
  call = null;
}

async function join() {
  marks.joinClicked = performance.now();
  marks.firstRemoteFrame = null;
  $("join-error").hidden = true;
  $("prejoin").hidden = true;
  $("left").hidden = true;
  $("call").hidden = false;
  showStream($("self-view"), media.stream);
  showWhoIsHere();
  syncControls();
  call = new Call(sessionId, media, view);
  window.tandemCall.call = call;
  try {
    await call.join();
    sessionStorage.setItem(rejoinKey, "1");
  } catch (err) {
    call = null;
    sessionStorage.removeItem(rejoinKey);
    $("call").hidden = true;
    $("prejoin").hidden = false;
    $("join-error").hidden = false;
    $("join-error").textContent = err.message;
  }
}

function syncControls() {
  syncMediaButtons(media);
  $("self-icons").textContent = iconsFor(media.state);
  $("self-tile").classList.toggle("camera-off", !media.videoTrack);
  $("self-view").classList.toggle("mirror", !media.screenTrack); // a shared screen reads as is
  if ($("self-view").paused && media.videoTrack) $("self-view").play().catch(() => {});
}

function wireControls() {
  wireCallControls({
    media, join, syncControls,
    setStatus: view.setStatus,
    announceMedia: () => call?.announceMedia(),
    // One video track: the screen while sharing, else the camera.
    sendCamera: () => (media.screenTrack ? call?.announceMedia() : call?.replaceTrack("video", media.cameraTrack)),
    sendScreen: () => call?.replaceTrack("video", media.videoTrack),
    sendChat: (text) => call?.sendChat(text),
    // While sharing, the screen is our video: a new camera waits until the share ends.
    replaceTrack: (kind, track) => (kind === "video" && media.screenTrack ? null : call?.replaceTrack(kind, track)),
  });
  $("leave-button").addEventListener("click", () => {
    call?.leave();
    showLeft("You can join again while the session lasts.");
  });
}

window.tandemCall = {
  marks,
  call: null,
  get peerId() { return call?.peerId ?? null; },
  /** peer id -> RTCPeerConnection */
  get peers() { return new Map([...(call?.links || new Map())].map(([id, l]) => [id, l.pc])); },
  stats: () => (call ? call.stats() : Promise.resolve({})),
  join,
  leave: () => $("leave-button").click(),
};

async function start() {
  wireControls();
  startClock($("call-elapsed"), root.dataset.startsAt);
  $("self-tile").querySelector(".initials").textContent = initialsOf(root.dataset.userName);
  try {
    await startPreview(media);
  } finally {
    $("join-button").disabled = false; // ready, with whatever media we could get
  }
  if (sessionStorage.getItem(rejoinKey)) await join(); // back after a reload: straight in
}

start();
