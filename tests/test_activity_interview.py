"""The interview with --activity/--training: it asks only what the files could not tell,
shows what they told (Back reaches it, to correct), and saves only what the runner typed."""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

import pytest

from activity_gen import at, mountain, samples, write
from crampdx import api
from crampdx.answers import parse_answers
from crampdx.cli_activity import describe, gaps
from crampdx.interview import Interview, run
from test_interview_flow import Script

RACE_DAY = dt.date(2024, 6, 1)


@pytest.fixture(autouse=True)
def shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRAMPDX_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("CRAMPDX_KB", raising=False)
    monkeypatch.delenv("CRAMPDX_SHIPPED_KB", raising=False)


@pytest.fixture
def race(tmp_path: Path) -> Path:
    return write(tmp_path / "race.fit", samples(at(RACE_DAY), 30, 5.0,
                                                 elevation=mountain(1500, 30), temp=18))


def test_derived_answers_are_not_asked_but_can_be_corrected(race: Path) -> None:
    """The race facts from the file are never put as questions; Back from the first question
    asked reaches them; a corrected one is saved, the untouched ones are not (the report
    reads them from the files again, marked as the watch's)."""
    reasoner = api.reasoner()
    watch = gaps(api.activity_facts(race), reasoner.kb)
    assert watch.values["event_distance_km"] == 30
    flow = Interview(reasoner, derived=watch)
    script = Script({})
    run(flow, script)
    assert set(watch.values).isdisjoint(script.asked)
    assert set(watch.values) <= set(flow.asked)
    flow.revisit("temperature_c")
    flow.answer("temperature_c", 24.0)
    saved = flow.answers_for_saving().values
    assert saved["temperature_c"] == 24.0
    assert "event_distance_km" not in saved and "elevation_loss_m" not in saved


def test_back_from_the_first_question_reaches_a_derived_answer(race: Path) -> None:
    reasoner = api.reasoner()
    watch = gaps(api.activity_facts(race), reasoner.kb)
    flow = Interview(reasoner, derived=watch)
    first = flow.next_step()
    assert first is not None and first.question.id not in watch.values
    assert flow.back()
    again = flow.next_step()
    assert again is not None and again.question.id in watch.values


def test_a_coachs_answers_beat_the_files(race: Path) -> None:
    reasoner = api.reasoner()
    coach = parse_answers({"temperature_c": 30}, reasoner.kb)
    watch = gaps(api.activity_facts(race), reasoner.kb, coach)
    assert "temperature_c" not in watch.values
    flow = Interview(reasoner, prefilled=coach, derived=watch)
    assert flow.values["temperature_c"] == 30


def test_the_interview_shows_what_the_files_told(race: Path) -> None:
    reasoner = api.reasoner()
    lines = describe(gaps(api.activity_facts(race), reasoner.kb), reasoner.kb)
    assert "read from your activity files" in lines[0]
    assert any(line.strip().startswith("event_distance_km = 30 km") and "race.fit" in line
               for line in lines)


def test_a_bad_race_file_fails_before_any_question(run_cli, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal())
    monkeypatch.chdir(tmp_path)
    bad = tmp_path / "race.fit"
    bad.write_bytes(b"nope")
    status, out, err = run_cli("interview", "--activity", str(bad))
    assert status == 2 and err.startswith(f"crampdx: error: {bad}: not a FIT file")
    assert "Traceback" not in err


CRAMPDX = Path(sys.executable).parent / "crampdx"


@pytest.mark.skipif(not CRAMPDX.exists(), reason="crampdx is not installed")
def test_in_a_terminal_the_files_answers_show_and_are_not_saved(race: Path,
                                                                tmp_path: Path) -> None:
    """A real terminal: the derived answers are listed before the first question; Ctrl-C
    saves only what the runner typed, and the saved file's commands carry --activity."""
    import os

    import pexpect

    env = dict(os.environ, TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1", NO_COLOR="1",
               CRAMPDX_CACHE_DIR=str(tmp_path / "cache"))
    for name in ("CRAMPDX_KB", "CRAMPDX_SHIPPED_KB"):
        env.pop(name, None)
    child = pexpect.spawn(str(CRAMPDX), ["interview", "--activity", str(race), "--save",
                                         "out.yaml"], cwd=str(tmp_path), env=env,
                          encoding="utf-8", dimensions=(50, 160), timeout=60)
    child.expect("answers read from your activity files")
    child.expect(r"event_distance_km = 30 km\s+\(")
    child.expect("Don.t know")  # the first question is on screen
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    saved = (tmp_path / "out.yaml").read_text()
    assert "event_distance_km" not in saved and "elevation_loss_m" not in saved
    assert f"# Report: crampdx debrief out.yaml --activity {race}" in saved
