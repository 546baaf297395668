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

/**
 * Wire the controls both call pages have: join and join again, microphone, camera, screen,
 * chat and the device pickers. The callbacks reach the page's current call, if any.
 */
export function wireCallControls({ media, join, toggleCamera, toggleScreen, syncControls,
                                   announceMedia, sendChat, replaceTrack }) {
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
