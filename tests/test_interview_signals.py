"""The interview loses no answer however it ends: SIGTERM, SIGHUP, a closed terminal, a second
interview on the same file, `--save` onto an existing file, and a resume keeps the file's own
comments. The installed `crampdx` in a real pseudo-terminal (pexpect), on the fixture knowledge
base; every step waits for what the terminal shows, timeouts only bound a failure."""

from __future__ import annotations

import io
import signal
import sys
import time
from pathlib import Path
from typing import Any

import pytest

pexpect = pytest.importorskip("pexpect")

from crampdx.cli_interview import load_progress  # noqa: E402
from crampdx.knowledge import load_knowledge  # noqa: E402
from test_interview_pty import (  # noqa: E402
    FIXTURE_KB,
    Runner,
    example_answers,
    shown,
    spawn,
)

pytestmark = pytest.mark.skipif(not (Path(sys.executable).parent / "crampdx").exists(),
                                reason="crampdx is not installed")
STOP_AT = "cramp_pattern"  # several answers in, past the red flags and the race


def answered_before(runner: Runner, stop: str) -> list[str]:
    return [qid for qid in runner.asked if qid != stop]


def assert_all_saved(path: Path, runner: Runner, ids: list[str]) -> None:
    """Every answer given (and every "don't know") is in the file, as given."""
    kb = load_knowledge([FIXTURE_KB])
    answers, skipped = load_progress(path, kb)
    assert ids, "the test must have given answers"
    for qid in ids:
        given = runner.answers.get(qid)
        if given is None:
            assert qid in skipped, qid
        else:
            saved = answers.values[qid]
            assert (list(saved) if isinstance(saved, tuple) else saved) == given, qid


def wait_for_exit(child: Any, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while child.isalive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not child.isalive(), "crampdx did not stop"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_saves_every_answer(tmp_path: Path, signum: int) -> None:
    """`kill` (SIGTERM) or a hang-up (SIGHUP) in the middle of the questions: every answer
    given is on disk, the runner is told how to resume, and the exit status is 128+signal."""
    saved = tmp_path / "race.yaml"
    child = spawn("interview", "--save", str(saved), cwd=tmp_path)
    runner = Runner(child, example_answers())
    assert runner.answer_until(stop=STOP_AT) == STOP_AT
    child.kill(signum)
    name = signal.Signals(signum).name
    child.expect(shown(f"Stopped ({name}). Your answers so far are saved in {saved}"))
    child.expect(shown(f"crampdx interview --resume {saved}"))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 128 + signum
    assert "stopped after" in saved.read_text(encoding="utf-8")
    assert_all_saved(saved, runner, answered_before(runner, STOP_AT))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["race.yaml"]  # no lock, no temp


def test_a_closed_terminal_loses_no_answer(tmp_path: Path) -> None:
    """The terminal window is closed mid-interview (the pty goes away): the answers given
    so far are on disk."""
    saved = tmp_path / "race.yaml"
    child = spawn("interview", "--save", str(saved), cwd=tmp_path)
    runner = Runner(child, example_answers())
    assert runner.answer_until(stop=STOP_AT) == STOP_AT
    child.child_fd_closed = True
    child.ptyproc.fileobj.close()  # the terminal is gone: the kernel hangs the session up
    wait_for_exit(child)
    assert_all_saved(saved, runner, answered_before(runner, STOP_AT))


def test_a_second_interview_on_the_same_file_is_refused(tmp_path: Path) -> None:
    """Two interviews saving to one file would each overwrite the other's answers: the
    second is refused in one line while the first goes on, and the first keeps its answers."""
    saved = tmp_path / "race.yaml"
    first = spawn("interview", "--save", str(saved), cwd=tmp_path)
    runner = Runner(first, example_answers())
    assert runner.answer_until(stop="event_distance_km") == "event_distance_km"
    second = spawn("interview", "--resume", str(saved), cwd=tmp_path)
    second.expect(shown("another crampdx interview is saving its answers to this file"))
    second.expect(pexpect.EOF)
    second.close()
    assert second.exitstatus == 2
    runner.answer("event_distance_km")
    assert runner.next_question() is not None  # the next question is shown: Ctrl-C there
    first.sendcontrol("c")
    first.expect(pexpect.EOF)
    first.close()
    assert_all_saved(saved, runner, runner.asked[:-1])


def test_save_onto_an_existing_file_is_refused(tmp_path: Path, run_cli, monkeypatch) -> None:
    """`--save FILE` where FILE exists would replace it: refused before the first question,
    pointing to --resume; the file is untouched."""
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setenv("CRAMPDX_SHIPPED_KB", str(FIXTURE_KB))
    monkeypatch.setattr(sys, "stdin", Terminal())
    existing = tmp_path / "race.yaml"
    existing.write_text("fainted: false\n")
    status, _, err = run_cli("interview", "--save", str(existing))
    assert status == 2
    assert err == (f"crampdx: error: {existing}: already exists; continue it with 'crampdx "
                   f"interview --resume {existing}', or save to a new file\n")
    assert existing.read_text() == "fainted: false\n"


def test_resume_keeps_the_files_comments(tmp_path: Path) -> None:
    """Comments the runner added to a saved file survive a resume and its saves."""
    saved = tmp_path / "race.yaml"
    child = spawn("interview", "--save", str(saved), cwd=tmp_path)
    runner = Runner(child, example_answers())
    assert runner.answer_until(stop=STOP_AT) == STOP_AT
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    lines = saved.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("temperature_c:"))
    lines[at] += "  # it felt hotter"
    lines.insert(at, "# the sun came out at km 20")
    saved.write_text("\n".join(lines) + "\n", encoding="utf-8")

    child = spawn("interview", "--resume", str(saved), cwd=tmp_path)
    resumed = Runner(child, example_answers())
    assert resumed.next_question() == STOP_AT
    resumed.answer(STOP_AT)
    resumed.next_question()
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    text = saved.read_text(encoding="utf-8")
    assert "# the sun came out at km 20\ntemperature_c: 29" in text
    assert "# it felt hotter" in text
    assert_all_saved(saved, resumed, [STOP_AT])
