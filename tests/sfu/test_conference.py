"""A publisher and subscribers as real aiortc peers, forwarded through the server's Conference."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiortc import RTCSessionDescription
from aiortc.rtp import RtpPacket

from signaling.sfu import Conference, Subscription
from signaling.sfu.aiortc_glue import intercept_rtp, tap_receiver
from tests.sfu.peers import Client, Clients, MovingVideoTrack, wait_until


@pytest.fixture
async def room() -> AsyncIterator[tuple[Conference, Clients]]:
    clients = Clients()
    conference = Conference(clients.negotiate)
    yield conference, clients
    await conference.close()
    await clients.close()


async def join(conference: Conference, clients: Clients, client: Client) -> None:
    clients[client.name] = client
    await conference.add_participant(client.name)


@pytest.fixture
async def call(room: tuple[Conference, Clients]) -> tuple[Conference, Clients]:
    """The mentor publishing to ada, whose video has started."""
    conference, clients = room
    await join(conference, clients, Client("mentor", publishes=True))
    await join(conference, clients, Client("ada"))
    await clients["ada"].wait_for("video", 5)
    return room


async def test_subscribers_receive_decodable_video_and_audio_without_reencoding(
    room: tuple[Conference, Clients],
) -> None:
    conference, clients = room
    await join(conference, clients, Client("mentor", publishes=True))
    await join(conference, clients, Client("ada"))
    await join(conference, clients, Client("bob"))
    for name in ("ada", "bob"):
        await clients[name].wait_for("video", 15)  # decoded by the subscriber's aiortc
        await clients[name].wait_for("audio", 25)
    assert conference.subscriptions("ada") == [
        Subscription("2", "mentor", "audio"),
        Subscription("3", "mentor", "video"),
    ]
    assert conference.publish_mids("mentor") == {"audio": "0", "video": "1"}
    stats = conference.stats()
    assert stats.encoder_count == 0 and stats.frames_to_decoder == 0
    assert stats.published_tracks == 2 and stats.frames_forwarded > 0
    assert stats.plis_sent >= 1


async def test_a_late_subscriber_gets_video_after_a_requested_keyframe(
    call: tuple[Conference, Clients],
) -> None:
    conference, clients = call
    await asyncio.sleep(1.0)  # the publisher's first keyframe is long gone
    requests = conference.stats().keyframe_requests
    await join(conference, clients, Client("late"))
    await clients["late"].wait_for("video", 5, limit=5)
    assert conference.stats().keyframe_requests > requests


async def test_a_subscriber_that_never_reads_does_not_slow_the_others(
    room: tuple[Conference, Clients],
) -> None:
    conference, clients = room
    await join(conference, clients, Client("mentor", publishes=True))
    await join(conference, clients, Client("stalled", reads=False))
    await join(conference, clients, Client("ada"))
    await clients["ada"].wait_for("video", 5)
    await asyncio.sleep(2.0)
    assert clients["ada"].fps("video", 2.0) >= 25
    assert clients["stalled"].frames("video") == 0 and clients["stalled"].tracks


async def test_a_subscriber_whose_sender_is_blocked_overflows_alone(
    room: tuple[Conference, Clients],
) -> None:
    conference, clients = room
    await join(conference, clients, Client("mentor", publishes=True))
    await join(conference, clients, Client("blocked"))
    await join(conference, clients, Client("ada"))
    await clients["blocked"].wait_for("video", 3)
    # Freeze the server's outbound video for "blocked": its queue fills and overflows.
    slot = conference._participants["blocked"].slots[1]
    slot.track._capacity = 5
    original_recv = slot.track.recv

    async def never() -> object:
        await asyncio.Event().wait()
        return await original_recv()

    slot.track.recv = never  # type: ignore[method-assign,assignment]
    await asyncio.sleep(1.5)
    assert slot.track.overflows >= 1
    assert clients["ada"].fps("video", 1.0) >= 25


async def test_leaving_stops_forwarding_and_frees_the_m_lines(
    call: tuple[Conference, Clients],
) -> None:
    conference, clients = call
    await conference.remove_participant("mentor")
    await conference.remove_participant("mentor")  # twice is fine
    await wait_until(lambda: conference.subscriptions("ada") == [])
    await asyncio.sleep(0.3)
    count = clients["ada"].frames("video")
    await asyncio.sleep(0.5)
    assert clients["ada"].frames("video") == count
    ada = conference._participants["ada"]
    await wait_until(
        lambda: all(t.currentDirection == "inactive" for t in ada.pc.getTransceivers())
    )

    # A new publisher reuses ada's freed m-lines instead of adding new ones.
    await join(conference, clients, Client("guest", publishes=True))
    await wait_until(lambda: len(conference.subscriptions("ada")) == 2)
    assert {s.mid for s in conference.subscriptions("ada")} == {"2", "3"}
    await clients["ada"].wait_for("video", count + 5)


async def test_close_twice_and_errors(room: tuple[Conference, Clients]) -> None:
    conference, clients = room
    await join(conference, clients, Client("mentor", publishes=True))
    with pytest.raises(ValueError):
        await conference.add_participant("mentor")
    await conference.close()
    await conference.close()
    assert conference.participant_ids == []
    with pytest.raises(RuntimeError):
        await conference.add_participant("late")


async def test_a_failed_negotiation_removes_the_participant() -> None:
    async def refuse(participant_id: str, offer: object) -> object:
        raise ConnectionError("signaling channel closed")

    conference = Conference(refuse)  # type: ignore[arg-type]
    with pytest.raises(ConnectionError):
        await conference.add_participant("ada")
    assert conference.participant_ids == []
    await conference.close()


async def test_a_subscribers_picture_loss_request_reaches_the_publisher(
    call: tuple[Conference, Clients],
) -> None:
    conference, clients = call
    ada = clients["ada"].pc
    video = next(
        t
        for t in ada.getTransceivers()
        if t.kind == "video" and t.receiver.track in clients["ada"].tracks
    )
    tap = tap_receiver(video.receiver, "video", lambda frame: None, lambda is_retry: None)
    await wait_until(lambda: tap.media_ssrc is not None)
    before = conference.stats()
    await tap.send_pli()  # what a browser sends when it cannot decode
    await wait_until(lambda: conference.stats().plis_sent > before.plis_sent)
    assert conference.stats().keyframe_requests == before.keyframe_requests + 1


async def test_a_participant_that_stops_answering_is_removed() -> None:
    clients = Clients()
    answers_left = {"ada": 1}

    async def negotiate(participant_id: str, offer: RTCSessionDescription) -> RTCSessionDescription:
        if participant_id in answers_left:
            if answers_left[participant_id] == 0:
                await asyncio.Event().wait()  # the client went silent
            answers_left[participant_id] -= 1
        return await clients.negotiate(participant_id, offer)

    conference = Conference(negotiate, negotiation_timeout=0.5)
    try:
        clients["ada"] = Client("ada")
        await conference.add_participant("ada")
        clients["mentor"] = Client("mentor", publishes=True)
        await conference.add_participant("mentor")  # ada must be renegotiated, and hangs
        await wait_until(lambda: conference.participant_ids == ["mentor"], limit=5)
    finally:
        await conference.close()
        await clients.close()


def drop_video_packets(conference: Conference, publisher_id: str, *, resends: bool) -> set[int]:
    """Lose one of the publisher's video packets on the way to the server (and its resends)."""
    publication = conference._participants[publisher_id].publications["video"]
    media_ssrc = publication.tap.media_ssrc
    dropped: set[int] = set()

    def keep(packet: RtpPacket) -> bool:
        if packet.ssrc != media_ssrc:  # a retransmission, over RTX
            return not resends
        if not dropped:
            dropped.add(packet.sequence_number)
            return False
        return True

    intercept_rtp(publication.tap.receiver, keep)
    return dropped


