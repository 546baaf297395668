"""A subscriber's estimate from its reports, and the layer it gets: down at once, up after a
steady few seconds, paused below the lowest layer."""

from signaling.sfu.bandwidth import DOWN_HOLD, UP_HOLD, LayerChoice, SubscriberBandwidth
from signaling.sfu.layers import PAUSED, LayerRates


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def rates_of_l1t3(clock: FakeClock) -> LayerRates:
    """About 300 / 500 / 800 kbit/s for layers 0 / 0-1 / 0-2 over the 2 s window."""
    rates = LayerRates(clock=clock)
    for index in range(60):
        layer = (0, 2, 1, 2)[index % 4]
        rates.add(layer, {0: 5_000, 1: 3_333, 2: 2_500}[layer])
    return rates


def test_rates_add_up_by_layer() -> None:
    rates = rates_of_l1t3(FakeClock())
    assert 290_000 < rates.up_to(0) < 310_000
    assert 490_000 < rates.up_to(1) < 510_000
    assert 790_000 < rates.up_to(2) < 810_000


def test_a_low_remb_takes_the_layer_down_and_pauses_below_the_base() -> None:
    clock = FakeClock()
    rates, bandwidth, choice = rates_of_l1t3(clock), SubscriberBandwidth(), LayerChoice(clock=clock)
    assert choice.choose(bandwidth.estimate, 2, rates) == 2  # nothing reported yet
    bandwidth.on_remb(600_000, rates.up_to(2))
    assert choice.choose(bandwidth.estimate, 2, rates) == 2  # one short dip is ridden out
    clock.now += DOWN_HOLD
    assert choice.choose(bandwidth.estimate, 2, rates) == 1
    bandwidth.on_remb(350_000, rates.up_to(1))
    assert choice.choose(bandwidth.estimate, 1, rates) == 1
    clock.now += DOWN_HOLD / 2
    assert choice.choose(bandwidth.estimate, 1, rates) == 1
    clock.now += DOWN_HOLD / 2
    assert choice.choose(bandwidth.estimate, 1, rates) == 0
    bandwidth.on_remb(100_000, rates.up_to(0))
    assert choice.choose(bandwidth.estimate, 0, rates) == PAUSED  # severe: at once


def test_going_up_waits_until_the_estimate_held_and_steps_one_layer() -> None:
    clock = FakeClock()
    rates, bandwidth, choice = rates_of_l1t3(clock), SubscriberBandwidth(), LayerChoice(clock=clock)
    bandwidth.on_remb(250_000, rates.up_to(2))
    bandwidth.on_remb(2_000_000, 250_000)
    assert choice.choose(bandwidth.estimate, 0, rates) == 0
    clock.now += UP_HOLD / 2
    assert choice.choose(bandwidth.estimate, 0, rates) == 0  # no flapping on one good report
    clock.now += UP_HOLD / 2
    assert choice.choose(bandwidth.estimate, 0, rates) == 1
    assert choice.choose(bandwidth.estimate, 1, rates) == 1
    clock.now += UP_HOLD
    assert choice.choose(bandwidth.estimate, 1, rates) == 2


def test_an_estimate_just_above_a_layer_does_not_go_up_to_it() -> None:
    clock = FakeClock()
    rates, bandwidth, choice = rates_of_l1t3(clock), SubscriberBandwidth(), LayerChoice(clock=clock)
    bandwidth.on_remb(520_000, rates.up_to(2))  # layer 1 fits, but not with the margin
    for _ in range(5):
        clock.now += UP_HOLD
        assert choice.choose(bandwidth.estimate, 0, rates) == 0


def test_loss_lowers_the_estimate_and_a_clean_link_lets_it_grow_back() -> None:
    bandwidth = SubscriberBandwidth()
    bandwidth.on_receiver_report(0.0, 0.01, 800_000)
    assert bandwidth.estimate == float("inf")
    bandwidth.on_receiver_report(0.30, 0.02, 800_000)
    assert bandwidth.estimate == 800_000 * 0.85
    bandwidth.on_receiver_report(0.30, 0.02, 300_000)
    lowered = bandwidth.estimate
    assert lowered == 300_000 * 0.85
    bandwidth.on_receiver_report(0.05, 0.02, 300_000)  # some loss: hold
    assert bandwidth.estimate == lowered
    bandwidth.on_receiver_report(0.0, 0.2, 300_000)  # queues building: hold
    assert bandwidth.estimate == lowered
    bandwidth.on_receiver_report(0.0, 0.01, 300_000)
    assert bandwidth.estimate > lowered


def test_a_remb_that_only_mirrors_what_we_send_lets_a_paused_subscriber_climb_back() -> None:
    """A receiver that gets little reports little; that must not keep it paused for ever."""
    clock = FakeClock()
    rates, bandwidth, choice = rates_of_l1t3(clock), SubscriberBandwidth(), LayerChoice(clock=clock)
    bandwidth.on_remb(100_000, rates.up_to(2))
    layer = choice.choose(bandwidth.estimate, 2, rates)
    assert layer == PAUSED  # far below what even layer 0 needs: at once
    for _ in range(40):  # audio only now: the REMB stays at about what arrives
        clock.now += 1.0
        bandwidth.on_remb(100_000, 0.0)
        layer = choice.choose(bandwidth.estimate, layer, rates)
    assert layer == 2
