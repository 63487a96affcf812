"""The interview's question flow, driven by a scripted asker: order, skip logic, goal-directed
questioning, don't know, back, WHY, red flags, and saving/resuming. No terminal involved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crampdx import api
from crampdx.answers import AnswerError, Answers, load_answers, parse_answers
from crampdx.diagnosis import diagnose
from crampdx.engine import Evidence, Reasoner
from crampdx.questioning import relevant_questions
from crampdx.interview import (
    BACK,
    HELP,
    SKIP,
    Interview,
    Reply,
    Step,
    Why,
    parse_text_reply,
    question_order,
    run,
    skipped_in,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_KB = ROOT / "tests" / "fixtures" / "interview" / "kb"


@pytest.fixture
def reasoner(monkeypatch: pytest.MonkeyPatch) -> Reasoner:
    """The interview fixture knowledge base (independent of the shipped one)."""
    monkeypatch.setenv("CRAMPDX_SHIPPED_KB", str(FIXTURE_KB))
    monkeypatch.delenv("CRAMPDX_KB", raising=False)
    return api.reasoner()


class Script:
    """An asker that answers from a mapping (missing = don't know) and records what it saw.
    A value may be a Reply (back, help, skip) or a list of replies consumed in turn."""

    def __init__(self, answers: dict[str, Any], *, continue_after_emergency: bool = True) -> None:
        self.answers = {k: (list(v) if isinstance(v, list) and v and isinstance(v[0], Reply)
                            else v) for k, v in answers.items()}
        self.steps: list[Step] = []
        self.whys: list[Why] = []
        self.notices: list[str] = []
        self.emergencies: list[list[str]] = []
        self.emergency_after: list[str] = []  # the question just answered when each showed
        self.continue_after_emergency = continue_after_emergency

    @property
    def asked(self) -> list[str]:
        return [step.question.id for step in self.steps]

    def ask(self, step: Step) -> Reply:
        self.steps.append(step)
        value = self.answers.get(step.question.id, SKIP)
        if isinstance(value, list) and value and isinstance(value[0], Reply):
            reply = value.pop(0)
            if not value:
                del self.answers[step.question.id]
            return reply
        if isinstance(value, Reply):
            return value
        return Reply.answer(value)

    def explain(self, why: Why) -> None:
        self.whys.append(why)

    def emergency(self, flags: list[Evidence]) -> bool:
        self.emergencies.append([flag.rule.id for flag in flags])
        self.emergency_after.append(self.asked[-1] if self.steps else "")
        return self.continue_after_emergency

    def notice(self, message: str) -> None:
        self.notices.append(message)


def test_red_flags_come_first_whatever_the_file_order(reasoner: Reasoner) -> None:
    """event_distance_km is listed first in the YAML, but the red_flags section is asked first;
    the rest follows the sections' order."""
    order = question_order(reasoner.kb)
    assert order[:2] == ["symptoms", "fainted"]
    sections = [reasoner.kb.questions[q].section for q in order]
    assert sections == sorted(sections, key=list(reasoner.kb.sections).index)


def test_a_short_interview_asks_only_what_can_matter(reasoner: Reasoner) -> None:
    """A question no rule reads (caffeine_high) and one made pointless by earlier answers
    (eased_when_slowing after full-body cramps) are never asked; the race's description
    (event_distance_km) is, because the plan is sized from it."""
    script = Script({"symptoms": (), "fainted": False, "event_duration_h": 9.5,
                     "temperature_c": 29, "heat_acclimatized": True,
                     "cramp_pattern": "full_body", "cramp_sites": ("calf", "face"),
                     "onset_km": 45, "drink_type": "water", "fluid_ml_per_h": 900,
                     "drank_beyond_thirst": True, "weight_change_kg": 1.5,
                     "longest_run_km": 60, "long_runs_12w": 10})
    flow = Interview(reasoner)
    outcome = run(flow, script)
    assert not outcome.stopped_at_emergency
    assert "caffeine_high" not in script.asked
    assert "eased_when_slowing" not in script.asked
    assert "event_distance_km" in script.asked
    assert len(flow.asked) == len(script.asked) < flow.total
    assert diagnose(reasoner, flow.answers()).causes[0].id == "hyponatremia"


def test_ask_if_skips_follow_up_questions(reasoner: Reasoner) -> None:
    """Nothing to drink: how much and beyond thirst are not asked; cool race: no acclimatization
    question. The conditions come from the YAML's ask_if."""
    script = Script({"symptoms": (), "fainted": False, "temperature_c": 12,
                     "drink_type": "none", "event_duration_h": 6})
    run(Interview(reasoner), script)
    for follow_up in ("fluid_ml_per_h", "drank_beyond_thirst", "heat_acclimatized"):
        assert follow_up not in script.asked


def test_dont_know_is_unknown_and_ends_what_depended_on_it(reasoner: Reasoner) -> None:
    """A skipped question is left out of the answers (unknown, not no), and a rule that needs it
    can no longer fire: "drank beyond thirst" only mattered with plain water, so after "don't
    know" to the drink it is not asked."""
    script = Script({"symptoms": (), "fainted": False, "event_duration_h": 6,
                     "cramp_sites": ("face",), "drink_type": SKIP, "fluid_ml_per_h": 600})
    flow = Interview(reasoner)
    run(flow, script)
    assert "drink_type" in script.asked and "drink_type" not in flow.values
    assert "drink_type" in flow.skipped
    assert "drank_beyond_thirst" not in script.asked
    assert "fluid_ml_per_h" in script.asked  # still matters through its own rule


def test_relevance_only_narrows_the_open_rules(reasoner: Reasoner) -> None:
    """At every step, the questions the flow still wants are among those some open rule reads
    (crampdx.questioning.relevant_questions without the outcome test): goal-directed
    questioning only ever drops questions, never invents them."""
    checked = 0

    class Checking(Script):
        def ask(self, step: Step) -> Reply:
            nonlocal checked
            any_rule = relevant_questions(flow.kb, flow.values, flow.findings,
                                          unknowable=flow.skipped)
            assert flow.relevant() <= any_rule - set(flow.asked)
            checked += 1
            return super().ask(step)

    flow = Interview(reasoner)
    run(flow, Checking({"symptoms": ("nausea",), "fainted": False, "event_duration_h": 5,
                        "temperature_c": 26, "heat_acclimatized": False,
                        "cramp_pattern": "localized", "cramp_sites": ("calf",),
                        "eased_when_slowing": True, "onset_km": 30, "drink_type": "water",
                        "fluid_ml_per_h": 1200, "drank_beyond_thirst": False,
                        "weight_change_kg": -1, "longest_run_km": 25, "long_runs_12w": 3}))
    assert checked > 5


def test_emergency_shows_at_once_and_can_stop(reasoner: Reasoner) -> None:
    """Confusion is an emergency: the asker hears it right after that answer, and stopping
    there ends the interview with the red flag in the outcome."""
    script = Script({"symptoms": ("confusion",)}, continue_after_emergency=False)
    flow = Interview(reasoner)
    outcome = run(flow, script)
    assert script.asked == ["symptoms"]
    assert script.emergencies == [["emergency-confusion"]]
    assert outcome.stopped_at_emergency
    assert diagnose(reasoner, flow.answers()).triage.level == "emergency"


def test_emergency_through_a_finding_shows_once_when_it_appears(reasoner: Reasoner) -> None:
    """Vomiting is an emergency only after overdrinking: the flag appears when the weight gain
    is answered, not before, and is shown once even as more answers come."""
    script = Script({"symptoms": ("vomiting",), "fainted": False, "event_duration_h": 3,
                     "weight_change_kg": 1.0, "drink_type": "water"})
    run(Interview(reasoner), script)
    assert script.emergencies == [["emergency-vomiting-after-overdrinking"]]
    assert script.emergency_after == ["weight_change_kg"]


def test_prefilled_emergency_is_shown_before_any_question(reasoner: Reasoner) -> None:
    """A coach's file that already says 'fainted' shows the emergency before asking anything."""
    prefilled = parse_answers({"fainted": True}, reasoner.kb)
    script = Script({}, continue_after_emergency=False)
    outcome = run(Interview(reasoner, prefilled=prefilled), script)
    assert script.emergencies == [["emergency-fainting"]] and script.asked == []
    assert outcome.stopped_at_emergency


def test_back_returns_to_the_previous_question_and_changes_it(reasoner: Reasoner) -> None:
    """Back at the third question re-asks the second with its earlier answer; the new answer
    replaces it, and the interview carries on from where it was."""
    script = Script({"symptoms": (), "fainted": False,
                     "event_distance_km": [BACK, Reply.answer(42.2)],
                     "temperature_c": 10})
    # fainted is answered False first, then True after going back
    script.answers["fainted"] = [Reply.answer(False), Reply.answer(True)]
    flow = Interview(reasoner)
    run(flow, script)
    assert script.asked[:5] == ["symptoms", "fainted", "event_distance_km", "fainted",
                                "event_distance_km"]
    revisit = script.steps[3]
    assert revisit.previous is False and revisit.number == 2
    assert flow.values["fainted"] is True
    assert script.emergencies == [["emergency-fainting"]]
    assert flow.asked.count("fainted") == 1


def test_back_at_the_first_question_says_so(reasoner: Reasoner) -> None:
    """There is nothing before the first question: the asker is told, and asked again."""
    script = Script({"symptoms": [BACK, Reply.answer(())], "fainted": False})
    run(Interview(reasoner), script)
    assert script.asked[:2] == ["symptoms", "symptoms"]
    assert script.notices and "first question" in script.notices[0]
    assert not script.steps[0].can_go_back


def test_changing_an_answer_drops_follow_ups_it_made_pointless(reasoner: Reasoner) -> None:
    """Water, then how much per hour; back twice and change the drink to 'nothing': the
    per-hour answer no longer applies (its ask_if fails), so it is dropped, not saved."""
    flow = Interview(reasoner)
    given = {"symptoms": (), "fainted": False, "event_duration_h": 6, "temperature_c": 10,
             "cramp_sites": ("face",), "drink_type": "water", "fluid_ml_per_h": 1500}
    while (qid := _next_id(flow)) != "drank_beyond_thirst":
        assert qid is not None
        flow.answer(qid, given.get(qid))
    assert flow.asked[-2:] == ["drink_type", "fluid_ml_per_h"]
    assert flow.back() and _next_id(flow) == "fluid_ml_per_h"
    assert flow.back() and _next_id(flow) == "drink_type"
    flow.answer("drink_type", "none")
    assert "fluid_ml_per_h" not in flow.values and "fluid_ml_per_h" not in flow.asked
    assert _next_id(flow) != "drank_beyond_thirst"


def _next_id(flow: Interview) -> str | None:
    step = flow.next_step()
    return step.question.id if step is not None else None


def test_why_names_the_causes_an_answer_can_confirm_or_rule_out(reasoner: Reasoner) -> None:
    """cramp_pattern feeds low blood sodium and salt loss, and counts against salt loss
    (localized cramps that fade); weight change reaches low blood sodium through the
    overdrinking finding and can raise an emergency with vomiting."""
    flow = Interview(reasoner)
    why = flow.why("cramp_pattern")
    assert why.question.help.startswith("Full-body cramps")
    assert set(why.supports) == {"Low blood sodium", "Salt loss"}
    assert why.against == ("Salt loss",)
    weight = flow.why("weight_change_kg")
    assert weight.supports == ("Low blood sodium",)
    assert weight.findings == ("Overdrinking",)
    assert weight.red_flags == ("emergency",)
    assert flow.why("symptoms").red_flags == ("emergency", "see_doctor")


def test_why_follows_the_answers_so_far(reasoner: Reasoner) -> None:
    """Once the cramps are known to be localized, the pattern-based hyponatremia rule is
    decided; WHY for the sites question then no longer promises what it cannot do."""
    flow = Interview(reasoner)
    flow.answer("event_duration_h", 2)  # too short for the overdrinking-by-volume rule
    flow.answer("weight_change_kg", -1.0)
    flow.answer("drink_type", "sports_drink")
    why = flow.why("cramp_sites")
    assert "Low blood sodium" not in why.supports
    assert why.supports == ("Too little training",)


def test_help_then_answer_repeats_the_same_question(reasoner: Reasoner) -> None:
    """'?' shows WHY and asks the same question again, without counting it twice."""
    script = Script({"symptoms": [HELP, Reply.answer(())], "fainted": False})
    flow = Interview(reasoner)
    run(flow, script)
    assert script.asked[:3] == ["symptoms", "symptoms", "fainted"]
    assert [w.question.id for w in script.whys] == ["symptoms"]
    assert flow.asked[:2] == ["symptoms", "fainted"]


def test_progress_numbers(reasoner: Reasoner) -> None:
    """Question k counts up; 'about n' is never below the question's own number (it may shrink
    or grow as answers settle what still matters); sections announce themselves once."""
    script = Script({"symptoms": (), "fainted": False, "event_duration_h": 3,
                     "temperature_c": 12, "cramp_pattern": "localized",
                     "eased_when_slowing": True})
    run(Interview(reasoner), script)
    numbers = [step.number for step in script.steps]
    assert numbers == list(range(1, len(numbers) + 1))
    assert all(step.about >= step.number for step in script.steps)
    assert script.steps[-1].about >= len(script.steps)
    firsts = [step.section.id for step in script.steps if step.first_in_section]
    assert firsts == list(dict.fromkeys(step.section.id for step in script.steps))
    assert script.steps[0].section.title == "Warning signs first"


def test_prefilled_answers_are_not_asked(reasoner: Reasoner) -> None:
    """A coach's half-filled file: those questions are skipped, the rest is asked."""
    prefilled = parse_answers({"symptoms": [], "fainted": False, "temperature_c": "84 F",
                               "athlete": "Ann"}, reasoner.kb)
    script = Script({})
    flow = Interview(reasoner, prefilled=prefilled)
    run(flow, script)
    assert {"symptoms", "fainted", "temperature_c"}.isdisjoint(script.asked)
    assert flow.answers().meta == {"athlete": "Ann"}
    assert flow.answers().values["temperature_c"] == pytest.approx(28.9)


def test_parse_text_reply() -> None:
    """Typed replies: '?' is why, '<' back, empty or "don't know" skip; numbers convert."""
    from crampdx.knowledge.model import Origin, Question

    question = Question("onset_km", "cramps", "When?", "number", "Help.", Origin("x"),
                        unit="km", range=(0, 500))
    assert parse_text_reply(question, " ? ") == HELP
    assert parse_text_reply(question, "<") == BACK
    assert parse_text_reply(question, "") == SKIP
    assert parse_text_reply(question, "Don't know") == SKIP
    reply = parse_text_reply(question, "28 mi")
    assert reply.action == "answer" and reply.value == pytest.approx(45.1)
    with pytest.raises(AnswerError, match="out of range"):
        parse_text_reply(question, "600")
    with pytest.raises(AnswerError, match="not a number"):
        parse_text_reply(question, "far")


def test_saved_answers_round_trip_with_dont_know(reasoner: Reasoner, tmp_path: Path) -> None:
    """The saved file keeps "don't know" (so a resume does not ask again), and debrief reads it
    to the same diagnosis as the interview's own answers."""
    from crampdx.cli_interview import answers_text, load_progress

    flow = Interview(reasoner)
    run(flow, Script({"symptoms": ("nausea",), "fainted": False, "event_duration_h": 9,
                      "temperature_c": SKIP, "cramp_pattern": "full_body",
                      "drink_type": "water", "drank_beyond_thirst": True}))
    path = tmp_path / "saved.yaml"
    path.write_text(answers_text(flow, path, complete=True), encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    assert "temperature_c: don't know" in text and f"crampdx debrief {path}" in text
    loaded = load_answers(path, reasoner.kb)
    assert loaded.values == flow.values
    assert _signature(diagnose(reasoner, loaded)) == _signature(diagnose(reasoner, flow.answers()))
    resumed, skipped = load_progress(path, reasoner.kb)
    assert "temperature_c" in skipped and resumed.values == flow.values


def test_resume_continues_where_it_stopped(reasoner: Reasoner) -> None:
    """A resumed interview asks nothing already answered or skipped, continues at the next
    question, numbers it after the earlier ones, and Back can reach the resumed answers."""
    first = Interview(reasoner)
    for qid, value in (("symptoms", ()), ("fainted", False), ("event_distance_km", 42.2),
                       ("event_duration_h", None)):
        assert first.next_step().question.id == qid  # type: ignore[union-attr]
        first.answer(qid, value)
    saved = first.answers_for_saving()
    data = {k: (list(v) if isinstance(v, tuple) else v) for k, v in saved.values.items()}
    resumed = parse_answers(data, reasoner.kb)
    flow = Interview(reasoner, resumed=resumed, skipped=skipped_in(data, resumed, reasoner.kb))
    step = flow.next_step()
    assert step is not None and step.question.id == "temperature_c" and step.number == 5
    assert flow.back() and flow.next_step().question.id == "event_duration_h"  # type: ignore


class Reviewer(Script):
    """A Script that, once nothing is left to ask, changes the answers named in `changes` in
    turn, then asks for the report."""

    def __init__(self, answers: dict[str, Any], changes: list[str]) -> None:
        super().__init__(answers)
        self.changes = list(changes)
        self.reviews: list[list[str]] = []

    def review(self, given: list[Any]) -> str | None:
        self.reviews.append([item.question.id for item in given])
        return self.changes.pop(0) if self.changes else None


def _finished(reasoner: Reasoner) -> tuple[Interview, dict[str, Any]]:
    """A finished interview, saved and resumed as `crampdx interview --resume` reads it."""
    first = Interview(reasoner)
    run(first, Script({"symptoms": (), "fainted": False, "event_distance_km": 42.2,
                       "event_duration_h": 4, "temperature_c": None,
                       "cramp_pattern": "localized"}))
    saved = first.answers_for_saving()
    data = {k: (list(v) if isinstance(v, tuple) else v) for k, v in saved.values.items()}
    resumed = parse_answers(data, reasoner.kb)
    return (Interview(reasoner, resumed=resumed,
                      skipped=skipped_in(data, resumed, reasoner.kb)), data)


def test_finished_resume_offers_to_change_an_answer(reasoner: Reasoner) -> None:
    """Resuming a finished interview asks nothing by itself: it offers the earlier answers; the
    chosen one is asked again with its answer filled in and its own number, the change counts
    (and Don't know can be changed to an answer), then the offer comes back until the runner
    asks for the report."""
    flow, data = _finished(reasoner)
    asked_before = list(flow.asked)
    assert flow.candidates() == []
    script = Reviewer({"event_distance_km": 50.0, "temperature_c": 31.0},
                      ["event_distance_km", "temperature_c"])
    outcome = run(flow, script)
    assert not outcome.stopped_at_emergency
    assert script.reviews[0] == asked_before and len(script.reviews) == 3
    distance = script.steps[0]
    assert distance.question.id == "event_distance_km" and distance.previous == 42.2
    assert distance.number == asked_before.index("event_distance_km") + 1
    temperature = next(s for s in script.steps if s.question.id == "temperature_c")
    assert temperature.skipped_before and temperature.previous is None
    assert flow.values["event_distance_km"] == 50.0 and flow.values["temperature_c"] == 31.0
    assert "temperature_c" not in flow.skipped


def test_finished_resume_without_review_goes_to_the_report(reasoner: Reasoner) -> None:
    """An asker that offers no review (or a runner who asks for the report at once) changes
    nothing; a fresh interview never offers the review."""
    flow, _ = _finished(reasoner)
    before = dict(flow.values)
    script = Reviewer({}, [])
    run(flow, script)
    assert script.steps == [] and len(script.reviews) == 1 and flow.values == before
    fresh = Reviewer({"symptoms": (), "fainted": False}, ["symptoms"])
    run(Interview(reasoner), fresh)
    assert fresh.reviews == []


def test_a_new_question_in_an_overlay_is_asked(reasoner: Reasoner, tmp_path: Path) -> None:
    """A question and a rule added in a --kb directory appear in the interview, in their
    section, with no code change; the WHY comes from the new rule."""
    overlay = tmp_path / "coach"
    overlay.mkdir()
    (overlay / "extra.yaml").write_text(
        "questions:\n"
        "  - id: new_shoes\n"
        "    section: training\n"
        "    ask: Did you race in new shoes?\n"
        "    type: bool\n"
        "    help: New shoes change how the calves work.\n"
        "rules:\n"
        "  - id: new-shoes-calves\n"
        "    when: {new_shoes: true}\n"
        "    then: {cause: insufficient_training}\n"
        "    certainty: 0.3\n"
        "    because: New shoes load the calves differently.\n"
        "    source: seed\n", encoding="utf-8")
    extended = api.reasoner([overlay])
    script = Script({"new_shoes": True})
    flow = Interview(extended)
    run(flow, script)
    assert "new_shoes" in script.asked
    step = next(s for s in script.steps if s.question.id == "new_shoes")
    assert step.section.title == "Training" and step.question.ask == "Did you race in new shoes?"
    assert flow.why("new_shoes").supports == ("Too little training",)
    assert diagnose(extended, flow.answers()).causes[0].id == "insufficient_training"


def _signature(diagnosis: Any) -> tuple:
    return (diagnosis.triage.level, [(c.id, c.certainty) for c in diagnosis.causes],
            [(c.id, c.certainty) for c in diagnosis.ruled_out], diagnosis.leading,
            [item.remedy.id for item in diagnosis.plan], diagnosis.findings)


def test_answers_object_is_a_copy(reasoner: Reasoner) -> None:
    """answers() hands out a snapshot: later answers do not change an earlier one."""
    flow = Interview(reasoner)
    flow.answer("fainted", False)
    snapshot: Answers = flow.answers()
    flow.answer("fainted", True)
    assert snapshot.values == {"fainted": False}
