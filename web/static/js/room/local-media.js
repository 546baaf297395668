// Our own camera, microphone and screen: acquiring them (with graceful fallbacks when denied
// or missing), device lists, and a microphone level meter.

export class LocalMedia {
  constructor() {
    this.stream = new MediaStream();
    this.cameraTrack = null;
    this.micTrack = null;
    this.screenTrack = null;
    this.cameraId = "";
    this.micId = "";
    this.problem = ""; // a sentence for the user when something could not be had
    this.meter = null;
    this.device = ""; // "room": one laptop for a table of people
  }

  get state() {
    return {
      mic: Boolean(this.micTrack && this.micTrack.enabled),
      camera: Boolean(this.cameraTrack),
      screen: Boolean(this.screenTrack),
    };
  }

  /** The track we send as video: the screen while sharing, else the camera (or nothing). */
  get videoTrack() {
    return this.screenTrack || this.cameraTrack;
  }

  /** Ask for camera and microphone; settle for what we can get and explain the rest. */
  async start() {
    const problems = [];
    const wanted = { audio: this.audioConstraint(), video: this.videoConstraint() };
    let stream = await this.tryGet(wanted, problems);
    if (!stream) {
      const audio = await this.tryGet({ audio: wanted.audio }, problems);
      const video = await this.tryGet({ video: wanted.video }, problems);
      stream = new MediaStream([...(audio?.getTracks() || []), ...(video?.getTracks() || [])]);
    }
    this.micTrack = stream.getAudioTracks()[0] || null;
    this.cameraTrack = stream.getVideoTracks()[0] || null;
    this.rebuildStream();
    const missing = [!this.cameraTrack && "camera", !this.micTrack && "microphone"].filter(Boolean);
    this.problem = missing.length
      ? `No ${missing.join(" or ")} available (${explain(problems)}). You can still join: others will ` +
        `${this.cameraTrack || this.micTrack ? "get what you can send, and" : "not see or hear you, but"} you will see and hear them.`
      : "";
    return this.stream;
  }

  async tryGet(constraints, problems) {
    try {
      return await navigator.mediaDevices.getUserMedia(constraints);
    } catch (err) {
      problems.push(err.name);
      return null;
    }
  }

  audioConstraint() {
    // A room device picks up a table and a loudspeaker: echo cancellation must be on.
    const room = this.device === "room"
      ? { echoCancellation: true, noiseSuppression: true, autoGainControl: true } : null;
    if (this.micId) return { ...room, deviceId: { exact: this.micId } };
    return room || true;
  }

  videoConstraint() {
    const base = { width: { ideal: 640 }, height: { ideal: 480 } };
    return this.cameraId ? { ...base, deviceId: { exact: this.cameraId } } : base;
  }

  rebuildStream() {
    for (const t of this.stream.getTracks()) this.stream.removeTrack(t);
    if (this.micTrack) this.stream.addTrack(this.micTrack);
    if (this.videoTrack) this.stream.addTrack(this.videoTrack);
  }

  async devices() {
    const all = await navigator.mediaDevices.enumerateDevices();
    return {
      cameras: all.filter((d) => d.kind === "videoinput"),
      mics: all.filter((d) => d.kind === "audioinput"),
    };
  }

  /** Switch to another camera; returns the new track. */
  async useCamera(deviceId) {
    this.cameraId = deviceId;
    if (!this.cameraTrack) return null;
    return this.cameraOn();
  }

  async useMic(deviceId) {
    this.micId = deviceId;
    const wasEnabled = this.micTrack ? this.micTrack.enabled : true;
    const stream = await navigator.mediaDevices.getUserMedia({ audio: this.audioConstraint() });
    this.micTrack?.stop();
    this.micTrack = stream.getAudioTracks()[0];
    this.micTrack.enabled = wasEnabled;
    this.rebuildStream();
    this.startMeter(this.meter?.element);
    return this.micTrack;
  }

  async cameraOn() {
    const stream = await navigator.mediaDevices.getUserMedia({ video: this.videoConstraint() });
    this.cameraTrack?.stop();
    this.cameraTrack = stream.getVideoTracks()[0];
    this.rebuildStream();
    return this.cameraTrack;
  }

  /** Stop the camera entirely (its light goes off), not just send black. */
  cameraOff() {
    this.cameraTrack?.stop();
    this.cameraTrack = null;
    this.rebuildStream();
  }

  setMic(isOn) {
    if (this.micTrack) this.micTrack.enabled = isOn;
  }

  async screenOn(onEnded) {
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    this.screenTrack = stream.getVideoTracks()[0];
    this.screenTrack.contentHint = "detail";
    this.screenTrack.addEventListener("ended", onEnded, { once: true });
    this.rebuildStream();
    return this.screenTrack;
  }

  screenOff() {
    this.screenTrack?.stop();
    this.screenTrack = null;
    this.rebuildStream();
  }

  /** Drive a <meter> from the microphone's loudness. */
  startMeter(element) {
    this.stopMeter();
    if (!element || !this.micTrack) return;
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 512;
    context.createMediaStreamSource(new MediaStream([this.micTrack])).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    const meter = { element, context, frame: 0 };
    const tick = () => {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const s of samples) sum += s * s;
      element.value = Math.min(1, Math.sqrt(sum / samples.length) * 4);
      meter.frame = requestAnimationFrame(tick);
    };
    tick();
    this.meter = meter;
  }

  stopMeter() {
    if (!this.meter) return;
    cancelAnimationFrame(this.meter.frame);
    this.meter.context.close();
    this.meter = null;
  }

  stopAll() {
    this.stopMeter();
    for (const t of [this.micTrack, this.cameraTrack, this.screenTrack]) t?.stop();
    this.micTrack = this.cameraTrack = this.screenTrack = null;
    this.rebuildStream();
  }
}

function explain(problems) {
  if (problems.includes("NotAllowedError")) return "permission was refused";
  if (problems.includes("NotFoundError")) return "no such device was found";
  if (problems.includes("NotReadableError")) return "the device is in use by another program";
  return "the browser could not open it";
}
