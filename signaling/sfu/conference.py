"""A room's participants, each with one RTCPeerConnection to the server, forwarding to each other.

The server is always the offerer: every (re)negotiation is an offer created here and handed to
the caller's `negotiate` callback, which delivers it to the participant over the signaling
channel and returns the participant's answer.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiortc import (
    MediaStreamTrack,
    RTCBundlePolicy,
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCRtpSender,
    RTCRtpTransceiver,
    RTCSessionDescription,
)

from signaling.sfu.aiortc_glue import (
    ReceiverTap,
    has_encoder,
    label_sender,
    on_keyframe_request,
    on_receiver_feedback,
    set_receive_buffer,
    tap_receiver,
)
from signaling.sfu.forwarder import SubscriberTrack, TrackForwarder
from signaling.sfu.keyframes import KeyframeRequester
from signaling.sfu.last_n import LastN

logger = logging.getLogger(__name__)

Negotiate = Callable[[str, RTCSessionDescription], Awaitable[RTCSessionDescription]]
"""Send an offer to the participant with this id and return their answer."""
LayerChanged = Callable[[str, str, int], None]
"""(subscriber id, publisher id, temporal layer or -1 for paused) after an adaptation."""

KINDS = ("audio", "video")
SCREEN = "screen"
# What a participant can publish, and the kind of media each one is.
MEDIA_KIND = {"audio": "audio", "video": "video", SCREEN: "video"}
RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024  # rides out a busy event loop without dropping packets


@dataclass(frozen=True, slots=True)
class Subscription:
    """One m-line of a participant's connection that carries another participant's media."""

    mid: str | None  # None until the offer announcing it has been created
    publisher_id: str
    kind: str  # "audio", "video" (camera) or "screen"


@dataclass(frozen=True, slots=True)
class SfuStats:
    participants: int
    published_tracks: int
    frames_received: int
    frames_forwarded: int
    frames_dropped: int
    frames_skipped: int  # left out for subscribers on a lower temporal layer or paused
    layered_tracks: int  # published videos that arrive with temporal layers
    frames_held: int  # published frames not forwarded because the host muted the track
    frames_lost: int
    keyframe_requests: int
    plis_sent: int
    encoder_count: int  # subscriber senders that opened an encoder; forwarding keeps it 0
    frames_to_decoder: int  # published frames that reached aiortc's decoder; stays 0


@dataclass(eq=False)
class _Publication:
    forwarder: TrackForwarder
    tap: ReceiverTap
    keyframes: KeyframeRequester


@dataclass(eq=False)
class _Slot:
    transceiver: RTCRtpTransceiver
    track: SubscriberTrack
    publisher_id: str | None = None
    name: str = ""  # which of the publisher's tracks: "audio", "video" or "screen"


@dataclass(eq=False)
class _Participant:
    id: str
    pc: RTCPeerConnection
    publish_transceivers: dict[str, RTCRtpTransceiver]  # by name: audio, video, screen
    publications: dict[str, _Publication] = field(default_factory=dict)  # by name
    is_sharing_screen: bool = False
    slots: list[_Slot] = field(default_factory=list)
    is_dirty: bool = False
    negotiation: "asyncio.Task[None] | None" = None

    def shared_publications(self) -> dict[str, _Publication]:
        """What reaches the others: a stopped screen share keeps its m-line but reaches nobody."""
        return {
            name: publication
            for name, publication in self.publications.items()
            if name != SCREEN or self.is_sharing_screen
        }


class Conference:
    """Participants that each publish audio and video and receive everyone else's.

    Media is forwarded encoded: nothing is decoded or re-encoded on the server.

    Wiring: `negotiate(participant_id, offer)` sends the offer over the participant's signaling
    channel and returns their answer (it is bounded by `negotiation_timeout`). The client sets
    the offer as its remote description, attaches its microphone and camera to the m-lines
    named by `publish_mids()` (the first audio and video ones), and answers. Whenever someone
    starts publishing or leaves, every other participant is renegotiated in the background, one
    round at a time; a participant whose renegotiation fails is removed.
    """

    def __init__(
        self,
        negotiate: Negotiate,
        *,
        ice_servers: list[RTCIceServer] | None = None,
        video_codec: str = "video/VP8",
        keyframe_interval: float = 0.25,
        loss_timeout: float = 0.25,
        negotiation_timeout: float = 15.0,
        on_layer_change: LayerChanged | None = None,
        last_n: int | None = None,
    ) -> None:
        self._negotiate_callback = negotiate
        self._on_layer_change = on_layer_change
        self._last_n = LastN(last_n)  # whose camera each participant gets
        self._negotiation_timeout = negotiation_timeout
        # max-bundle: one transport per participant from the start. aiortc's default (balanced)
        # leaves m-lines added by renegotiation on a transport that bundling then stops.
        self._configuration = RTCConfiguration(
            iceServers=ice_servers or [], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE
        )
        self._video_codec = video_codec.lower()
        self._keyframe_interval = keyframe_interval
        self._loss_timeout = loss_timeout
        self._participants: dict[str, _Participant] = {}
        # Tracks the host muted, by participant; may name one still connecting.
        self._held: dict[str, set[str]] = {}
        self._sharing_on_arrival: set[str] = set()  # asked to share before they were connected
        self._tasks: set[asyncio.Task[None]] = set()
        self._is_closed = False

    @property
    def participant_ids(self) -> list[str]:
        return list(self._participants)

    async def add_participant(self, participant_id: str) -> RTCPeerConnection:
        """Create the participant's connection, subscribe it to everyone, negotiate it.

        The participant publishes by answering with media on the first audio and video m-lines
        (see `publish_mids`); their tracks are forwarded as soon as that answer is applied.
        """
        if self._is_closed:
            raise RuntimeError("conference is closed")
        if participant_id in self._participants:
            raise ValueError(f"participant {participant_id!r} already joined")
        pc = RTCPeerConnection(self._configuration)
        publish = {kind: pc.addTransceiver(kind, direction="recvonly") for kind in KINDS}
        for transceiver in publish.values():
            self._prefer_codec(transceiver)
        participant = _Participant(participant_id, pc, publish)
        self._participants[participant_id] = participant
        self._last_n.arrive(participant_id)
        if participant_id in self._sharing_on_arrival:  # in the first offer already
            self._sharing_on_arrival.discard(participant_id)
            participant.is_sharing_screen = True
            self._add_screen_transceiver(participant)

        def on_track(track: MediaStreamTrack) -> None:
            self._publish(participant, track)

        def on_state() -> None:
            if pc.connectionState == "failed":
                logger.info("participant %s: connection failed, removing", participant_id)
                self._spawn(self.remove_participant(participant_id))

        pc.on("track", on_track)
        pc.on("connectionstatechange", on_state)
        for other in self._participants.values():
            if other is not participant:
                for name, publication in other.shared_publications().items():
                    self._subscribe(participant, other.id, name, publication)
        self._apply_last_n()
        try:
            await self.renegotiate(participant_id)
        except BaseException:
            await self.remove_participant(participant_id)
            raise
        return pc

    def publish_mids(self, participant_id: str) -> dict[str, str | None]:
        """The mids on which the participant sends its own audio, video and screen share."""
        participant = self._participants[participant_id]
        return {name: t.mid for name, t in participant.publish_transceivers.items()}

    def subscriptions(self, participant_id: str) -> list[Subscription]:
        """Whose media each active m-line of this participant's connection carries."""
        return [
            Subscription(slot.transceiver.mid, slot.publisher_id, slot.name)
            for slot in self._participants[participant_id].slots
            if slot.publisher_id is not None
        ]

    async def renegotiate(self, participant_id: str) -> None:
        """Run offer/answer rounds for this participant until its connection matches the room."""
        participant = self._participants[participant_id]
        participant.is_dirty = True
        task = participant.negotiation
        if task is None or task.done():
            task = asyncio.get_running_loop().create_task(self._negotiation_loop(participant))
            participant.negotiation = task
        await asyncio.shield(task)

    def share_screen(self, participant_id: str) -> None:
        """Forward the participant's screen share to everyone, beside their camera.

        The first share adds a publish m-line (`publish_mids()["screen"]`) and renegotiates the
        participant; the track is forwarded once their answer starts it. Later shares reuse it.
        Every other participant is renegotiated in the background. Idempotent.
        """
        participant = self._participants.get(participant_id)
        if participant is None:
            self._sharing_on_arrival.add(participant_id)
            return
        if participant.is_sharing_screen:
            return
        participant.is_sharing_screen = True
        if SCREEN not in participant.publish_transceivers:
            self._add_screen_transceiver(participant)
            self._renegotiate_soon(participant)
            return
        publication = participant.publications.get(SCREEN)
        if publication is not None:
            self._share(participant, SCREEN, publication)

    def _add_screen_transceiver(self, participant: _Participant) -> None:
        transceiver = participant.pc.addTransceiver("video", direction="recvonly")
        self._prefer_codec(transceiver)
        participant.publish_transceivers[SCREEN] = transceiver

    def stop_screen(self, participant_id: str) -> None:
        """Stop forwarding the participant's screen share; its m-lines are freed. Idempotent."""
        self._sharing_on_arrival.discard(participant_id)
        participant = self._participants.get(participant_id)
        if participant is None or not participant.is_sharing_screen:
            return
        participant.is_sharing_screen = False
        if SCREEN not in participant.publications:
            return
        for other in self._participants.values():
            if other is not participant and self._unsubscribe(other, participant_id, SCREEN):
                self._renegotiate_soon(other)

    def hold(self, participant_id: str, kind: str) -> None:
        """Stop forwarding this participant's `kind` to anyone until `release` (a host's mute).

        The server enforces it whatever the participant's client does; a participant still
        connecting starts held.
        """
        self._held.setdefault(participant_id, set()).add(kind)
        publication = self._publication(participant_id, kind)
        if publication is not None:
            publication.forwarder.hold()

    def release(self, participant_id: str, kind: str) -> None:
        """Forward this participant's `kind` again (they turned it back on themselves)."""
        self._held.get(participant_id, set()).discard(kind)
        publication = self._publication(participant_id, kind)
        if publication is not None:
            publication.forwarder.release()

    def is_held(self, participant_id: str, kind: str) -> bool:
        return kind in self._held.get(participant_id, ())

    def _publication(self, participant_id: str, kind: str) -> _Publication | None:
        participant = self._participants.get(participant_id)
        return participant.publications.get(kind) if participant is not None else None

    async def remove_participant(self, participant_id: str) -> None:
        """Stop forwarding from and to this participant and close its connection."""
        self._held.pop(participant_id, None)
        self._sharing_on_arrival.discard(participant_id)
        participant = self._participants.pop(participant_id, None)
        if participant is None:
            return
        logger.info("participant %s: leaving", participant_id)
        self._last_n.leave(participant_id)
        for publication in participant.publications.values():
            publication.forwarder.close()
            publication.keyframes.close()
        for other in self._participants.values():
            if self._unsubscribe(other, participant_id):
                self._renegotiate_soon(other)
        for slot in participant.slots:
            if slot.track.source is not None:
                slot.track.source.detach(slot.track)
            slot.track.stop()
        self._apply_last_n()
        task = participant.negotiation
        if task is not None and not task.done() and task is not asyncio.current_task():
            task.cancel()
        await participant.pc.close()

    async def close(self) -> None:
        """Remove every participant; safe to call twice."""
        self._is_closed = True
        for participant_id in list(self._participants):
            await self.remove_participant(participant_id)
        for task in list(self._tasks):
            if task is not asyncio.current_task():
                task.cancel()
        self._tasks.clear()

    def stats(self) -> SfuStats:
        publications = [
            p for part in self._participants.values() for p in part.shared_publications().values()
        ]
        slots = [slot for part in self._participants.values() for slot in part.slots]
        return SfuStats(
            participants=len(self._participants),
            published_tracks=len(publications),
            frames_received=sum(p.forwarder.frames_received for p in publications),
            frames_forwarded=sum(s.track.frames_forwarded for s in slots),
            frames_dropped=sum(s.track.frames_dropped for s in slots),
            frames_skipped=sum(s.track.frames_skipped for s in slots),
            layered_tracks=sum(p.forwarder.is_layered for p in publications),
            frames_held=sum(p.forwarder.frames_held for p in publications),
            frames_lost=sum(p.tap.frames_lost for p in publications),
            keyframe_requests=sum(p.keyframes.requested for p in publications),
            plis_sent=sum(p.keyframes.sent for p in publications),
            encoder_count=sum(has_encoder(s.transceiver.sender) for s in slots),
            frames_to_decoder=sum(p.tap.frames_to_decoder for p in publications),
        )

    def _publish(self, participant: _Participant, track: MediaStreamTrack) -> None:
        """The participant's answer started a track: tap it and forward it to everyone else."""
        name = next(
            (n for n, t in participant.publish_transceivers.items() if t.receiver.track is track),
            None,
        )
        if name is None or name in participant.publications:
            return
        transceiver = participant.publish_transceivers[name]
        kind = track.kind
        forwarder = TrackForwarder(kind)
        if self.is_held(participant.id, name):
            forwarder.hold()

        async def send_pli() -> None:
            await tap.send_pli()

        keyframes = KeyframeRequester(send_pli, min_interval=self._keyframe_interval)

        def on_keyframe_needed(is_retry: bool) -> None:
            (keyframes.request_again if is_retry else keyframes.request)()

        tap = tap_receiver(
            transceiver.receiver,
            kind,
            forwarder.push,
            on_keyframe_needed,
            loss_timeout=self._loss_timeout,
            on_audio_level=self._listener(participant.id) if kind == "audio" else None,
        )
        forwarder.set_keyframe_requests(keyframes.request, keyframes.request_again)
        publication = _Publication(forwarder, tap, keyframes)
        participant.publications[name] = publication
        logger.info("participant %s: publishing %s", participant.id, name)
        if name != SCREEN or participant.is_sharing_screen:
            self._share(participant, name, publication)

    def _share(self, participant: _Participant, name: str, publication: _Publication) -> None:
        """Subscribe everyone else to a publication and renegotiate them."""
        for other in self._participants.values():
            if other is not participant:
                self._subscribe(other, participant.id, name, publication)
                self._renegotiate_soon(other)
        self._apply_last_n()

    def _subscribe(
        self, subscriber: _Participant, publisher_id: str, name: str, publication: _Publication
    ) -> None:
        """Point a free m-line of the subscriber's connection (or a new one) at a publication."""
        kind = MEDIA_KIND[name]
        slot = next(
            (s for s in subscriber.slots if s.publisher_id is None and s.track.kind == kind), None
        )
        if slot is None:
            track = SubscriberTrack(kind)
            transceiver = subscriber.pc.addTransceiver(track, direction="sendonly")
            self._prefer_codec(transceiver)
            on_keyframe_request(transceiver.sender, track.request_keyframe)
            on_receiver_feedback(transceiver.sender, track.on_remb, track.on_receiver_report)
            slot = _Slot(transceiver, track)
            track.on_layer_change = self._layer_listener(subscriber.id, slot)
            subscriber.slots.append(slot)
        slot.publisher_id = publisher_id
        slot.name = name
        slot.transceiver.direction = "sendonly"
        label_sender(slot.transceiver.sender, publisher_id, f"{publisher_id}-{name}")
        publication.forwarder.attach(slot.track)

    def _layer_listener(self, subscriber_id: str, slot: _Slot) -> Callable[[int], None]:
        def changed(layer: int) -> None:
            logger.info(
                "participant %s: video of %s at layer %d", subscriber_id, slot.publisher_id, layer
            )
            if self._on_layer_change is not None and slot.publisher_id is not None:
                self._on_layer_change(subscriber_id, slot.publisher_id, layer)

        return changed

    def subscriber_track(
        self, subscriber_id: str, publisher_id: str, name: str = "video"
    ) -> SubscriberTrack | None:
        """What `subscriber_id` gets of `publisher_id`'s `name` track (to inspect or pin its
        layer with `set_layer`; the bandwidth estimate takes over again at its next report)."""
        participant = self._participants.get(subscriber_id)
        slots = participant.slots if participant is not None else []
        return next(
            (s.track for s in slots if s.publisher_id == publisher_id and s.name == name), None
        )

    def pin(self, participant_id: str, is_pinned: bool = True) -> None:
        """Always forward this participant's camera to everyone (the host, a spotlight)."""
        if is_pinned:
            self._last_n.pinned.add(participant_id)
        else:
            self._last_n.pinned.discard(participant_id)
        self._apply_last_n()

    def _listener(self, participant_id: str) -> Callable[[int], None]:
        def heard(level: int) -> None:
            if self._last_n.hear(participant_id, level):
                self._apply_last_n()

        return heard

    def _apply_last_n(self) -> None:
        """Forward each participant only the cameras last-N lets them see; stop the rest."""
        for subscriber in self._participants.values():
            for slot in subscriber.slots:
                if slot.name == "video" and slot.publisher_id is not None:
                    visible = self._last_n.is_visible(subscriber.id, slot.publisher_id)
                    slot.track.set_hidden(not visible)

    def video_layer(self, subscriber_id: str) -> int | None:
        """The lowest temporal layer this participant receives of anyone's video (-1: some
        video is paused), None if they receive no video."""
        participant = self._participants.get(subscriber_id)
        layers = [
            slot.track.layers.target
            for slot in (participant.slots if participant else [])
            if slot.track.kind == "video" and slot.track.source is not None
        ]
        return min(layers) if layers else None

    def _unsubscribe(
        self, subscriber: _Participant, publisher_id: str, name: str | None = None
    ) -> bool:
        """Free the subscriber's m-lines carrying this publisher (only its `name` track if
        given); they are reused later."""
        changed = False
        for slot in subscriber.slots:
            if slot.publisher_id == publisher_id and name in (None, slot.name):
                if slot.track.source is not None:
                    slot.track.source.detach(slot.track)
                slot.publisher_id = None
                slot.transceiver.direction = "inactive"
                changed = True
        return changed

    def _prefer_codec(self, transceiver: RTCRtpTransceiver) -> None:
        """Every m-line of a kind uses one codec, so packets can go out as they came in."""
        wanted = self._video_codec if transceiver.kind == "video" else "audio/opus"
        codecs = RTCRtpSender.getCapabilities(transceiver.kind).codecs
        preferred = [c for c in codecs if c.mimeType.lower() == wanted]
        if not preferred:
            raise ValueError(f"aiortc cannot forward {wanted}")
        rtx = [c for c in codecs if c.mimeType.lower().endswith("/rtx")]
        transceiver.setCodecPreferences(preferred + rtx)

    def _renegotiate_soon(self, participant: _Participant) -> None:
        if self._is_closed:
            return
        participant.is_dirty = True
        if participant.negotiation is None or participant.negotiation.done():
            participant.negotiation = self._spawn(self._renegotiate_or_remove(participant))

    async def _renegotiate_or_remove(self, participant: _Participant) -> None:
        """A participant that cannot renegotiate has a stale connection: remove it."""
        try:
            await self._negotiation_loop(participant)
        except Exception:
            logger.warning(
                "participant %s: renegotiation failed, removing", participant.id, exc_info=True
            )
            await self.remove_participant(participant.id)

    async def _negotiation_loop(self, participant: _Participant) -> None:
        pc = participant.pc
        while participant.is_dirty and participant.id in self._participants:
            participant.is_dirty = False
            await pc.setLocalDescription(await pc.createOffer())
            set_receive_buffer(pc, RECEIVE_BUFFER_BYTES)
            logger.debug("participant %s: sending offer", participant.id)
            async with asyncio.timeout(self._negotiation_timeout):
                answer = await self._negotiate_callback(participant.id, pc.localDescription)
            if pc.signalingState == "closed":
                return
            await pc.setRemoteDescription(answer)

    def _spawn(self, coroutine: Awaitable[None]) -> "asyncio.Task[None]":
        async def logged() -> None:
            try:
                await coroutine
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("SFU background task failed")

        task = asyncio.get_running_loop().create_task(logged())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task
