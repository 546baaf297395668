"""Keyframe requests are rate limited, coalesced, and never lost."""

import asyncio

from signaling.sfu.keyframes import KeyframeRequester


class Publisher:
    def __init__(self) -> None:
        self.plis = 0

    async def send_pli(self) -> None:
        self.plis += 1


async def test_a_burst_of_requests_costs_two_plis() -> None:
    publisher = Publisher()
    requester = KeyframeRequester(publisher.send_pli, min_interval=0.05)
    for _ in range(10):
        requester.request()
    await asyncio.sleep(0.01)
    assert publisher.plis == 1
    await asyncio.sleep(0.08)
    assert publisher.plis == 2  # the requests inside the window were sent once, at its end
    assert requester.requested == 10 and requester.sent == 2
    requester.close()


async def test_request_again_waits_for_the_retry_interval() -> None:
    publisher = Publisher()
    requester = KeyframeRequester(publisher.send_pli, min_interval=0.01, retry_interval=0.1)
    requester.request()
    await asyncio.sleep(0.03)
    requester.request_again()
    await asyncio.sleep(0.01)
    assert publisher.plis == 1
    await asyncio.sleep(0.1)
    requester.request_again()
    await asyncio.sleep(0.01)
    assert publisher.plis == 2
    requester.close()


async def test_close_cancels_a_deferred_request() -> None:
    publisher = Publisher()
    requester = KeyframeRequester(publisher.send_pli, min_interval=0.05)
    requester.request()
    requester.request()
    await asyncio.sleep(0)  # the first PLI goes out
    requester.close()
    requester.close()
    await asyncio.sleep(0.08)
    assert publisher.plis == 1
    requester.request()
    assert requester.sent == 1


async def test_a_failing_send_is_logged_not_raised() -> None:
    async def broken() -> None:
        raise ConnectionError("transport gone")

    requester = KeyframeRequester(broken)
    requester.request()
    await asyncio.sleep(0.01)
    assert requester.sent == 1
    requester.close()
