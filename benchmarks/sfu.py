"""Forwarding cost of the SFU against aiortc's MediaRelay, one publisher to N subscribers.

The publisher sends 640x480 VP8 at 30 fps (moving, noisy content, encoded up front at 1 Mbit/s
so that its own encoder does not compete with the server for the CPU).
The server, the publisher and the subscribers run in separate processes and exchange SDP over a
WebSocket on 127.0.0.1. One subscriber decodes what it receives; the others only count complete
frames, so the load generator fits next to the server on a small machine.

    python benchmarks/sfu.py                       # N = 1, 8, 32, 64; MediaRelay N = 1, 4, 8
    python benchmarks/sfu.py --subscribers 1,8 --relay 1 --seconds 5
    python benchmarks/sfu.py --subscribers 32 --relay "" --mixed 8   # plus a mixed room

The mixed case: the publisher sends temporal layers (VP8 L1T3, as browsers do), and the first
`--mixed` subscribers report a receive estimate (REMB) of 300 kbit/s, so the server gives them
a lower frame rate; each group's fps, longest freeze and the server's keyframe requests are
reported, with CPU per stream beside the unconstrained case of the same run.
"""

import argparse
import asyncio
import contextlib
import dataclasses
import json
import multiprocessing
import os
import socket
import sys
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import av  # noqa: E402
import numpy as np  # noqa: E402
from aiohttp import ClientSession, WSMsgType, web  # noqa: E402
from aiortc import (  # noqa: E402
    MediaStreamTrack,
    RTCBundlePolicy,
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpReceiver,
    RTCSessionDescription,
)
from aiortc.contrib.media import MediaRelay  # noqa: E402
from aiortc.mediastreams import MediaStreamError  # noqa: E402
from av import VideoFrame  # noqa: E402

from signaling.sfu import Conference  # noqa: E402
from signaling.sfu.aiortc_glue import (  # noqa: E402
    ReceiverTap,
    disable_bandwidth_estimation,
    on_keyframe_request,
    send_remb,
    send_temporal_layers,
    set_receive_buffer,
    tap_receiver,
)
from signaling.sfu.assembly import EncodedFrame  # noqa: E402

SUBSCRIBERS_PER_PROCESS = 32
CONSTRAINED_BITRATE = 300_000
TEMPORAL_PATTERN = [0, 2, 1, 2]  # L1T3: 7.5 / 15 / 30 fps


def peer_connection() -> RTCPeerConnection:
    return RTCPeerConnection(
        RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
    )


# --- server process -------------------------------------------------------------------------


class RelayRoom:
    """The baseline: MediaRelay decodes the publisher once, every subscriber's sender encodes."""

    def __init__(self, negotiate: Callable[..., object]) -> None:
        self._negotiate = negotiate
        self._relay = MediaRelay()
        self._source: MediaStreamTrack | None = None
        self._pcs: list[RTCPeerConnection] = []

    async def add_participant(self, participant_id: str) -> None:
        pc = peer_connection()
        self._pcs.append(pc)
        if self._source is None:
            pc.addTransceiver("video", direction="recvonly")
            pc.on("track", lambda track: setattr(self, "_source", track))
        else:
            pc.addTrack(self._relay.subscribe(self._source, buffered=False))
        await pc.setLocalDescription(await pc.createOffer())
        answer = await self._negotiate(participant_id, pc.localDescription)  # type: ignore[misc]
        await pc.setRemoteDescription(answer)

    def stats(self) -> dict[str, int]:
        return {"encoder_count": len(self._pcs) - 1, "frames_received": int(bool(self._source))}

    async def close(self) -> None:
        for pc in self._pcs:
            await pc.close()


def serve(mode: str, port: int) -> None:
    asyncio.run(_serve(mode, port))


