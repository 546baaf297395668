// The video tiles: on the stage, whoever the host spotlights, else a shared screen, else (for
// attendees) the host; everyone else in the grid, which is large when the stage is empty, as it
// is for the host. Our own video is small in a corner. Each person has a tile captioned with
// name, role, raised hand and media state, showing initials while their camera is off, and a
// shared screen gets a tile of its own beside its sharer's camera.

import { avatarFor, initialsOf } from "../room/call-view.js";
import { handPosition, mediaText } from "./people.js";

const $ = (id) => document.getElementById(id);
const screenKey = (peerId) => `${peerId}:screen`;

export const PAUSED_TEXT = "video paused to keep the sound clear";

export class Tiles {
  /** @param {import("../room/local-media.js").LocalMedia} media  shown on our own tile */
  constructor(media) {
    this.media = media;
    this.tiles = new Map(); // peer id (or `${peerId}:screen`) -> {figure, video, stream, caption}
    this.screens = new Map(); // peer id -> the screen track they share with us
    this.speaker = null;
  }

  tileFor(call, peerId) {
    return this.tiles.get(peerId) || this.makeTile(peerId, peerId, peerId === call.peerId);
  }

  makeTile(key, peerId, isSelf = false) {
    const figure = document.createElement("figure");
    figure.className = "tile";
    figure.dataset.peerId = peerId;
    const video = document.createElement("video");
    video.autoplay = true;
    video.playsInline = true;
    const stream = new MediaStream();
    if (isSelf) {
      video.muted = true;
      video.classList.add("mirror");
      figure.classList.add("self");
    }
    video.srcObject = stream;
    const caption = document.createElement("figcaption");
    figure.append(video, avatarFor(""), caption);
    const tile = { figure, video, stream, caption };
    this.tiles.set(key, tile);
    return tile;
  }

  /** The tile of someone's shared screen, showing `track`. */
  screenTile(person, track) {
    const key = screenKey(person.peer_id);
    const tile = this.tiles.get(key) || this.makeTile(key, person.peer_id);
    tile.figure.classList.add("screen");
    if (!tile.stream.getTracks().includes(track)) {
      for (const old of tile.stream.getTracks()) tile.stream.removeTrack(old);
      tile.stream.addTrack(track);
      tile.video.play().catch(() => {});
    }
    tile.caption.textContent = `${person.name}'s screen`;
    tile.video.setAttribute("aria-label", `Screen shared by ${person.name}`);
    return tile;
  }

  caption(call, tile, person) {
    const isSelf = person.peer_id === call.peerId;
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = isSelf ? "You" : person.name;
    const extra = document.createElement("span");
    extra.className = "media-icons";
    const notes = [];
    if (person.user_id === call.hostUserId) notes.push("host");
    const position = handPosition(call, person.peer_id);
    if (position) notes.push(`hand raised (${position})`);
    const state = isSelf ? this.media.state : person.media;
    if (mediaText(state)) notes.push(mediaText(state));
    // The server paused this video to fit our connection; it resumes by itself.
    const isPaused = !isSelf && Boolean(person.videoPaused);
    if (isPaused) notes.push(PAUSED_TEXT);
    extra.textContent = notes.join(" · ");
    tile.caption.replaceChildren(name, extra);
    tile.video.setAttribute("aria-label", isSelf ? "You" : `Video of ${person.name}`);
    tile.figure.classList.toggle("hand", Boolean(position));
    tile.figure.classList.toggle("camera-off", Boolean(state && !state.camera) || isPaused);
    tile.figure.querySelector(".initials").textContent = initialsOf(person.name);
  }

  /** Put every tile where it belongs: the spotlight, else a shared screen, else (for attendees)
   * the host on the stage; ourselves in the corner; everyone else in the grid. */
  layout(call) {
    for (const [key, tile] of [...this.tiles]) {
      const peerId = tile.figure.dataset.peerId;
      if (!call.people.has(peerId) || (key === screenKey(peerId) && !this.screens.has(peerId))) {
        this.remove(key);
      }
    }
    const sharer = [...this.screens.keys()].find((peerId) => call.people.has(peerId));
    const stageKey = call.spotlight && call.people.has(call.spotlight)
      ? call.spotlight
      : sharer ? screenKey(sharer) : call.isHost ? null : call.hostPeerId;
    const place = (key, tile) => {
      const isSelf = key === call.peerId;
      const parent = isSelf ? $("pip") : key === stageKey ? $("stage") : $("grid");
      tile.figure.classList.toggle("pip", isSelf);
      if (tile.figure.parentElement !== parent) parent.append(tile.figure);
    };
    for (const person of call.people.values()) {
      const tile = this.tileFor(call, person.peer_id);
      if (person.peer_id === call.peerId) this.showOwnCamera(tile);
      this.caption(call, tile, person);
      place(person.peer_id, tile);
      const screen = this.screens.get(person.peer_id);
      if (screen) place(screenKey(person.peer_id), this.screenTile(person, screen));
    }
    $("stage").classList.toggle("empty", !$("stage").children.length);
    $("stage-area").classList.toggle("alone", !$("stage").children.length && !$("grid").children.length);
  }

  /** Our own tile shows our camera, also while we share the screen (others see both). */
  showOwnCamera(tile) {
    const camera = this.media.cameraTrack;
    for (const track of tile.stream.getVideoTracks()) if (track !== camera) tile.stream.removeTrack(track);
    if (camera && !tile.stream.getVideoTracks().includes(camera)) tile.stream.addTrack(camera);
  }

  /** Attach the server's forwarded tracks to their people's tiles (screens to their own). */
  setMedia(call, subscriptions) {
    this.screens = new Map(
      subscriptions.filter((s) => s.kind === "screen").map((s) => [s.peer_id, s.track]),
    );
    for (const { peer_id: peerId, kind, track } of subscriptions) {
      if (!call.people.has(peerId) || kind === "screen") continue;
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

  /** Drop a person's tiles (or the one tile `key`). */
  remove(key) {
    for (const k of [key, screenKey(key)]) {
      this.tiles.get(k)?.figure.remove();
      this.tiles.delete(k);
    }
  }

  clear() {
    for (const peerId of [...this.tiles.keys()]) this.remove(peerId);
  }

  /** What each tile shows (for the test hook). */
  describe() {
    return [...this.tiles.entries()].map(([key, tile]) => ({
      peerId: tile.figure.dataset.peerId,
      isScreen: key === screenKey(tile.figure.dataset.peerId),
      isStage: tile.figure.parentElement === $("stage"),
      isPip: tile.figure.parentElement === $("pip"),
      hasVideo: tile.stream.getVideoTracks().length > 0,
      showsOwnCamera: Boolean(this.media.cameraTrack) && tile.stream.getVideoTracks().includes(this.media.cameraTrack),
      isSpeaking: tile.figure.classList.contains("speaking"),
      caption: tile.caption.textContent,
    }));
  }
}
