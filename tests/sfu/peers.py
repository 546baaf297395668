"""Real aiortc participants for SFU tests: a publisher with moving video, subscribers that count."""

import asyncio
import contextlib
import time
from collections.abc import Callable

import av
import av.video.frame
import numpy as np
from aiortc import (
    AudioStreamTrack,
    MediaStreamTrack,
    RTCBundlePolicy,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
    VideoStreamTrack,
)
from aiortc.mediastreams import MediaStreamError
from av import AudioFrame, VideoFrame

from signaling.sfu.aiortc_glue import (
    ReceiverTap,
    on_keyframe_request,
    send_temporal_layers,
    tap_receiver,
)
from tests.sfu.layered_vp8 import PATTERN, layered_encoder, picture


class MovingVideoTrack(VideoStreamTrack):
    """A bright square sliding over a gradient, so every frame differs from the last."""

    def __init__(self, width: int = 320, height: int = 240) -> None:
        super().__init__()
        self._width, self._height = width, height
        self._background = np.tile(np.linspace(0, 255, width, dtype=np.uint8), (height, 1)).astype(
            np.uint8
        )
        self._count = 0

    async def recv(self) -> VideoFrame:
        pts, time_base = await self.next_timestamp()
        image = np.repeat(self._background[:, :, None], 3, axis=2)
        x = (self._count * 7) % (self._width - 40)
        image[40:80, x : x + 40] = (255, 40, 40)
        self._count += 1
        frame = VideoFrame.from_ndarray(image, format="rgb24")
        frame.pts, frame.time_base = pts, time_base
        return frame


class LayeredVideoTrack(VideoStreamTrack):
    """Encodes moving video as VP8 with three temporal layers, as a browser with L1T3 does, and
    hands the encoded frames to its sender (which only packetizes them)."""

    def __init__(self) -> None:
        super().__init__()
        self._encoder = layered_encoder()
        self.wants_keyframe = False
        self.sent: list[tuple[float, int, int, bool]] = []  # (time, temporal id, bytes, key)

    def bitrate(self, up_to_layer: int, seconds: float = 2.0) -> float:
        """Bits per second of layers 0..up_to_layer over the last `seconds`, keyframes aside."""
        since = time.monotonic() - seconds
        sizes = (n for t, tid, n, key in self.sent if t >= since and tid <= up_to_layer and not key)
        return sum(sizes) * 8 / seconds

    async def recv(self) -> av.Packet:  # type: ignore[override]
        pts, time_base = await self.next_timestamp()
        frame = picture(len(self.sent))
        if self.wants_keyframe:
            frame.pict_type = av.video.frame.PictureType.I
            self.wants_keyframe = False
        # Encoding in a thread keeps the test's event loop (every peer's network) responsive.
        (packet,) = await asyncio.get_running_loop().run_in_executor(
            None, self._encoder.encode, frame
        )
        layer = PATTERN[len(self.sent) % 4]
        self.sent.append((time.monotonic(), layer, len(bytes(packet)), packet.is_keyframe))
        packet.pts, packet.time_base = pts, time_base
        return packet


class ToneTrack(AudioStreamTrack):
    """Silence until `is_talking`, then a loud tone: a participant who starts to speak."""

    def __init__(self) -> None:
        super().__init__()
        self.is_talking = False

    async def recv(self) -> AudioFrame:
        frame = await super().recv()
        assert isinstance(frame, AudioFrame)
        if self.is_talking:
            samples = np.arange(frame.samples, dtype=np.float64)
            tone = (8000 * np.sin(samples * 2 * np.pi * 440 / frame.sample_rate)).astype(np.int16)
            frame.planes[0].update(tone.tobytes())
        return frame


