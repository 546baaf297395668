"""Who sees whose camera under last-N: pinned people always, then the most recent speakers."""

from signaling.sfu.last_n import SPEAKING_LEVEL, LastN


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def room(n: int | None, people: int) -> tuple[LastN, FakeClock]:
    clock = FakeClock()
    last_n = LastN(n, clock=clock)
    for i in range(people):
        last_n.arrive(f"p{i}")
    return last_n, clock


def visible(last_n: LastN, subscriber: str, people: int) -> set[str]:
    return {f"p{i}" for i in range(people) if last_n.is_visible(subscriber, f"p{i}")}


def test_before_anyone_speaks_the_first_to_arrive_are_seen_beside_the_host() -> None:
    last_n, _ = room(3, 8)
    last_n.pinned.add("p5")  # the host, arrived late
    assert visible(last_n, "p7", 8) == {"p5", "p0", "p1", "p2"}
    assert visible(last_n, "p0", 8) == {"p5", "p1", "p2", "p3"}  # never counts oneself


def test_a_speaker_comes_in_and_the_least_recent_goes() -> None:
    last_n, clock = room(3, 8)
    assert last_n.hear("p6", SPEAKING_LEVEL + 1) is False  # too quiet to count
    assert last_n.hear("p6", 20) is True  # a newcomer among the recent: forwarding changes
    clock.now += 1
    assert last_n.hear("p6", 20) is False  # already among them: nothing to change
    assert visible(last_n, "p7", 8) == {"p6", "p0", "p1"}
    clock.now += 1
    last_n.hear("p4", 10)
    assert visible(last_n, "p7", 8) == {"p4", "p6", "p0"}


def test_leaving_and_no_limit() -> None:
    last_n, _ = room(2, 4)
    last_n.leave("p0")
    assert visible(last_n, "p3", 4) == {"p1", "p2"}
    unlimited, _ = room(None, 4)
    assert visible(unlimited, "p3", 4) == {"p0", "p1", "p2", "p3"}
