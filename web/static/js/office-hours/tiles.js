// The video tiles: the host (or whoever the host spotlights) large on the stage, everyone else in
// the grid, each with a caption of name, role, raised hand and media state.

import { handPosition, mediaText } from "./people.js";

const $ = (id) => document.getElementById(id);

export class Tiles {
  /** @param {import("../room/local-media.js").LocalMedia} media  shown on our own tile */
  constructor(media) {
    this.media = media;
    this.tiles = new Map(); // peer id -> {figure, video, stream, caption}
    this.speaker = null;
  }

  tileFor(call, peerId) {
    let tile = this.tiles.get(peerId);
    if (tile) return tile;
    const figure = document.createElement("figure");
    figure.className = "tile";
    figure.dataset.peerId = peerId;
    const video = document.createElement("video");
    video.autoplay = true;
    video.playsInline = true;
    const isSelf = peerId === call.peerId;
    const stream = isSelf ? this.media.stream : new MediaStream();
    if (isSelf) {
      video.muted = true;
      video.classList.add("mirror");
      figure.classList.add("self");
    }
    video.srcObject = stream;
    const caption = document.createElement("figcaption");
    figure.append(video, caption);
    tile = { figure, video, stream, caption };
    this.tiles.set(peerId, tile);
    return tile;
  }

  caption(call, tile, person) {
    const isSelf = person.peer_id === call.peerId;
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = isSelf ? `You (${person.name})` : person.name;
    const extra = document.createElement("span");
    extra.className = "media-icons";
    const notes = [];
    if (person.user_id === call.hostUserId) notes.push("host");
    const position = handPosition(call, person.peer_id);
    if (position) notes.push(`hand raised (${position})`);
    const state = isSelf ? this.media.state : person.media;
    if (mediaText(state)) notes.push(mediaText(state));
    extra.textContent = notes.join(" · ");
    tile.caption.replaceChildren(name, extra);
    tile.video.setAttribute("aria-label", isSelf ? "You" : `Video of ${person.name}`);
    tile.figure.classList.toggle("hand", Boolean(position));
    tile.figure.classList.toggle("screen", Boolean(state?.screen));
  }

  /** Put everyone's tile where it belongs: the spotlight (or else the host) on the stage. */
  layout(call) {
    const stagePeer = call.spotlight && call.people.has(call.spotlight) ? call.spotlight : call.hostPeerId;
    for (const peerId of [...this.tiles.keys()]) {
      if (!call.people.has(peerId)) this.remove(peerId);
    }
    for (const person of call.people.values()) {
      const tile = this.tileFor(call, person.peer_id);
      this.caption(call, tile, person);
      const parent = person.peer_id === stagePeer ? $("stage") : $("grid");
      if (tile.figure.parentElement !== parent) parent.append(tile.figure);
    }
    $("stage").classList.toggle("empty", !$("stage").children.length);
  }

  /** Attach the server's forwarded tracks to their people's tiles. */
  setMedia(call, subscriptions) {
    for (const { peer_id: peerId, kind, track } of subscriptions) {
      if (!call.people.has(peerId)) continue;
      const tile = this.tileFor(call, peerId);
      for (const old of tile.stream.getTracks()) {
        if (old.kind === kind && old !== track) tile.stream.removeTrack(old);
      }
      if (!tile.stream.getTracks().includes(track)) tile.stream.addTrack(track);
      tile.video.play().catch(() => {});
    }
    this.layout(call);
  }

  setSpeaker(peerId) {
    this.speaker = peerId;
    for (const [id, tile] of this.tiles) tile.figure.classList.toggle("speaking", id === peerId);
  }

  remove(peerId) {
    const tile = this.tiles.get(peerId);
    if (!tile) return;
    tile.figure.remove();
    this.tiles.delete(peerId);
  }

  clear() {
    for (const peerId of [...this.tiles.keys()]) this.remove(peerId);
  }

  /** What each tile shows (for the test hook). */
  describe() {
    return [...this.tiles.entries()].map(([peerId, tile]) => ({
      peerId,
      isStage: tile.figure.parentElement === $("stage"),
      hasVideo: tile.stream.getVideoTracks().length > 0,
      isSpeaking: tile.figure.classList.contains("speaking"),
    }));
  }
}
