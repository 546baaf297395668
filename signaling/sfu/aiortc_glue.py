"""Every aiortc internal the SFU depends on, in one place (written against aiortc 1.16).

aiortc has no public way to get a receiver's encoded frames, to hear a subscriber's keyframe
request, or to send a PLI. What this module touches:

- RTCRtpReceiver: `__jitter_buffer` (replaced, so frames reach the SFU and never a decoder),
  `__codecs`, `__decoder_queue`/`__decoder_thread` (to count frames that would be decoded),
  `__remote_bitrate_estimator` (load generators only), `_send_rtcp_pli()`, `_handle_rtp_packet()`
  (loss tests only), `_send_rtcp()` (test receivers' REMB), and the depayloaded
  `RtpPacket._data` it hands to the jitter buffer;
- RTCRtpSender: `_send_keyframe()` (where PLI/FIR land), `_handle_rtcp_packet()` (to hear
  REMB and receiver reports), `__encoder` (to prove none is open; test publishers replace it),
  `_ssrc`,
  `_stream_id`/`_track_id` (the msid announced in offers);
- aioice: `Connection._protocols[*].transport` (to size UDP receive buffers).

If an aiortc upgrade breaks forwarding, this module and its tests (tests/sfu/test_aiortc_glue.py,
plus the real-peer tests in tests/sfu/test_conference.py) are what to fix.
"""

import contextlib
import queue
import socket
from collections.abc import Callable
from importlib.metadata import version
from typing import Any

from aiortc import RTCPeerConnection, RTCRtpReceiver, RTCRtpSender
from aiortc.codecs.vpx import Vp8Encoder, VpxPayloadDescriptor
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from aiortc.rtp import (
    RTCP_PSFB_APP,
    AnyRtcpPacket,
    RtcpPsfbPacket,
    RtcpRrPacket,
    RtcpSrPacket,
    RtpPacket,
    pack_remb_fci,
    unpack_remb_fci,
)

from signaling.sfu.assembly import (
    AudioAssembler,
    EncodedFrame,
    RtpInfo,
    VideoAssembler,
    h264_is_keyframe,
    vp8_is_keyframe,
    vp8_starts_frame,
)
from signaling.sfu.vp8 import parse_vp8_descriptor

# Private attributes, name-mangled by aiortc.
_RECEIVER_JITTER_BUFFER = "_RTCRtpReceiver__jitter_buffer"
_RECEIVER_CODECS = "_RTCRtpReceiver__codecs"
_RECEIVER_DECODER_QUEUE = "_RTCRtpReceiver__decoder_queue"
_RECEIVER_DECODER_THREAD = "_RTCRtpReceiver__decoder_thread"
_RECEIVER_BITRATE_ESTIMATOR = "_RTCRtpReceiver__remote_bitrate_estimator"
_SENDER_ENCODER = "_RTCRtpSender__encoder"


# The aiortc releases whose internals this module was tested against: [lowest, first untested).
# pyproject.toml declares the same range (tests/sfu/test_aiortc_pin.py keeps them in step).
TESTED_AIORTC = ((1, 16), (1, 17))


class AiortcIncompatible(RuntimeError):
    """The installed aiortc lacks an internal the SFU relies on."""


def ensure_tested_version(installed: str) -> None:
    """Refuse an aiortc release outside the tested range: its internals may have moved."""
    lowest, untested = TESTED_AIORTC
    release = tuple(int(part) for part in installed.split(".")[:2] if part.isdigit())
    if not lowest <= release < untested:
        span = f"{'.'.join(map(str, lowest))} up to (not including) {'.'.join(map(str, untested))}"
        raise AiortcIncompatible(f"aiortc {installed} is not tested; the SFU needs {span}")


def _require(obj: object, name: str) -> Any:
    try:
        return getattr(obj, name)
    except AttributeError:
        raise AiortcIncompatible(f"{type(obj).__name__} has no {name}") from None


