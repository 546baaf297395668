// The call: one PeerLink per remote peer, driven by the room connection's messages.
// The newcomer offers to everyone already there; later renegotiations may come from either side.

import { RoomConnection } from "./connection.js";
import { PeerLink } from "./peer-link.js";
import { quality, summarize } from "./stats.js";

const STATS_EVERY_MS = 2000;

export class Call {
  /**
   * @param {number} sessionId
   * @param {import("./local-media.js").LocalMedia} media
   * @param {object} view  the page's tiles, chat and status (see main.js)
   */
  constructor(sessionId, media, view) {
    this.media = media;
    this.view = view;
    this.links = new Map(); // peerId -> PeerLink
    this.people = new Map(); // peerId -> {peer_id, user_id, name, media}
    this.lastStats = new Map();
    this.connection = new RoomConnection(sessionId, () => media.state, media.device);
    this.statsTimer = null;
    this.listen();
  }

  get peerId() {
    return this.connection.peerId;
  }

  listen() {
    const on = (type, fn) => this.connection.addEventListener(type, (e) => fn(e.detail));
    on("welcome", (m) => this.onWelcome(m));
    on("peer-joined", (m) => this.addPeer(m.peer, false));
    on("peer-left", (m) => this.removePeer(m.peer_id, m.reason));
    on("offer", (m) => this.links.get(m.from)?.onDescription(m).catch((e) => console.warn(e)));
    on("answer", (m) => this.links.get(m.from)?.onDescription(m).catch((e) => console.warn(e)));
    on("candidate", (m) => this.links.get(m.from)?.onCandidate(m.candidate));
    on("media", (m) => {
      const person = this.people.get(m.from);
      if (person) person.media = { mic: m.mic, camera: m.camera, screen: m.screen };
      this.view.setPeerMedia(m.from, m);
    });
    on("chat", (m) => this.view.addChat(m, m.from === this.peerId));
    on("error", (m) => console.warn("signaling error", m.code, m.message));
    on("state", ({ state, reason }) => this.view.setStatus(state, reason));
    on("refused", (err) => this.view.setStatus("closed", err.message));
  }

  async join() {
    await this.connection.fetchTicket();
    await this.connection.open();
    clearInterval(this.statsTimer);
    this.statsTimer = setInterval(() => this.refreshQuality(), STATS_EVERY_MS);
  }

  /** (Re)joined: start afresh with everyone listed, offering to each. */
  onWelcome(message) {
    for (const peerId of [...this.links.keys()]) this.removePeer(peerId, "rejoined");
    for (const peer of message.peers) this.addPeer(peer, true);
  }

  addPeer(peer, isCaller) {
    if (this.links.has(peer.peer_id)) return;
    this.people.set(peer.peer_id, peer);
    const link = new PeerLink({
      peerId: peer.peer_id,
      polite: this.peerId < peer.peer_id,
      iceServers: this.connection.iceServers,
      send: (message) => this.connection.send(message),
      localStream: () => this.media.stream,
    });
    this.links.set(peer.peer_id, link);
    this.view.addTile(peer, link.remoteStream);
    link.onStateChange = (state) => this.view.setPeerConnection(peer.peer_id, state);
    if (isCaller) link.startAsCaller();
  }

  removePeer(peerId, reason) {
    this.links.get(peerId)?.close();
    this.links.delete(peerId);
    this.lastStats.delete(peerId);
    const person = this.people.get(peerId);
    this.people.delete(peerId);
    this.view.removeTile(peerId, person, reason);
  }

  /** Send `track` (or nothing) as our `kind` to everyone. */
  async replaceTrack(kind, track) {
    await Promise.all([...this.links.values()].map((link) => link.replaceTrack(kind, track)));
    this.announceMedia();
  }

  announceMedia() {
    this.connection.send({ type: "media", ...this.media.state });
  }

  sendChat(text) {
    return this.connection.send({ type: "chat", text });
  }

  async refreshQuality() {
    for (const [peerId, link] of this.links) {
      const current = await summarize(link.pc);
      const rated = quality(this.lastStats.get(peerId), current);
      this.lastStats.set(peerId, current);
      if (rated) this.view.setQuality(peerId, rated);
    }
  }

  /** Stats summaries of every peer connection (the test hook uses this). */
  async stats() {
    const out = {};
    for (const [peerId, link] of this.links) out[peerId] = await summarize(link.pc);
    return out;
  }

  leave() {
    clearInterval(this.statsTimer);
    this.connection.leave();
    for (const peerId of [...this.links.keys()]) this.removePeer(peerId, "left-by-me");
  }
}
