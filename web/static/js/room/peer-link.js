// One RTCPeerConnection to one remote peer, negotiated the "perfect negotiation" way so an
// offer collision (glare) never breaks the call: the polite side rolls back, the other ignores.

const RESTART_AFTER_DISCONNECT_MS = 2000;

export class PeerLink {
  /**
   * @param {object} options
   * @param {string} options.peerId  the remote peer's id
   * @param {boolean} options.polite  whether we yield on collisions
   * @param {RTCIceServer[]} options.iceServers
   * @param {(message: object) => void} options.send  signaling, `to` is filled in here
   * @param {() => MediaStream} options.localStream
   */
  constructor({ peerId, polite, iceServers, send, localStream }) {
    this.peerId = peerId;
    this.polite = polite;
    this.send = (message) => send({ ...message, to: peerId });
    this.localStream = localStream;
    this.remoteStream = new MediaStream();
    this.pc = new RTCPeerConnection({ iceServers, bundlePolicy: "max-bundle" });
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.isSettingRemoteAnswerPending = false;
    this.restartTimer = null;
    this.onRemoteTrack = () => {};
    this.onStateChange = () => {};
    this.wire();
  }

  wire() {
    const pc = this.pc;
    pc.onnegotiationneeded = async () => {
      try {
        this.makingOffer = true;
        await pc.setLocalDescription();
        this.send({ type: pc.localDescription.type, sdp: pc.localDescription.sdp });
      } catch (err) {
        console.warn("negotiation with", this.peerId, "failed", err);
      } finally {
        this.makingOffer = false;
      }
    };
    pc.onicecandidate = ({ candidate }) => {
      if (candidate && candidate.candidate) this.send({ type: "candidate", candidate: candidate.toJSON() });
    };
    pc.ontrack = ({ track }) => {
      for (const old of this.remoteStream.getTracks()) {
        if (old.kind === track.kind && old !== track) this.remoteStream.removeTrack(old);
      }
      if (!this.remoteStream.getTracks().includes(track)) this.remoteStream.addTrack(track);
      this.onRemoteTrack(track);
    };
    pc.oniceconnectionstatechange = () => {
      const state = pc.iceConnectionState;
      this.onStateChange(state);
      clearTimeout(this.restartTimer);
      if (state === "failed") {
        pc.restartIce();
      } else if (state === "disconnected") {
        this.restartTimer = setTimeout(() => {
          if (["disconnected", "failed"].includes(pc.iceConnectionState)) pc.restartIce();
        }, RESTART_AFTER_DISCONNECT_MS);
      }
    };
  }

  /** As the newcomer: offer audio and video, sending what we have, receiving in any case. */
  startAsCaller() {
    const stream = this.localStream();
    for (const kind of ["audio", "video"]) {
      const track = stream.getTracks().find((t) => t.kind === kind);
      if (track) this.pc.addTransceiver(track, { direction: "sendrecv", streams: [stream] });
      else this.pc.addTransceiver(kind, { direction: "recvonly" });
    }
  }

  /** Put our current tracks on the senders of matching kind (reusing offered transceivers). */
  attachLocalTracks() {
    const stream = this.localStream();
    for (const track of stream.getTracks()) {
      const transceiver = this.transceiverFor(track.kind);
      if (!transceiver) {
        this.pc.addTrack(track, stream);
      } else if (transceiver.sender.track !== track) {
        transceiver.sender.replaceTrack(track);
        transceiver.sender.setStreams?.(stream);
        if (transceiver.direction === "recvonly") transceiver.direction = "sendrecv";
        else if (transceiver.direction === "inactive") transceiver.direction = "sendonly";
      }
    }
  }

  transceiverFor(kind) {
    return this.pc.getTransceivers().find((t) => !t.stopped && t.receiver.track.kind === kind);
  }

  /** Send `track` (or nothing) in place of the current one of its kind, without renegotiating. */
  async replaceTrack(kind, track) {
    const transceiver = this.transceiverFor(kind);
    if (transceiver) {
      await transceiver.sender.replaceTrack(track);
      if (track && transceiver.direction === "recvonly") transceiver.direction = "sendrecv";
    } else if (track) {
      this.pc.addTrack(track, this.localStream());
    }
  }

  async onDescription({ type, sdp }) {
    const pc = this.pc;
    const readyForOffer = !this.makingOffer
      && (pc.signalingState === "stable" || this.isSettingRemoteAnswerPending);
    const offerCollision = type === "offer" && !readyForOffer;
    this.ignoreOffer = !this.polite && offerCollision;
    if (this.ignoreOffer) return;
    this.isSettingRemoteAnswerPending = type === "answer";
    await pc.setRemoteDescription({ type, sdp }); // rolls back our offer if we are polite
    this.isSettingRemoteAnswerPending = false;
    if (type === "offer") {
      this.attachLocalTracks();
      await pc.setLocalDescription();
      this.send({ type: "answer", sdp: pc.localDescription.sdp });
    }
  }

  async onCandidate(candidate) {
    if (!candidate) return;
    try {
      await this.pc.addIceCandidate(candidate);
    } catch (err) {
      if (!this.ignoreOffer) console.warn("bad candidate from", this.peerId, err);
    }
  }

  close() {
    clearTimeout(this.restartTimer);
    this.pc.close();
  }
}
