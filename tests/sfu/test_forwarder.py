"""Fan-out of encoded frames: keyframe gating, bounded queues, switching sources."""

import asyncio

import pytest
from aiortc.mediastreams import MediaStreamError

from signaling.sfu.assembly import EncodedFrame
from signaling.sfu.forwarder import SubscriberTrack, TrackForwarder


class Requests:
    def __init__(self) -> None:
        self.count = 0
        self.retries = 0

    def request(self) -> None:
        self.count += 1

    def again(self) -> None:
        self.retries += 1


def forwarder(kind: str = "video") -> tuple[TrackForwarder, Requests]:
    requests = Requests()
    result = TrackForwarder(kind)
    result.set_keyframe_requests(requests.request, requests.again)
    return result, requests


def frame(index: int, is_keyframe: bool = False) -> EncodedFrame:
    return EncodedFrame(bytes([index % 256]) * 10, 1000 + index * 3000, 90000, is_keyframe)


async def test_a_new_subscriber_asks_for_and_waits_for_a_keyframe() -> None:
    source, requests = forwarder()
    track = SubscriberTrack("video")
    source.attach(track)
    assert requests.count == 1
    source.push(frame(0))
    assert requests.retries == 1  # still waiting: the retry path is exercised
    source.push(frame(1, is_keyframe=True))
    source.push(frame(2))
    packet = await track.recv()
    assert bytes(packet) == bytes([1]) * 10 and packet.pts == 3000
    assert bytes(await track.recv()) == bytes([2]) * 10
    assert track.frames_dropped == 1 and track.frames_forwarded == 2


async def test_every_subscriber_gets_the_same_packet() -> None:
    source, _ = forwarder()
    tracks = [SubscriberTrack("video") for _ in range(3)]
    for track in tracks:
        source.attach(track)
    source.push(frame(0, is_keyframe=True))
    packets = [await track.recv() for track in tracks]
    assert packets[0] is packets[1] is packets[2]  # no copy per subscriber


async def test_a_stalled_subscriber_overflows_alone_and_restarts_on_a_keyframe() -> None:
    source, requests = forwarder()
    slow, fast = SubscriberTrack("video", capacity=5), SubscriberTrack("video", capacity=5)
    source.attach(slow)
    source.attach(fast)
    source.push(frame(0, is_keyframe=True))
    received = []
    for i in range(1, 10):
        source.push(frame(i))
        received.append(await fast.recv())
    assert len(received) == 9  # plus the keyframe still queued: the fast one never waited
    assert slow.overflows == 1 and slow.is_awaiting_keyframe
    assert requests.count == 3  # two joins and one overflow
    source.push(frame(10, is_keyframe=True))
    assert bytes(await slow.recv()) == bytes([10]) * 10


async def test_audio_is_never_gated() -> None:
    source, requests = forwarder("audio")
    track = SubscriberTrack("audio")
    source.attach(track)
    source.push(EncodedFrame(b"opus", 960, 48000, True))
    assert bytes(await track.recv()) == b"opus"
    assert requests.count == 0


async def test_switching_source_keeps_timestamps_growing() -> None:
    first, _ = forwarder()
    second, _ = forwarder()
    track = SubscriberTrack("video")
    first.attach(track)
    for i in range(3):
        first.push(frame(i, is_keyframe=i == 0))
        await track.recv()
    second.attach(track)
    assert track.source is second and first.subscribers == []
    second.push(frame(0, is_keyframe=True))
    packet = await track.recv()
    assert packet.pts == 2 * 3000 + 3000  # continues after the last frame of `first`


async def test_detach_and_stop() -> None:
    source, _ = forwarder()
    track = SubscriberTrack("video")
    source.attach(track)
    source.detach(track)
    source.push(frame(0, is_keyframe=True))
    waiting = asyncio.ensure_future(track.recv())
    await asyncio.sleep(0.01)
    assert not waiting.done()
    track.stop()
    with pytest.raises(MediaStreamError):
        await waiting
    source.close()
    source.close()


async def test_a_held_track_forwards_nothing_and_restarts_on_a_keyframe_when_released() -> None:
    source, requests = forwarder()
    track = SubscriberTrack("video")
    source.attach(track)
    source.push(frame(0, is_keyframe=True))
    assert bytes(await track.recv()) == bytes([0]) * 10
    source.push(frame(1))
    source.hold()  # takes effect at once: frame 1, still queued, is not sent either
    source.push(frame(2, is_keyframe=True))
    assert source.frames_held == 1 and track.queued == 0
    before = requests.count
    source.release()
    assert requests.count == before + 1  # the subscribers' pictures are stale: ask at once
    source.push(frame(3))  # a delta referencing held frames: not forwarded
    source.push(frame(4, is_keyframe=True))
    assert bytes(await track.recv()) == bytes([4]) * 10
    assert track.frames_dropped == 2  # frame 1, flushed by the hold, and frame 3
