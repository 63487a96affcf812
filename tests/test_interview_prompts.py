"""Every question type driven through questionary with prompt_toolkit pipe input: the keys a
runner presses, what is recorded, and what the interview prints around the prompts.

Each prompt gets its own pipe, closed after the keys are sent: a prompt still waiting for input
then ends in EOFError instead of hanging, which is how "this input was refused" is asserted.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Iterator

import pytest
from keystrokes import answer_keys
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from crampdx import api
from crampdx.answers import load_answers
from crampdx.cli_interview import QuestionaryAsker, answers_text
from crampdx.diagnosis import diagnose
from crampdx.engine import Reasoner
from crampdx.errors import CrampdxError
from crampdx.interview import BACK, HELP, SKIP, Interview, Reply, Step, run

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_KB = ROOT / "tests" / "fixtures" / "interview" / "kb"
FIXTURE_EXAMPLES = ROOT / "tests" / "fixtures" / "interview" / "examples"
EXAMPLES = ROOT / "examples"
PREFERRED_EXAMPLES = ("seed-150k-mountain.yaml", "ultra-overdrinker-confused.yaml",
                      "marathon-longest-run-24k.yaml")

DOWN, UP, LEFT, ENTER, SPACE, BACKSPACE = "\x1b[B", "\x1b[A", "\x1b[D", "\r", " ", "\x7f"


@pytest.fixture
def reasoner(monkeypatch: pytest.MonkeyPatch) -> Reasoner:
    monkeypatch.setenv("CRAMPDX_SHIPPED_KB", str(FIXTURE_KB))
    monkeypatch.delenv("CRAMPDX_KB", raising=False)
    return api.reasoner()


class Keyboard:
    """Runs calls of one QuestionaryAsker, each with its keystrokes on a fresh, closed pipe."""

    def __init__(self, reasoner: Reasoner) -> None:
        self.screen = io.StringIO()
        self.questionary = QuestionaryAsker(
            reasoner.kb, Console(file=self.screen, width=100, color_system=None))

    def asker(self, keys: str) -> Iterator[QuestionaryAsker]:
        with create_pipe_input() as pipe:
            pipe.send_text(keys)
            pipe.close()
            self.questionary.io = {"input": pipe, "output": DummyOutput()}
            yield self.questionary

    def ask(self, step: Step, keys: str) -> Reply:
        for asker in self.asker(keys):
            return asker.ask(step)
        raise AssertionError("unreachable")

    def emergency(self, flags: list, keys: str) -> bool:
        for asker in self.asker(keys):
            return asker.emergency(flags)
        raise AssertionError("unreachable")

    @property
    def printed(self) -> str:
        return self.screen.getvalue()


@pytest.fixture
def keyboard(reasoner: Reasoner) -> Keyboard:
    return Keyboard(reasoner)


def step_for(flow: Interview, question_id: str, given: dict[str, Any] | None = None) -> Step:
    """The step for one question, answering those before it from `given`, else don't know."""
    given = given or {}
    while True:
        step = flow.next_step()
        assert step is not None, f"{question_id} was never asked"
        if step.question.id == question_id:
            return step
        flow.answer(step.question.id, given.get(step.question.id))


# -- choice ---------------------------------------------------------------------------------------
def test_choice_is_a_select_menu(reasoner: Reasoner, keyboard: Keyboard) -> None:
    """Enter takes the highlighted choice; arrows move; the value is the choice's id."""
    step = step_for(Interview(reasoner), "cramp_pattern")
    assert keyboard.ask(step, ENTER) == Reply.answer("localized")
    assert keyboard.ask(step, DOWN + DOWN + ENTER) == Reply.answer("full_body")
    assert keyboard.ask(step, DOWN + DOWN + UP + ENTER) == Reply.answer("spreading")
    assert "── The cramps ──" in keyboard.printed
    assert f"[The cramps · question {step.number} of about {step.about}]" in keyboard.printed


def test_choice_menu_ends_with_dont_know_back_and_why(reasoner: Reasoner,
                                                      keyboard: Keyboard) -> None:
    """Below the choices (and a separator): Don't know, Back, Why, reached with the arrows."""
    step = step_for(Interview(reasoner), "cramp_pattern")
    assert keyboard.ask(step, DOWN * 3 + ENTER) == SKIP
    assert keyboard.ask(step, DOWN * 4 + ENTER) == BACK
    assert keyboard.ask(step, DOWN * 5 + ENTER) == HELP


