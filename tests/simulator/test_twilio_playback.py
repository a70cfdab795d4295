"""Twilio's outbound buffer, driven with explicit stream times (no event loop, no sleeping)."""

from agentlocator.simulator.twilio_playback import MarkRecord, PlaybackBuffer


def ramp(count: int, start: int = 0) -> bytes:
    return bytes((start + i) % 256 for i in range(count))


def test_audio_plays_in_real_time_however_fast_it_arrives() -> None:
    buffer = PlaybackBuffer()
    buffer.append(ramp(800), now_ms=100.0)  # 100 ms
    buffer.append(ramp(800, 5), now_ms=100.5)  # queued behind, arrives 0.5 ms later
    assert buffer.played_bytes(150.0) == 400
    assert buffer.queued_ms(150.0) == 150.0
    assert buffer.played(250.0) == [(100.0, ramp(800) + ramp(800, 5)[:400])]
    assert buffer.played(400.0) == [(100.0, ramp(800) + ramp(800, 5))]
    assert buffer.heard_ms_at(160.0, now_ms=400.0) == 60.0


def test_a_gap_in_arrival_starts_a_new_segment() -> None:
    buffer = PlaybackBuffer()
    buffer.append(ramp(160), now_ms=0.0)
    buffer.append(ramp(160, 1), now_ms=50.0)  # the first 20 ms ended at 20 ms: 30 ms of silence
    assert buffer.played(100.0) == [(0.0, ramp(160)), (50.0, ramp(160, 1))]
    assert buffer.heard_ms_at(60.0, now_ms=100.0) == 30.0


def test_mark_is_due_when_the_audio_before_it_has_played() -> None:
    buffer = PlaybackBuffer()
    assert buffer.add_mark(MarkRecord("empty", 0.0), now_ms=0.0) is False  # nothing queued
    buffer.append(ramp(1600), now_ms=10.0)
    first = MarkRecord("first", 10.0)
    assert buffer.add_mark(first, now_ms=10.0) is True
    assert first.due_ms == 210.0
    buffer.append(ramp(800), now_ms=20.0)
    second = MarkRecord("second", 20.0)
    buffer.add_mark(second, now_ms=20.0)
    assert second.due_ms == 310.0
    assert buffer.take_marks_due_by(209.0) == []
    assert buffer.take_marks_due_by(210.0) == [first]
    assert buffer.take_marks_due_by(400.0) == [second]


def test_clear_keeps_what_was_heard_drops_the_rest_and_flushes_marks() -> None:
    buffer = PlaybackBuffer()
    buffer.append(ramp(8000), now_ms=0.0)  # one second
    mark = MarkRecord("reply-1", 0.0)
    buffer.add_mark(mark, now_ms=0.0)
    dropped, flushed = buffer.clear(now_ms=300.0)
    assert dropped == 8000 - 2400
    assert flushed == [mark]
    assert buffer.queued_ms(300.0) == 0.0
    assert buffer.played(1000.0) == [(0.0, ramp(2400))]
    # Audio after a clear is a new buffer, and a new segment even when it arrives at once.
    buffer.append(ramp(160, 7), now_ms=300.0)
    assert buffer.played(1000.0) == [(0.0, ramp(2400)), (300.0, ramp(160, 7))]
    assert buffer.dropped_bytes == 5600
    assert buffer.received_bytes == 8160


def test_stop_freezes_the_log_and_forgets_marks() -> None:
    buffer = PlaybackBuffer()
    buffer.append(ramp(800), now_ms=0.0)
    buffer.add_mark(MarkRecord("never", 0.0), now_ms=0.0)
    assert buffer.stop(now_ms=40.0) == 480
    assert buffer.take_marks_due_by(10_000.0) == []
    assert buffer.played(10_000.0) == [(0.0, ramp(320))]


def test_without_recording_only_the_timing_is_kept() -> None:
    buffer = PlaybackBuffer(record_audio=False)
    buffer.append(ramp(800), now_ms=0.0)
    assert buffer.played(200.0) == [(0.0, b"")]
    assert buffer.played_bytes(200.0) == 800
    assert buffer.heard_ms_at(50.0, now_ms=200.0) == 50.0


def test_played_since_is_the_tail_of_what_was_played() -> None:
    buffer = PlaybackBuffer()
    first = bytes(range(200)) * 4  # 100 ms
    second = bytes(range(100, 250)) * 4  # 75 ms, after a gap
    buffer.append(first, 0.0)
    buffer.append(second, 150.0)
    now = 190.0  # the second run has played 40 ms so far
    everything = b"".join(audio for _, audio in buffer.played(now))
    assert b"".join(audio for _, audio in buffer.played_since(0.0, now)) == everything
    tail = buffer.played_since(60.0, now)
    assert [start for start, _ in tail] == [60.0, 150.0]
    assert tail[0][1] == first[480:] and tail[1][1] == second[:320]
    assert buffer.played_since(180.0, now) == [(180.0, second[240:320])]
