"""End to end in a real pseudo-terminal: `crampdx interview --record` asks athlete, event and
race date first, then the questions, and the debrief is in the history with all three."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

from test_interview_pty import (  # noqa: E402
    CRAMPDX,
    Runner,
    env,
    example_answers,
    shown,
    spawn,
)


def test_interview_record_files_the_debrief_under_athlete_event_and_date(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    child = spawn("interview", "--record", "--db", str(db), cwd=tmp_path)
    child.expect(shown("Your name (or the athlete's)"))
    child.send("Lena\r")
    child.expect(shown("The race or run:"))
    child.send("Mountain 150\r")
    child.expect(shown("The race date (YYYY-MM-DD):"))
    child.send("12/04/2026\r")  # refused in place, with what would be right
    child.expect(shown("a date as YYYY-MM-DD"))
    child.send("\x15" + "2026-04-12\r")
    runner = Runner(child, example_answers())
    assert runner.answer_until() is None
    child.expect(shown("Your history (Lena: 1 recorded debrief)"))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    listed = subprocess.run([str(CRAMPDX), "history", "--db", str(db), "-f", "json"],
                            capture_output=True, text=True, env=env(), timeout=60)
    (debrief,) = json.loads(listed.stdout)["debriefs"]
    assert (debrief["athlete"], debrief["event"], debrief["date"]) == \
        ("Lena", "Mountain 150", "2026-04-12")
    saved = next(tmp_path.glob("crampdx-answers-*.yaml")).read_text(encoding="utf-8")
    assert "athlete: Lena" in saved and "date: '2026-04-12'" in saved
