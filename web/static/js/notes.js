// Live session notes: binds a <textarea> to the Y.Text "notes" of one notes doc.
//
// Talks over an abstract channel ({send(msg), onMessage(cb)}, optionally onOpen(cb) to learn of
// reconnects); the wire messages are documented in docs/notes-protocol.md. Local edits become
// minimal delete/insert diffs; remote ones keep the caret on the same character. Every update
// stays pending until the server acks it (it acks only once the update is stored); after a
// reconnect the pending ones are sent again, merged into a few messages, so offline edits merge.

import * as Y from "../vendor/yjs.mjs";

const REMOTE = Symbol("notes-remote");
const TYPING_SEND_EVERY_MS = 1500;
// Big pastes are inserted in slices so that no single update outgrows a WebSocket message.
const MAX_INSERT_CHARS = 8192;
// An update's bytes, before base64: leaves room in the server's 64 KiB message limit.
const MAX_UPDATE_BYTES = 32 * 1024;
// Local keystrokes within this window travel as one message (well inside the 200 ms budget).
const FLUSH_DELAY_MS = 30;
// After this many "out of sync" answers without progress, stop and report instead of looping.
const MAX_RESYNCS = 3;

/**
 * Attach live notes to a textarea.
 * @param {HTMLTextAreaElement} textarea
 * @param {{send(msg: object): void, onMessage(cb: (msg: object) => void): void,
 *          onOpen?(cb: () => void): void}} channel
 * @param {{userId: number, doc?: string, typingTimeoutMs?: number,
 *          onTyping?(userIds: number[]): void,
 *          onError?(error: {code: string, message: string}): void,
 *          onSynced?(): void}} options
 */
export function attachNotes(textarea, channel, options) {
  const { userId, doc = "shared", typingTimeoutMs = 3000 } = options;
  const onTyping = options.onTyping ?? (() => {});
  const onError = options.onError ?? (() => {});
  const onSynced = options.onSynced ?? (() => {});

  const ydoc = new Y.Doc();
  const ytext = ydoc.getText("notes");
  const pending = new Map(); // seq -> sent update the server has not acked (stored) yet
  let outbox = []; // local updates not sent yet
  const typing = new Map(); // user id -> expiry timer
  let nextSeq = 1;
  let isSynced = false;
  let isDiverged = false; // the server refused our changes for good: stop sending
  let isDestroyed = false;
  let resyncs = 0;
  let flushTimer = null;
  let lastTypingSent = 0;

  function send(msg) {
    if (isDestroyed) return false;
    try {
      channel.send({ doc, ...msg });
      return true;
    } catch {
      return false; // the channel is down: pending updates go again after the next sync
    }
  }

  function scheduleFlush() {
    if (flushTimer === null) flushTimer = setTimeout(flush, FLUSH_DELAY_MS);
  }

  function flush() {
    clearTimeout(flushTimer);
    flushTimer = null;
    if (!isSynced || isDiverged || outbox.length === 0) return;
    for (const update of mergeInBatches(outbox)) {
      const seq = nextSeq++;
      pending.set(seq, update);
      const msg = { type: "notes-update", update: toBase64(update), client_id: ydoc.clientID, seq };
      if (!send(msg)) isSynced = false; // hold further changes until the next sync
    }
    outbox = [];
  }

  function resync() {
    isSynced = false;
    send({ type: "notes-sync", state_vector: toBase64(Y.encodeStateVector(ydoc)) });
  }

  function onSyncReply(msg) {
    applyRemote(fromBase64(msg.update));
    // Whatever was sent but not acked may not have been stored: send it again, before anything
    // newer. The server stores nothing twice.
    outbox = [...pending.values(), ...outbox];
    pending.clear();
    isSynced = true;
    flush();
    onSynced();
  }

  function diverge(code, message) {
    isDiverged = true;
    onError({ code, message });
  }

  // Local edits: diff the textarea against the Y.Text and apply the change.
  function onInput() {
    const before = ytext.toString();
    const after = textarea.value;
    if (before === after) return;
    const { index, remove, insert } = textChange(before, after, textarea.selectionEnd);
    if (remove) ydoc.transact(() => ytext.delete(index, remove));
    for (let done = 0; done < insert.length; ) {
      let slice = insert.slice(done, done + MAX_INSERT_CHARS);
      if (slice.length > 1 && isHighSurrogate(slice.charCodeAt(slice.length - 1))) {
        slice = slice.slice(0, -1);
      }
      ydoc.transact(() => ytext.insert(index + done, slice));
      done += slice.length;
    }
    const now = Date.now();
    if (now - lastTypingSent > TYPING_SEND_EVERY_MS) {
      lastTypingSent = now;
      send({ type: "notes-typing" });
    }
  }

  function onUpdate(update, origin) {
    if (origin === REMOTE) return;
    outbox.push(update);
    scheduleFlush();
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

  function onFailure(code, message) {
    if (code === "out_of_sync" && resyncs < MAX_RESYNCS) {
      resyncs++;
      resync();
    } else if (code === "rate_limited" || code === "too_large" || code === "unavailable") {
      onError({ code, message });
      setTimeout(() => isDestroyed || resync(), 1000);
    } else if (code === "rejected" || code === "out_of_sync") {
      diverge(code, message);
    } else {
      onError({ code, message });
    }
  }

  function onMessage(msg) {
    if (isDestroyed || !msg) return;
    // The signaling layer's own `error` (e.g. rate limiting) names the message type it answers.
    if (msg.type === "error" && String(msg.for ?? "").startsWith("notes-")) {
      if (msg.doc === undefined || msg.doc === doc) onFailure(msg.code, msg.message);
      return;
    }
    if (msg.doc !== doc) return;
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
        resyncs = 0;
        break;
      case "notes-typing":
        markTyping(msg.user_id);
        break;
      case "notes-error":
        onFailure(msg.code, msg.message);
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
    /** Local changes the server has not stored yet (sent or not). */
    get pendingCount() {
      return pending.size + outbox.length;
    },
    get isSynced() {
      return isSynced;
    },
    /** True once the server refused this client's changes; the page should offer a reload. */
    get isDiverged() {
      return isDiverged;
    },
    destroy() {
      isDestroyed = true;
      clearTimeout(flushTimer);
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

/** Merge updates, in order, into as few as possible of at most MAX_UPDATE_BYTES each. */
function mergeInBatches(updates) {
  const batches = [];
  let batch = [];
  let size = 0;
  for (const update of updates) {
    if (batch.length && size + update.length > MAX_UPDATE_BYTES) {
      batches.push(Y.mergeUpdates(batch));
      batch = [];
      size = 0;
    }
    batch.push(update);
    size += update.length;
  }
  if (batch.length) batches.push(Y.mergeUpdates(batch));
  return batches;
}

function isHighSurrogate(code) {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code) {
  return code >= 0xdc00 && code <= 0xdfff;
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
