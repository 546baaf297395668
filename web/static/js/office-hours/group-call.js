// An office-hours call: the room connection (shared with 1:1 calls), one SfuLink to the server,
// and the room's state (people, hands, spotlight, lobby) that the view draws.

import { RoomConnection } from "../room/connection.js";
import { SfuLink } from "./sfu-link.js";
import { SpeakerWatch } from "./speakers.js";

const SPEAKER_EVERY_MS = 400;
const RECONNECT_AFTER_DISCONNECT_MS = 3000;
// Refusals after which reconnecting is pointless: the page says why instead.
const FINAL_ERRORS = new Set(["removed", "declined", "room_full", "replaced"]);

export class GroupCall {
  /**
   * @param {number} sessionId
   * @param {import("../room/local-media.js").LocalMedia} media
   * @param {object} view  see main.js
   * @param {{userId: number, name: string}} me
   */
  constructor(sessionId, media, view, me) {
    this.media = media;
    this.view = view;
    this.me = me;
    this.people = new Map(); // peer id -> {peer_id, user_id, name, media}
    this.hands = []; // peer ids, in the order raised
    this.spotlight = null;
    this.hostUserId = null;
    this.isHost = false;
    this.waiting = []; // the lobby, as the host sees it
    this.link = null;
    this.speakers = null;
    this.speakerTimer = null;
    this.mediaTimer = null;
    this.connection = new RoomConnection(sessionId, () => media.state);
    this.listen();
  }

  get peerId() {
    return this.connection.peerId;
  }

  /** Merge server-reported state into a person and redraw. */
  update(peerId, fields) {
    const person = this.people.get(peerId);
    if (!person) return;
    Object.assign(person, fields);
    this.view.render();
  }

  get hostPeerId() {
    for (const person of this.people.values()) if (person.user_id === this.hostUserId) return person.peer_id;
    return null;
  }

  listen() {
    const on = (type, fn) => this.connection.addEventListener(type, (e) => fn(e.detail));
    on("lobby", (m) => this.view.showLobby(m));
    on("welcome", (m) => this.onWelcome(m));
    on("office-hours", (m) => {
      this.hostUserId = m.host_user_id;
      this.isHost = m.is_host;
      this.hands = m.hands;
      this.spotlight = m.spotlight;
      this.view.render();
    });
    on("peer-joined", (m) => {
      this.people.set(m.peer.peer_id, m.peer);
      this.view.render();
    });
    on("peer-left", (m) => {
      this.people.delete(m.peer_id);
      this.view.removeTile(m.peer_id);
      this.view.render();
    });
    on("media", (m) => {
      const person = this.people.get(m.from);
      if (person) person.media = { mic: m.mic, camera: m.camera, screen: m.screen };
      this.view.render();
    });
    on("sfu-offer", (m) => this.link?.handleOffer(m));
    on("hands", (m) => {
      this.hands = m.queue;
      this.view.render();
    });
    on("video-layer", (m) => this.update(m.peer_id, { videoPaused: m.paused, videoLayer: m.layer }));
    on("reception", (m) => this.update(m.peer_id, { reception: m.video }));
    on("spotlight", (m) => {
      this.spotlight = m.peer_id;
      this.view.render();
    });
    on("lobby-list", (m) => {
      this.waiting = m.waiting;
      this.view.renderLobby();
    });
    on("muted-by-host", () => this.view.onMutedByHost());
    on("camera-stopped-by-host", () => this.view.onCameraStoppedByHost());
    // Removal is final: no way back in from this page.
    on("removed", () => this.stop("The host removed you from this session.", { canRejoin: false }));
    on("error", (m) => {
      if (FINAL_ERRORS.has(m.code)) this.stop(m.message, { canRejoin: m.code !== "removed" });
      else console.warn("signaling error", m.code, m.message);
    });
    on("chat", (m) => this.view.addChat(m, m.from === this.peerId));
    on("state", ({ state, reason }) => this.view.setStatus(state, reason));
    on("refused", (err) => this.view.setStatus("closed", err.message));
  }

  async join() {
    await this.connection.fetchTicket();
    await this.connection.open();
  }

  /** In (again): one fresh connection to the server, everyone listed. */
  onWelcome(message) {
    this.closeLink();
    for (const peerId of this.people.keys()) this.view.removeTile(peerId);
    this.people = new Map(message.peers.map((p) => [p.peer_id, p]));
    this.people.set(message.peer_id, {
      peer_id: message.peer_id, user_id: this.me.userId, name: this.me.name, media: this.media.state,
    });
    this.waiting = [];
    this.link = new SfuLink({
      iceServers: this.connection.iceServers,
      send: (m) => this.connection.send(m),
      localTracks: () => ({
        audio: this.media.micTrack, video: this.media.cameraTrack, screen: this.media.screenTrack,
      }),
      onMedia: (subscriptions) => this.view.setMedia(subscriptions),
      onState: (state) => this.onLinkState(state),
    });
    this.speakers = new SpeakerWatch(this.link.pc, (mid) => this.link?.ownerOf(mid), message.peer_id);
    this.speakerTimer = setInterval(async () => {
      const speaker = await this.speakers?.sample().catch(() => null);
      this.view.setSpeaker(speaker ?? null);
    }, SPEAKER_EVERY_MS);
    this.view.showCall();
    this.view.render();
  }

  /** The server cannot restart ICE: a connection that fails is replaced by rejoining. */
  onLinkState(state) {
    clearTimeout(this.mediaTimer);
    const rejoin = () => this.connection.ws?.close(4000, "media connection lost");
    if (state === "failed") rejoin();
    else if (state === "disconnected") this.mediaTimer = setTimeout(rejoin, RECONNECT_AFTER_DISCONNECT_MS);
  }

  closeLink() {
    clearInterval(this.speakerTimer);
    clearTimeout(this.mediaTimer);
    this.link?.close();
    this.link = null;
    this.speakers = null;
  }

  /** Send `track` (or nothing) as our `kind` ("audio", "video", "screen") and tell the others. */
  async replaceTrack(kind, track) {
    await this.link?.replaceTrack(kind, track);
    this.announceMedia();
  }

  announceMedia() {
    const self = this.people.get(this.peerId);
    if (self) self.media = this.media.state;
    this.connection.send({ type: "media", ...this.media.state });
    this.view.render();
  }

  send(message) {
    return this.connection.send(message);
  }

  raiseHand(isRaised) {
    this.send({ type: "hand", raised: isRaised });
  }

  /** Stop for good (removed, declined, full...): no reconnecting. */
  stop(message, options = {}) {
    this.connection.isStopped = true;
    this.closeLink();
    this.view.showLeft(message, options);
  }

  leave() {
    this.connection.leave();
    this.closeLink();
  }

  /** Inbound camera, screen and audio per sending peer (the test hook uses this). */
  async stats() {
    if (!this.link) return {};
    const report = await this.link.pc.getStats();
    const out = {};
    report.forEach((s) => {
      if (s.type !== "inbound-rtp") return;
      const peerId = this.link.ownerOf(s.mid);
      if (!peerId) return;
      const row = (out[peerId] ||= { framesDecoded: 0, screenFramesDecoded: 0, audioPackets: 0, audioLevel: 0 });
      if (s.kind === "video" && this.link.kindOf(s.mid) === "screen") row.screenFramesDecoded += s.framesDecoded || 0;
      else if (s.kind === "video") row.framesDecoded += s.framesDecoded || 0;
      if (s.kind === "audio") {
        row.audioPackets += s.packetsReceived || 0;
        row.audioLevel = s.audioLevel || 0;
      }
    });
    return out;
  }
}
