"""Frame reassembly from synthetic RTP packets: ordering, loss, resync on a keyframe."""

from signaling.sfu.assembly import (
    AudioAssembler,
    EncodedFrame,
    RtpInfo,
    VideoAssembler,
    h264_is_keyframe,
    vp8_is_keyframe,
    vp8_starts_frame,
)

KEY = b"\x00"  # VP8 frame tag with the P bit clear
DELTA = b"\x01"


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Recorder:
    def __init__(self) -> None:
        self.frames: list[EncodedFrame] = []
        self.requests: list[bool] = []

    def frame(self, frame: EncodedFrame) -> None:
        self.frames.append(frame)

    def keyframe_needed(self, is_retry: bool) -> None:
        self.requests.append(is_retry)


def packets(seq: int, timestamp: int, first: bytes, count: int) -> list[RtpInfo]:
    """One frame split into `count` packets."""
    return [
        RtpInfo(
            (seq + i) % 65536,
            timestamp,
            i == count - 1,
            (first if i == 0 else b"") + bytes([i]),
            i == 0,
        )
        for i in range(count)
    ]


def video(recorder: Recorder, clock: FakeClock) -> VideoAssembler:
    return VideoAssembler(
        recorder.frame,
        recorder.keyframe_needed,
        clock_rate=90000,
        is_keyframe=vp8_is_keyframe,
        loss_timeout=0.2,
        clock=clock,
    )


def test_frames_in_order_come_out_whole() -> None:
    recorder, clock = Recorder(), FakeClock()
    assembler = video(recorder, clock)
    for packet in packets(100, 0, KEY, 3) + packets(103, 3000, DELTA, 2):
        assembler.add(packet)
    assert [f.data for f in recorder.frames] == [KEY + b"\x00\x01\x02", DELTA + b"\x00\x01"]
    assert [f.is_keyframe for f in recorder.frames] == [True, False]
    assert recorder.requests == []


def test_reordered_packets_and_sequence_wrap() -> None:
    recorder, clock = Recorder(), FakeClock()
    assembler = video(recorder, clock)
    key = packets(65534, 4294967000, KEY, 3)
    delta = packets(1, 4294967000 + 3000, DELTA, 2)
    for packet in [key[0], key[2], key[1], delta[1], delta[0]]:
        assembler.add(packet)
    assert len(recorder.frames) == 2
    assert recorder.frames[1].timestamp == 4294967000 + 3000  # unwrapped past 2**32


def test_frames_wait_for_the_first_keyframe() -> None:
    recorder, clock = Recorder(), FakeClock()
    assembler = video(recorder, clock)
    for packet in packets(10, 0, DELTA, 2) + packets(12, 3000, KEY, 2):
        assembler.add(packet)
    assert [f.is_keyframe for f in recorder.frames] == [True]
    assert recorder.requests == [True]  # the skipped delta frame asked again


def test_a_packet_never_retransmitted_drops_frames_until_a_keyframe() -> None:
    recorder, clock = Recorder(), FakeClock()
    assembler = video(recorder, clock)
    for packet in packets(0, 0, KEY, 2):
        assembler.add(packet)
    lost = packets(2, 3000, DELTA, 3)
    assembler.add(lost[0])
    assembler.add(lost[2])  # lost[1] never comes
    clock.now = 0.1
    for packet in packets(5, 6000, DELTA, 2):
        assembler.add(packet)
    assert len(recorder.frames) == 1 and recorder.requests == []  # still waiting for a NACK
    clock.now = 0.3
    for packet in packets(7, 9000, DELTA, 2):
        assembler.add(packet)
    assert recorder.requests[0] is False  # the loss asked for a keyframe
    assert assembler.frames_lost == 1
    assert len(recorder.frames) == 1  # deltas after the loss are not forwarded
    for packet in packets(9, 12000, KEY, 2):
        assembler.add(packet)
    assert [f.timestamp for f in recorder.frames] == [0, 12000]


def test_a_late_retransmission_repairs_the_frame() -> None:
    recorder, clock = Recorder(), FakeClock()
    assembler = video(recorder, clock)
    frames = packets(0, 0, KEY, 2) + packets(2, 3000, DELTA, 3) + packets(5, 6000, DELTA, 1)
    for packet in frames:
        if packet.sequence_number != 3:
            assembler.add(packet)
    clock.now = 0.1
    assembler.add(frames[3])  # the retransmission
    assert len(recorder.frames) == 3 and recorder.requests == []


def test_audio_passes_packets_through_and_drops_late_ones() -> None:
    recorder = Recorder()
    assembler = AudioAssembler(recorder.frame, clock_rate=48000)
    for seq, timestamp in [(1, 0), (2, 960), (4, 2880), (3, 1920), (5, 3840)]:
        assembler.add(RtpInfo(seq, timestamp, False, b"opus", True))
    assert [f.timestamp for f in recorder.frames] == [0, 960, 2880, 3840]


def test_codec_bits() -> None:
    assert vp8_starts_frame(b"\x10\x00") and not vp8_starts_frame(b"\x00\x00")
    assert not vp8_starts_frame(b"\x11\x00")  # partition 1
    assert h264_is_keyframe(b"\x00\x00\x00\x01\x67\x00\x00\x00\x01\x65\x88")
    assert not h264_is_keyframe(b"\x00\x00\x00\x01\x41\x9a")
