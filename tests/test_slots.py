"""Bookable slots across time zones, daylight-saving changes, midnight and the mentor's limits."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from models.slots import Interval, Rules, Window, free_slots, is_offered, naive_free_slots

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
TUESDAY = 1
HOUR = timedelta(hours=1)


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def _tuesday_evenings(**extra: object) -> Rules:
    return Rules(
        timezone="Europe/Berlin",
        weekly={TUESDAY: (Window(time(18), time(20)),)},
        min_notice_hours=0,
        horizon_days=400,
        **extra,  # type: ignore[arg-type]
    )


def _slots(rules: Rules, start: datetime, days: int, minutes: int = 60, **kw: object) -> list:  # type: ignore[type-arg]
    return free_slots(
        rules,
        kw.pop("busy", []),  # type: ignore[arg-type]
        start=start,
        end=start + timedelta(days=days),
        duration=timedelta(minutes=minutes),
        now=kw.pop("now", start),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


def test_berlin_mentor_new_york_mentee_when_only_new_york_has_switched() -> None:
    # 2027: the US moves its clocks on 14 March, the EU on 28 March.
    slots = _slots(_tuesday_evenings(), _utc(2027, 3, 8), days=28)
    starts = [s for s, _ in slots]
    for start in starts:  # the mentor always sees 18:00 or 19:00 Berlin time
        assert start.astimezone(BERLIN).hour in (18, 19)
    first_each_week = starts[::2]
    assert first_each_week == [
        _utc(2027, 3, 9, 17),  # both on winter time: 12:00 in New York
        _utc(2027, 3, 16, 17),  # only New York switched: 13:00 there
        _utc(2027, 3, 23, 17),
        _utc(2027, 3, 30, 16),  # both on summer time: 12:00 again
    ]
    assert [s.astimezone(NEW_YORK).hour for s in first_each_week] == [12, 13, 13, 12]


def test_autumn_week_when_only_berlin_has_switched_back() -> None:
    # 2027: the EU leaves summer time on 31 October, the US on 7 November.
    starts = [s for s, _ in _slots(_tuesday_evenings(), _utc(2027, 10, 25), days=14)][::2]
    assert starts == [_utc(2027, 10, 26, 16), _utc(2027, 11, 2, 17)]
    assert [s.astimezone(NEW_YORK).hour for s in starts] == [12, 13]


def test_mentor_in_a_half_hour_offset_zone() -> None:
    rules = Rules(
        timezone="Asia/Kolkata",
        weekly={0: (Window(time(9), time(10)),)},
        min_notice_hours=0,
        horizon_days=30,
    )
    slots = _slots(rules, _utc(2027, 1, 4), days=1, minutes=30)
    assert slots == [
        (_utc(2027, 1, 4, 3, 30), _utc(2027, 1, 4, 4)),
        (_utc(2027, 1, 4, 4), _utc(2027, 1, 4, 4, 30)),
    ]


def test_window_that_crosses_midnight() -> None:
    rules = Rules(
        timezone="Europe/Berlin",
        weekly={4: (Window(time(23), time(1)),)},  # Friday 23:00 to Saturday 01:00
        min_notice_hours=0,
        horizon_days=30,
    )
    slots = _slots(rules, _utc(2027, 1, 4), days=7)
    local = [(s.astimezone(BERLIN), e.astimezone(BERLIN)) for s, e in slots]
    assert [(s.strftime("%a %H:%M"), e.strftime("%a %H:%M")) for s, e in local] == [
        ("Fri 23:00", "Sat 00:00"),
        ("Sat 00:00", "Sat 01:00"),
    ]
    # Asked from just after midnight, the window's second half is still found.
    later = _slots(rules, _utc(2027, 1, 8, 23), days=1)  # Saturday 00:00 in Berlin
    assert later == [(_utc(2027, 1, 8, 23), _utc(2027, 1, 9))]


def test_night_of_the_spring_change_has_one_hour_less() -> None:
    rules = Rules(
        timezone="Europe/Berlin",
        weekly={6: (Window(time(1), time(4)),)},  # 02:00-03:00 does not exist that night
        min_notice_hours=0,
        horizon_days=30,
    )
    slots = _slots(rules, _utc(2027, 3, 27), days=2)
    assert [s.astimezone(BERLIN).strftime("%H:%M") for s, _ in slots] == ["01:00", "03:00"]


def test_overrides_replace_the_weekday() -> None:
    rules = _tuesday_evenings(
        overrides={
            date(2027, 3, 9): (),  # a day off
            date(2027, 3, 10): (Window(time(8), time(9)),),  # an extra morning
        }
    )
    starts = [s for s, _ in _slots(rules, _utc(2027, 3, 8), days=7)]
    assert starts == [_utc(2027, 3, 10, 7)]


def test_busy_time_buffer_notice_and_horizon() -> None:
    rules = _tuesday_evenings(buffer_minutes=15)
    busy: list[Interval] = [(_utc(2027, 1, 5, 17, 10), _utc(2027, 1, 5, 17, 30))]
    # 18:00 Berlin clashes outright; 19:00 starts 30 min after the busy end, past the buffer.
    assert _slots(rules, _utc(2027, 1, 4), days=2, busy=busy) == [
        (_utc(2027, 1, 5, 18), _utc(2027, 1, 5, 19)),
    ]
    tight = [(_utc(2027, 1, 5, 16, 30), _utc(2027, 1, 5, 16, 50))]  # ends 10 min before 17:00
    assert [s for s, _ in _slots(rules, _utc(2027, 1, 4), days=2, busy=tight)] == [
        _utc(2027, 1, 5, 18)
    ]
    notice = Rules(**{**rules.__dict__, "min_notice_hours": 48, "horizon_days": 10})
    now = _utc(2027, 1, 4, 18)
    starts = [s for s, _ in _slots(notice, _utc(2027, 1, 1), days=60, now=now)]
    assert starts == [_utc(2027, 1, 12, 17), _utc(2027, 1, 12, 18)]


def test_weekly_cap_per_mentee() -> None:
    rules = _tuesday_evenings(weekly_booking_cap=1)
    week = rules.week_of(_utc(2027, 1, 5, 17))
    starts = [s for s, _ in _slots(rules, _utc(2027, 1, 4), days=14, booked_weeks={week: 1})]
    assert starts == [_utc(2027, 1, 12, 17), _utc(2027, 1, 12, 18)]


def test_is_offered_only_for_a_slot_on_the_grid() -> None:
    rules = _tuesday_evenings()
    now = _utc(2027, 1, 1)
    assert is_offered(rules, [], (_utc(2027, 1, 5, 17), _utc(2027, 1, 5, 18)), now=now)
    assert not is_offered(rules, [], (_utc(2027, 1, 5, 17, 5), _utc(2027, 1, 5, 18, 5)), now=now)
    assert not is_offered(rules, [], (_utc(2027, 1, 5, 19), _utc(2027, 1, 5, 20)), now=now)


def test_matches_a_minute_by_minute_scan() -> None:
    rng = random.Random(7)
    rules = Rules(
        timezone="America/New_York",
        weekly={d: (Window(time(9), time(12)), Window(time(20), time(1))) for d in range(5)},
        buffer_minutes=10,
        min_notice_hours=5,
        horizon_days=20,
    )
    now = _utc(2027, 3, 5, 13, 7)
    busy = []
    for _ in range(40):
        start = now + timedelta(minutes=rng.randrange(0, 20 * 24 * 60))
        busy.append((start, start + timedelta(minutes=rng.choice([30, 45, 60]))))
    kwargs = {"start": now, "end": now + timedelta(days=30), "now": now}
    fast = free_slots(rules, busy, duration=timedelta(minutes=45), **kwargs)  # type: ignore[arg-type]
    slow = naive_free_slots(rules, busy, duration=timedelta(minutes=45), **kwargs)  # type: ignore[arg-type]
    assert fast == slow and len(fast) > 20
