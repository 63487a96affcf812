"""Shared fixtures: the tiny fixture knowledge base, and the CLI run in-process."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# CI replays the same examples every run: a red build then means a real regression, never an
# unlucky draw (random search stays on for local runs).
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

# The compiled knowledge cache goes to a private directory for the whole run (subprocesses
# inherit it): tests never write into the user's own cache, and never read a stale one.
if not os.environ.get("CRAMPDX_CACHE_DIR"):
    import atexit
    import shutil
    import tempfile

    os.environ["CRAMPDX_CACHE_DIR"] = tempfile.mkdtemp(prefix="crampdx-test-cache-")
    atexit.register(shutil.rmtree, os.environ["CRAMPDX_CACHE_DIR"], True)

ROOT = Path(__file__).resolve().parent.parent
MINI_KB = ROOT / "tests" / "fixtures" / "mini_kb"
EXAMPLES = ROOT / "examples"


@pytest.fixture
def mini_kb(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Use the fixture knowledge base instead of the shipped one, so unit tests keep their
    meaning while the real rules are tuned."""
    monkeypatch.setenv("CRAMPDX_SHIPPED_KB", str(MINI_KB))
    monkeypatch.delenv("CRAMPDX_KB", raising=False)
    return MINI_KB


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]):
    """Run `crampdx ARGS` in-process; returns (exit status, stdout, stderr)."""
    from crampdx.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        try:
            status = main(list(args))
        except SystemExit as exc:  # argparse usage errors
            status = exc.code if isinstance(exc.code, int) else 2
        out, err = capsys.readouterr()
        return status, out, err

    return run


@pytest.fixture
def write(tmp_path: Path):
    """Write a text file under tmp_path and return its path."""

    def _write(name: str, text: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return _write


os.environ.pop("CRAMPDX_KB", None)
