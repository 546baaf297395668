"""The VP8 RTP payload descriptor (RFC 7741 section 4.2): which temporal layer a packet carries.

Pure code. The SFU reads the descriptor of each frame's first packet; it never writes one,
since aiortc's sender packetizes every forwarded frame afresh with consecutive PictureIDs.
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Vp8Descriptor:
    """The fields of one packet's VP8 payload descriptor that forwarding decisions need."""

    starts_partition: bool  # S bit
    partition_id: int
    picture_id: int | None
    tl0_pic_idx: int | None
    temporal_id: int | None  # None: the publisher does not use temporal layers
    is_layer_sync: bool  # Y bit: depends only on TL0 frames, so a subscriber may switch up here
    size: int  # bytes of descriptor before the VP8 payload


def parse_vp8_descriptor(payload: bytes) -> Vp8Descriptor:
    """Read the descriptor at the start of a VP8 RTP payload; ValueError if it is truncated."""
    if not payload:
        raise ValueError("empty VP8 payload")
    first = payload[0]
    pos = 1
    picture_id: int | None = None
    tl0_pic_idx: int | None = None
    temporal_id: int | None = None
    is_layer_sync = False
    if first & 0x80:  # X: extension octet follows
        ext = _byte(payload, pos)
        pos += 1
        if ext & 0x80:  # I: PictureID, 7 or 15 bits (M bit)
            high = _byte(payload, pos)
            if high & 0x80:
                picture_id = ((high & 0x7F) << 8) | _byte(payload, pos + 1)
                pos += 2
            else:
                picture_id = high
                pos += 1
        if ext & 0x40:  # L: TL0PICIDX
            tl0_pic_idx = _byte(payload, pos)
            pos += 1
        if ext & 0x30:  # T or K: TID/Y/KEYIDX octet
            octet = _byte(payload, pos)
            pos += 1
            if ext & 0x20:
                temporal_id = octet >> 6
                is_layer_sync = bool(octet & 0x20)
    return Vp8Descriptor(
        starts_partition=bool(first & 0x10),
        partition_id=first & 0x07,
        picture_id=picture_id,
        tl0_pic_idx=tl0_pic_idx,
        temporal_id=temporal_id,
        is_layer_sync=is_layer_sync,
        size=pos,
    )


def _byte(payload: bytes, pos: int) -> int:
    if pos >= len(payload):
        raise ValueError("truncated VP8 payload descriptor")
    return payload[pos]
