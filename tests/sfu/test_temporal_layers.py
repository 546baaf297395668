"""Temporal layers on real VP8: the descriptor is read right, and a subscriber on a lower layer
decodes exactly the pictures a full-rate subscriber sees, with no reference missing."""

import numpy as np
import pytest
from aiortc.codecs.vpx import VpxPayloadDescriptor

from signaling.sfu.assembly import EncodedFrame, vp8_is_keyframe
from signaling.sfu.forwarder import SubscriberTrack, TrackForwarder
from signaling.sfu.layers import PAUSED
from signaling.sfu.vp8 import parse_vp8_descriptor
from tests.sfu.layered_vp8 import PATTERN, decode, encode_layered, rtp_payload

FRAMES = 25


@pytest.fixture(scope="module")
def layered() -> list[bytes]:
    return encode_layered(FRAMES)


def test_the_descriptor_of_a_chromium_style_packet(layered: list[bytes]) -> None:
    payload = rtp_payload(layered[6], 6)
    descriptor = parse_vp8_descriptor(payload)
    assert descriptor.starts_partition and descriptor.partition_id == 0
    assert descriptor.picture_id == 1006 and descriptor.tl0_pic_idx == 1
    assert descriptor.temporal_id == 1 and descriptor.is_layer_sync
    assert payload[descriptor.size :] == layered[6][:1000]
    assert vp8_is_keyframe(payload[descriptor.size :]) is False


def test_the_descriptor_aiortc_writes_reads_back() -> None:
    written = bytes(
        VpxPayloadDescriptor(
            partition_start=1, partition_id=0, picture_id=300, tl0picidx=9, tid=(2, 0)
        )
    )
    descriptor = parse_vp8_descriptor(written + b"\x00")
    assert (descriptor.picture_id, descriptor.tl0_pic_idx) == (300, 9)
    assert descriptor.temporal_id == 2 and not descriptor.is_layer_sync
    assert descriptor.size == len(written)
    plain = parse_vp8_descriptor(bytes(VpxPayloadDescriptor(partition_start=1, partition_id=0)))
    assert plain.temporal_id is None and plain.picture_id is None and plain.size == 1


@pytest.mark.parametrize("payload", [b"", b"\x90", b"\x90\x80", b"\x90\xc0\x80\x01", b"\x90\x20"])
def test_a_truncated_descriptor_is_refused(payload: bytes) -> None:
    with pytest.raises(ValueError):
        parse_vp8_descriptor(payload)


def frames_with_layers(layered: list[bytes]) -> list[EncodedFrame]:
    result = []
    for index, data in enumerate(layered):
        descriptor = parse_vp8_descriptor(rtp_payload(data, index))
        result.append(
            EncodedFrame(
                data,
                index * 3000,
                90000,
                vp8_is_keyframe(data),
                descriptor.temporal_id,
                descriptor.is_layer_sync,
            )
        )
    return result


def drain(track: SubscriberTrack) -> list[bytes]:
    packets = []
    while track.queued:
        packets.append(bytes(track._queue.popleft()))
    return packets


def test_each_layer_decodes_the_same_pictures_as_full_rate(layered: list[bytes]) -> None:
    full = decode(layered)
    source = TrackForwarder("video")
    tracks = {layer: SubscriberTrack("video", capacity=100) for layer in (2, 1, 0)}
    for layer, track in tracks.items():
        source.attach(track)
        track.set_layer(layer)
    for frame in frames_with_layers(layered):
        source.push(frame)
    for layer, track in tracks.items():
        kept = [i for i in range(FRAMES) if PATTERN[i % 4] <= layer]
        received = drain(track)
        assert received == [layered[i] for i in kept]
        pictures = decode(received)
        assert all(np.array_equal(full[i], p) for i, p in zip(kept, pictures, strict=True))
    assert tracks[1].frames_skipped == FRAMES - 13 and tracks[0].frames_skipped == FRAMES - 7


def test_the_pixel_check_catches_a_missing_reference(layered: list[bytes]) -> None:
    """The control: losing a layer-0 frame, which later frames reference, changes pictures."""
    full = decode(layered)
    pictures = decode([data for i, data in enumerate(layered) if i != 4])
    assert not np.array_equal(full[8], pictures[7])


def test_switching_up_waits_for_a_sync_frame_and_down_is_immediate(layered: list[bytes]) -> None:
    full = decode(layered)
    source = TrackForwarder("video")
    track = SubscriberTrack("video", capacity=100)
    source.attach(track)
    track.set_layer(0)
    frames = frames_with_layers(layered)
    for frame in frames[:5]:
        source.push(frame)
    track.set_layer(2)  # up: layer 1 comes at frame 6 (sync), layer 2 at no later frame here
    for frame in frames[5:13]:
        source.push(frame)
    track.set_layer(0)  # down: at once
    for frame in frames[13:]:
        source.push(frame)
    sent = drain(track)
    indexes = [layered.index(data) for data in sent]
    assert indexes == [0, 4, 6, 8, 10, 12, 16, 20, 24]
    pictures = decode(sent)
    assert all(np.array_equal(full[i], p) for i, p in zip(indexes, pictures, strict=True))


async def test_a_paused_subscriber_gets_no_video_and_resumes_from_a_keyframe(
    layered: list[bytes],
) -> None:
    requests: list[str] = []
    source = TrackForwarder("video")
    source.set_keyframe_requests(lambda: requests.append("pli"), lambda: requests.append("again"))
    track = SubscriberTrack("video", capacity=100)
    changes: list[int] = []
    source.attach(track)
    track.on_layer_change = changes.append
    frames = frames_with_layers(layered)
    source.push(frames[0])
    track.set_layer(PAUSED)
    for frame in frames[1:9]:
        source.push(frame)
    assert drain(track) == [] and track.frames_skipped == 8  # what was queued went too
    assert requests == ["pli"]  # the one for joining; pausing asks for nothing
    track.set_layer(0)
    assert requests[-1] == "pli" and track.is_awaiting_keyframe
    assert changes == [PAUSED, 0]
