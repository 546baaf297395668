"""The raised-hand queue on its own: order, and how long an absent user's place waits."""

import time

from signaling.office_hours.hands import HandQueue


def test_order_and_idempotence() -> None:
    hands = HandQueue()
    assert hands.raise_hand(2) and hands.raise_hand(1) and not hands.raise_hand(2)
    assert hands.lower(2) and not hands.lower(2)
    assert 1 in hands and 2 not in hands


def test_an_absent_users_place_waits_only_for_the_grace_period() -> None:
    hands = HandQueue(grace=1.0)
    for user_id in (1, 2):
        hands.raise_hand(user_id)
        hands.step_away(user_id)
    time.sleep(0.05)
    assert hands.come_back(1)  # in time: still up
    time.sleep(1.0)
    assert not hands.come_back(2) and 2 not in hands
    assert 1 in hands and not hands.come_back(3)  # 3 never raised a hand