def _ensure_private_methods() -> None:
    for cls, name in (
        (RTCRtpReceiver, "_send_rtcp_pli"),
        (RTCRtpReceiver, "_handle_rtp_packet"),
        (RTCRtpSender, "_send_keyframe"),
    ):
        if not callable(getattr(cls, name, None)):
            raise AiortcIncompatible(f"{cls.__name__} has no {name}()")


ensure_tested_version(version("aiortc"))
_ensure_private_methods()


class _CountingQueue(queue.Queue[Any]):
    """The receiver's decoder queue; counts frames that reach it (decoding would start)."""

    def __init__(self) -> None:
        super().__init__()
        self.frames = 0

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        if item is not None:
            self.frames += 1
        super().put(item, block, timeout)


class _TapBuffer:
    """Takes the place of the receiver's JitterBuffer: frames go to the SFU, none to the decoder."""

    def __init__(self, tap: "ReceiverTap") -> None:
        self._tap = tap

    def add(self, packet: RtpPacket) -> tuple[bool, None]:
        self._tap._on_packet(packet)
        return False, None  # never a PLI from aiortc's own logic, never a frame to decode


class ReceiverTap:
    """Encoded frames of one RTCRtpReceiver, handed to `on_frame` in the event loop."""

    def __init__(
        self,
        receiver: RTCRtpReceiver,
        kind: str,
        on_frame: Callable[[EncodedFrame], None],
        on_keyframe_needed: Callable[[bool], None],
        loss_timeout: float,
        on_audio_level: Callable[[int], None] | None = None,
    ) -> None:
        self._receiver = receiver
        self._on_audio_level = on_audio_level
        self._kind = kind
        self._on_frame = on_frame
        self._on_keyframe_needed = on_keyframe_needed
        self._loss_timeout = loss_timeout
        self._codecs: dict[int, RTCRtpCodecParameters] = _require(receiver, _RECEIVER_CODECS)
        self._assembler: AudioAssembler | VideoAssembler | None = None
        self._mime_type = ""
        self._decoder_queue: _CountingQueue | None = None
        self.media_ssrc: int | None = None

    @property
    def receiver(self) -> RTCRtpReceiver:
        return self._receiver

    @property
    def frames_to_decoder(self) -> int:
        """Frames that reached aiortc's decoder path (0 unless tapping failed)."""
        return self._decoder_queue.frames if self._decoder_queue is not None else 0

    @property
    def frames_lost(self) -> int:
        """Frames given up because a packet never arrived."""
        return self._assembler.frames_lost if isinstance(self._assembler, VideoAssembler) else 0

    async def send_pli(self) -> None:
        """Ask the publisher for a keyframe (RTCP PLI)."""
        if self.media_ssrc is not None:
            await self._receiver._send_rtcp_pli(self.media_ssrc)

    def _on_packet(self, packet: RtpPacket) -> None:
        codec = self._codecs.get(packet.payload_type)
        if codec is None:
            return
        self.media_ssrc = packet.ssrc
        if self._assembler is None or codec.mimeType != self._mime_type:
            self._assembler = self._make_assembler(codec)
            self._mime_type = codec.mimeType
        data: bytes = getattr(packet, "_data", b"")  # depayloaded by the receiver
        level = packet.extensions.audio_level  # (voice activity, -dBov) per RFC 6464
        if self._on_audio_level is not None and level is not None:
            self._on_audio_level(int(level[1]))
        starts_frame, temporal_id, is_layer_sync = False, None, False
        if codec.name == "VP8":
            starts_frame = vp8_starts_frame(packet.payload)
            if starts_frame:
                with contextlib.suppress(ValueError):  # aiortc drops malformed ones anyway
                    descriptor = parse_vp8_descriptor(packet.payload)
                    temporal_id, is_layer_sync = descriptor.temporal_id, descriptor.is_layer_sync
        self._assembler.add(
            RtpInfo(
                packet.sequence_number,
                packet.timestamp,
                bool(packet.marker),
                data,
                starts_frame,
                temporal_id,
                is_layer_sync,
            )
        )

    def _make_assembler(self, codec: RTCRtpCodecParameters) -> AudioAssembler | VideoAssembler:
        if self._kind == "audio":
            return AudioAssembler(self._on_frame, clock_rate=codec.clockRate)
        return VideoAssembler(
            self._on_frame,
            self._on_keyframe_needed,
            clock_rate=codec.clockRate,
            is_keyframe=h264_is_keyframe if codec.name == "H264" else vp8_is_keyframe,
            loss_timeout=self._loss_timeout,
        )


