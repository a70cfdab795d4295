"""The Silero ONNX model is found without importing the torch-bound package."""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

import pytest

from agentlocator.voice import SileroModelMissing, silero_model, silero_model_path


def test_the_model_file_comes_from_the_installed_package() -> None:
    path = silero_model_path()
    assert path.name == "silero_vad.onnx"
    assert path.parent.name == "data"
    assert path.stat().st_size > 1_000_000
    assert "silero_vad" not in sys.modules  # located, never imported (that would import torch)


def test_a_missing_package_names_the_torch_free_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name == "silero_vad" else real_find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    with pytest.raises(SileroModelMissing, match="--no-deps silero-vad"):
        silero_model_path()


def test_the_shared_session_is_created_once_with_the_model_io(silero_session: Any) -> None:
    assert silero_model.shared_session() is silero_session
    assert [item.name for item in silero_session.get_inputs()] == ["input", "state", "sr"]
    assert [item.name for item in silero_session.get_outputs()] == ["output", "stateN"]