def test_question_mark_and_left_arrow_are_shortcuts(reasoner: Reasoner,
                                                    keyboard: Keyboard) -> None:
    """In a menu '?' asks why at once, '<' and the left arrow go back."""
    step = step_for(Interview(reasoner), "cramp_pattern")
    assert keyboard.ask(step, "?") == HELP
    assert keyboard.ask(step, "<") == BACK
    assert keyboard.ask(step, LEFT) == BACK
    assert keyboard.printed.count("← back") == 2
    multi = step_for(Interview(reasoner), "symptoms")
    assert keyboard.ask(multi, "?") == HELP


def test_revisited_choice_starts_on_the_earlier_answer(reasoner: Reasoner,
                                                       keyboard: Keyboard) -> None:
    """Going back to a menu highlights what was answered, so Enter keeps it."""
    flow = Interview(reasoner)
    step_for(flow, "cramp_pattern")
    flow.answer("cramp_pattern", "full_body")
    flow.next_step()
    assert flow.back()
    revisit = flow.next_step()
    assert revisit is not None and revisit.previous == "full_body"
    assert keyboard.ask(revisit, ENTER) == Reply.answer("full_body")


def test_first_question_offers_no_back(reasoner: Reasoner, keyboard: Keyboard) -> None:
    """There is no Back entry on the first question: Don't know is followed by Why."""
    flow = Interview(reasoner)
    flow.answer("symptoms", ())
    flow.asked.clear()  # pretend fainted is the first question asked
    step = flow.next_step()
    assert step is not None and step.question.id == "fainted" and not step.can_go_back
    assert keyboard.ask(step, DOWN + ENTER) == HELP  # the cursor starts on Don't know


# -- bool -----------------------------------------------------------------------------------------
def test_bool_is_yes_no_dont_know(reasoner: Reasoner, keyboard: Keyboard) -> None:
    """A yes/no question is a menu so that "don't know" is one arrow away."""
    step = step_for(Interview(reasoner), "heat_acclimatized")  # not a warning sign
    assert keyboard.ask(step, ENTER) == Reply.answer(True)
    assert keyboard.ask(step, DOWN + ENTER) == Reply.answer(False)
    assert keyboard.ask(step, DOWN + DOWN + ENTER) == SKIP


def test_a_stray_enter_never_answers_a_warning_sign(reasoner: Reasoner,
                                                    keyboard: Keyboard) -> None:
    """On a warning sign the cursor starts on Don't know: Enter pressed through the screen
    leaves it unknown (listed as not checked), never a yes (a false emergency) or a no; y and
    n answer at once, and the arrows reach both."""
    step = step_for(Interview(reasoner), "fainted")
    assert keyboard.ask(step, ENTER) == SKIP
    assert keyboard.ask(step, "y") == Reply.answer(True)
    assert keyboard.ask(step, "n") == Reply.answer(False)
    assert keyboard.ask(step, UP + ENTER) == Reply.answer(False)
    assert keyboard.ask(step, UP + UP + ENTER) == Reply.answer(True)


# -- multi ----------------------------------------------------------------------------------------
def test_multi_is_a_checkbox(reasoner: Reasoner, keyboard: Keyboard) -> None:
    """Space ticks, Enter ends; the answer lists the ticked ids; 'None of these' ticked is a
    known, empty answer, not unknown."""
    step = step_for(Interview(reasoner), "symptoms")
    options = len(step.question.choices)
    assert keyboard.ask(step, SPACE + DOWN + DOWN + SPACE + ENTER) == \
        Reply.answer(("nausea", "vomiting"))
    assert "→ Nausea, Vomiting" in keyboard.printed
    assert keyboard.ask(step, DOWN * options + SPACE + ENTER) == Reply.answer(())
    assert "→ none of these" in keyboard.printed