async def _serve(mode: str, port: int) -> None:
    sockets: dict[str, web.WebSocketResponse] = {}
    answers: dict[str, asyncio.Future[str]] = {}

    async def negotiate(participant_id: str, offer: RTCSessionDescription) -> RTCSessionDescription:
        answers[participant_id] = asyncio.get_running_loop().create_future()
        await sockets[participant_id].send_json(
            {"type": "offer", "id": participant_id, "sdp": offer.sdp}
        )
        return RTCSessionDescription(sdp=await answers[participant_id], type="answer")

    room: Conference | RelayRoom = (
        RelayRoom(negotiate) if mode == "relay" else Conference(negotiate)
    )
    tasks: set[asyncio.Task[None]] = set()

    async def join(participant_id: str, ws: web.WebSocketResponse) -> None:
        await room.add_participant(participant_id)
        await ws.send_json({"type": "joined", "id": participant_id})

    async def websocket(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        async for message in ws:
            data = json.loads(message.data)
            if data["type"] == "join":
                sockets[data["id"]] = ws
                task = asyncio.create_task(join(data["id"], ws))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            elif data["type"] == "answer":
                answers.pop(data["id"]).set_result(data["sdp"])
        return ws

    async def stats(request: web.Request) -> web.Response:
        if isinstance(room, Conference):
            return web.json_response(dataclasses.asdict(room.stats()) | {"mode": mode})
        return web.json_response(room.stats() | {"mode": mode})

    app = web.Application()
    app.router.add_get("/ws", websocket)
    app.router.add_get("/stats", stats)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        await asyncio.Event().wait()
    finally:
        await room.close()
        await runner.cleanup()


# --- client processes -----------------------------------------------------------------------


def noisy_frames(width: int = 640, height: int = 480, count: int = 60) -> list[VideoFrame]:
    """Two seconds of a scrolling gradient, a moving square and fresh noise."""
    rng = np.random.default_rng(7)
    diagonal = (np.add.outer(np.arange(height), np.arange(width)) % 256).astype(np.uint8)
    frames = []
    for n in range(count):
        image = rng.integers(0, 6, (height * 3 // 2, width), np.uint8)
        image[:height] += np.roll(diagonal, n * 6, axis=1)
        image[height:] += 118
        image[(n * 5) % (height - 80) :][:80, 200:280] = 235
        frames.append(VideoFrame.from_ndarray(image, format="yuv420p"))
    return frames


def vp8_encoder(bitrate: int, *, layered: bool = False) -> av.VideoCodecContext:
    """libvpx set up as aiortc's Vp8Encoder does (realtime, CBR); `layered`: three temporal
    layers with a quarter, half and all of the bitrate, error resilient, as browsers send L1T3."""
    codec = av.CodecContext.create("libvpx", "w")
    codec.width, codec.height, codec.pix_fmt = 640, 480, "yuv420p"
    codec.bit_rate, codec.gop_size, codec.qmin, codec.qmax = bitrate, 3000, 2, 56
    codec.time_base = Fraction(1, 30)
    rate = str(bitrate)
    codec.options = {
        "bufsize": rate, "cpu-used": "-6", "deadline": "realtime", "lag-in-frames": "0",
        "minrate": rate, "maxrate": rate, "noise-sensitivity": "4", "overshoot-pct": "15",
        "partitions": "0", "static-thresh": "1", "undershoot-pct": "100",
    }  # fmt: skip
    if layered:
        kbps = bitrate // 1000
        codec.options |= {
            "error-resilient": "default",
            "ts-parameters": f"ts_number_layers=3:ts_target_bitrate={kbps // 4},{kbps // 2},{kbps}"
            ":ts_rate_decimator=4,2,1:ts_periodicity=4:ts_layer_id=0,2,1,2:ts_layering_mode=3",
        }
    return codec


class PreEncodedVideoTrack(MediaStreamTrack):
    """Loops VP8 encoded up front, so the publisher costs no encoding while it is measured.

    Each frame exists as the delta the encoder made in sequence and as a keyframe, sent after
    a PLI (the deltas that follow do not match it exactly; they still decode).
    """

    kind = "video"

    def __init__(self, bitrate: int = 1_000_000, *, layered: bool = False) -> None:
        super().__init__()
        frames = noisy_frames()
        encoder = vp8_encoder(bitrate, layered=layered)
        encoded: list[bytes] = []
        for index, frame in enumerate(frames * 2):  # the second loop's deltas wrap smoothly
            frame.pts = index
            encoded += [bytes(packet) for packet in encoder.encode(frame)]
        self._deltas = encoded[len(frames) :]
        self._keyframes = []
        for frame in frames:
            frame.pts = 0
            self._keyframes.append(b"".join(bytes(p) for p in vp8_encoder(bitrate).encode(frame)))
        self._count = 0
        self._start = 0.0
        self._is_keyframe_due = True

    def request_keyframe(self) -> None:
        self._is_keyframe_due = True

    async def recv(self) -> av.Packet:  # type: ignore[override]
        if self._count == 0:
            self._start = time.monotonic()
        await asyncio.sleep(max(0.0, self._start + self._count / 30 - time.monotonic()))
        index = self._count % len(self._deltas)
        data = self._keyframes[index] if self._is_keyframe_due else self._deltas[index]
        self._is_keyframe_due = False
        packet = av.Packet(data)
        packet.pts, packet.time_base = self._count * 3000, Fraction(1, 90000)
        self._count += 1
        return packet


class SignalingClient:
    """Participants of one process, negotiated over one WebSocket; the server always offers."""

    def __init__(self) -> None:
        self.pcs: dict[str, RTCPeerConnection] = {}
        self.tracks: dict[str, MediaStreamTrack] = {}  # tracks to publish, by participant
        self._joined: dict[str, asyncio.Future[None]] = {}
        self._ws: object = None

    async def run(self, url: str, ready: asyncio.Future[None]) -> None:
        async with ClientSession() as session, session.ws_connect(url, max_msg_size=0) as ws:
            self._ws = ws
            ready.set_result(None)
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    break
                data = json.loads(message.data)
                if data["type"] == "joined":
                    self._joined.pop(data["id"]).set_result(None)
                elif data["type"] == "offer":
                    pc = self.pcs[data["id"]]
                    await pc.setRemoteDescription(RTCSessionDescription(data["sdp"], "offer"))
                    if data["id"] in self.tracks:
                        pc.addTrack(self.tracks.pop(data["id"]))
                    await pc.setLocalDescription(await pc.createAnswer())
                    set_receive_buffer(pc, 4 * 1024 * 1024)
                    answer = {"type": "answer", "id": data["id"], "sdp": pc.localDescription.sdp}
                    await ws.send_json(answer)

    async def join(self, participant_id: str, pc: RTCPeerConnection) -> None:
        self.pcs[participant_id] = pc
        self._joined[participant_id] = asyncio.get_running_loop().create_future()
        await self._ws.send_json({"type": "join", "id": participant_id})  # type: ignore[attr-defined]
        await self._joined[participant_id]


async def connected(url: str) -> tuple[SignalingClient, asyncio.Task[None]]:
    client = SignalingClient()
    ready = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(client.run(url, ready))
    await ready
    return client, task


def publish(url: str, layered: bool) -> None:
    asyncio.run(_publish(url, layered))


async def _publish(url: str, layered: bool) -> None:
    track = PreEncodedVideoTrack(layered=layered)
    client, task = await connected(url)
    client.tracks["publisher"] = track
    pc = peer_connection()
    await client.join("publisher", pc)
    for sender in pc.getSenders():
        if sender.track is track:
            on_keyframe_request(sender, track.request_keyframe)
            if layered:
                send_temporal_layers(sender, TEMPORAL_PATTERN)
    await task


@dataclass
class Counter:
    frames: int = 0
    bytes: int = 0
    last: float = 0.0
    longest_gap: float = 0.0  # seconds between two frames, since the last reset

    def count(self, size: int) -> None:
        now = time.monotonic()
        if self.last:
            self.longest_gap = max(self.longest_gap, now - self.last)
        self.frames, self.bytes, self.last = self.frames + 1, self.bytes + size, now


def subscribe(
    url: str, names: Sequence[str], decode_first: bool, constrained: int, conn: Connection
) -> None:
    asyncio.run(_subscribe(url, names, decode_first, constrained, conn))


async def report_remb(receiver: RTCRtpReceiver) -> None:
    """A constrained subscriber: its receive estimate says 300 kbit/s, twice a second."""
    while True:
        sources = receiver.getSynchronizationSources()
        if sources:
            await send_remb(receiver, CONSTRAINED_BITRATE, sources[0].source)
        await asyncio.sleep(0.5)


async def _subscribe(
    url: str, names: Sequence[str], decode_first: bool, constrained: int, conn: Connection
) -> None:
    client, _ = await connected(url)
    counters = {name: Counter() for name in names}
    background: set[asyncio.Task[None]] = set()

    def watch(name: str, pc: RTCPeerConnection, decode: bool) -> None:
        counter = counters[name]

        async def read(track: MediaStreamTrack) -> None:
            with contextlib.suppress(MediaStreamError):  # the track ends when we close
                while True:
                    await track.recv()  # decoded
                    counter.count(0)

        def on_frame(frame: EncodedFrame) -> None:
            counter.count(len(frame.data))

        def on_track(track: MediaStreamTrack) -> None:
            if decode:
                background.add(asyncio.create_task(read(track)))
                return
            transceiver = next(t for t in pc.getTransceivers() if t.receiver.track is track)
            taps: list[ReceiverTap] = []

            def on_keyframe_needed(is_retry: bool) -> None:
                if not is_retry:  # a lost frame: ask the server, as a browser would
                    background.add(asyncio.create_task(taps[0].send_pli()))

            taps.append(tap_receiver(transceiver.receiver, "video", on_frame, on_keyframe_needed))
            disable_bandwidth_estimation(transceiver.receiver)  # load generator: save its CPU
            if names.index(name) >= len(names) - constrained:
                background.add(asyncio.create_task(report_remb(transceiver.receiver)))

        pc.on("track", on_track)

    for start in range(0, len(names), 8):
        batch = names[start : start + 8]
        pcs = [peer_connection() for _ in batch]
        for index, (name, pc) in enumerate(zip(batch, pcs, strict=True)):
            watch(name, pc, decode_first and start + index == 0)
        await asyncio.gather(*(client.join(n, pc) for n, pc in zip(batch, pcs, strict=True)))
    conn.send("ready")
    t0, t1 = await asyncio.get_running_loop().run_in_executor(None, conn.recv)
    await asyncio.sleep(max(0.0, t0 - time.time()))
    before = [(c.frames, c.bytes) for c in counters.values()]
    for counter in counters.values():
        counter.longest_gap = 0.0
    await asyncio.sleep(max(0.0, t1 - time.time()))
    after = [(c.frames, c.bytes, c.longest_gap) for c in counters.values()]
    conn.send([(a[0] - b[0], a[1] - b[1], a[2]) for a, b in zip(after, before, strict=True)])
    for pc in client.pcs.values():
        await pc.close()


# --- orchestration --------------------------------------------------------------------------


def cpu_seconds(pid: int, *, system_only: bool = False) -> float:
    """User plus system CPU time of a process (system alone: kernel work such as sendto)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[12]) + (0 if system_only else int(fields[11]))
    return ticks / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get_json(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return dict(json.load(response))


@dataclass
class Result:
    mode: str
    subscribers: int
    cores: float
    min_fps: float
    mean_fps: float
    mbps: float
    encoders: int
    us_per_frame: float  # server CPU per frame delivered to a subscriber
    client_cores: float  # publisher and subscriber processes together
    load: float  # machine load average during the run (the machine may be shared)
    system_share: float  # part of the server's CPU spent in the kernel (UDP over loopback)
    source_fps: float | None  # frames/s the server got from the publisher (SFU only)
    dropped: int  # frames the server dropped for slow subscribers (queue overflow, keyframe wait)
    plis: int = 0  # keyframe requests the server sent the publisher during the window
    groups: list[str] = dataclasses.field(default_factory=list)  # per-group fps and freezes

    @property
    def per_stream(self) -> float:
        return self.cores / self.subscribers

    def row(self) -> str:
        label = {"sfu": "sfu", "mixed": "sfu mixed"}.get(self.mode, "MediaRelay")
        source = "-" if self.source_fps is None else f"{self.source_fps:.1f}"
        return (
            f"{label:>10} {self.subscribers:>4} {self.cores:>7.3f} {self.per_stream:>12.4f}"
            f" {self.min_fps:>8.1f} {self.mean_fps:>9.1f} {self.mbps:>7.2f} {self.encoders:>8}"
            f" {self.us_per_frame:>9.0f} {self.client_cores:>7.2f} {self.load:>5.1f}"
            f" {self.system_share:>5.0%} {source:>6} {self.dropped:>7}"
        )


def run_case(mode: str, count: int, warmup: float, seconds: float, constrained: int = 0) -> Result:
    ctx = multiprocessing.get_context("spawn")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = ctx.Process(target=serve, args=(mode, port), daemon=True)
    server.start()
    children = [server]
    try:
        deadline = time.time() + 20
        while True:
            with contextlib.suppress(OSError):
                get_json(f"{base}/stats")
                break
            if time.time() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.2)
        url = f"ws://127.0.0.1:{port}/ws"
        publisher = ctx.Process(target=publish, args=(url, mode == "mixed"), daemon=True)
        publisher.start()
        children.append(publisher)
        deadline = time.time() + 60
        while not get_json(f"{base}/stats")["frames_received"]:
            if time.time() > deadline:
                raise RuntimeError("publisher did not start")
            time.sleep(0.5)
        names = [f"s{i}" for i in range(count)]
        pipes = []
        for start in range(0, count, SUBSCRIBERS_PER_PROCESS):
            parent, child = ctx.Pipe()
            chunk = names[start : start + SUBSCRIBERS_PER_PROCESS]
            last_chunk = start + SUBSCRIBERS_PER_PROCESS >= count
            args = (url, chunk, start == 0, constrained if last_chunk else 0, child)
            process = ctx.Process(target=subscribe, args=args)
            process.daemon = True
            process.start()
            children.append(process)
            pipes.append(parent)
        for pipe in pipes:
            if not pipe.poll(120) or pipe.recv() != "ready":
                raise RuntimeError("subscribers did not join")
        t0 = time.time() + warmup
        t1 = t0 + seconds
        for pipe in pipes:
            pipe.send((t0, t1))
        clients = [process.pid or 0 for process in children[1:]]
        time.sleep(max(0.0, t0 - time.time()))
        cpu0, load0 = cpu_seconds(server.pid or 0), os.getloadavg()[0]
        stats0 = get_json(f"{base}/stats")
        sys0 = cpu_seconds(server.pid or 0, system_only=True)
        client0 = sum(cpu_seconds(pid) for pid in clients)
        time.sleep(max(0.0, t1 - time.time()))
        cpu1, load1 = cpu_seconds(server.pid or 0), os.getloadavg()[0]
        stats1 = get_json(f"{base}/stats")
        sys1 = cpu_seconds(server.pid or 0, system_only=True)
        client1 = sum(cpu_seconds(pid) for pid in clients)
        counts = [item for pipe in pipes for item in pipe.recv()]
    finally:
        for process in reversed(children):
            process.terminate()
            process.join(10)
    fps = [frames / seconds for frames, _, _ in counts]
    mbps = max(b for _, b, _ in counts) * 8 / seconds / 1e6
    encoders = int(stats1["encoder_count"])  # type: ignore[call-overload]
    source_fps = (
        (stats1["frames_received"] - stats0["frames_received"]) / seconds  # type: ignore[operator]
        if mode != "relay"
        else None
    )
    dropped = stats1.get("frames_dropped", 0) - stats0.get("frames_dropped", 0)  # type: ignore[operator]
    lost = stats1.get("frames_lost", 0) - stats0.get("frames_lost", 0)  # type: ignore[operator]
    if lost:
        print(f"  ({mode} N={count}: {lost} frames from the publisher lost for good)", flush=True)
    delivered = max(1, sum(frames for frames, _, _ in counts))
    groups = []
    split = len(counts) - constrained
    for label, group in (("unconstrained", counts[:split]), ("constrained", counts[split:])):
        if group:
            rates = [frames / seconds for frames, _, _ in group]
            mean = sum(rates) / len(rates)
            groups.append(
                f"{label} x{len(group)}: fps min {min(rates):.1f} mean {mean:.1f},"
                f" longest freeze {max(gap for _, _, gap in group) * 1000:.0f} ms"
            )
    plis = stats1.get("plis_sent", 0) - stats0.get("plis_sent", 0)  # type: ignore[operator]
    return Result(
        mode,
        count,
        (cpu1 - cpu0) / seconds,
        min(fps),
        sum(fps) / len(fps),
        mbps,
        encoders,
        (cpu1 - cpu0) / delivered * 1e6,
        (client1 - client0) / seconds,
        (load0 + load1) / 2,
        (sys1 - sys0) / max(cpu1 - cpu0, 1e-9),
        source_fps,
        dropped,
        plis,
        groups,
    )


def numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--subscribers", type=numbers, default=[1, 8, 32, 64])
    parser.add_argument("--relay", type=numbers, default=[1, 4, 8], help="MediaRelay N list")
    parser.add_argument("--seconds", type=float, default=10.0, help="measurement window")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument(
        "--mixed", type=int, default=8, help="constrained subscribers in the mixed case (0: none)"
    )
    args = parser.parse_args()

    print(
        f"{'design':>10} {'N':>4} {'cores':>7} {'cores/stream':>12} {'min fps':>8}"
        f" {'mean fps':>9} {'Mbit/s':>7} {'encoders':>8} {'us/frame':>9} {'clients':>7}"
        f" {'load':>5} {'sys':>5} {'in fps':>6} {'dropped':>7}",
        flush=True,
    )
    results: dict[str, list[Result]] = {"sfu": [], "relay": [], "mixed": []}
    for mode, counts in (("sfu", args.subscribers), ("relay", args.relay)):
        for count in counts:
            result = run_case(mode, count, args.warmup, args.seconds)
            results[mode].append(result)
            print(result.row(), flush=True)
    if args.mixed and args.subscribers:
        count = args.subscribers[-1]
        mixed = run_case("mixed", count, args.warmup, args.seconds, constrained=args.mixed)
        results["mixed"].append(mixed)
        print(mixed.row(), flush=True)
        for result in (results["sfu"][-1], mixed):
            print(
                f"  {result.mode} N={count}: "
                + "; ".join(result.groups)
                + f"; keyframe requests to the publisher {result.plis}",
                flush=True,
            )
    # Cores per stream only compare at equal frame rates; CPU per delivered frame compares
    # a design that keeps 30 fps with one that collapses.
    summary = []
    if results["sfu"]:
        top = results["sfu"][-1]
        summary.append(
            f"sfu: N={top.subscribers} min {top.min_fps:.1f} fps, {top.per_stream:.4f} cores/stream"
            f" ({top.us_per_frame:.0f} us/frame)"
        )
    if results["relay"]:
        relay = results["relay"][-1]
        text = (
            f"MediaRelay {relay.per_stream:.3f} cores/stream at N={relay.subscribers}"
            f" ({relay.min_fps:.1f} fps, {relay.us_per_frame:.0f} us/frame)"
        )
        if results["sfu"]:
            text += f" ({relay.us_per_frame / results['sfu'][-1].us_per_frame:.0f}x per frame)"
        summary.append(text)
    if results["mixed"]:
        mixed, plain = results["mixed"][-1], results["sfu"][-1]
        summary.append(
            f"mixed N={mixed.subscribers} ({args.mixed} at 300 kbit/s): {'; '.join(mixed.groups)},"
            f" {mixed.per_stream:.4f} cores/stream against {plain.per_stream:.4f} unconstrained"
        )
    print("; ".join(summary))


if __name__ == "__main__":
    main()
