"""End to end: the installed `crampdx` console script in a real pseudo-terminal (pexpect), as a
runner uses it: a full interview to the report, Ctrl-C and --resume, plain `crampdx`, and a
question added in a --kb directory. Uses the fixture knowledge base so the keystrokes keep their
meaning while the shipped rules change. Timeouts only bound a failure; nothing waits on time."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pexpect = pytest.importorskip("pexpect")

from crampdx.answers import load_answers  # noqa: E402
from keystrokes import answer_keys  # noqa: E402
from crampdx.knowledge import load_knowledge  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_KB = ROOT / "tests" / "fixtures" / "interview" / "kb"
EXAMPLE = ROOT / "tests" / "fixtures" / "interview" / "examples" / "hyponatremia-mountain.yaml"
CRAMPDX = Path(sys.executable).parent / "crampdx"
DOWN, ENTER, SPACE, CTRL_U = "\x1b[B", "\r", " ", "\x15"
PROGRESS = r"question (\d+) of about (\d+)\]"
TIMEOUT = 30

pytestmark = pytest.mark.skipif(not CRAMPDX.exists(), reason="crampdx is not installed")


ANSI = r"(?:\x1b\[[0-9;?]*[A-Za-z])"


def shown(text: str) -> str:
    """A pattern for text as the terminal shows it: styles may change between words."""
    return rf"(?:\s|{ANSI})+".join(re.escape(word) for word in text.split())


def env(**extra: str) -> dict[str, str]:
    result = dict(os.environ, CRAMPDX_SHIPPED_KB=str(FIXTURE_KB), TERM="xterm",
                  PROMPT_TOOLKIT_NO_CPR="1", NO_COLOR="1", **extra)
    result.pop("CRAMPDX_KB", None)
    return result


def spawn(*args: str, cwd: Path) -> Any:
    return pexpect.spawn(str(CRAMPDX), list(args), cwd=str(cwd), env=env(), encoding="utf-8",
                         dimensions=(50, 160), timeout=TIMEOUT)


class Runner:
    """Reads which question the terminal shows and types the answer a runner would."""

    def __init__(self, child: Any, answers: dict[str, Any], kb_dirs: list[Path] | None = None
                 ) -> None:
        self.child = child
        self.answers = answers
        self.kb = load_knowledge(kb_dirs or [FIXTURE_KB])
        self.patterns = {qid: shown(q.ask[:40]) for qid, q in self.kb.questions.items()}
        self.asked: list[str] = []
        self.summary: tuple[int, int] | None = None

    def next_question(self) -> str | None:
        """Wait for the next question and return its id; None once the interview is over
        (the "N of M questions asked" line before the report)."""
        index = self.child.expect([PROGRESS, shown("EMERGENCY: get medical help now"),
                                   r"(\d+) of (\d+) questions asked"])
        if index == 1:
            self.child.expect(shown("Stop here and show the report"))
            self.child.send(DOWN + ENTER)  # continue the questions
            return self.next_question()
        if index == 2:
            self.summary = (int(self.child.match.group(1)), int(self.child.match.group(2)))
            return None
        ids = list(self.patterns)
        found = self.child.expect([self.patterns[qid] for qid in ids])
        self.asked.append(ids[found])
        return ids[found]

    def next_question_shown(self) -> str:
        """The id of the question whose progress line was just matched."""
        ids = list(self.patterns)
        found = self.child.expect([self.patterns[qid] for qid in ids])
        self.asked.append(ids[found])
        return ids[found]

    def keys(self, question_id: str) -> str:
        return answer_keys(self.kb.questions[question_id], self.answers.get(question_id))

    def answer(self, question_id: str) -> None:
        self.child.send(self.keys(question_id))

    def answer_until(self, stop: str | None = None) -> str | None:
        """Answer questions until `stop` is shown (returned unanswered) or the report starts."""
        while (question_id := self.next_question()) is not None:
            if question_id == stop:
                return question_id
            self.answer(question_id)
        return None


def example_answers() -> dict[str, Any]:
    kb = load_knowledge([FIXTURE_KB])
    return {k: (list(v) if isinstance(v, tuple) else v)
            for k, v in load_answers(EXAMPLE, kb).values.items()}


def debrief_json(path: Path, cwd: Path) -> dict[str, Any]:
    result = subprocess.run([str(CRAMPDX), "debrief", str(path), "--format", "json"],
                            capture_output=True, text=True, cwd=cwd, env=env(), timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def conclusions(report: dict[str, Any]) -> tuple:
    """What goal-directed questioning keeps: red flags, the leading causes in order, the plan's
    items (causes that cannot change the outcome are not asked about further)."""
    return (report["triage"]["level"], sorted(f["rule"] for f in report["triage"]["flags"]),
            [c["id"] for c in report["causes"] if c["leading"]],
            [item["id"] for item in report["plan"]])


def test_full_interview_to_the_report(tmp_path: Path) -> None:
    """Answer an example by keys, with a detour through '?', Back and a refused number; the
    report shows, the answers file is saved under the name the report prints, and debrief on
    that file reaches the same conclusions as on the example."""
    child = spawn("interview", cwd=tmp_path)
    runner = Runner(child, example_answers())
    child.expect(shown("crampdx: why did you cramp"))
    assert runner.next_question() == "symptoms"
    child.send("?")
    child.expect(shown("Why: Some of these are emergencies"))
    child.expect(shown("It is checked for emergency red flags"))
    assert runner.next_question() == "symptoms"
    runner.answer("symptoms")
    assert runner.next_question() == "fainted"
    runner.answer("fainted")
    assert runner.next_question() == "event_distance_km"
    runner.answer("event_distance_km")
    assert runner.next_question() == "event_duration_h"
    child.send("28 mi" + ENTER)
    child.expect(shown("unknown unit 'mi' for h"))
    child.send(CTRL_U + "<")  # back to the distance after all: '<' acts without Enter
    assert runner.next_question() == "event_distance_km"
    child.send(CTRL_U + "93.2 mi" + ENTER)
    child.expect(shown("→ 150 km"))
    assert runner.next_question() == "event_duration_h"
    child.send("9:30" + ENTER)
    child.expect(shown("→ 9.5 h"))
    assert runner.answer_until() is None
    child.expect(shown("the others could not change this diagnosis"))
    assert runner.summary == (len(set(runner.asked)), 17)
    child.expect(shown("Cramp debrief"))
    child.expect(shown("Low blood sodium"))
    child.expect(r"Your answers are saved in (crampdx-answers-\d{8}-\d{4}\.yaml)")
    saved = tmp_path / child.match.group(1)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "caffeine_high" not in runner.asked and "eased_when_slowing" not in runner.asked
    assert conclusions(debrief_json(saved, tmp_path)) == \
        conclusions(debrief_json(EXAMPLE, tmp_path))


def test_ctrl_c_saves_and_resume_finishes(tmp_path: Path) -> None:
    """Ctrl-C half-way saves the answers and prints how to resume (exit 130); --resume asks
    only the rest and ends in the same conclusions as the example file."""
    saved = tmp_path / "race.yaml"
    child = spawn("interview", "--save", str(saved), cwd=tmp_path)
    runner = Runner(child, example_answers())
    assert runner.answer_until(stop="cramp_pattern") == "cramp_pattern"
    child.sendcontrol("c")
    child.expect(shown(f"Interrupted. Your answers so far are saved in {saved}"))
    child.expect(shown(f"crampdx interview --resume {saved}"))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    partial = saved.read_text(encoding="utf-8")
    assert "stopped after" in partial and "temperature_c: 29" in partial
    assert "cramp_pattern" not in partial
    before = list(runner.asked[:-1])

    report = tmp_path / "report.json"
    child = spawn("interview", "--resume", str(saved), "--format", "json", "--output",
                  str(report), cwd=tmp_path)
    resumed = Runner(child, example_answers())
    child.expect(shown(f"Resuming {saved}"))
    assert resumed.next_question() == "cramp_pattern"
    resumed.answer("cramp_pattern")
    assert resumed.answer_until() is None
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert set(before).isdisjoint(resumed.asked)
    assert "finished" in saved.read_text(encoding="utf-8")
    assert conclusions(json.loads(report.read_text(encoding="utf-8"))) == \
        conclusions(debrief_json(EXAMPLE, tmp_path))


def test_emergency_first_then_the_report(tmp_path: Path) -> None:
    """Ticking confusion shows the emergency and what to do at once; stopping there prints the
    report with the red flag on top and saves the one answer."""
    saved = tmp_path / "now.yaml"
    child = spawn("interview", "--save", str(saved), cwd=tmp_path)
    child.expect(shown("Did you have any of these"))
    child.send(DOWN + SPACE + ENTER)  # Confusion
    child.expect(shown("EMERGENCY: get medical help now"))
    child.expect(shown("Do now: Call emergency services now."))
    child.expect(shown("Stop here and show the report"))
    child.send(ENTER)
    child.expect(shown("1 of 17 questions asked; stopped early for the emergency."))
    child.expect(shown("Cramp debrief"))
    child.expect(shown("EMERGENCY"))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "symptoms: [confusion]" in saved.read_text(encoding="utf-8")


def test_plain_crampdx_in_a_terminal_starts_the_interview(tmp_path: Path) -> None:
    """Typing just `crampdx` at a terminal starts the interview; Ctrl-C at the first question
    still leaves a resumable file in the current directory."""
    child = spawn(cwd=tmp_path)
    child.expect(shown("crampdx: why did you cramp"))
    child.expect(shown("Warning signs first"))
    child.expect(shown("Did you have any of these"))
    child.sendcontrol("c")
    child.expect(r"saved in (crampdx-answers-\d{8}-\d{4}\.yaml)")
    name = child.match.group(1)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert (tmp_path / name).is_file()


def test_question_added_in_a_kb_directory_is_asked(tmp_path: Path) -> None:
    """A warning-sign question added in YAML under --kb shows up in the interview, with its
    help as the WHY, without any code change; the resume command it prints keeps the --kb."""
    overlay = tmp_path / "coach-kb"
    overlay.mkdir()
    (overlay / "extra.yaml").write_text(
        "questions:\n"
        "  - id: chest_tightness_now\n"
        "    section: red_flags\n"
        "    ask: Is your chest tight right now, at rest?\n"
        "    type: bool\n"
        "    help: Tightness at rest after a race is for a doctor, not for crampdx.\n",
        encoding="utf-8")
    child = spawn("interview", "--kb", str(overlay), cwd=tmp_path)
    runner = Runner(child, {"symptoms": [], "fainted": False}, [FIXTURE_KB, overlay])
    assert runner.answer_until(stop="chest_tightness_now") == "chest_tightness_now"
    assert runner.asked == ["symptoms", "fainted", "chest_tightness_now"]
    child.send("?")
    child.expect(shown("Why: Tightness at rest after a race is for a doctor"))
    # wait until the question is asked again (its menu is back) before pressing Ctrl-C: a key
    # sent while no prompt reads the terminal is not seen by anyone
    child.expect(shown("Why is this asked"))
    child.sendcontrol("c")
    # the resume command keeps the extra knowledge, or the answer would be refused
    child.expect(r"crampdx interview --resume crampdx-answers-\S+ --kb " + re.escape(str(overlay)))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130


def test_non_tty_start_fails_cleanly(tmp_path: Path) -> None:
    """Piped into the installed script, the interview refuses in one line and exits 2."""
    result = subprocess.run([str(CRAMPDX), "interview"], input="yes\n", capture_output=True,
                            text=True, cwd=tmp_path, env=env(), timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "crampdx: error: the interview needs a terminal to ask its questions; for answers in "
        "a file, run 'crampdx debrief FILE'"]


def test_ctrl_d_also_saves(tmp_path: Path) -> None:
    """Ctrl-D on an empty number line (end of input) saves and says how to resume, like
    Ctrl-C, instead of a traceback."""
    saved = tmp_path / "d.yaml"
    child = spawn("interview", "--save", str(saved), cwd=tmp_path)
    runner = Runner(child, {"symptoms": [], "fainted": False})
    assert runner.answer_until(stop="event_duration_h") == "event_duration_h"
    child.sendcontrol("d")
    child.expect(shown(f"crampdx interview --resume {saved}"))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130 and "Traceback" not in (child.before or "")
    assert "fainted: false" in saved.read_text(encoding="utf-8")


def test_report_piped_to_a_file_prompts_stay_on_the_terminal(tmp_path: Path) -> None:
    """`crampdx interview --format json > report.json`: questions and messages go to the
    terminal (stderr), the file gets only the JSON report."""
    child = pexpect.spawn("bash", ["-c", f"{CRAMPDX} interview --format json > report.json"],
                          cwd=str(tmp_path), env=env(), encoding="utf-8",
                          dimensions=(50, 160), timeout=TIMEOUT)
    runner = Runner(child, example_answers())
    assert runner.answer_until() is None
    child.expect(shown("Your answers are saved in"))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert conclusions(report) == conclusions(debrief_json(EXAMPLE, tmp_path))


def test_enter_on_dont_know_in_a_checklist_is_dont_know(tmp_path: Path) -> None:
    """On the first question (a checklist), arrowing down to Don't know and pressing Enter
    records don't know, never "none of these" (unknown is not no)."""
    saved = tmp_path / "dk.yaml"
    child = spawn("interview", "--save", str(saved), cwd=tmp_path)
    options = len(load_knowledge([FIXTURE_KB]).questions["symptoms"].choices)
    runner = Runner(child, {})
    assert runner.next_question() == "symptoms"
    child.send(DOWN * (options + 1) + ENTER)  # past "None of these" to Don't know
    assert runner.next_question() == "fainted"
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    assert "none of these" not in (child.before or "")
    text = saved.read_text(encoding="utf-8")
    assert "symptoms: don't know" in text and "symptoms: []" not in text


