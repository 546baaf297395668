// Who is speaking, from the audio levels the browser already measures: `audioLevel` of each
// inbound-rtp audio stream (mapped to a person by its mid) and of our own microphone's
// media-source. No extra audio processing.

const SPEAKING_LEVEL = 0.03; // 0..1; fake or quiet rooms stay below it
const HOLD_MS = 1200; // keep the highlight through short pauses

export class SpeakerWatch {
  /**
   * @param {RTCPeerConnection} pc
   * @param {(mid: string) => string|null} ownerOf  peer id of an inbound m-line
   * @param {string} selfId  our own peer id, used for the microphone's level
   */
  constructor(pc, ownerOf, selfId) {
    this.pc = pc;
    this.ownerOf = ownerOf;
    this.selfId = selfId;
    this.lastHeard = new Map(); // peer id -> performance.now()
    this.levels = new Map(); // peer id -> last audio level
  }

  /** Read the levels once; returns the peer id to highlight, or null. */
  async sample() {
    const report = await this.pc.getStats();
    const now = performance.now();
    report.forEach((s) => {
      let peerId = null;
      if (s.type === "inbound-rtp" && s.kind === "audio") peerId = this.ownerOf(s.mid);
      else if (s.type === "media-source" && s.kind === "audio") peerId = this.selfId;
      if (!peerId || typeof s.audioLevel !== "number") return;
      this.levels.set(peerId, s.audioLevel);
      if (s.audioLevel >= SPEAKING_LEVEL) this.lastHeard.set(peerId, now);
    });
    let loudest = null;
    for (const [peerId, heard] of this.lastHeard) {
      if (now - heard > HOLD_MS) continue;
      if (!loudest || (this.levels.get(peerId) || 0) > (this.levels.get(loudest) || 0)) loudest = peerId;
    }
    return loudest;
  }
}
