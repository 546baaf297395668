"""Selective forwarding of encoded media between participants of a live room."""

from signaling.sfu.conference import Conference, Negotiate, SfuStats, Subscription

__all__ = ["Conference", "Negotiate", "SfuStats", "Subscription"]