async def test_a_packet_repaired_by_retransmission_costs_nothing(
    call: tuple[Conference, Clients],
) -> None:
    conference, clients = call
    before = conference.stats()
    dropped = drop_video_packets(conference, "mentor", resends=False)
    await clients["ada"].wait_for("video", clients["ada"].frames("video") + 15)
    after = conference.stats()
    assert dropped and after.frames_lost == 0  # NACKed, resent over RTX, reassembled
    assert after.plis_sent == before.plis_sent


async def test_a_packet_lost_for_good_costs_one_keyframe(
    call: tuple[Conference, Clients],
) -> None:
    conference, clients = call
    before = conference.stats()
    drop_video_packets(conference, "mentor", resends=True)
    await wait_until(lambda: conference.stats().frames_lost == 1)
    await clients["ada"].wait_for("video", clients["ada"].frames("video") + 15)
    after = conference.stats()
    assert after.plis_sent > before.plis_sent  # the loss asked the publisher for a keyframe


async def test_a_held_participant_reaches_nobody_until_released(
    room: tuple[Conference, Clients],
) -> None:
    conference, clients = room
    await join(conference, clients, Client("mentor", publishes=True))
    conference.hold("ada", "audio")  # a hold may come before the participant's connection
    await join(conference, clients, Client("ada", publishes=True))
    await join(conference, clients, Client("bob"))
    bob = clients["bob"]
    await bob.wait_for("video", 10)
    await wait_until(lambda: conference.stats().frames_held > 0)  # ada's audio, from the start

    conference.hold("mentor", "video")
    conference.hold("ada", "video")
    await asyncio.sleep(0.3)  # frames already on the way still arrive
    frozen = bob.frames("video")
    await asyncio.sleep(1.0)
    assert bob.frames("video") == frozen
    mentor_video = conference._participants["mentor"].publications["video"].forwarder
    assert mentor_video.frames_held >= 25 and conference.is_held("mentor", "video")

    for name in ("mentor", "ada"):
        conference.release(name, "video")
    conference.release("ada", "audio")
    await bob.wait_for("video", bob.frames("video") + 30, limit=5)
    assert not conference.is_held("mentor", "video") and not conference.is_held("ada", "audio")
    held = conference.stats().frames_held
    await asyncio.sleep(0.5)
    assert conference.stats().frames_held == held


