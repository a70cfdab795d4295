import warnings

import numpy as np

from agentlocator.audio import mulaw


def test_round_trip_matches_the_reference_codec() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import audioop  # the stdlib reference implementation on Python 3.11

    pcm = np.arange(-32768, 32768, 7, dtype=np.int16)
    ulaw = mulaw.encode(pcm)
    assert ulaw == audioop.lin2ulaw(pcm.tobytes(), 2)
    assert mulaw.decode(ulaw).tobytes() == audioop.ulaw2lin(ulaw, 2)


def test_silence_is_quiet_and_timed_at_eight_bytes_per_ms() -> None:
    quiet = mulaw.silence(20)
    assert len(quiet) == mulaw.FRAME_BYTES
    assert mulaw.rms(quiet) == 0.0
    assert mulaw.duration_ms(quiet) == 20.0
    tone = mulaw.encode((np.sin(np.arange(160) / 3) * 8000).astype(np.int16))
    assert 5000 < mulaw.rms(tone) < 6000
