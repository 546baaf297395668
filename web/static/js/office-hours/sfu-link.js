// The one RTCPeerConnection to the server's SFU. The server always offers (`sfu-offer`); we put
// our microphone, camera and screen share on the m-lines it names in `publish_mids` and answer
// with every ICE candidate in the SDP (the server takes no trickled candidates). `subscriptions`
// says whose media (audio, video or screen) each other m-line carries. The screen's m-line
// comes with the offer that follows our first `media` with `screen: true`; after that, turning
// the camera or the screen on or off only replaces the track on its sender.

const GATHERING_LIMIT_MS = 3000;

export class SfuLink {
  /**
   * @param {object} options
   * @param {RTCIceServer[]} options.iceServers
   * @param {(message: object) => void} options.send  the room connection's send
   * @param {() => {audio: MediaStreamTrack|null, video: MediaStreamTrack|null, screen: MediaStreamTrack|null}} options.localTracks
   * @param {(subscriptions: Array<{peer_id: string, kind: string, track: MediaStreamTrack}>) => void} options.onMedia
   * @param {(state: string) => void} options.onState  the connection's state
   */
  constructor({ iceServers, send, localTracks, onMedia, onState }) {
    this.send = send;
    this.localTracks = localTracks;
    this.onMedia = onMedia;
    this.pc = new RTCPeerConnection({ iceServers, bundlePolicy: "max-bundle" });
    this.publishMids = { audio: null, video: null, screen: null };
    this.subscriptions = []; // [{mid, peer_id, user_id, kind}] as of the last offer
    this.queue = Promise.resolve(); // offers are answered one at a time, in order
    this.pc.onconnectionstatechange = () => onState(this.pc.connectionState);
  }

  /** Answer an `sfu-offer` (queued behind any offer still being answered). */
  handleOffer(offer) {
    this.queue = this.queue
      .then(() => this.answer(offer))
      .catch((err) => console.warn("answering the server's offer failed", err));
    return this.queue;
  }

  async answer({ sdp, publish_mids: publishMids, subscriptions }) {
    const pc = this.pc;
    if (pc.signalingState === "closed") return;
    await pc.setRemoteDescription({ type: "offer", sdp });
    this.publishMids = publishMids;
    this.subscriptions = subscriptions;
    const tracks = this.localTracks();
    for (const kind of ["audio", "video", "screen"]) {
      const transceiver = this.transceiverOf(publishMids[kind]);
      if (!transceiver) continue;
      const track = tracks[kind] ?? null;
      if (transceiver.sender.track !== track) await transceiver.sender.replaceTrack(track);
      // Always offer to send, even with the device off: turning it on later is a replaceTrack.
      transceiver.direction = "sendrecv";
    }
    await pc.setLocalDescription(await pc.createAnswer());
    await preferTemporalLayers(this.transceiverOf(publishMids.video));
    await gatheringComplete(pc);
    this.send({ type: "sfu-answer", sdp: pc.localDescription.sdp });
    this.onMedia(this.media());
  }

  /** Whose tracks arrive on which m-line, per the last offer. */
  media() {
    return this.subscriptions
      .map((s) => ({ ...s, track: this.transceiverOf(s.mid)?.receiver.track || null }))
      .filter((s) => s.track);
  }

  transceiverOf(mid) {
    if (mid === null || mid === undefined) return null;
    return this.pc.getTransceivers().find((t) => t.mid === mid) || null;
  }

  /** Send `track` (or nothing) as our `kind`, on the m-line the server gave us. */
  async replaceTrack(kind, track) {
    const transceiver = this.transceiverOf(this.publishMids[kind]);
    if (transceiver) await transceiver.sender.replaceTrack(track);
  }

  /** The peer id whose media an inbound m-line carries. */
  ownerOf(mid) {
    return this.subscriptions.find((s) => s.mid === mid)?.peer_id || null;
  }

  /** What an inbound m-line carries: "audio", "video" or "screen". */
  kindOf(mid) {
    return this.subscriptions.find((s) => s.mid === mid)?.kind || null;
  }

  close() {
    this.pc.close();
  }
}

/**
 * Send the camera as three temporal layers (30, 15 and 7.5 fps in one VP8 stream) where the
 * browser can, so the server can give an attendee on a weak link a lower frame rate instead
 * of freezes. Where it cannot, the camera goes out as before.
 */
async function preferTemporalLayers(transceiver) {
  const sender = transceiver?.sender;
  const params = sender?.getParameters();
  if (!params?.encodings?.length || params.encodings[0].scalabilityMode === "L1T3") return;
  params.encodings[0].scalabilityMode = "L1T3";
  try {
    await sender.setParameters(params);
  } catch {
    // Not supported here: single-layer video, exactly as without this.
  }
}

function gatheringComplete(pc) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      if (pc.iceGatheringState !== "complete") return;
      pc.removeEventListener("icegatheringstatechange", done);
      resolve();
    };
    pc.addEventListener("icegatheringstatechange", done);
    setTimeout(resolve, GATHERING_LIMIT_MS); // send what we have rather than nothing
  });
}