async def test_a_screen_share_is_forwarded_beside_the_camera_and_stops_and_restarts() -> None:
    clients = Clients()

    async def negotiate(participant_id: str, offer: RTCSessionDescription) -> RTCSessionDescription:
        clients[participant_id].publish_mids = conference.publish_mids(participant_id)
        return await clients.negotiate(participant_id, offer)

    conference = Conference(negotiate)
    try:
        await join(conference, clients, Client("mentor", publishes=True))
        await join(conference, clients, Client("ada"))
        ada = clients["ada"]
        await ada.wait_for("video", 5)
        mentor = clients["mentor"]
        mentor.screen = MovingVideoTrack(160, 120)
        conference.share_screen("mentor")
        conference.share_screen("mentor")  # twice is once

        def screen_mid() -> str | None:
            return next(
                (s.mid for s in conference.subscriptions("ada") if s.kind == "screen"), None
            )

        await wait_until(lambda: screen_mid() is not None)
        mid = str(screen_mid())
        await wait_until(lambda: ada.frames_by_mid.get(mid, 0) > 10)  # decoded by ada
        camera = next(s.mid for s in conference.subscriptions("ada") if s.kind == "video")
        assert ada.frames_by_mid[str(camera)] > 0 and camera != mid
        assert conference.stats().published_tracks == 3

        # Stopping frees ada's m-line; the camera goes on.
        conference.stop_screen("mentor")
        await wait_until(lambda: screen_mid() is None)
        await asyncio.sleep(0.3)
        frozen = ada.frames_by_mid[mid]
        camera_frames = ada.frames_by_mid[str(camera)]
        await asyncio.sleep(0.5)
        assert ada.frames_by_mid[mid] == frozen
        assert ada.frames_by_mid[str(camera)] > camera_frames + 5
        assert conference.stats().published_tracks == 2

        # Sharing again reuses the mentor's m-line and forwards at once, from a keyframe.
        conference.share_screen("mentor")
        await wait_until(lambda: screen_mid() is not None)
        again = str(screen_mid())
        await wait_until(lambda: ada.frames_by_mid.get(again, 0) > frozen + 10)
        assert list(conference.publish_mids("mentor")) == ["audio", "video", "screen"]
    finally:
        await conference.close()
        await clients.close()
