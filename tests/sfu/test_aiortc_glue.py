"""The aiortc internals the SFU relies on, checked against the installed aiortc with real peers."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiortc import AudioStreamTrack, RTCPeerConnection, RTCRtpTransceiver

from signaling.sfu.aiortc_glue import (
    ReceiverTap,
    disable_bandwidth_estimation,
    has_encoder,
    label_sender,
    on_keyframe_request,
    set_receive_buffer,
    tap_receiver,
)
from signaling.sfu.assembly import EncodedFrame
from signaling.sfu.forwarder import SubscriberTrack, TrackForwarder
from tests.sfu.peers import MovingVideoTrack, new_peer_connection, wait_until


async def connect(offerer: RTCPeerConnection, answerer: RTCPeerConnection) -> None:
    await offerer.setLocalDescription(await offerer.createOffer())
    await answerer.setRemoteDescription(offerer.localDescription)
    await answerer.setLocalDescription(await answerer.createAnswer())
    await offerer.setRemoteDescription(answerer.localDescription)


@pytest.fixture
async def pair() -> AsyncIterator[tuple[RTCPeerConnection, RTCPeerConnection]]:
    sender, receiver = new_peer_connection(), new_peer_connection()
    yield sender, receiver
    await sender.close()
    await receiver.close()


class Tapped:
    def __init__(self) -> None:
        self.frames: dict[str, list[EncodedFrame]] = {"audio": [], "video": []}
        self.keyframe_requests: list[bool] = []

    def keyframes(self) -> int:
        return sum(f.is_keyframe for f in self.frames["video"])


def tap_all(receiver: RTCPeerConnection, tapped: Tapped) -> dict[str, ReceiverTap]:
    taps: dict[str, ReceiverTap] = {}

    def on_track(track: object) -> None:
        for transceiver in receiver.getTransceivers():
            if transceiver.receiver.track is track:
                kind = transceiver.kind
                taps[kind] = tap_receiver(
                    transceiver.receiver,
                    kind,
                    tapped.frames[kind].append,
                    tapped.keyframe_requests.append,
                )

    receiver.on("track", on_track)
    return taps


async def test_tapped_receiver_yields_encoded_frames_and_never_decodes(
    pair: tuple[RTCPeerConnection, RTCPeerConnection],
) -> None:
    sender, receiver = pair
    sender.addTrack(AudioStreamTrack())
    sender.addTrack(MovingVideoTrack())
    tapped = Tapped()
    taps = tap_all(receiver, tapped)
    await connect(sender, receiver)
    await wait_until(
        lambda: len(tapped.frames["video"]) >= 10 and len(tapped.frames["audio"]) >= 10
    )
    video = tapped.frames["video"]
    assert video[0].is_keyframe and video[0].clock_rate == 90000
    assert all(b.timestamp > a.timestamp for a, b in zip(video, video[1:], strict=False))
    assert tapped.frames["audio"][0].clock_rate == 48000
    for tap in taps.values():
        assert tap.frames_to_decoder == 0
    assert has_encoder(sender.getSenders()[1])  # the publisher does encode


async def test_send_pli_makes_the_publisher_send_a_keyframe(
    pair: tuple[RTCPeerConnection, RTCPeerConnection],
) -> None:
    sender, receiver = pair
    video_sender = sender.addTrack(MovingVideoTrack())
    tapped = Tapped()
    taps = tap_all(receiver, tapped)
    await connect(sender, receiver)
    for transceiver in receiver.getTransceivers():
        disable_bandwidth_estimation(transceiver.receiver)  # packets still flow without it
    await wait_until(lambda: len(tapped.frames["video"]) >= 5)
    assert tapped.keyframes() == 1
    await taps["video"].send_pli()
    await wait_until(lambda: tapped.keyframes() == 2)

    heard: list[int] = []
    on_keyframe_request(video_sender, lambda: heard.append(1))
    await taps["video"].send_pli()
    await wait_until(lambda: heard == [1])


async def test_packets_are_sent_without_an_encoder(
    pair: tuple[RTCPeerConnection, RTCPeerConnection],
) -> None:
    server, viewer = pair
    source = TrackForwarder("video")
    source.set_keyframe_requests(lambda: None, lambda: None)
    track = SubscriberTrack("video")
    transceiver: RTCRtpTransceiver = server.addTransceiver(track, direction="sendonly")
    label_sender(transceiver.sender, "alice", "alice-video")
    source.attach(track)
    tapped = Tapped()
    tap_all(viewer, tapped)
    await connect(server, viewer)
    assert "a=msid:alice alice-video" in server.localDescription.sdp

    # Feed the server real VP8 frames, taken from a publisher through a tap.
    publisher, sfu_in = new_peer_connection(), new_peer_connection()
    publisher.addTrack(MovingVideoTrack())
    inbound = Tapped()
    tap_all(sfu_in, inbound)
    await connect(publisher, sfu_in)
    try:
        forwarded = 0
        while len(tapped.frames["video"]) < 10:
            await asyncio.sleep(0.02)
            for frame in inbound.frames["video"][forwarded:]:
                source.push(frame)
            forwarded = len(inbound.frames["video"])
        assert [f.data for f in tapped.frames["video"][:5]] == [
            f.data for f in inbound.frames["video"][:5]
        ]
        assert not has_encoder(transceiver.sender)
    finally:
        await publisher.close()
        await sfu_in.close()


async def test_receive_buffers_grow_once_sockets_exist(
    pair: tuple[RTCPeerConnection, RTCPeerConnection],
) -> None:
    pc, _ = pair
    pc.addTransceiver("video", direction="recvonly")
    assert set_receive_buffer(pc, 1 << 20) == 0  # nothing gathered yet
    await pc.setLocalDescription(await pc.createOffer())
    assert set_receive_buffer(pc, 1 << 20) >= 1