def tap_receiver(
    receiver: RTCRtpReceiver,
    kind: str,
    on_frame: Callable[[EncodedFrame], None],
    on_keyframe_needed: Callable[[bool], None],
    *,
    loss_timeout: float = 0.25,
    on_audio_level: Callable[[int], None] | None = None,
) -> ReceiverTap:
    """Route a receiver's reassembled encoded frames to `on_frame` instead of its decoder.

    `on_keyframe_needed(is_retry)` is called when video lost a frame (False) and for each frame
    dropped while waiting for the keyframe (True).

    `on_audio_level(level)` hears each audio packet's RFC 6464 level (0 loudest, 127 silence).

    Call it from the connection's "track" event, before the receiver starts, so that no
    decoder is ever created. The receiver keeps its NACKs, REMB and receiver reports.
    """
    tap = ReceiverTap(receiver, kind, on_frame, on_keyframe_needed, loss_timeout, on_audio_level)
    _require(receiver, _RECEIVER_JITTER_BUFFER)
    setattr(receiver, _RECEIVER_JITTER_BUFFER, _TapBuffer(tap))
    if _require(receiver, _RECEIVER_DECODER_THREAD) is None:
        counting = _CountingQueue()
        _require(receiver, _RECEIVER_DECODER_QUEUE)
        setattr(receiver, _RECEIVER_DECODER_QUEUE, counting)
        tap._decoder_queue = counting
    return tap


def on_keyframe_request(sender: RTCRtpSender, callback: Callable[[], None]) -> None:
    """Call `callback` when the remote receiver sends a PLI or FIR for this sender's stream."""
    sender._send_keyframe = callback  # type: ignore[method-assign]


def on_receiver_feedback(
    sender: RTCRtpSender,
    on_remb: Callable[[float], None],
    on_report: Callable[[float, float], None],
    *,
    clock_rate: int = 90000,
) -> None:
    """Hear what the remote receiver says about this sender's stream: `on_remb(bit/s)` with its
    share of a REMB, `on_report(fraction lost 0..1, jitter in seconds)` per receiver report.
    aiortc still handles the packets itself afterwards."""
    handle = sender._handle_rtcp_packet

    async def observed(packet: AnyRtcpPacket) -> None:
        ssrc = sender._ssrc
        if isinstance(packet, (RtcpRrPacket, RtcpSrPacket)):
            for report in packet.reports:
                if report.ssrc == ssrc:
                    on_report(report.fraction_lost / 256, report.jitter / clock_rate)
        elif isinstance(packet, RtcpPsfbPacket) and packet.fmt == RTCP_PSFB_APP:
            with contextlib.suppress(ValueError):
                bitrate, ssrcs = unpack_remb_fci(packet.fci)
                if ssrc in ssrcs:
                    on_remb(bitrate / len(ssrcs))
        await handle(packet)

    sender._handle_rtcp_packet = observed  # type: ignore[method-assign]


def has_encoder(sender: RTCRtpSender) -> bool:
    """Whether the sender has opened a codec to encode frames (it only packetizes av.Packets)."""
    encoder = getattr(sender, _SENDER_ENCODER, None)
    codec = getattr(encoder, "codec", None)
    return codec is not None and bool(getattr(codec, "is_open", True))


def label_sender(sender: RTCRtpSender, stream_id: str, track_id: str) -> None:
    """Set the msid the next offer announces, so the remote side sees whose media this is."""
    _require(sender, "_stream_id")
    _require(sender, "_track_id")
    sender._stream_id = stream_id
    sender._track_id = track_id


