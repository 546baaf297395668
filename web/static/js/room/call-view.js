// Pieces of the call view shared by 1:1 calls and office hours.
import { startPreview, wireDevicePickers } from "./prejoin.js";

const $ = (id) => document.getElementById(id);

/** Append a chat message to `log`; the text is set as text, never HTML. */
export function addChatLine(log, message, isMine) {
  const item = document.createElement("li");
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = isMine ? "You" : message.name;
  const text = document.createElement("span");
  text.textContent = message.text;
  item.append(who, text);
  log.append(item);
  item.scrollIntoView({ block: "nearest" });
}

/** Show the connection state in `status`; `onClosed(reason)` when the call ended with a reason. */
export function showCallStatus(status, state, reason, onClosed) {
  if (state === "connecting") status.textContent = "Connecting…";
  else if (state === "reconnecting") status.textContent = "Connection lost. Reconnecting…";
  else if (state === "open") status.textContent = reason;
  else if (state === "closed" && reason) onClosed(reason);
}

function setPressed(button, isOn, onLabel, offLabel) {
  button.setAttribute("aria-pressed", String(isOn));
  button.textContent = isOn ? onLabel : offLabel;
}

/** Show the microphone, camera and screen buttons as `media` is now. */
export function syncMediaButtons(media) {
  const s = media.state;
  setPressed($("mic-button"), s.mic, "Microphone on", "Microphone off");
  setPressed($("camera-button"), s.camera, "Camera on", "Camera off");
  setPressed($("screen-button"), s.screen, "Stop sharing", "Share screen");
  $("mic-button").disabled = !media.micTrack;
}

/** Show the raise-hand button as raised or not. */
export function syncHandButton(isRaised) {
  setPressed($("hand-button"), isRaised, "Lower hand", "Raise hand");
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
