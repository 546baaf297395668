"""Real VP8 frames with three temporal layers, encoded by libvpx the way browsers do (L1T3)."""

from fractions import Fraction

import av
import numpy as np

PATTERN = (0, 2, 1, 2)  # temporal id of each frame in a period of four (7.5 / 15 / 30 fps)
_TS_PARAMETERS = (
    "ts_number_layers=3:ts_target_bitrate=150,250,500:ts_rate_decimator=4,2,1"
    ":ts_periodicity=4:ts_layer_id=0,2,1,2:ts_layering_mode=3"
)


def layered_encoder(width: int = 320, height: int = 240) -> av.VideoCodecContext:
    """A libvpx VP8 encoder with temporal layers; error resilient, so no frame updates the
    entropy context a skipped frame would have changed."""
    codec = av.CodecContext.create("libvpx", "w")
    assert isinstance(codec, av.VideoCodecContext)
    codec.width, codec.height, codec.pix_fmt = width, height, "yuv420p"
    codec.framerate = Fraction(30)
    codec.time_base = Fraction(1, 30)
    codec.bit_rate = 500_000
    codec.options = {
        "ts-parameters": _TS_PARAMETERS,
        "error-resilient": "default",
        "deadline": "realtime",
        "cpu-used": "8",
        "lag-in-frames": "0",
    }
    codec.open()
    return codec


def picture(index: int, width: int = 320, height: int = 240) -> av.VideoFrame:
    """A moving gradient: every frame differs, so a wrong reference shows in the pixels."""
    y, x = np.mgrid[0:height, 0:width]
    luma = ((x + 2 * y + 7 * index) % 256).astype(np.uint8)
    rgb = np.stack([luma, luma // 2, 255 - luma], axis=-1)
    frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
    frame.pts = index
    return frame


def encode_layered(count: int) -> list[bytes]:
    """`count` encoded frames; frame i belongs to temporal layer PATTERN[i % 4]."""
    codec = layered_encoder()
    frames = [bytes(packet) for i in range(count) for packet in codec.encode(picture(i))]
    assert len(frames) == count
    return frames


def decode(frames: list[bytes]) -> list[np.ndarray]:
    """Decode with libvpx (aiortc's decoder) into luma planes."""
    decoder = av.CodecContext.create("libvpx", "r")
    planes = []
    for data in frames:
        for frame in decoder.decode(av.Packet(data)):
            assert isinstance(frame, av.VideoFrame)
            planes.append(frame.to_ndarray(format="gray"))
    return planes


def rtp_payload(frame: bytes, index: int) -> bytes:
    """The first RTP payload of frame `index` as Chromium packetizes it (RFC 7741): X and S
    bits, 15-bit PictureID, TL0PICIDX, TID, and the Y bit on frames that reference only
    layer 0 (every layer-1 frame here, and the first layer-2 frame after the keyframe)."""
    temporal_id = PATTERN[index % 4]
    is_layer_sync = temporal_id == 1 or index == 1
    picture_id = (1000 + index) % 32768
    return (
        bytes([0x90, 0xE0, 0x80 | picture_id >> 8, picture_id & 0xFF, (index // 4) % 256])
        + bytes([temporal_id << 6 | (0x20 if is_layer_sync else 0)])
        + frame[:1000]
    )