def set_receive_buffer(pc: RTCPeerConnection, size: int) -> int:
    """Grow the UDP receive buffers of a connection's gathered sockets; returns how many.

    The kernel default (about 200 KB) overflows when a busy process misses ~1 s of video; the
    kernel caps the size at net.core.rmem_max. Call after setLocalDescription (sockets exist).
    """
    count = 0
    for transceiver in pc.getTransceivers():
        connection = getattr(transceiver.receiver.transport.transport, "_connection", None)
        for protocol in getattr(connection, "_protocols", []):
            transport = getattr(protocol, "transport", None)
            sock = transport.get_extra_info("socket") if transport is not None else None
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, size)
                    count += 1
    return count


def disable_bandwidth_estimation(receiver: RTCRtpReceiver) -> None:
    """Stop a receiver estimating bandwidth and sending REMB (for load generators: it is the
    costliest part of aiortc's receive path, and a forwarding sender ignores REMB anyway)."""
    _require(receiver, _RECEIVER_BITRATE_ESTIMATOR)
    setattr(receiver, _RECEIVER_BITRATE_ESTIMATOR, None)


def intercept_rtp(receiver: RTCRtpReceiver, keep: Callable[[RtpPacket], bool]) -> None:
    """Drop the RTP packets (retransmissions included) for which `keep` is false, before the
    receiver sees them, as the network would: for loss tests and diagnostics."""
    handle = receiver._handle_rtp_packet

    async def filtered(packet: RtpPacket, arrival_time_ms: int) -> None:
        if keep(packet):
            await handle(packet, arrival_time_ms)

    receiver._handle_rtp_packet = filtered  # type: ignore[method-assign]


class _LayeredVp8Packer(Vp8Encoder):
    """Packetizes already encoded VP8 frames with the descriptor fields of temporal layers."""

    def __init__(self, pattern: list[int]) -> None:
        super().__init__()
        self._pattern = pattern
        self._index = 0
        self._tl0_pic_idx = 0

    def pack(self, packet: Any) -> tuple[list[bytes], int]:
        temporal_id = self._pattern[self._index % len(self._pattern)]
        self._index += 1
        if temporal_id == 0:
            self._tl0_pic_idx = (self._tl0_pic_idx + 1) % 256
        descriptor = VpxPayloadDescriptor(
            partition_start=1,
            partition_id=0,
            picture_id=self.picture_id,
            tl0picidx=self._tl0_pic_idx,
            tid=(temporal_id, int(temporal_id == 1)),  # layer 1 references only layer 0
        )
        payloads, timestamp = super().pack(packet)  # for the timestamp and PictureID step
        buffer = b"".join(p[_descriptor_size(p) :] for p in payloads)
        out = []
        for start in range(0, len(buffer), 1100):
            out.append(bytes(descriptor) + buffer[start : start + 1100])
            descriptor.partition_start = 0
        return out, timestamp


def _descriptor_size(payload: bytes) -> int:
    return len(payload) - len(VpxPayloadDescriptor.parse(payload)[1])


def send_temporal_layers(sender: RTCRtpSender, pattern: list[int]) -> None:
    """Make a sender that forwards encoded VP8 (av.Packets) mark frame i as temporal layer
    `pattern[i % len(pattern)]`, as a browser's L1T3 encoder does (test publishers only)."""
    _require(sender, _SENDER_ENCODER)
    setattr(sender, _SENDER_ENCODER, _LayeredVp8Packer(pattern))


async def send_remb(receiver: RTCRtpReceiver, bitrate: int, media_ssrc: int) -> None:
    """Send a REMB for one stream from this receiver, as a congested browser would (tests and
    load generators; pair with `disable_bandwidth_estimation` so aiortc sends none of its own)."""
    rtcp_ssrc = getattr(receiver, "_RTCRtpReceiver__rtcp_ssrc", None)
    if rtcp_ssrc is None:
        return
    packet = RtcpPsfbPacket(
        fmt=RTCP_PSFB_APP, ssrc=rtcp_ssrc, media_ssrc=0, fci=pack_remb_fci(bitrate, [media_ssrc])
    )
    await receiver._send_rtcp(packet)
