"""The friction a new user met on the first day (issue 11), each fixed and kept fixed: README
set-up, help that fits the terminal, the saved file's own commands with --kb, y/n/d and '<'
keys, prompts wrapped at words, the closing line agreeing with the report, the intro with
nothing to ask, and the next race's estimated time."""

from __future__ import annotations

import io
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from crampdx import api
from crampdx.cli_interview import QuestionaryAsker, answers_text, closing_words, wrap_prompt
from crampdx.diagnosis import diagnose
from crampdx.interview import BACK, SKIP, Interview, Reply, Step

ROOT = Path(__file__).resolve().parent.parent
CRAMPDX = Path(sys.executable).parent / "crampdx"
EXAMPLES = ROOT / "examples"


def test_readme_says_how_to_run_crampdx_after_set_up() -> None:
    """The set-up line makes a venv; the README then says to activate it or use
    .venv/bin/crampdx, and shows history and the squad summary, one line each."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "source .venv/bin/activate" in readme and ".venv/bin/crampdx" in readme
    lines = readme.splitlines()
    assert [line for line in lines if line.startswith("crampdx history ")]
    assert [line for line in lines if line.startswith("crampdx debrief ")
            and "--summary" in line]


def _help(*args: str, columns: int = 80) -> str:
    env = dict(os.environ, COLUMNS=str(columns))
    result = subprocess.run([str(CRAMPDX), *args, "--help"], capture_output=True, text=True,
                            env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("command", [(), ("debrief",), ("interview",), ("questions",),
                                     ("history",), ("kb",), ("kb", "check")],
                         ids=lambda c: " ".join(c) or "top")
def test_help_fits_an_80_column_terminal(command: tuple[str, ...]) -> None:
    """No help line is wider than the terminal (they were 130 to 241 characters)."""
    text = _help(*command)
    assert max(len(line) for line in text.splitlines()) <= 80


def test_top_help_says_plain_crampdx_interviews_and_shows_interview_and_kb() -> None:
    text = " ".join(_help().split())
    assert "Plain `crampdx`, with no command, in a terminal, starts the guided interview" in text
    assert "crampdx interview --save" in text and "crampdx kb check" in text
    assert "crampdx questions -f yaml > answers.yaml" in _help("questions")


def test_saved_answers_reopen_with_their_own_header_commands_including_kb(tmp_path: Path) -> None:
    """An interview run with --kb DIR writes a header whose report command, pasted as is,
    works: it names the same --kb (the answers use a question only that overlay has)."""
    overlay = tmp_path / "coach kb"
    overlay.mkdir()
    (overlay / "questions.yaml").write_text(
        "questions:\n  - id: ran_with_a_cold\n    section: health\n"
        "    ask: Did you race with a cold?\n    type: bool\n"
        "    help: The coach asks this of everyone.\n", encoding="utf-8")
    OVERLAY = overlay
    reasoner = api.reasoner([str(OVERLAY)])
    extra = sorted(set(reasoner.kb.questions) - set(api.reasoner().kb.questions))
    assert extra, "the overlay fixture adds a question"
    flow = Interview(reasoner)
    question = reasoner.kb.questions[extra[0]]
    flow.answer(question.id, {"bool": True, "number": 1}.get(question.type,
                                                            next(iter(question.choices), None)))
    path = tmp_path / "my race.yaml"
    path.write_text(answers_text(flow, path, complete=True, kb_dirs=[str(OVERLAY)]),
                    encoding="utf-8")
    header = path.read_text(encoding="utf-8").splitlines()
    report = next(line for line in header if line.startswith("# Report: "))[len("# Report: "):]
    resume = next(line for line in header if line.startswith("# Continue or change: "))
    assert f"--kb {shlex.quote(str(OVERLAY))}" in report
    assert f"--kb {shlex.quote(str(OVERLAY))}" in resume
    argv = shlex.split(report)
    assert argv[0] == "crampdx"
    result = subprocess.run([str(CRAMPDX), *argv[1:], "-f", "json"], capture_output=True,
                            text=True, timeout=60, env={**os.environ, "CRAMPDX_DB": "x"})
    assert result.returncode == 0, result.stderr


# -- keys ---------------------------------------------------------------------------------------

@pytest.fixture
def reasoner():  # type: ignore[no-untyped-def]
    return api.reasoner()


def _asker(reasoner, keys: str) -> Iterator[QuestionaryAsker]:  # type: ignore[no-untyped-def]
    asker = QuestionaryAsker(reasoner.kb, Console(file=io.StringIO(), width=100))
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        pipe.close()
        asker.io = {"input": pipe, "output": DummyOutput()}
        yield asker


def ask(reasoner, step: Step, keys: str) -> Reply:  # type: ignore[no-untyped-def]
    for asker in _asker(reasoner, keys):
        return asker.ask(step)
    raise AssertionError("unreachable")


def step_of(flow: Interview, kind: str) -> Step:
    """The first step whose question has this type (answering the ones before: don't know)."""
    while True:
        step = flow.next_step()
        assert step is not None
        if step.question.type == kind:
            return step
        flow.answer(step.question.id, None)


def test_y_n_d_answer_a_yes_no_question_at_once(reasoner) -> None:  # type: ignore[no-untyped-def]
    """One key, no Enter: y yes, n no, d don't know."""
    step = step_of(Interview(reasoner), "bool")
    assert ask(reasoner, step, "y") == Reply.answer(True)
    assert ask(reasoner, step, "n") == Reply.answer(False)
    assert ask(reasoner, step, "d") == SKIP


def test_d_is_dont_know_on_a_choice_menu_too(reasoner) -> None:  # type: ignore[no-untyped-def]
    """d skips a one-answer menu at once, as on yes-no questions and checklists; its hint says
    so (docs/interview.md), and the runner sees it was left unknown."""
    step = step_of(Interview(reasoner), "choice")
    for asker in _asker(reasoner, "d"):
        assert asker.ask(step) == SKIP
        shown = asker.console.file.getvalue()  # type: ignore[attr-defined]
        assert "don't know (left unknown)" in shown


def test_lt_goes_back_from_a_number_without_enter(reasoner) -> None:  # type: ignore[no-untyped-def]
    """'<' alone, no Enter, returns Back; numbers typed are still read."""
    flow = Interview(reasoner)
    step = step_of(flow, "number")
    assert ask(reasoner, step, "<") == BACK
    typed = ask(reasoner, step, "12\r")
    assert typed.action == "answer" and typed.value == 12


@pytest.mark.parametrize("width", [30, 40, 60, 80])
def test_prompts_wrap_at_word_boundaries(reasoner, width: int) -> None:  # type: ignore[no-untyped-def]
    """Every shipped question wrapped for a narrow terminal: the same words in order, no
    line wider than the terminal after '? '."""
    for question in reasoner.kb.questions.values():
        wrapped = wrap_prompt(question.ask, width, "(arrows, Enter; d = don't know)")
        assert wrapped.split() == question.ask.split()
        assert all(len(line) + 2 <= width or " " not in line for line in wrapped.splitlines())


# -- what the interview and the report say ------------------------------------------------------

def test_closing_line_agrees_with_the_report_and_skips_dont_know(reasoner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Answer the first questions "don't know", then stop: the closing line counts exactly the
    questions the report lists under "questions that would sharpen this", and neither the
    line nor the report (from the saved file) lists a question answered "don't know"."""
    flow = Interview(reasoner)
    dont_know = []
    for _ in range(6):
        step = flow.next_step()
        assert step is not None
        flow.answer(step.question.id, None)
        dont_know.append(step.question.id)
    words = closing_words(flow)
    sharpen = diagnose(reasoner, flow.answers()).unanswered
    assert sharpen and f"the report lists {len(sharpen)} that would still sharpen it" in words
    assert "could not change this diagnosis" in words
    saved = tmp_path / "a.yaml"
    saved.write_text(answers_text(flow, saved, complete=True), encoding="utf-8")
    report = api.diagnose_file(saved)
    assert [q.id for q in report.unanswered] == [q.id for q in sharpen]
    assert not set(dont_know) & {q.id for q in report.unanswered}


def test_intro_with_everything_prefilled_does_not_say_at_most_0(reasoner) -> None:  # type: ignore[no-untyped-def]
    """--answers covering every question that matters: 'nothing is left to ask'."""
    from crampdx.answers import load_answers

    prefilled = load_answers(EXAMPLES / "seed-150k-mountain.yaml", reasoner.kb)
    flow = Interview(reasoner, prefilled=prefilled)
    flow.skipped = set(reasoner.kb.questions) - set(flow.values)  # the rest: "don't know"
    assert not flow.candidates()
    screen = io.StringIO()
    QuestionaryAsker(reasoner.kb, Console(file=screen, width=200)).intro(
        flow, prefilled_from="coach.yaml")
    text = screen.getvalue()
    assert "at most 0" not in text.lower()
    assert "Nothing is left to ask" in text


# -- the next race's estimated time -------------------------------------------------------------

def _estimate(run_cli, write, **race: Any) -> float:  # type: ignore[no-untyped-def]
    import json

    lines = "".join(f"{key}: {value}\n" for key, value in race.items())
    path = write("next.yaml", lines)
    status, out, err = run_cli("debrief", str(EXAMPLES / "marathon-longest-run-24k.yaml"),
                               "--next-race", str(path), "-f", "json")
    assert status == 0, err
    context = json.loads(out)["plan_context"]
    assert context["duration_estimated"] is True
    return context["race"]["event_duration_h"]


def test_next_race_time_uses_a_pace_for_its_distance_and_climb(run_cli, write) -> None:  # type: ignore[no-untyped-def]
    """After a 3.9 h road marathon (42.2 km, 120 m up): a longer race is slower per km than
    the marathon, a hillier one of the same length slower still, a shorter one faster."""
    pace = 3.9 / 42.2
    ultra = _estimate(run_cli, write, event_distance_km=60, elevation_gain_m=170)
    assert ultra / 60 > pace
    hilly = _estimate(run_cli, write, event_distance_km=60, elevation_gain_m=2500)
    assert hilly > ultra + 2  # 2,500 m of climb is about 25 km-effort more
    half = _estimate(run_cli, write, event_distance_km=21.1, elevation_gain_m=60)
    assert half / 21.1 < pace
    assert half == pytest.approx(3.9 * (21.7 / 43.4) ** 1.06, abs=0.05)


def test_interview_refuses_csv_before_the_first_question(run_cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """csv is the squad table's format: said before any question, one line, exit 2."""

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal())
    status, out, err = run_cli("interview", "-f", "csv")
    assert status == 2 and err.count("\n") == 1 and "csv is for 'crampdx debrief FILES --summary'" in err


def test_one_escaping_module_shows_controls_and_guards_csv_formulas() -> None:
    """textsafe is the one escaping module: table cells show a control character as a visible
    escape (the squad view used to drop it), and a CSV cell never starts a formula."""
    from crampdx import textsafe

    assert not (ROOT / "src" / "crampdx" / "render" / "cells.py").exists()
    assert textsafe.cell("Ann\x1b[2J  Lee\n") == "Ann\\x1b[2J Lee"
    assert textsafe.csv_cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert textsafe.csv_cell("-1+2") == "'-1+2" and textsafe.csv_cell("Ann") == "Ann"
    assert textsafe.html_text("<b>\u202e</b>") == "&lt;b&gt;\\u202e&lt;/b&gt;"


@pytest.mark.parametrize("key, written, expected", [
    ("sodium_mg_per_h", "0.1 g", 100), ("sodium_mg_per_h", "0.1 g/h", 100),
    ("fluid_ml_per_h", "300 ml", 300), ("event_duration_h", "3:45:30", 3.76),
    ("event_duration_h", "4:30", 4.5), ("temperature_c", "84 F", 28.9)])
def test_units_as_runners_write_them(run_cli, write, key, written, expected) -> None:  # type: ignore[no-untyped-def]
    """0.1 g of sodium is 100 mg/h (as 300 ml is 300 ml/h), h:mm:ss is a duration."""
    import json

    path = write("a.yaml", f"{key}: '{written}'\n")
    status, out, err = run_cli("debrief", str(path), "-f", "json")
    assert status == 0, err
    assert json.loads(out)["answers"][key] == expected


@pytest.mark.parametrize("key, written, said", [
    ("temperature_c", "84", "84 °C is out of range; did you mean 84 °F (28.9 °C)? Write '84 F'"),
    ("body_mass_kg", "250", "250 kg is out of range; did you mean 250 lb (113.4 kg)?"),
    ("weight_change_kg", "-20", "-20 kg is out of range; did you mean -20 lb (-9.1 kg)?"),
    ("elevation_gain_m", "40000", "40000 m is out of range; did you mean 40000 ft (12192 m)?"),
    ("event_duration_h", "300", "300 h is out of range; did you mean 300 min (5 h)?")])
def test_a_unit_slip_is_named_with_the_reading_that_fits(run_cli, write, key, written, said) -> None:  # type: ignore[no-untyped-def]
    """A bare number out of range that fits once read in the unit runners slip into says so,
    on one line naming file:line:column and key, exit 2."""
    path = write("a.yaml", f"athlete: Ann\n{key}: {written}\n")
    status, out, err = run_cli("debrief", str(path))
    assert status == 2 and out == ""
    assert err.startswith(f"crampdx: error: {path}:2:1: {key}: {said}")
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("key, written, said", [
    ("sodium_mg_per_h", "0.5", "0.5 mg/h is almost none; did you mean 0.5 g/h (500 mg/h)? "
                               "Write '0.5 g' or '500', or '0.5 mg/h' if you meant it"),
    ("fluid_ml_per_h", "0.6", "0.6 ml/h is almost none; did you mean 0.6 l/h (600 ml/h)? "
                              "Write '0.6 l' or '600', or '0.6 ml/h' if you meant it")])
def test_a_bare_amount_too_small_for_its_unit_is_asked_about(run_cli, write, key, written,
                                                             said) -> None:  # type: ignore[no-untyped-def]
    """'sodium: 0.5' is half a gram an hour, not half a milligram (which would read as no
    sodium at all and count towards low intake): a bare number that small is asked about, in
    one line; written with its unit, or 0, it is taken as written."""
    import json

    path = write("a.yaml", f"athlete: Ann\n{key}: {written}\n")
    status, out, err = run_cli("debrief", str(path))
    assert status == 2 and out == ""
    assert err.strip() == f"crampdx: error: {path}:2:1: {key}: {said}"
    unit = "mg/h" if key.startswith("sodium") else "ml/h"
    for spelled, expected in ((f"'{written} {unit}'", float(written)), ("0", 0)):
        path = write("b.yaml", f"{key}: {spelled}\n")
        status, out, err = run_cli("debrief", str(path), "-f", "json")
        assert status == 0, err
        assert json.loads(out)["answers"][key] == expected


def test_a_miles_distance_is_named_when_the_onset_is_beyond_it(run_cli, write) -> None:  # type: ignore[no-untyped-def]
    """The range cannot tell a marathon's 26.2 (miles) from km; an onset at 30 km can."""
    path = write("a.yaml", "event_distance_km: 26.2\nonset_km: 30\n")
    status, _, err = run_cli("debrief", str(path))
    assert status == 2
    assert "did you mean event_distance_km: 26.2 mi (42.2 km)? Write '26.2 mi' there" in err


def test_out_of_range_without_a_likely_slip_keeps_its_message(run_cli, write) -> None:  # type: ignore[no-untyped-def]
    path = write("a.yaml", "body_mass_kg: 20\n")
    _, _, err = run_cli("debrief", str(path))
    assert err.strip() == f"crampdx: error: {path}:1:1: body_mass_kg: 20 kg is out of range: " \
                          "expected 30 to 200 kg"


def test_answers_without_a_list_are_written_one_per_line(reasoner) -> None:  # type: ignore[no-untyped-def]
    """No list among the answers used to give one '{...}' flow line; each answer has its own
    line now, lists stay on theirs, and the file reads back to the same answers."""
    from crampdx.answers import Answers, dump_answers, parse_answers
    from crampdx.yamlio import parse_yaml

    kb = reasoner.kb
    plain = Answers(values={"event_distance_km": 42.2, "temperature_c": 28.0},
                    meta={"athlete": "Ann"})
    text = dump_answers(plain, kb, header="crampdx interview answers (test)")
    assert "{" not in text
    assert text.splitlines()[1:] == ["athlete: Ann", "event_distance_km: 42.2",
                                     "temperature_c: 28.0"]
    with_list = Answers(values={"event_distance_km": 42.2, "cramp_sites": ("calf", "hamstring")})
    assert dump_answers(with_list, kb).splitlines() == ["event_distance_km: 42.2",
                                                        "cramp_sites: [calf, hamstring]"]
    for answers in (plain, with_list):
        again = parse_answers(parse_yaml(dump_answers(answers, kb), "<t>"), kb)
        assert again.values == answers.values


def test_every_problem_in_an_answers_file_is_reported_at_once(run_cli, write) -> None:  # type: ignore[no-untyped-def]
    """Five problems, five lines, in the file's order, each naming file:line:column and key;
    exit 2. One problem stays one line, exactly as before."""
    path = write("a.yaml", "athlete: Ann\ntemperature_c: 84\nevent_distance_km: 26.2\n"
                           "onset_km: 30\nsodum_mg_per_h: 300\ncramp_sites: [calves]\n"
                           "notes: [1]\n")
    status, out, err = run_cli("debrief", str(path))
    lines = err.strip().splitlines()
    assert status == 2 and out == ""
    assert [line.split(": ")[2:4] for line in lines] == [
        [f"{path}:2:1", "temperature_c"], [f"{path}:4:1", "onset_km"],
        [f"{path}:5:1", "unknown question 'sodum_mg_per_h' (did you mean 'sodium_mg_per_h'?); "
                        "'crampdx questions' lists them all"],
        [f"{path}:6:1", "cramp_sites"], [f"{path}:7:1", "notes"]]
    assert all(line.startswith("crampdx: error: ") for line in lines)
    single = write("b.yaml", "athlete: Ann\ncramp_sites: [calves]\n")
    _, _, err = run_cli("debrief", str(single))
    assert err == (f"crampdx: error: {single}:2:1: cramp_sites: 'calves' is not a choice (did "
                   "you mean 'calf'?); choose from: calf, inner_thigh, hamstring, quadriceps, "
                   "shin, foot, glutes, abdomen, back, chest, neck, face, hands\n")


def test_problems_past_the_cap_are_counted(run_cli, write) -> None:  # type: ignore[no-untyped-def]
    from crampdx.errors import MAX_PROBLEMS

    path = write("a.yaml", "".join(f"bad_key_{i}: 1\n" for i in range(MAX_PROBLEMS + 7)))
    status, _, err = run_cli("debrief", str(path))
    lines = err.strip().splitlines()
    assert status == 2 and len(lines) == MAX_PROBLEMS + 1
    assert lines[-1] == f"crampdx: error: and 7 more problems in {path}"
    assert lines[-2].startswith(f"crampdx: error: {path}:{MAX_PROBLEMS}:1: unknown question "
                                f"'bad_key_{MAX_PROBLEMS - 1}'")


def test_no_question_asks_about_several_conditions_at_once(reasoner) -> None:  # type: ignore[no-untyped-def]
    """The old trained_terrain asked about ground, climbs, altitude, heat, cold, backpack and
    poles in one yes/no. Each is its own question now, and each part still reaches the cause:
    trained_terrain keeps its id (ground, climbs, descents), the rest are asked only when the
    race had them (ask_if) and a "no" points to a lack of specificity."""
    from crampdx.answers import parse_answers

    kb = reasoner.kb
    ask = kb.questions["trained_terrain"].ask.lower()
    assert not any(word in ask for word in ("heat", "cold", "altitude", "backpack", "poles"))
    # "do you sweat heavily AND see salt crusts" had no honest answer for a light, salty sweater
    assert "heavily and" not in kb.questions["salty_sweater"].ask
    for condition, question in (("cold", "trained_cold"), ("altitude", "trained_altitude"),
                                ("backpack", "trained_backpack"), ("poles", "trained_poles")):
        assert condition in kb.questions["race_conditions"].choices
        without, with_it = Interview(reasoner), Interview(reasoner)
        without.values.update(race_conditions=(), temperature_c=18.0)
        with_it.values.update(race_conditions=(condition,), temperature_c=18.0)
        assert not without.askable(kb.questions[question])
        assert with_it.askable(kb.questions[question])
        diagnosis = diagnose(reasoner, parse_answers(
            {"race_conditions": [condition], question: False}, kb))
        assert "lack_of_specificity" in diagnosis.leading


def test_help_examples_wrap_under_their_own_column() -> None:
    """An example's explanation that does not fit continues under itself, not under the
    command (at 80 columns 'run the knowledge base's regression cases' takes two lines)."""
    lines = _help(columns=80).splitlines()
    at = next(i for i, line in enumerate(lines) if line.lstrip().startswith("crampdx kb test"))
    column = lines[at].index("run the")
    follow = lines[at + 1]
    assert len(follow) - len(follow.lstrip()) == column and follow.strip() == "regression cases"


def test_the_interviews_saved_file_without_lists_is_one_answer_per_line(reasoner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The interview's save (header, answers, "don't know") with no list among the answers."""
    from crampdx.yamlio import parse_yaml

    flow = Interview(reasoner)
    flow.values.update(event_distance_km=42.2, overheated=False)
    flow.skipped.add("temperature_c")
    flow.asked.extend(["event_distance_km", "overheated", "temperature_c"])
    path = tmp_path / "race.yaml"
    text = answers_text(flow, path, complete=False)
    body = [line for line in text.splitlines() if not line.startswith("#")]
    assert "{" not in text and len(body) == len(parse_yaml(text, "<t>")) >= 3