def test_enter_with_nothing_ticked_asks_again_on_the_terminal(tmp_path: Path) -> None:
    """The warning-signs checklist offers "None of these"; Enter with nothing ticked records
    nothing (it says to tick None of these, or ? / d) and the question stays; only the explicit
    tick saves "no warning signs" (symptoms: [])."""
    saved = tmp_path / "none.yaml"
    child = spawn("interview", "--save", str(saved), cwd=tmp_path)
    options = len(load_knowledge([FIXTURE_KB]).questions["symptoms"].choices)
    runner = Runner(child, {})
    assert runner.next_question() == "symptoms"
    child.expect(shown("None of these"))
    child.send(ENTER)
    child.expect(shown("Nothing ticked: tick 'None of these' if none happened"))
    assert not saved.exists() or "symptoms" not in saved.read_text(encoding="utf-8")
    child.send(DOWN * options + SPACE + ENTER)
    assert runner.next_question() == "fainted"
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    assert "symptoms: []" in saved.read_text(encoding="utf-8")


def test_resuming_a_finished_interview_can_change_an_answer(tmp_path: Path) -> None:
    """`--resume` on a finished file says nothing is left to ask and offers the report or a
    change; the chosen question is asked again, the change is saved, and the report follows."""
    saved = tmp_path / "done.yaml"
    child = spawn("interview", "--save", str(saved), "--format", "json", "--output",
                  str(tmp_path / "first.json"), cwd=tmp_path)
    runner = Runner(child, example_answers())
    assert runner.answer_until() is None
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0 and "event_distance_km: 150" in saved.read_text()

    child = spawn("interview", "--resume", str(saved), cwd=tmp_path)
    child.expect(shown("Nothing is left to ask"))
    child.expect(shown("Show the report"))
    child.send(DOWN + ENTER)  # Change an answer
    child.expect(shown("Which answer do you want to change?"))
    position = runner.asked.index("event_distance_km")
    child.send(DOWN * position + ENTER)
    child.expect(PROGRESS)
    assert int(child.match.group(1)) == position + 1
    child.expect(shown(runner.kb.questions["event_distance_km"].ask[:40]))
    child.send(CTRL_U + "100" + ENTER)
    child.expect(shown("→ 100 km"))
    while child.expect([PROGRESS, shown("What now?")]) == 0:  # newly relevant questions
        question_id = runner.next_question_shown()
        runner.answer(question_id)
    child.send(ENTER)  # Show the report
    child.expect(shown("Cramp debrief"))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    text = saved.read_text(encoding="utf-8")
    assert "event_distance_km: 100" in text and "finished" in text
