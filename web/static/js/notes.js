// Live session notes: binds a <textarea> to the Y.Text "notes" of one notes doc.
//
// Talks over an abstract channel ({send(msg), onMessage(cb)}, optionally onOpen(cb) to learn of
// reconnects); the wire messages are documented in docs/notes-protocol.md. Local edits become
// minimal delete/insert diffs; remote ones keep the caret where it was, relative to the text
// around it. Updates stay pending until the server acks them (it acks only once they are stored),
// and a reconnect merges both ways by state vector, so offline edits are never lost.

import * as Y from "../vendor/yjs.mjs";

const REMOTE = Symbol("notes-remote");
const TYPING_SEND_EVERY_MS = 1500;

/**
 * Attach live notes to a textarea.
 * @param {HTMLTextAreaElement} textarea
 * @param {{send(msg: object): void, onMessage(cb: (msg: object) => void): void,
 *          onOpen?(cb: () => void): void}} channel
 * @param {{userId: number, doc?: string, typingTimeoutMs?: number,
 *          onTyping?(userIds: number[]): void, onError?(error: {code: string, message: string}): void,
 *          onSynced?(): void}} options
 */
export function attachNotes(textarea, channel, options) {
  const { userId, doc = "shared", typingTimeoutMs = 3000 } = options;
  const onTyping = options.onTyping ?? (() => {});
  const onError = options.onError ?? (() => {});
  const onSynced = options.onSynced ?? (() => {});

  const ydoc = new Y.Doc();
  const ytext = ydoc.getText("notes");
  const pending = new Map(); // seq -> update not yet acked (i.e. not yet stored by the server)
  const typing = new Map(); // user id -> expiry timer
  let nextSeq = 1;
  let isSynced = false;
  let isDestroyed = false;
  let lastTypingSent = 0;

  function send(msg) {
    if (isDestroyed) return;
    try {
      channel.send({ doc, ...msg });
    } catch {
      // The channel is down: pending updates are merged again on the next sync.
    }
  }

  function sendUpdate(update) {
    const seq = nextSeq++;
    pending.set(seq, update);
    if (isSynced) {
      send({ type: "notes-update", update: toBase64(update), client_id: ydoc.clientID, seq });
    }
  }

  function resync() {
    isSynced = false;
    send({ type: "notes-sync", state_vector: toBase64(Y.encodeStateVector(ydoc)) });
  }

  function onSyncReply(msg) {
    applyRemote(fromBase64(msg.update));
    // Whatever the server still lacks (offline edits, updates whose ack was lost) goes as one
    // update; it supersedes everything pending.
    const missing = Y.encodeStateAsUpdate(ydoc, fromBase64(msg.state_vector));
    pending.clear();
    isSynced = true;
    if (hasStructs(missing) || hasDeletions(missing)) sendUpdate(missing);
    onSynced();
  }

  // Local edits: diff the textarea against the Y.Text and apply the change.
  function onInput() {
    const before = ytext.toString();
    const after = textarea.value;
    if (before === after) return;
    const { index, remove, insert } = textChange(before, after, textarea.selectionEnd);
    ydoc.transact(() => {
      if (remove) ytext.delete(index, remove);
      if (insert) ytext.insert(index, insert);
    });
    const now = Date.now();
    if (now - lastTypingSent > TYPING_SEND_EVERY_MS) {
      lastTypingSent = now;
      send({ type: "notes-typing" });
    }
  }

  function onUpdate(update, origin) {
    if (origin !== REMOTE) sendUpdate(update);
  }

  // Remote changes: re-render, keeping the selection anchored to the text around it.
  function applyRemote(update) {
    const start = Y.createRelativePositionFromTypeIndex(ytext, textarea.selectionStart ?? 0);
    const end = Y.createRelativePositionFromTypeIndex(ytext, textarea.selectionEnd ?? 0);
    Y.applyUpdate(ydoc, update, REMOTE);
    const text = ytext.toString();
    if (textarea.value === text) return;
    textarea.value = text;
    const newStart = Y.createAbsolutePositionFromRelativePosition(start, ydoc);
    const newEnd = Y.createAbsolutePositionFromRelativePosition(end, ydoc);
    if (newStart && newEnd) textarea.setSelectionRange(newStart.index, newEnd.index);
  }

  function markTyping(otherId) {
    if (otherId === undefined || otherId === null || otherId === userId) return;
    clearTimeout(typing.get(otherId));
    const isNew = !typing.has(otherId);
    typing.set(
      otherId,
      setTimeout(() => {
        typing.delete(otherId);
        onTyping([...typing.keys()]);
      }, typingTimeoutMs),
    );
    if (isNew) onTyping([...typing.keys()]);
  }

  function onMessage(msg) {
    if (isDestroyed || !msg || msg.doc !== doc) return;
    switch (msg.type) {
      case "notes-sync":
        if (msg.update !== undefined) onSyncReply(msg);
        break;
      case "notes-update":
        applyRemote(fromBase64(msg.update));
        markTyping(msg.user_id);
        break;
      case "notes-ack":
        pending.delete(msg.seq);
        break;
      case "notes-typing":
        markTyping(msg.user_id);
        break;
      case "notes-error":
        if (msg.seq !== undefined) pending.delete(msg.seq);
        if (msg.code === "out_of_sync") resync();
        else onError({ code: msg.code, message: msg.message });
        break;
    }
  }

  textarea.value = "";
  textarea.addEventListener("input", onInput);
  ydoc.on("update", onUpdate);
  channel.onMessage(onMessage);
  if (channel.onOpen) channel.onOpen(resync);
  resync();

  return {
    ydoc,
    ytext,
    resync,
    /** Updates sent but not yet stored by the server. */
    get pendingCount() {
      return pending.size;
    },
    get isSynced() {
      return isSynced;
    },
    destroy() {
      isDestroyed = true;
      textarea.removeEventListener("input", onInput);
      ydoc.off("update", onUpdate);
      for (const timer of typing.values()) clearTimeout(timer);
      typing.clear();
      ydoc.destroy();
    },
  };
}

/**
 * The single edit turning `before` into `after`, preferring one that ends at the caret (so typing
 * "a" inside "aa" lands where the user typed). Never splits a UTF-16 surrogate pair.
 */
export function textChange(before, after, caret = after.length) {
  const maxSuffix = Math.min(before.length, after.length, Math.max(0, after.length - caret));
  let suffix = 0;
  while (
    suffix < maxSuffix &&
    before[before.length - 1 - suffix] === after[after.length - 1 - suffix]
  ) {
    suffix++;
  }
  const maxPrefix = Math.min(before.length, after.length) - suffix;
  let prefix = 0;
  while (prefix < maxPrefix && before[prefix] === after[prefix]) prefix++;
  if (prefix > 0 && isHighSurrogate(before.charCodeAt(prefix - 1))) prefix--;
  if (suffix > 0 && isLowSurrogate(before.charCodeAt(before.length - suffix))) suffix--;
  return {
    index: prefix,
    remove: before.length - prefix - suffix,
    insert: after.slice(prefix, after.length - suffix),
  };
}

function isHighSurrogate(code) {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code) {
  return code >= 0xdc00 && code <= 0xdfff;
}

// An update encodes its struct count first and its delete set last: [0, 0] is the empty update.
function hasStructs(update) {
  return update.length > 0 && update[0] !== 0;
}

function hasDeletions(update) {
  return update.length > 0 && update[update.length - 1] !== 0;
}

function toBase64(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function fromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
