"""Reassembly of RTP packets into encoded frames, without decoding them.

Pure code: no aiortc import, so it can be tested with synthetic packets.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

Clock = Callable[[], float]


class RtpInfo(NamedTuple):
    """What reassembly needs from one RTP packet."""

    sequence_number: int
    timestamp: int
    marker: bool
    data: bytes  # payload with the codec's payload descriptor removed
    starts_frame: bool  # the codec says this packet opens a frame
    temporal_id: int | None = None  # VP8 temporal layer, if the publisher uses layers
    is_layer_sync: bool = False


@dataclass(frozen=True, slots=True)
class EncodedFrame:
    """One complete encoded frame, as the publisher's encoder produced it."""

    data: bytes
    timestamp: int  # RTP timestamp, unwrapped (keeps growing past 2**32)
    clock_rate: int
    is_keyframe: bool
    temporal_id: int | None = None  # VP8 temporal layer (0 is the base), None without layers
    is_layer_sync: bool = False  # references only layer 0: a subscriber may switch up here


FrameSink = Callable[[EncodedFrame], None]


def vp8_starts_frame(payload: bytes) -> bool:
    """Whether a VP8 RTP payload opens a frame (S bit set, partition 0)."""
    return bool(payload) and payload[0] & 0x17 == 0x10


def vp8_is_keyframe(data: bytes) -> bool:
    """Whether an assembled VP8 frame is a keyframe (RFC 6386 frame tag, P bit clear)."""
    return bool(data) and data[0] & 0x01 == 0


def h264_is_keyframe(data: bytes) -> bool:
    """Whether an assembled Annex B access unit holds an IDR slice."""
    start = data.find(b"\x00\x00\x01")
    while start != -1 and start + 3 < len(data):
        if data[start + 3] & 0x1F == 5:
            return True
        start = data.find(b"\x00\x00\x01", start + 3)
    return False


class _Unwrapper:
    """Turns wrapping counters (16-bit sequence numbers, 32-bit timestamps) into growing ints."""

    def __init__(self, bits: int) -> None:
        self._modulo = 1 << bits
        self._last: int | None = None

    def __call__(self, value: int) -> int:
        if self._last is None:
            self._last = value
            return value
        delta = (value - self._last) % self._modulo
        if delta >= self._modulo // 2:
            delta -= self._modulo
        unwrapped = self._last + delta
        self._last = max(self._last, unwrapped)
        return unwrapped


class AudioAssembler:
    """Audio packets are frames already (Opus): pass them on in order, drop late ones."""

    def __init__(self, on_frame: FrameSink, *, clock_rate: int) -> None:
        self._on_frame = on_frame
        self._clock_rate = clock_rate
        self._seq = _Unwrapper(16)
        self._ts = _Unwrapper(32)
        self._highest: int | None = None

    def add(self, packet: RtpInfo) -> None:
        seq = self._seq(packet.sequence_number)
        if self._highest is not None and seq <= self._highest:
            return
        self._highest = seq
        timestamp = self._ts(packet.timestamp)
        self._on_frame(EncodedFrame(packet.data, timestamp, self._clock_rate, True))


class VideoAssembler:
    """Builds complete video frames; after a loss it drops frames up to the next keyframe.

    A missing packet is waited for (the receiver NACKs it) for `loss_timeout` seconds; then its
    frame is given up, `on_keyframe_needed(False)` asks for a keyframe, and every frame until
    the next keyframe is dropped, since it would reference the lost picture. Each frame dropped
    while waiting calls `on_keyframe_needed(True)`, so a lost request gets repeated.
    """

    def __init__(
        self,
        on_frame: FrameSink,
        on_keyframe_needed: Callable[[bool], None],
        *,
        clock_rate: int,
        is_keyframe: Callable[[bytes], bool],
        loss_timeout: float = 0.25,
        capacity: int = 512,
        clock: Clock = time.monotonic,
    ) -> None:
        self._on_frame = on_frame
        self._on_keyframe_needed = on_keyframe_needed
        self._clock_rate = clock_rate
        self._is_keyframe = is_keyframe
        self._loss_timeout = loss_timeout
        self._capacity = capacity
        self._clock = clock
        self._seq = _Unwrapper(16)
        self._ts = _Unwrapper(32)
        self._packets: dict[int, RtpInfo] = {}
        self._highest: int | None = None
        self._next: int | None = None  # sequence number opening the next frame, once known
        self._hole: int | None = None
        self._hole_since = 0.0
        self.is_awaiting_keyframe = True
        self.frames_lost = 0

    def add(self, packet: RtpInfo) -> None:
        seq = self._seq(packet.sequence_number)
        if (self._next is not None and seq < self._next) or seq in self._packets:
            return  # late retransmission or duplicate
        self._packets[seq] = packet
        if self._highest is None or seq > self._highest:
            self._highest = seq
        if self._next is None:
            self._find_start(seq)
        if self._next is not None:
            self._drain()
        if len(self._packets) > self._capacity:
            self._give_up()

    def _find_start(self, seq: int) -> None:
        """Sync on the new packet or its successor if either is known to open a frame."""
        for candidate in (seq, seq + 1):
            if self._opens_frame(candidate):
                self._next = candidate
                self._discard_before(candidate)
                return

    def _opens_frame(self, seq: int) -> bool:
        packet = self._packets.get(seq)
        if packet is None:
            return False
        previous = self._packets.get(seq - 1)
        if previous is not None:
            return previous.marker or previous.timestamp != packet.timestamp
        return packet.starts_frame

    def _drain(self) -> None:
        assert self._next is not None
        while self._pop_frame():
            pass
        # Find the first missing packet; it is a hole if anything later has arrived.
        missing = self._next
        while missing in self._packets:
            missing += 1
        if self._highest is None or self._highest < missing:
            self._hole = None
            return
        now = self._clock()
        if self._hole != missing:
            self._hole, self._hole_since = missing, now
        elif now - self._hole_since >= self._loss_timeout:
            self._give_up()

    def _pop_frame(self) -> bool:
        assert self._next is not None
        first = self._packets.get(self._next)
        if first is None:
            return False
        last = self._next
        while not self._packets[last].marker:
            following = self._packets.get(last + 1)
            if following is None:
                return False
            if following.timestamp != first.timestamp:
                break  # the marker packet was lost but nothing is missing in between
            last += 1
        parts = [self._packets.pop(seq).data for seq in range(self._next, last + 1)]
        self._next = last + 1
        data = b"".join(parts)
        is_keyframe = self._is_keyframe(data)
        if self.is_awaiting_keyframe and not is_keyframe:
            self._on_keyframe_needed(True)
            return True
        self.is_awaiting_keyframe = False
        frame = EncodedFrame(
            data,
            self._ts(first.timestamp),
            self._clock_rate,
            is_keyframe,
            first.temporal_id,
            first.is_layer_sync,
        )
        self._on_frame(frame)
        return True

    def _give_up(self) -> None:
        """Drop the frame with the hole, ask for a keyframe and resync on a later frame."""
        self.frames_lost += 1
        self.is_awaiting_keyframe = True
        self._hole = None
        hole = self._next if self._next is not None else min(self._packets)
        while hole in self._packets:
            hole += 1
        self._next = None
        for seq in sorted(self._packets):
            if seq > hole and self._opens_frame(seq):
                self._next = seq
                break
        if self._next is None:
            self._packets.clear()
        else:
            self._discard_before(self._next)
        self._on_keyframe_needed(False)
        if self._next is not None:
            self._drain()

    def _discard_before(self, seq: int) -> None:
        for old in [s for s in self._packets if s < seq]:
            del self._packets[old]
