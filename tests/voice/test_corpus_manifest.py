"""The committed corpus is what the generator makes, and small enough to commit."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from barge_in_corpus import CORPUS_DIR, CorpusClip

from agentlocator.audio import mulaw

REPO = Path(__file__).resolve().parents[2]
GENERATOR = REPO / "scripts" / "make_barge_in_corpus.py"


def test_the_corpus_is_small_and_covers_every_kind(corpus: list[CorpusClip]) -> None:
    size = sum(path.stat().st_size for path in CORPUS_DIR.rglob("*") if path.is_file())
    assert size < 3_000_000
    kinds = Counter(clip.kind for clip in corpus)
    assert 60 <= len(corpus) <= 100
    assert kinds["speech"] >= 30 and kinds["noise"] >= 20 and kinds["echo"] >= 10


def test_every_clip_is_whole_frames_of_mulaw_with_a_lead_in(corpus: list[CorpusClip]) -> None:
    manifest = json.loads((CORPUS_DIR / "manifest.json").read_text(encoding="utf-8"))
    entries = {entry["id"]: entry for entry in manifest["clips"]}
    for clip in corpus:
        entry = entries[clip.id]
        assert len(clip.audio) == entry["duration_ms"] * mulaw.BYTES_PER_MS
        if clip.kind == "speech":
            assert clip.onset_ms is not None and clip.speech_end_ms is not None
            assert clip.onset_ms >= 500.0
            assert clip.speech_end_ms - clip.onset_ms > 200.0
        else:
            assert clip.onset_ms is None
        if clip.kind == "echo":
            assert clip.reference is not None
            assert entry["echo_attenuation_db"] in (15.0, 25.0)
            assert 40 <= entry["echo_delay_ms"] <= 120
        if clip.kind == "noise":
            assert entry["event_ms"] >= 500.0


def test_speech_comes_in_hebrew_and_english_voices_and_speeds() -> None:
    manifest = json.loads((CORPUS_DIR / "manifest.json").read_text(encoding="utf-8"))
    speech = [entry for entry in manifest["clips"] if entry["kind"] == "speech"]
    assert len({entry["voice"] for entry in speech}) >= 3
    assert {entry["speed_wpm"] for entry in speech} >= {140, 175, 210}
    assert any(entry["voice"].startswith("he") for entry in speech)
    assert any(entry["voice"].startswith("en") for entry in speech)


@pytest.mark.skipif(
    shutil.which("espeak-ng") is None or shutil.which("sox") is None,
    reason="espeak-ng and sox are needed to regenerate the corpus",
)
def test_the_generator_reproduces_the_committed_corpus(tmp_path: Path) -> None:
    manifest = json.loads((CORPUS_DIR / "manifest.json").read_text(encoding="utf-8"))
    subprocess.run(
        [sys.executable, str(GENERATOR), "--out", str(tmp_path)], check=True, capture_output=True
    )
    fresh = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    if fresh["tools"] != manifest["tools"]:
        pytest.skip(f"other espeak-ng/sox versions ({fresh['tools']}) synthesise other bytes")
    assert fresh == manifest
    for entry in manifest["clips"]:
        assert (tmp_path / entry["file"]).read_bytes() == (CORPUS_DIR / entry["file"]).read_bytes()
