"""One published track fanned out to many subscribers as encoded packets."""

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from fractions import Fraction

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from signaling.sfu.assembly import EncodedFrame
from signaling.sfu.bandwidth import LayerChoice, SubscriberBandwidth
from signaling.sfu.layers import PAUSED, LayerRates, TemporalLayerFilter

logger = logging.getLogger(__name__)

# Frames a subscriber may fall behind before its queue is flushed (about 1 s of media).
VIDEO_QUEUE_FRAMES = 30
AUDIO_QUEUE_FRAMES = 50
_FRAME_STEP = {"audio": Fraction(1, 50), "video": Fraction(1, 30)}  # pts step after a switch


class SubscriberTrack(MediaStreamTrack):
    """What one subscriber's RTCRtpSender reads: av.Packets from whichever track it follows.

    The queue is bounded: a subscriber that falls behind loses its queue and waits for the next
    keyframe, so it never slows the forwarder or the other subscribers.
    """

    def __init__(self, kind: str, *, capacity: int | None = None) -> None:
        super().__init__()
        self.kind = kind
        self._capacity = capacity or (VIDEO_QUEUE_FRAMES if kind == "video" else AUDIO_QUEUE_FRAMES)
        self._queue: deque[av.Packet] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self.source: TrackForwarder | None = None
        self.is_awaiting_keyframe = kind == "video"
        self._pts_offset = 0
        self._last_pts: int | None = None
        self._is_rebasing = False
        self.frames_forwarded = 0
        self.frames_dropped = 0
        self.frames_skipped = 0  # left out to fit the subscriber's bandwidth (whole layers)
        self.overflows = 0
        self.is_hidden = False  # last-N: this camera is not among what the subscriber sees
        self.layers = TemporalLayerFilter()
        self.bandwidth = SubscriberBandwidth()
        self._layer_choice = LayerChoice()
        self.on_layer_change: Callable[[int], None] | None = None

    @property
    def queued(self) -> int:
        """Frames waiting for this subscriber's sender."""
        return len(self._queue)

    def follow(self, source: "TrackForwarder | None") -> None:
        """Switch to another published track (None: go quiet)."""
        self._queue.clear()
        self.source = source
        self.is_awaiting_keyframe = self.kind == "video"
        self._is_rebasing = self._last_pts is not None

    def on_remb(self, bitrate: float) -> None:
        """The subscriber's receive estimate for this stream (its share of a REMB)."""
        self.bandwidth.on_remb(bitrate, self._sending())
        self._adapt()

    def on_receiver_report(self, fraction_lost: float, jitter: float) -> None:
        """A receiver report for this stream: share of packets lost, jitter in seconds."""
        self.bandwidth.on_receiver_report(fraction_lost, jitter, self._sending())
        self._adapt()

    def _sending(self) -> float:
        """Bits per second this subscriber gets from its source now."""
        source = self.source
        return source.rates.up_to(self.layers.current) if source is not None else 0.0

    def _adapt(self) -> None:
        if self.kind != "video" or self.source is None:
            return
        layer = self._layer_choice.choose(
            self.bandwidth.estimate, self.layers.target, self.source.rates
        )
        self.set_layer(layer)

    def set_layer(self, layer: int) -> None:
        """Forward the publisher's temporal layers up to `layer` (PAUSED: no video at all)."""
        previous = self.layers.target
        if layer == previous:
            return
        self.layers.target = layer
        if layer == PAUSED:
            self.drop_queued()
        elif previous == PAUSED:
            self.await_keyframe()  # the frames skipped while paused are gone for good
            self.request_keyframe()
        if self.on_layer_change is not None:
            self.on_layer_change(layer)

    def set_hidden(self, is_hidden: bool) -> None:
        """Stop forwarding a camera the subscriber does not show (last-N), or start again from a
        keyframe, asked for now."""
        if is_hidden == self.is_hidden or self.kind != "video":
            return
        self.is_hidden = is_hidden
        if is_hidden:
            self.drop_queued()
        else:
            self.await_keyframe()
            self.request_keyframe()

    def push(
        self,
        packet: av.Packet,
        is_keyframe: bool,
        temporal_id: int | None = None,
        is_layer_sync: bool = False,
    ) -> None:
        """Queue a frame; called by the forwarder, never blocks."""
        if self.readyState != "live":
            return
        if self.is_hidden:
            self.frames_skipped += 1
            return
        if self.kind == "video" and not self.layers.admit(temporal_id, is_layer_sync, is_keyframe):
            self.frames_skipped += 1
            return
        if self.is_awaiting_keyframe:
            if not is_keyframe:
                self.frames_dropped += 1
                return
            self.is_awaiting_keyframe = False
        if len(self._queue) >= self._capacity:
            self.overflows += 1
            self.frames_dropped += len(self._queue) + 1
            self._queue.clear()
            if self.kind == "video":
                # Frames after the gap reference what was flushed: restart from a keyframe.
                self.is_awaiting_keyframe = True
                self.request_keyframe()
            return
        self._queue.append(packet)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def drop_queued(self) -> None:
        """Forget the frames not yet sent (they count as dropped)."""
        self.frames_dropped += len(self._queue)
        self._queue.clear()

    def await_keyframe(self) -> None:
        """Forward nothing until the next keyframe (the frames before it were not sent)."""
        if self.kind == "video":
            self._queue.clear()
            self.is_awaiting_keyframe = True

    def request_keyframe(self) -> None:
        """The subscriber lost a picture (PLI/FIR): pass it on to the publisher."""
        if self.source is not None:
            self.source.request_keyframe()

    async def recv(self) -> av.Packet:  # type: ignore[override]
        while not self._queue:
            if self.readyState != "live":
                raise MediaStreamError
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter
        self.frames_forwarded += 1
        return self._continuous(self._queue.popleft())

    def _continuous(self, packet: av.Packet) -> av.Packet:
        """Keep timestamps growing smoothly when this track switched to another source."""
        assert packet.pts is not None and packet.time_base is not None
        if self._is_rebasing and self._last_pts is not None:
            step = int(_FRAME_STEP[self.kind] / packet.time_base)
            self._pts_offset = self._last_pts + step - packet.pts
            self._is_rebasing = False
        if self._pts_offset:
            shifted = av.Packet(bytes(packet))
            shifted.pts = packet.pts + self._pts_offset
            shifted.time_base = packet.time_base
            packet = shifted
        self._last_pts = packet.pts
        return packet

    def stop(self) -> None:
        super().stop()
        self._queue.clear()
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)


