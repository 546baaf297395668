// The room's signaling connection: join ticket, WebSocket, handshake, reconnect with backoff.
// Emits one DOM event per server message type (event.detail is the message), plus
// "state" (detail: "connecting" | "open" | "reconnecting" | "closed") and "refused".

const BACKOFF_MS = [0, 1000, 3000, 5000];
// Closes after which reconnecting cannot help: replaced by another tab, refused at the door
// (4003), or the office-hours removed/declined/full codes (4010-4012).
const FINAL_CLOSES = new Set([4001, 4003, 4010, 4011, 4012]);
const CLIENT_PING_MS = 10000;

export class RoomConnection extends EventTarget {
  constructor(sessionId, mediaState, device = "") {
    super();
    this.sessionId = sessionId;
    this.mediaState = mediaState; // () => {mic, camera, screen}
    this.device = device; // "room": the shared laptop at a meetup's place
    this.ws = null;
    this.ticket = null;
    this.peerId = null;
    this.iceServers = [];
    this.lastError = "";
    this.attempt = 0;
    this.isStopped = false;
    this.pingTimer = null;
  }

  /** The ticket from the join API: token, ws_url, ice_servers. Throws Error with .code. */
  async fetchTicket() {
    const response = await fetch(`/api/v1/sessions/${this.sessionId}/join`, {
      credentials: "same-origin", cache: "no-store",
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const err = new Error(body.error?.message || `Joining failed (${response.status}).`);
      err.code = body.error?.code || "join_failed";
      err.status = response.status;
      throw err;
    }
    this.ticket = body;
    this.iceServers = body.ice_servers;
    return body;
  }

  async open() {
    this.isStopped = false;
    this.emitState(this.attempt ? "reconnecting" : "connecting");
    if (!this.ticket || this.ticket.expires_at * 1000 < Date.now() + 5000) {
      await this.fetchTicket();
    }
    const { ws_url: url, token } = this.ticket;
    this.ticket = null; // one use: a reconnect fetches a fresh one
    const device = this.device ? `&device=${encodeURIComponent(this.device)}` : "";
    const ws = new WebSocket(`${url}?token=${encodeURIComponent(token)}${device}`);
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: "join", media: this.mediaState() }));
    ws.onmessage = (event) => this.onMessage(event.data);
    ws.onclose = (event) => this.onClose(ws, event);
  }

  onMessage(raw) {
    let message;
    try { message = JSON.parse(raw); } catch { return; }
    if (message.type === "welcome") {
      this.attempt = 0;
      this.peerId = message.peer_id;
      this.emitState("open");
      clearInterval(this.pingTimer);
      this.pingTimer = setInterval(() => this.send({ type: "ping", id: Date.now() }), CLIENT_PING_MS);
    } else if (message.type === "ping") {
      this.send({ type: "pong" });
    } else if (message.type === "error") {
      this.lastError = message.message;
    }
    this.dispatchEvent(new CustomEvent(message.type, { detail: message }));
  }

  onClose(ws, event) {
    if (ws !== this.ws) return;
    clearInterval(this.pingTimer);
    this.ws = null;
    if (this.isStopped) { this.emitState("closed"); return; }
    if (FINAL_CLOSES.has(event.code)) { // e.g. replaced by this user's newer tab: do not fight it
      this.isStopped = true;
      const reason = event.code === 4001
        ? "You joined from another tab or device, so this one left the call."
        : this.lastError || "You cannot be in this call right now.";
      this.emitState("closed", reason);
      return;
    }
    this.scheduleReconnect();
  }

  scheduleReconnect() {
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt += 1;
    this.emitState("reconnecting");
    setTimeout(() => {
      if (this.isStopped) return;
      this.open().catch((err) => {
        if (err.status && err.status < 500 && err.status !== 429) {
          this.isStopped = true;
          this.dispatchEvent(new CustomEvent("refused", { detail: err }));
          this.emitState("closed", err.message);
        } else {
          this.scheduleReconnect(); // network still down: try again later
        }
      });
    }, delay);
  }

  send(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  leave() {
    this.isStopped = true;
    clearInterval(this.pingTimer);
    if (this.ws) {
      this.send({ type: "leave" });
      this.ws.close(1000, "left");
    }
  }

  emitState(state, reason = "") {
    this.dispatchEvent(new CustomEvent("state", { detail: { state, reason } }));
  }
}