def test_enter_with_nothing_ticked_asks_again(reasoner: Reasoner, keyboard: Keyboard) -> None:
    """A stray Enter on the warning-signs checklist never records "no warning signs": with
    nothing ticked the checklist stays, says to tick 'None of these' (or ? / d), and only the
    explicit tick answers none."""
    step = step_for(Interview(reasoner), "symptoms")
    options = len(step.question.choices)
    assert keyboard.ask(step, ENTER + ENTER + DOWN * options + SPACE + ENTER) == \
        Reply.answer(())
    assert keyboard.printed.count("Nothing ticked: tick 'None of these' if none happened, "
                                  "or press ? for why, d for don't know") == 2
    # Enter with the cursor on None of these ticks it and ends
    assert keyboard.ask(step, ENTER + DOWN * options + ENTER) == Reply.answer(())
    # with nothing ticked, d is don't know (unknown, not no)
    assert keyboard.ask(step, ENTER + "d") == SKIP
    assert "→ don't know (left unknown)" in keyboard.printed


def test_none_of_these_with_a_tick_asks_again(reasoner: Reasoner, keyboard: Keyboard) -> None:
    """'None of these' beside a ticked sign contradicts itself: the checklist asks to untick
    one, and the runner's fix is what counts."""
    step = step_for(Interview(reasoner), "symptoms")
    options = len(step.question.choices)
    keys = SPACE + DOWN * options + SPACE + ENTER  # Nausea and None of these
    # asked again with both still ticked: untick None of these, Enter on a sign
    assert keyboard.ask(step, keys + DOWN * options + SPACE + UP + ENTER) == \
        Reply.answer(("nausea",))
    assert "'None of these' and a tick: untick one of them" in keyboard.printed


def test_a_previous_none_comes_back_ticked(reasoner: Reasoner, keyboard: Keyboard) -> None:
    """Going back to a checklist answered 'none of these' shows None of these ticked, so Enter
    keeps the answer (as Enter keeps any earlier answer)."""
    flow = Interview(reasoner)
    flow.answer("symptoms", ())
    flow.revisit("symptoms")
    step = flow.next_step()
    assert step is not None and step.previous == ()
    assert keyboard.ask(step, ENTER) == Reply.answer(())


def test_multi_dont_know_back_and_why_entries(reasoner: Reasoner, keyboard: Keyboard) -> None:
    """Ticking Don't know skips (whatever else is ticked); Why keeps the ticks for the re-ask."""
    flow = Interview(reasoner)
    step = step_for(flow, "cramp_sites")
    assert keyboard.ask(step, SPACE + DOWN * 5 + SPACE + ENTER) == SKIP
    assert keyboard.ask(step, DOWN * 6 + SPACE + ENTER) == BACK
    # tick Calf and Face, then tick Why: the ticks come back ticked
    assert keyboard.ask(step, SPACE + DOWN + DOWN + SPACE + DOWN * 5 + SPACE + ENTER) == HELP
    assert keyboard.ask(step, ENTER) == Reply.answer(("calf", "face"))


def test_multi_enter_on_dont_know_back_or_why_acts_on_it(reasoner: Reasoner,
                                                         keyboard: Keyboard) -> None:
    """Enter with the cursor on Don't know, Back or Why does what that entry says, as in every
    other menu, never "none of these" (Don't know is unknown, not no); ticks made before Why
    come back. Enter on a choice with nothing ticked asks again (never "none of these")."""
    flow = Interview(reasoner)
    step = step_for(flow, "cramp_sites")
    assert keyboard.ask(step, DOWN * 5 + ENTER) == SKIP
    assert keyboard.ask(step, SPACE + DOWN * 5 + ENTER) == SKIP
    assert keyboard.ask(step, DOWN * 6 + ENTER) == BACK
    assert keyboard.ask(step, SPACE + DOWN * 7 + ENTER) == HELP
    assert "none of these" not in keyboard.printed
    assert keyboard.ask(step, ENTER) == Reply.answer(("calf",))
    assert keyboard.ask(step, SPACE + SPACE + ENTER + "d") == SKIP
    first = step_for(Interview(reasoner), "symptoms")
    options = len(first.question.choices)
    assert keyboard.ask(first, DOWN * (options + 1) + ENTER) == SKIP
    assert keyboard.ask(first, DOWN * (options + 2) + ENTER) == HELP


