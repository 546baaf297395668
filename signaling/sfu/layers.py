"""Which temporal layers of a VP8 publisher one subscriber gets.

Pure code. With `scalabilityMode: "L1T3"` a publisher's frames carry temporal ids 0, 1, 2
(7.5, 15 and 30 fps together). A frame never references a frame of a higher layer, so dropping
everything above a layer is always safe; switching up waits for a frame the publisher marks
as a layer sync point (or a keyframe), since earlier frames of that layer were not sent.
"""

import time
from collections import deque
from collections.abc import Callable

TOP_LAYER = 2
PAUSED = -1  # no video at all from this publisher


class TemporalLayerFilter:
    """One subscriber's view of one publisher: `admit` says which frames to forward."""

    def __init__(self) -> None:
        self.target = TOP_LAYER  # what the bandwidth estimate allows
        self.current = TOP_LAYER  # what the subscriber's decoder can follow now

    def admit(self, temporal_id: int | None, is_layer_sync: bool, is_keyframe: bool) -> bool:
        """Whether to forward this frame; keeps the subscriber's reference chain whole."""
        if self.target == PAUSED:
            self.current = PAUSED
            return False
        if temporal_id is None:  # no temporal layers: all or nothing
            return True
        if is_keyframe:  # references nothing, and everything after references it
            self.current = self.target
            return True
        if self.target < self.current:
            self.current = self.target
        elif self.current != PAUSED and self.current < temporal_id <= self.target and is_layer_sync:
            self.current = temporal_id
        return self.current != PAUSED and temporal_id <= self.current


class LayerRates:
    """Bits per second each temporal layer of a publisher carries, over a sliding window."""

    def __init__(self, *, window: float = 2.0, clock: Callable[[], float] = time.monotonic):
        self._window = window
        self._clock = clock
        self._samples: deque[tuple[float, int, int]] = deque()  # (time, layer, bytes)

    def add(self, temporal_id: int | None, size: int, is_keyframe: bool = False) -> None:
        """Count one forwarded frame. Keyframes are left out: they are rare bursts (and come
        when a subscriber resumes), not what a layer costs from one second to the next."""
        if is_keyframe:
            return
        now = self._clock()
        self._samples.append((now, temporal_id or 0, size))
        while self._samples and now - self._samples[0][0] > self._window:
            self._samples.popleft()

    def up_to(self, layer: int) -> float:
        """Bits per second of layers 0..layer together."""
        total = sum(size for _, tid, size in self._samples if tid <= layer)
        return total * 8 / self._window
