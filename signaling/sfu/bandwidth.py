"""A subscriber's receive bandwidth, from what it reports (REMB, receiver reports), and the
temporal layer that fits it, with hysteresis so the choice does not flap.

Pure code: the caller feeds reports in and asks `LayerChoice.choose` per publisher.
"""

import math
import time
from collections.abc import Callable

from signaling.sfu.layers import PAUSED, TOP_LAYER, LayerRates

HIGH_LOSS = 0.10  # above this share of lost packets the estimate falls
LOW_LOSS = 0.02  # below it the estimate grows
HIGH_JITTER = 0.05  # seconds; more means queues are building: do not grow
GROWTH = 1.08  # per report without loss
CONGESTED = 0.9  # a REMB below this share of what we send means the link is full
UP_MARGIN = 1.15  # a layer must fit this many times over before switching up to it
UP_HOLD = 3.0  # seconds the estimate must stay above before switching up
DOWN_HOLD = 1.0  # seconds a layer must stay too much before switching down
SEVERE = 0.5  # an estimate below this share of what the layer needs switches down at once


class SubscriberBandwidth:
    """What one subscriber can take, from its reports."""

    def __init__(self) -> None:
        self._remb = math.inf
        self._loss_based = math.inf
        self.fraction_lost = 0.0
        self.jitter = 0.0

    @property
    def estimate(self) -> float:
        """Bits per second this subscriber can receive (inf until it says otherwise)."""
        return min(self._remb, self._loss_based)

    def on_remb(self, bitrate: float, sending: float) -> None:
        """The subscriber's receive estimate (RTCP REMB) while we send it `sending` bit/s.

        A receiver's estimate tracks what it receives, so a REMB at or above what we send says
        only that nothing is congested: the estimate then grows as with a clean report, which
        is how a reduced or paused subscriber climbs back.
        """
        if bitrate < sending * CONGESTED:
            self._remb = bitrate
        elif math.isfinite(self._remb):
            self._remb = max(bitrate, self._remb * GROWTH)

    def on_receiver_report(self, fraction_lost: float, jitter: float, sending: float) -> None:
        """A receiver report: the share lost (0..1) and jitter (s) at `sending` bit/s."""
        self.fraction_lost, self.jitter = fraction_lost, jitter
        if fraction_lost > HIGH_LOSS:
            base = min(self._loss_based, sending) if sending > 0 else self._loss_based
            self._loss_based = base * (1 - fraction_lost / 2)
        elif fraction_lost < LOW_LOSS and jitter < HIGH_JITTER and math.isfinite(self._loss_based):
            self._loss_based *= GROWTH


class LayerChoice:
    """The layer of one publisher a subscriber gets: down after a short steady shortfall (at
    once when it is severe), up only after the estimate held above the next layer for longer."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._up_since: float | None = None
        self._down_since: float | None = None

    def choose(self, estimate: float, current: int, rates: LayerRates) -> int:
        """The layer to forward up to now (PAUSED: none)."""
        fitting = PAUSED
        for layer in range(TOP_LAYER + 1):
            if rates.up_to(layer) <= estimate:
                fitting = layer
        now = self._clock()
        if fitting < current:
            self._up_since = None
            if self._down_since is None:
                self._down_since = now
            if estimate >= rates.up_to(current) * SEVERE and now - self._down_since < DOWN_HOLD:
                return current
            self._down_since = None
            return fitting
        self._down_since = None
        if fitting == current or rates.up_to(current + 1) * UP_MARGIN > estimate:
            self._up_since = None
            return current
        if self._up_since is None:
            self._up_since = now
            return current
        if now - self._up_since < UP_HOLD:
            return current
        self._up_since = now  # one step per hold period
        return current + 1
