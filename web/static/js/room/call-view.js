// Pieces of the call view shared by 1:1 calls and office hours.

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