# -- review (a finished interview resumed) ----------------------------------------------------------
def test_review_offers_the_report_or_an_earlier_answer(reasoner: Reasoner,
                                                       keyboard: Keyboard) -> None:
    """'Show the report' first (Enter); 'Change an answer' lists the asked questions with their
    answers, and Enter picks one; '< Back' returns to the first choice."""
    flow = Interview(reasoner)
    flow.answer("symptoms", ())
    flow.answer("fainted", None)
    flow.answer("event_distance_km", 42.2)
    flow.answer("cramp_sites", ("calf", "face"))
    given = flow.given()

    def review(keys: str) -> str | None:
        for asker in keyboard.asker(keys):
            return asker.review(given)
        raise AssertionError("unreachable")

    assert review(ENTER) is None
    assert review(DOWN + ENTER + ENTER) == "symptoms"
    assert review(DOWN + ENTER + DOWN * 2 + ENTER) == "event_distance_km"
    assert review(DOWN + ENTER + DOWN * 4 + ENTER + ENTER) is None  # Back, then the report
    from crampdx.cli_interview import shown_answer

    assert [shown_answer(item) for item in given] == \
        ["none of these", "don't know", "42.2 km", "Calf, Face"]


@pytest.mark.parametrize(("question_id", "typed", "value", "echo"), [
    ("onset_km", "28 mi", 45.1, "→ 45.1 km"),
    ("onset_km", "42.2", 42.2, "→ 42.2 km"),
    ("temperature_c", "84 F", 28.9, "→ 28.9 °C"),
    ("fluid_ml_per_h", "30 oz", 887, "→ 887 ml/h"),
    ("fluid_ml_per_h", "1.2 l/h", 1200, "→ 1200 ml/h"),
    ("weight_change_kg", "+3 lb", 1.4, "→ 1.4 kg"),
    ("event_duration_h", "5:30", 5.5, "→ 5.5 h"),
    ("long_runs_12w", "6", 6, "→ 6"),
])
def test_number_units_are_converted_and_echoed(reasoner: Reasoner, keyboard: Keyboard,
                                               question_id: str, typed: str, value: float,
                                               echo: str) -> None:
    """Numbers take the runner's units and are stored in the question's unit; the converted
    value is printed so a slip (miles for km) shows at once."""
    # Cramps in the face keep the overdrinking rules able to change the outcome, so the
    # drinking questions are asked.
    given = {"event_duration_h": 6, "drink_type": "water", "cramp_sites": ("calf", "face")}
    step = step_for(Interview(reasoner), question_id, given)
    reply = keyboard.ask(step, typed + ENTER)
    assert reply.action == "answer" and reply.value == pytest.approx(value)
    assert echo in keyboard.printed


def test_number_enter_alone_is_dont_know(reasoner: Reasoner, keyboard: Keyboard) -> None:
    """An empty line, or typing "don't know", skips; '?' and '<' work typed too."""
    step = step_for(Interview(reasoner), "event_duration_h")
    assert keyboard.ask(step, ENTER) == SKIP
    assert "don't know (left unknown)" in keyboard.printed
    assert keyboard.ask(step, "don't know" + ENTER) == SKIP
    assert keyboard.ask(step, "?" + ENTER) == HELP
    assert keyboard.ask(step, "<" + ENTER) == BACK


@pytest.mark.parametrize("typed", ["far", "28 mi", "300", "-2"])
def test_invalid_numbers_are_refused_in_place(reasoner: Reasoner, keyboard: Keyboard,
                                              typed: str) -> None:
    """Not a number, a unit of the wrong kind (miles for hours), out of range: Enter does not
    accept it, the prompt keeps waiting (here: runs out of input)."""
    step = step_for(Interview(reasoner), "event_duration_h")
    with pytest.raises(EOFError):
        keyboard.ask(step, typed + ENTER)


def test_invalid_number_can_be_corrected(reasoner: Reasoner, keyboard: Keyboard) -> None:
    """After a refused entry the runner edits it and goes on."""
    step = step_for(Interview(reasoner), "event_duration_h")
    keys = "28 mi" + ENTER + BACKSPACE * 5 + "300" + ENTER + BACKSPACE * 3 + "9.5" + ENTER
    assert keyboard.ask(step, keys) == Reply.answer(9.5, "9.5")


def test_number_validation_messages(reasoner: Reasoner) -> None:
    """What the prompt's validator shows under an entry it refuses."""
    from crampdx.cli_interview import number_validator

    validate = number_validator(reasoner.kb.questions["event_duration_h"])
    assert validate("9:30") is True and validate("") is True and validate("?") is True
    assert "unknown unit 'mi' for h" in str(validate("28 mi"))
    assert "out of range: expected 0 to 240 h" in str(validate("30000"))  # not even minutes
    assert "did you mean 300 min (5 h)?" in str(validate("300"))  # the unit slip, named
    assert "not a number" in str(validate("far"))


