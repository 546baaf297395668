// Pieces of the call view shared by 1:1 calls and office hours.
import { startPreview, wireDevicePickers } from "./prejoin.js";

const $ = (id) => document.getElementById(id);

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });

/** Append a chat message to `log` with its time in the viewer's zone; text is set as text, never HTML. */
export function addChatLine(log, message, isMine) {
  const item = document.createElement("li");
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = isMine ? "You" : message.name;
  const sentAt = new Date(message.sent_at || Date.now());
  const time = document.createElement("time");
  time.className = "sent-at";
  time.dateTime = sentAt.toISOString();
  time.textContent = timeFormat.format(sentAt);
  const text = document.createElement("span");
  text.className = "text";
  text.textContent = message.text;
  item.append(who, time, text);
  log.append(item);
  log.scrollTop = log.scrollHeight; // the log scrolls, not the page
}

/** Up to two initials of `name`, shown on a tile whose camera is off. */
export function initialsOf(name) {
  const firsts = String(name || "").split(/\s+/).map((w) => w.match(/\p{L}|\p{N}/u)?.[0]).filter(Boolean);
  const letters = firsts.length > 1 ? [firsts[0], firsts[firsts.length - 1]] : firsts;
  return letters.join("").toUpperCase() || "?";
}

/** The circle with someone's initials that stands in for their video while the camera is off. */
export function avatarFor(name) {
  const avatar = document.createElement("div");
  avatar.className = "avatar";
  avatar.setAttribute("aria-hidden", "true");
  const initials = document.createElement("span");
  initials.className = "initials";
  initials.textContent = initialsOf(name);
  avatar.append(initials);
  return avatar;
}

/** "12:05" or "1:02:05" for `ms` milliseconds. */
function clockText(ms) {
  const total = Math.floor(ms / 1000);
  const [h, m, s] = [Math.floor(total / 3600), Math.floor(total / 60) % 60, total % 60];
  const pad = (n) => String(n).padStart(2, "0");
  return h ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/** Keep `element` showing the time since `startsAt` (an ISO date), or how soon it starts. */
export function startClock(element, startsAt) {
  const start = new Date(startsAt).getTime();
  const tick = () => {
    const ms = Date.now() - start;
    element.textContent = ms >= 0 ? clockText(ms) : `starts in ${Math.ceil(-ms / 60000)} min`;
    element.dateTime = `PT${Math.max(0, Math.floor(ms / 1000))}S`;
  };
  tick();
  return setInterval(tick, 1000);
}

/** "Waiting for Priya…" (or "Priya and Sam"), or "" with nobody named. */
export function waitingText(names) {
  if (!names.length) return "";
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  return `Waiting for ${list}…`;
}

/** Show the connection state in `status`; `onClosed(reason)` when the call ended with a reason. */
export function showCallStatus(status, state, reason, onClosed) {
  if (state === "connecting") status.textContent = "Connecting…";
  else if (state === "reconnecting") status.textContent = "Connection lost. Reconnecting…";
  else if (state === "open") status.textContent = reason;
  else if (state === "closed" && reason) onClosed(reason);
}

/** An icon from the page's sprite (the one the control bar uses), hidden from screen readers. */
export function icon(name) {
  const base = document.querySelector(".call-bar use")?.getAttribute("href").split("#")[0] || "";
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("class", "icon");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const use = document.createElementNS("http://www.w3.org/2000/svg", "use");
  use.setAttribute("href", `${base}#${name}`);
  svg.append(use);
  return svg;
}

/** Point the icon inside `button` at the sprite's `name`. */
function setIcon(button, name) {
  const use = button.querySelector("use");
  if (use) use.setAttribute("href", `${use.getAttribute("href").split("#")[0]}#${name}`);
}

// A toggle keeps its name ("Microphone"); aria-pressed, its icon and its tooltip say the state.
function setPressed(button, isOn, icons, titles) {
  button.setAttribute("aria-pressed", String(isOn));
  setIcon(button, isOn ? icons[0] : icons[1]);
  button.title = isOn ? titles[0] : titles[1];
}

/** Show the microphone, camera and screen buttons as `media` is now. */
export function syncMediaButtons(media) {
  const s = media.state;
  setPressed($("mic-button"), s.mic, ["mic", "mic-off"], ["Turn the microphone off", "Turn the microphone on"]);
  setPressed($("camera-button"), s.camera, ["video", "video-off"], ["Turn the camera off", "Turn the camera on"]);
  setPressed($("screen-button"), s.screen, ["screen-share-off", "screen-share"], ["Stop sharing", "Share your screen"]);
  $("mic-button").disabled = !media.micTrack;
}

/** Show the raise-hand button as raised or not. */
export function syncHandButton(isRaised) {
  setPressed($("hand-button"), isRaised, ["hand", "hand"], ["Lower your hand", "Raise your hand"]);
}

/** Show `stream` in `video` and play it: a stream whose tracks all ended leaves a video paused,
 * and setting the same stream again is no change, so clear it first. */
export function showStream(video, stream) {
  video.srcObject = null;
  video.srcObject = stream;
  video.play().catch(() => {});
}

/**
 * Wire the controls both call pages have: join and join again, microphone, camera, screen,
 * chat and the device pickers. The callbacks reach the page's current call, if any: the pages
 * differ only in how they send what changed (`sendCamera`, `sendScreen`, `replaceTrack`).
 */
export function wireCallControls({ media, join, syncControls, setStatus, announceMedia,
                                   sendCamera, sendScreen, sendChat, replaceTrack }) {
  async function toggleCamera() {
    try {
      if (media.cameraTrack) media.cameraOff();
      else await media.cameraOn();
    } catch (err) {
      setStatus("open", `The camera could not be started (${err.name}).`);
    }
    $("preview-off").hidden = Boolean(media.cameraTrack);
    await sendCamera();
    syncControls();
  }

  // Also run when the browser's own "Stop sharing" ends the screen track.
  async function stopSharing() {
    if (!media.screenTrack) return;
    media.screenOff();
    await sendScreen();
    syncControls();
  }

  async function toggleScreen() {
    if (media.screenTrack) return stopSharing();
    try {
      await media.screenOn(stopSharing);
    } catch {
      setStatus("open", "Screen sharing was cancelled or is not allowed.");
      return;
    }
    await sendScreen();
    syncControls();
  }

  $("join-button").addEventListener("click", join);
  $("rejoin-button").addEventListener("click", async () => {
    await startPreview(media);
    await join();
  });
  $("mic-button").addEventListener("click", () => {
    media.setMic(!media.state.mic);
    announceMedia();
    syncControls();
  });
  $("camera-button").addEventListener("click", toggleCamera);
  $("screen-button").addEventListener("click", toggleScreen);
  $("chat-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("chat-input");
    const text = input.value.trim();
    if (text && sendChat(text)) input.value = "";
  });
  wireDevicePickers(media, replaceTrack);
}
