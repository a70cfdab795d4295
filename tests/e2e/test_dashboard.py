"""The dashboard in a real browser: headless Debian Chromium driven by playwright-core.

Starts the real server on a free port with a fresh SQLite database and the demo data
(`agentlocator db upgrade`, `demo seed`, `serve`), speaks a Hebrew WAV made with espeak-ng and
sox into the browser's fake microphone, and runs `node dashboard/e2e/run.mjs` against it: log in,
the seeded week, an appointment's transcript and summary, a refused double booking, weekly hours
changing the offered slots, leads, settings, a test call showing up with its transcript, and the
first logged-in page interactive within 1 s. Screenshots of every page (1280x800) are saved in
dashboard/e2e/screenshots/.

Without Chromium, Node.js, the installed npm packages or the built dashboard the test skips with
the reason, unless AGENTLOCATOR_E2E_REQUIRED=1 (`make test` sets it), which turns that into a
failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
DASHBOARD = REPO / "dashboard"
SCREENSHOTS = DASHBOARD / "e2e" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
SPEECH = "שלום, אני רוצה לקבוע תור לבדיקה ביום ראשון בעשר בבוקר"
BROWSER_RUN_TIMEOUT_SECS = 300


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is not installed (scripts/ensure-system-packages.sh installs it)"
    if shutil.which("node") is None:
        return "node is not installed"
    if not (DASHBOARD / "node_modules" / "playwright-core").is_dir():
        return "dashboard npm packages are not installed (cd dashboard && npm ci)"
    if not (DASHBOARD / "dist" / "index.html").is_file():
        return "the dashboard is not built (cd dashboard && npm run build)"
    if shutil.which("espeak-ng") is None or shutil.which("sox") is None:
        return "espeak-ng and sox are needed for the microphone WAV"
    return None


@pytest.fixture(scope="module")
def prerequisites() -> None:
    reason = _missing()
    if reason is None:
        return
    if os.environ.get("AGENTLOCATOR_E2E_REQUIRED") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _cli() -> list[str]:
    return [sys.executable, "-m", "agentlocator.cli"]


def _find_login(value: Any) -> tuple[str, str] | None:
    """The first object holding both an email and a password, anywhere in the seed's JSON."""
    if isinstance(value, dict):
        if isinstance(value.get("email"), str) and isinstance(value.get("password"), str):
            return value["email"], value["password"]
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            found = _find_login(item)
            if found:
                return found
    return None


def demo_login(seed_output: str) -> tuple[str, str]:
    """The demo login `agentlocator demo seed` printed (JSON, or `email:`/`password:` lines)."""
    try:
        found = _find_login(json.loads(seed_output))
    except json.JSONDecodeError:
        found = None
    if found:
        return found
    email = re.search(r"email\W+(\S+@\S+?)[\"',\s]", seed_output + "\n")
    password = re.search(r"password\W+([^\s\"',]+)", seed_output)
    assert email and password, f"no demo login in the output of demo seed:\n{seed_output}"
    return email[1], password[1]


@pytest.fixture(scope="module")
def server(
    prerequisites: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    workdir = tmp_path_factory.mktemp("dashboard-e2e")
    env = {
        **os.environ,
        "AGENTLOCATOR_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'e2e.db'}",
        "OPENAI_API_KEY": "",  # the built-in simulated engine answers the test call
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("AGENTLOCATOR_REDIS_URL", None)
    subprocess.run([*_cli(), "db", "upgrade"], env=env, cwd=REPO, check=True, capture_output=True)
    seeded = subprocess.run(
        [*_cli(), "demo", "seed"], env=env, cwd=REPO, check=True, capture_output=True, text=True
    )
    email, password = demo_login(seeded.stdout)
    port = _free_port()
    env["AGENTLOCATOR_PUBLIC_URL"] = f"http://127.0.0.1:{port}"
    log_path = workdir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*_cli(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the server did not start:\n{log_path.read_text(errors='replace')}")
            time.sleep(0.2)
        yield {
            "base_url": base_url,
            "email": email,
            "password": password,
            "workdir": str(workdir),
            "log": str(log_path),
        }
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def speech_wav(workdir: Path) -> Path:
    """5 s of silence (the greeting plays), a Hebrew request, 4 s of silence; 48 kHz mono."""
    spoken = workdir / "speech.wav"
    wav = workdir / "speech48k.wav"
    subprocess.run(["espeak-ng", "-v", "he", "-w", str(spoken), SPEECH], check=True)
    subprocess.run(
        ["sox", str(spoken), "-r", "48000", "-c", "1", "-b", "16", str(wav), "pad", "5", "4"],
        check=True,
    )
    return wav


def test_generated_client_matches_the_api(prerequisites: None) -> None:
    """dashboard/src/client/schema.d.ts is what `npm run gen-client` makes of today's API."""
    run = subprocess.run(
        ["node", "scripts/gen-client.mjs", "--check"],
        cwd=DASHBOARD,
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_dashboard_in_a_real_browser(
    server: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    wav = speech_wav(Path(server["workdir"]))
    env = {
        **os.environ,
        "BASE_URL": server["base_url"],
        "DEMO_EMAIL": server["email"],
        "DEMO_PASSWORD": server["password"],
        "FAKE_MIC_WAV": str(wav),
        "SCREENSHOT_DIR": str(SCREENSHOTS),
        "CHROMIUM": str(CHROMIUM),
    }
    run = subprocess.run(
        ["node", "e2e/run.mjs"],
        cwd=DASHBOARD,
        env=env,
        capture_output=True,
        text=True,
        timeout=BROWSER_RUN_TIMEOUT_SECS,
    )
    output = run.stdout + run.stderr
    with capsys.disabled():
        sys.stdout.write(f"\n--- dashboard e2e (node e2e/run.mjs) ---\n{output}")
    server_log = Path(server["log"]).read_text(errors="replace")[-4000:]
    assert run.returncode == 0, (
        f"browser tests failed:\n{output}\n--- server log (tail) ---\n{server_log}"
    )