def test_revisited_number_is_prefilled(reasoner: Reasoner, keyboard: Keyboard) -> None:
    """Going back to a number shows the earlier answer, in the question's unit, ready to keep
    with Enter or to edit."""
    flow = Interview(reasoner)
    step_for(flow, "event_duration_h")
    flow.answer("event_duration_h", 9.5)
    flow.next_step()
    assert flow.back()
    revisit = flow.next_step()
    assert revisit is not None and revisit.question.id == "event_duration_h"
    assert keyboard.ask(revisit, ENTER) == Reply.answer(9.5, "9.5 h")
    assert keyboard.ask(revisit, BACKSPACE * 5 + "10" + ENTER).value == 10


# -- interrupt, help, emergency ---------------------------------------------------------------------
@pytest.mark.parametrize("question_id", ["symptoms", "fainted", "cramp_pattern", "onset_km"])
def test_ctrl_c_raises_keyboard_interrupt(reasoner: Reasoner, keyboard: Keyboard,
                                          question_id: str) -> None:
    """Every prompt type lets Ctrl-C through (unsafe_ask), so the answers can be saved."""
    step = step_for(Interview(reasoner), question_id)
    with pytest.raises(KeyboardInterrupt):
        keyboard.ask(step, "\x03")


def test_why_is_printed_from_the_rules(reasoner: Reasoner, keyboard: Keyboard) -> None:
    """The explanation shows the help text and the causes read from the rules."""
    flow = Interview(reasoner)
    for asker in keyboard.asker(""):
        asker.explain(flow.why("weight_change_kg"))
    printed = keyboard.printed
    assert "Why: Gaining weight means you drank more than you lost." in printed
    assert "Your answer can point to: Low blood sodium" in printed
    assert "Through: Overdrinking" in printed
    assert "It is checked for emergency red flags." in printed


def test_emergency_panel_and_choice(reasoner: Reasoner, keyboard: Keyboard) -> None:
    """The emergency says what to do now, then offers to stop (default) or continue."""
    flow = Interview(reasoner)
    flow.answer("symptoms", ("confusion",))
    flags = flow.new_emergencies()
    assert keyboard.emergency(flags, ENTER) is False
    assert keyboard.emergency(flags, DOWN + ENTER) is True
    printed = keyboard.printed
    assert "EMERGENCY: get medical help now" in printed
    assert "Do now: Call emergency services now." in printed


# -- whole interviews by keystrokes ------------------------------------------------------------------
def keys_for(step: Step, answers: dict[str, Any]) -> str:
    """The keystrokes a runner would type to give this answer (Don't know if absent)."""
    return answer_keys(step.question, answers.get(step.question.id))


class Typist:
    """An asker that types each answer of an answers file into the real questionary prompts."""

    def __init__(self, keyboard: Keyboard, answers: dict[str, Any]) -> None:
        self.keyboard, self.answers = keyboard, answers
        self.emergencies = 0

    def ask(self, step: Step) -> Reply:
        return self.keyboard.ask(step, keys_for(step, self.answers))

    def explain(self, why: Any) -> None:
        raise AssertionError("no help was asked for")

    def emergency(self, flags: list) -> bool:
        self.emergencies += 1
        return self.keyboard.emergency(flags, DOWN + ENTER)  # continue the questions

    def notice(self, message: str) -> None:
        raise AssertionError(message)


def _bundled_cases() -> list[Any]:
    """Fixture examples always; bundled examples too once the shipped knowledge base loads."""
    cases = [pytest.param(FIXTURE_KB, path, id=f"fixture-{path.stem}")
             for path in sorted(FIXTURE_EXAMPLES.glob("*.yaml"))]
    try:
        kb = api.knowledge()
    except CrampdxError:
        return cases
    present = [EXAMPLES / name for name in PREFERRED_EXAMPLES if (EXAMPLES / name).is_file()]
    if len(present) < 3:
        present = sorted(EXAMPLES.glob("*.yaml"))[:3]
    for path in present:
        try:
            load_answers(path, kb)
        except CrampdxError:
            continue
        cases.append(pytest.param(None, path, id=f"bundled-{path.stem}"))
    return cases


