// Connection quality from getStats(): receive bitrate, packet loss and round-trip time.

/** A summary of one peer connection's inbound media and path, for tests and the UI. */
export async function summarize(pc) {
  const report = await pc.getStats();
  const summary = { video: null, audio: null, rttMs: null, timestamp: performance.now() };
  report.forEach((s) => {
    if (s.type === "inbound-rtp" && (s.kind === "video" || s.kind === "audio")) {
      summary[s.kind] = {
        bytesReceived: s.bytesReceived || 0,
        packetsReceived: s.packetsReceived || 0,
        packetsLost: s.packetsLost || 0,
        framesDecoded: s.framesDecoded || 0,
        totalSamplesReceived: s.totalSamplesReceived || 0,
      };
    }
    if (s.type === "candidate-pair" && s.nominated && s.state === "succeeded"
        && s.currentRoundTripTime !== undefined) {
      summary.rttMs = Math.round(s.currentRoundTripTime * 1000);
    }
  });
  return summary;
}

/** Rates between two summaries: kbps, loss in percent, and a good/fair/poor verdict. */
export function quality(previous, current) {
  if (!previous) return null;
  const seconds = (current.timestamp - previous.timestamp) / 1000;
  if (seconds <= 0) return null;
  let bytes = 0; let received = 0; let lost = 0;
  for (const kind of ["audio", "video"]) {
    const a = previous[kind]; const b = current[kind];
    if (!a || !b) continue;
    bytes += b.bytesReceived - a.bytesReceived;
    received += b.packetsReceived - a.packetsReceived;
    lost += Math.max(0, b.packetsLost - a.packetsLost);
  }
  const kbps = Math.round((bytes * 8) / seconds / 1000);
  const lossPct = received + lost ? (100 * lost) / (received + lost) : 0;
  const rtt = current.rttMs;
  let verdict = "good";
  if (received === 0 || lossPct > 10 || rtt > 600) verdict = "poor";
  else if (lossPct > 3 || rtt > 300) verdict = "fair";
  return { kbps, lossPct: Math.round(lossPct * 10) / 10, rttMs: rtt, verdict };
}
