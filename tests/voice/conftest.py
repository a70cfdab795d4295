"""Fixtures for the barge-in detector tests: the Silero session, the corpus and its replays.

Replaying the corpus through a detector is the expensive part (about a second for ours), so each
detector's outcomes are computed once per session and shared by the tests that judge them.
"""

from __future__ import annotations

from typing import Any

import pytest
from barge_in_corpus import ClipOutcome, CorpusClip, load_corpus, replay

from agentlocator.voice import (
    RmsBaseline,
    SpeechDetector,
    WebrtcVadBaseline,
    shared_session,
)


@pytest.fixture(scope="session")
def silero_session() -> Any:
    return shared_session()


@pytest.fixture(scope="session")
def corpus() -> list[CorpusClip]:
    return load_corpus()


@pytest.fixture(scope="session")
def ours(silero_session: Any, corpus: list[CorpusClip]) -> dict[str, ClipOutcome]:
    return {clip.id: replay(SpeechDetector(silero_session), clip) for clip in corpus}


@pytest.fixture(scope="session")
def rms_baseline(corpus: list[CorpusClip]) -> dict[str, ClipOutcome]:
    return {clip.id: replay(RmsBaseline(), clip) for clip in corpus}


@pytest.fixture(scope="session")
def webrtc_baseline(corpus: list[CorpusClip]) -> dict[str, ClipOutcome]:
    return {clip.id: replay(WebrtcVadBaseline(), clip) for clip in corpus}