def _signature(diagnosis: Any) -> tuple:
    """What the interview promises to keep: the red flags, the leading causes in order, and the
    plan's items. (Certainties of causes that cannot change the outcome may be lower, since
    goal-directed questioning does not ask what only adds to an already-settled cause.)"""
    return (diagnosis.triage.level, sorted(flag.rule.id for flag in diagnosis.triage.flags),
            diagnosis.leading, [item.id for item in diagnosis.plan])


@pytest.mark.parametrize(("kb_dir", "example"), _bundled_cases())
def test_keystroke_interview_matches_the_answers_file(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path, kb_dir: Path | None,
                                                      example: Path) -> None:
    """Typing an example's answers into the interview (Don't know for what it leaves out) gives
    the same diagnosis (red flags, leading causes and their order, plan items) as `debrief` on
    the file, asks fewer questions than there are, and saves a file that debrief reads back to
    exactly the interview's own diagnosis."""
    if kb_dir is None:
        monkeypatch.delenv("CRAMPDX_SHIPPED_KB", raising=False)
    else:
        monkeypatch.setenv("CRAMPDX_SHIPPED_KB", str(kb_dir))
    monkeypatch.delenv("CRAMPDX_KB", raising=False)
    reasoner = api.reasoner()
    expected = load_answers(example, reasoner.kb)
    typist = Typist(Keyboard(reasoner), dict(expected.values))
    flow = Interview(reasoner)
    outcome = run(flow, typist)
    assert not outcome.stopped_at_emergency
    assert _signature(diagnose(reasoner, flow.answers())) == \
        _signature(diagnose(reasoner, expected))
    assert len(flow.asked) < flow.total
    triage = diagnose(reasoner, expected).triage
    assert (typist.emergencies > 0) == any(f.rule.then == "emergency" for f in triage.flags)
    saved = tmp_path / "saved.yaml"
    saved.write_text(answers_text(flow, saved, complete=True), encoding="utf-8")
    reread, typed = api.diagnose_file(saved), diagnose(reasoner, flow.answers())
    assert [(c.id, c.certainty) for c in reread.causes] == \
        [(c.id, c.certainty) for c in typed.causes]
    assert _signature(reread) == _signature(diagnose(reasoner, expected))


def test_a_refused_number_is_cleared_before_it_is_typed_again(reasoner: Reasoner,
                                                             keyboard: Keyboard) -> None:
    """"84" (taken as °C: out of range) is refused; typing "84 F" again must give 84 °F, not
    "8484 F" (the refused text used to stay on the line)."""
    given = {"event_duration_h": 6, "drink_type": "water", "cramp_sites": ("calf", "face")}
    step = step_for(Interview(reasoner), "temperature_c", given)
    reply = keyboard.ask(step, "84" + ENTER + "84 F" + ENTER)
    assert reply.action == "answer" and reply.value == pytest.approx(28.9, abs=0.05)


def test_yes_no_answers_are_echoed_like_the_others(reasoner: Reasoner, keyboard: Keyboard) -> None:
    """y, n and d answer a yes/no question at once; the scrollback shows what was answered."""
    step = step_for(Interview(reasoner), "fainted")
    assert keyboard.ask(step, "y") == Reply.answer(True)
    assert keyboard.printed.rstrip().endswith("→ yes")
    assert keyboard.ask(step, "n") == Reply.answer(False)
    assert keyboard.printed.rstrip().endswith("→ no")
    assert keyboard.ask(step, "d") == SKIP
    assert keyboard.printed.rstrip().endswith("→ don't know (left unknown)")


def test_a_choice_ticked_with_dont_know_is_not_dropped_silently(reasoner: Reasoner,
                                                                keyboard: Keyboard) -> None:
    """Calf and Don't know ticked: the answer is don't know, and the screen says Calf was
    ticked too and not kept."""
    step = step_for(Interview(reasoner), "cramp_sites")
    assert keyboard.ask(step, SPACE + DOWN * 5 + SPACE + ENTER) == SKIP
    said = " ".join(keyboard.printed.rsplit("→", 1)[-1].split())
    assert said.startswith("don't know") and "not kept: Calf" in said