class TrackForwarder:
    """One published track: each encoded frame becomes one av.Packet shared by all subscribers."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._request_keyframe: Callable[[], None] | None = None
        self._retry_keyframe: Callable[[], None] | None = None
        self._subscribers: list[SubscriberTrack] = []
        self._first_timestamp: int | None = None
        self.frames_received = 0
        self.frames_held = 0
        self.rates = LayerRates()  # what each temporal layer costs, for subscribers' choices
        self.is_layered = False  # the publisher sends temporal layers
        self.is_held = False
        self._is_closed = False

    @property
    def subscribers(self) -> list[SubscriberTrack]:
        return list(self._subscribers)

    def set_keyframe_requests(
        self, request: Callable[[], None], request_again: Callable[[], None]
    ) -> None:
        """How to ask the publisher for a keyframe, and to repeat it while a subscriber waits."""
        self._request_keyframe = request
        self._retry_keyframe = request_again

    def attach(self, track: SubscriberTrack) -> None:
        """Start forwarding to `track`; video waits for (and asks for) a keyframe."""
        if track.source is not None:
            track.source.detach(track)
        track.follow(self)
        self._subscribers.append(track)
        if self.kind == "video":
            self.request_keyframe()

    def detach(self, track: SubscriberTrack) -> None:
        """Stop forwarding to `track`."""
        if track in self._subscribers:
            self._subscribers.remove(track)
        if track.source is self:
            track.follow(None)

    def request_keyframe(self) -> None:
        if self.kind == "video" and self._request_keyframe is not None and not self._is_closed:
            self._request_keyframe()

    def hold(self) -> None:
        """Stop forwarding at once (a host muted this track): what subscribers still had queued
        is dropped too, and so is every frame until `release`."""
        self.is_held = True
        for track in self._subscribers:
            track.drop_queued()

    def release(self) -> None:
        """Forward again; video subscribers restart from a keyframe, asked for now."""
        if not self.is_held:
            return
        self.is_held = False
        for track in self._subscribers:
            track.await_keyframe()
        self.request_keyframe()

    def push(self, frame: EncodedFrame) -> None:
        """Hand one encoded frame from the publisher to every subscriber."""
        if self._is_closed:
            return
        self.frames_received += 1
        if self.is_held:
            self.frames_held += 1
            return
        if self._first_timestamp is None:
            self._first_timestamp = frame.timestamp
        packet = av.Packet(frame.data)
        packet.pts = frame.timestamp - self._first_timestamp
        packet.time_base = Fraction(1, frame.clock_rate)
        self.rates.add(frame.temporal_id, len(frame.data), frame.is_keyframe)
        self.is_layered = frame.temporal_id is not None
        is_anyone_waiting = False
        for track in self._subscribers:
            track.push(packet, frame.is_keyframe, frame.temporal_id, frame.is_layer_sync)
            is_anyone_waiting = is_anyone_waiting or track.is_awaiting_keyframe
        if is_anyone_waiting and self._retry_keyframe is not None:
            self._retry_keyframe()

    def close(self) -> None:
        """Detach every subscriber; safe to call twice."""
        self._is_closed = True
        for track in list(self._subscribers):
            self.detach(track)
