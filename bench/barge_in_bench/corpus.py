"""The barge-in corpus (tests/corpus) as the simulated caller plays it.

Speech and noise clips are played exactly as stored. Clips recorded over the agent's echo (all
`echo` clips and the `speech_echo_*` speech clips) carry echo of a *reference* agent line, not of
what the live server plays; so the pre-mixed echo is subtracted (its reference, start, delay and
gain are in the manifest) and the live phone adds echo of what it actually played instead, with
the clip's delay and attenuation (`EchoPath`). What is left of the pre-mixed echo is mu-law
requantisation noise; `residual_dbfs` reports its level.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from agentlocator.audio import mulaw
from agentlocator.simulator.twilio_echo import EchoPath

CORPUS_DIR = Path(__file__).resolve().parents[2] / "tests" / "corpus"
KINDS = ("speech", "noise", "echo")


@dataclass(frozen=True, slots=True)
class BenchClip:
    """One clip ready to play: caller audio, ground truth, and the echo path if any."""

    id: str
    kind: str
    label: str
    audio: bytes
    onset_ms: float | None
    echo: EchoPath | None
    residual_dbfs: float | None = None
    """Level of what the pre-mixed echo left behind after subtraction (echo clips only)."""

    @property
    def duration_ms(self) -> float:
        return len(self.audio) / mulaw.BYTES_PER_MS


def _dbfs(samples: np.ndarray) -> float:
    rms = float(np.sqrt(np.mean(samples * samples))) if samples.size else 0.0
    return 20.0 * math.log10(max(rms, 1e-9) / 32768.0)


def _without_echo(entry: dict[str, object], audio: bytes) -> tuple[bytes, float]:
    """`audio` minus its pre-mixed echo of the reference line, and the residual's level over
    the echo's span (noise floor + requantisation)."""
    reference = mulaw.decode((CORPUS_DIR / str(entry["reference"])).read_bytes())
    gain = 10.0 ** (-float(str(entry["echo_attenuation_db"])) / 20.0)
    start_ms = float(str(entry["reference_start_ms"])) + float(str(entry["echo_delay_ms"]))
    start = round(start_ms * mulaw.BYTES_PER_MS)
    pcm = mulaw.decode(audio).astype(np.float64)
    end = min(pcm.size, start + reference.size)
    pcm[start:end] -= reference[: end - start].astype(np.float64) * gain
    clean = mulaw.encode(np.clip(np.round(pcm), -32000.0, 32000.0).astype(np.int16))
    onset = entry.get("onset_ms")
    span_end = end if onset is None else min(end, round(float(str(onset)) * mulaw.BYTES_PER_MS))
    residual = mulaw.decode(clean)[start:span_end].astype(np.float64)
    return clean, _dbfs(residual)


def load_clips(corpus_dir: Path = CORPUS_DIR) -> list[BenchClip]:
    """Every clip of the manifest, in manifest order."""
    manifest = json.loads((corpus_dir / "manifest.json").read_text(encoding="utf-8"))
    clips = []
    for entry in manifest["clips"]:
        audio = (corpus_dir / entry["file"]).read_bytes()
        echo = None
        residual = None
        if entry.get("reference"):
            audio, residual = _without_echo(entry, audio)
            echo = EchoPath(
                delay_ms=float(entry["echo_delay_ms"]),
                level_db=-float(entry["echo_attenuation_db"]),
            )
        onset = entry.get("onset_ms")
        clips.append(
            BenchClip(
                id=entry["id"],
                kind=entry["kind"],
                label=entry["label"],
                audio=audio,
                onset_ms=None if onset is None else float(onset),
                echo=echo,
                residual_dbfs=residual,
            )
        )
    return clips


def select(clips: list[BenchClip], *, ids: list[str], limit: int | None) -> list[BenchClip]:
    """`ids` if given (in that order), else the first `limit` clips of each kind (all if None)."""
    if ids:
        by_id = {clip.id: clip for clip in clips}
        unknown = [clip_id for clip_id in ids if clip_id not in by_id]
        if unknown:
            raise SystemExit(f"unknown clip id(s): {', '.join(unknown)}")
        return [by_id[clip_id] for clip_id in ids]
    if limit is None:
        return list(clips)
    chosen: list[BenchClip] = []
    for kind in KINDS:
        chosen += [clip for clip in clips if clip.kind == kind][:limit]
    return chosen