class Client:
    """One participant's browser stand-in: answers the server's offers, counts received frames."""

    def __init__(
        self,
        name: str,
        *,
        publishes: bool = False,
        reads: bool = True,
        layered: bool = False,
        decodes: bool = True,
        video_size: tuple[int, int] = (320, 240),
    ) -> None:
        self.name = name
        self.pc = new_peer_connection()
        self.publishes = publishes
        self.reads = reads
        self.layered = LayeredVideoTrack() if publishes and layered else None
        self.video: MediaStreamTrack | None = None
        if publishes:
            self.video = self.layered or MovingVideoTrack(*video_size)
        self.tone = ToneTrack() if publishes else None
        self.audio: MediaStreamTrack | None = self.tone
        self.decodes = decodes
        self.received: dict[str, list[float]] = {"audio": [], "video": []}
        self.frames_by_mid: dict[str, int] = {}
        self.tracks: list[MediaStreamTrack] = []
        # To share a screen: the track, sent on the mid the server names in publish_mids.
        self.screen: MediaStreamTrack | None = None
        self.publish_mids: dict[str, str | None] = {}
        self._readers: list[asyncio.Task[None]] = []
        self.keyframe_requests = 0  # PLIs that reached a layered publisher
        self.pc.on("track", self._on_track)

    def _on_track(self, track: MediaStreamTrack) -> None:
        self.tracks.append(track)
        if not self.decodes:  # count what arrives without paying for decoding it
            transceiver = next(t for t in self.pc.getTransceivers() if t.receiver.track is track)
            kind = track.kind

            def on_frame(frame: object) -> None:
                self.received[kind].append(time.monotonic())
                mid = str(transceiver.mid)
                self.frames_by_mid[mid] = self.frames_by_mid.get(mid, 0) + 1

            taps: list[ReceiverTap] = []

            def on_keyframe_needed(is_retry: bool) -> None:
                if not is_retry:  # a lost frame: ask the server, as a decoder would
                    self._readers.append(asyncio.create_task(taps[0].send_pli()))

            taps.append(tap_receiver(transceiver.receiver, kind, on_frame, on_keyframe_needed))
            return
        if self.reads:
            self._readers.append(asyncio.get_running_loop().create_task(self._read(track)))

    async def _read(self, track: MediaStreamTrack) -> None:
        mid = str(next(t.mid for t in self.pc.getTransceivers() if t.receiver.track is track))
        with contextlib.suppress(MediaStreamError):
            while True:
                await track.recv()
                self.received[track.kind].append(time.monotonic())
                self.frames_by_mid[mid] = self.frames_by_mid.get(mid, 0) + 1

    async def answer(self, offer: RTCSessionDescription) -> RTCSessionDescription:
        await self.pc.setRemoteDescription(offer)
        if self.video is not None and self.audio is not None:
            self.pc.addTrack(self.audio)
            sender = self.pc.addTrack(self.video)
            if self.layered is not None:
                send_temporal_layers(sender, list(PATTERN))
                on_keyframe_request(sender, self._keyframe_requested)
            self.video = self.audio = None
        screen_mid = self.publish_mids.get("screen")
        if self.screen is not None and screen_mid is not None:
            transceiver = next(t for t in self.pc.getTransceivers() if t.mid == screen_mid)
            transceiver.sender.replaceTrack(self.screen)
            transceiver.direction = "sendonly"
            self.screen = None
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        return self.pc.localDescription

    def _keyframe_requested(self) -> None:
        self.keyframe_requests += 1
        if self.layered is not None:
            self.layered.wants_keyframe = True

    def frames(self, kind: str) -> int:
        return len(self.received[kind])

    def fps(self, kind: str, seconds: float) -> float:
        since = time.monotonic() - seconds
        return sum(1 for t in self.received[kind] if t >= since) / seconds

    async def wait_for(self, kind: str, count: int, limit: float = 10.0) -> None:
        deadline = time.monotonic() + limit
        while self.frames(kind) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name}: {self.frames(kind)}/{count} {kind} frames")
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        for task in self._readers:
            task.cancel()
        await self.pc.close()


class Clients(dict[str, Client]):
    """The signaling channel: hands the server's offers to the right client."""

    async def negotiate(
        self, participant_id: str, offer: RTCSessionDescription
    ) -> RTCSessionDescription:
        return await self[participant_id].answer(offer)

    async def close(self) -> None:
        for client in self.values():
            await client.close()


def new_peer_connection() -> RTCPeerConnection:
    """A connection as the tests and the SFU make them: no STUN, one transport."""
    return RTCPeerConnection(
        RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
    )


async def wait_until(condition: Callable[[], bool], limit: float = 10.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.02)
