"""Where the Silero VAD ONNX model lives, and one shared onnxruntime session per process.

The model ships inside the `silero-vad` wheel (`silero_vad/data/silero_vad.onnx`), but importing
`silero_vad` imports torch. The package is therefore installed with `pip install --no-deps
silero-vad` and only located here, never imported: `importlib.util.find_spec` reads the package
directory without running its `__init__`.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from typing import Any

SILERO_PACKAGE = "silero_vad"
SILERO_MODEL_FILE = "silero_vad.onnx"
INSTALL_HINT = "python -m pip install --no-deps silero-vad==6.2.3"


class SileroModelMissing(RuntimeError):
    """The Silero VAD ONNX file (from the `silero-vad` package) is not installed."""


def silero_model_path() -> Path:
    """Path of `silero_vad.onnx` inside the installed `silero-vad` package.

    Raises `SileroModelMissing`, naming the install command, when the package or the file is
    absent. The package is located without importing it (importing it would import torch).
    """
    spec = importlib.util.find_spec(SILERO_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        candidate = Path(location) / "data" / SILERO_MODEL_FILE
        if candidate.is_file():
            return candidate
    where = "is not installed" if not locations else f"has no data/{SILERO_MODEL_FILE}"
    raise SileroModelMissing(
        f"the {SILERO_PACKAGE} package {where}; install the model without torch: {INSTALL_HINT}"
    )


def create_session(model_path: Path | None = None) -> Any:
    """A new single-threaded onnxruntime `InferenceSession` for the Silero model.

    One thread per session keeps many concurrent calls on one core from fighting over threads;
    `run` is thread-safe, so one session serves every call of a process.
    """
    import onnxruntime  # a heavy import, paid only when a VAD is actually built

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    return onnxruntime.InferenceSession(
        str(model_path or silero_model_path()),
        sess_options=options,
        providers=["CPUExecutionProvider"],
    )


@functools.cache
def shared_session() -> Any:
    """The process-wide Silero session, created on first use (the only cached state here)."""
    return create_session()
