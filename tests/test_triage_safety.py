"""Safe triage (issue 8), through real answers files, the real engine and the shipped knowledge:
unknown is never safe, an emergency carries no plan, no EAH report advises drinking more,
symptoms alone point to low blood sodium, a long ultra is long without a duration, and muscle
breakdown is named. Every format a user can ask for is checked where the text matters."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from crampdx import api
from crampdx.diagnosis import Diagnosis
from crampdx.casework import run_cases
from crampdx.knowledge.loader import read_knowledge
from reporting import reports

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
# What an EAH report must never tell the runner (Hew-Butler 2015): drink more, eat and drink
# now, treat it with an electrolyte drink or pickle juice, or dose sodium an hour.
DRINK_MORE = re.compile(
    r"(?<!not )(?<!nothing )\bdrink more\b|eat and drink|pickle juice|electrolyte drink"
    r"|electrolytes in your fluids|mg of sodium an hour", re.IGNORECASE)
NO_RED_FLAGS = re.compile(r"no red flags?", re.IGNORECASE)


def report_json(path: Path) -> dict:
    return json.loads(reports(path)["json"])


def plan_text(diagnosis: Diagnosis) -> str:
    return " ".join(item.text for item in diagnosis.plan)


def test_a_blank_answers_file_never_says_no_red_flags(tmp_path: Path) -> None:
    """Nothing answered is nothing checked: no format says 'no red flags', each names the
    warning signs nobody answered, and JSON marks the report unscreened."""
    blank = tmp_path / "blank.yaml"
    blank.write_text("athlete: Sam\n", encoding="utf-8")
    out = reports(blank)
    for name, text in out.items():
        assert not NO_RED_FLAGS.search(text), name
        if name != "json":  # JSON names them by id, below
            assert "chest pain" in text and "cola-coloured urine" in text, name
            assert "Unanswered is not the same as no" in text, name
    triage = json.loads(out["json"])["triage"]
    kb = api.knowledge()
    red_flags = [q.id for q in kb.questions.values() if q.section == "red_flags"]
    assert triage["screened"] is False and triage["unscreened"] == red_flags
    assert triage["level"] == "self_care" and triage["flags"] == []


def test_every_warning_sign_answered_no_is_screened() -> None:
    """Only a runner who answered every warning sign reads 'no red flags'... unless a flag
    still applies: the over-drinker who feels fine gets self-care advice, not the all-clear."""
    out = reports(EXAMPLES / "weight-gain-feels-fine.yaml")
    triage = json.loads(out["json"])["triage"]
    assert triage["screened"] is True and triage["unscreened"] == []
    assert triage["level"] == "self_care" and triage["conditions"] == ["eah"]
    for name, text in out.items():
        assert not NO_RED_FLAGS.search(text), name
        assert "Drink nothing more until you pass urine" in text, name
        assert "concentrated broth rather than more fluid" in text, name


def test_an_emergency_report_carries_no_training_extras_or_fuelling() -> None:
    """An emergency's plan is only the return to running after medical clearance, in every
    example that is an emergency."""
    emergencies = 0
    for path in sorted(EXAMPLES.glob("*.yaml")):
        out = reports(path)
        report = json.loads(out["json"])
        if report["triage"]["level"] != "emergency":
            continue
        emergencies += 1
        kinds = {item["kind"] for item in report["plan"]}
        assert kinds <= {"medical"}, (path.name, kinds)
        assert report["plan"] and all(
            item["title"] == "Returning to running after medical clearance"
            for item in report["plan"]), path.name
        assert report["plan_context"]["withheld"] == "emergency"
        for fmt in ("terminal", "markdown", "html"):
            text = out[fmt]
            assert "Training: what to change" not in text, (path.name, fmt)
            assert "Extras (the coach's" not in text, (path.name, fmt)
            assert "Next race: fuelling and drinking" not in text, (path.name, fmt)
            assert "Returning to running after medical clearance" in text, (path.name, fmt)
    assert emergencies >= 5


def _eah_diagnoses() -> list[tuple[str, Diagnosis]]:
    """Every example and every shipped case where EAH is flagged or low blood sodium leads."""
    found = [(path.name, api.diagnose_file(path)) for path in sorted(EXAMPLES.glob("*.yaml"))]
    loaded = read_knowledge([ROOT / "knowledge"])
    found += [(case.id, api.diagnose_answers({k: list(v) if isinstance(v, tuple) else v
                                              for k, v in case.answers.items()}))
              for case in loaded.cases.values()]
    return [(name, d) for name, d in found
            if "eah" in d.triage.conditions() or "hyponatremia" in d.leading]


def test_no_eah_report_advises_drinking_more() -> None:
    """Beside a flagged or leading EAH, nothing says drink more, eat and drink, an electrolyte
    drink, pickle juice or sodium an hour; the salt-capsule warning is there instead."""
    eah = _eah_diagnoses()
    assert len(eah) >= 20
    for name, diagnosis in eah:
        advice = plan_text(diagnosis) + " " + " ".join(f.rule.action
                                                       for f in diagnosis.triage.flags)
        assert not DRINK_MORE.search(advice), (name, DRINK_MORE.search(advice))
        if diagnosis.triage.level != "emergency":
            assert "do not prevent low blood sodium" in plan_text(diagnosis), name


def test_the_5h30_marathon_on_plain_water_is_severe_eah() -> None:
    """Confused and vomiting after 5 h 30 on 4 litres of water: emergency, low blood sodium
    first, and no sodium-for-next-race or pickle juice in any format."""
    out = reports(EXAMPLES / "eah-marathon-5h30-plain-water.yaml")
    report = json.loads(out["json"])
    assert report["triage"]["level"] == "emergency"
    assert report["causes"][0]["id"] == "hyponatremia"
    assert "eah" in report["triage"]["conditions"]
    assert "sodium-per-hour" not in {item["id"] for item in report["plan"]}
    for name, text in out.items():
        assert "pickle" not in text.lower(), name
        assert "mg of sodium an hour" not in text, name


def test_symptoms_alone_point_to_eah_when_drinking_is_unanswered() -> None:
    """Nausea, headache and vomiting after a 6 h marathon, drinking never mentioned: low blood
    sodium is listed and leads, and the flag names it."""
    path = EXAMPLES / "sick-after-6h-marathon.yaml"
    report = report_json(path)
    answers = report["answers"]
    assert not {"drank_beyond_thirst", "fluid_ml_per_h", "drink_type"} & set(answers)
    assert report["causes"][0]["id"] == "hyponatremia"
    assert report["triage"]["conditions"][0] == "eah"
    assert report["triage"]["flags"][0]["condition_name"].startswith("Exercise-associated")


def test_a_161_km_ultra_without_a_duration_is_a_long_event() -> None:
    """The duration is estimated from the distance and climb, used by the long-event, EAH and
    painkiller rules, labelled an estimate, and never written into the answers."""
    out = reports(EXAMPLES / "ultra-161k-no-duration.yaml")
    report = json.loads(out["json"])
    assert "event_duration_h" not in report["answers"]
    estimate = report["estimated"]["event_duration_h"]
    assert estimate["value"] > 12 and "Riegel" in estimate["how"]
    assert "crampdx's own assumption" in estimate["how"]
    assert report["findings"]["long_event"] > 0.2
    fired = {e["rule"] for cause in report["causes"] for e in cause["evidence"]}
    assert {"hyponatremia-overdrinking-long-event", "hyponatremia-nsaids-long-event"} <= fired
    long_event = next(e for cause in report["causes"] for e in cause["evidence"]
                      if e["rule"] == "hyponatremia-symptoms-long-event")
    assert "long_event" in long_event["findings"]
    assert report["plan_context"]["duration_estimated"] is True
    for name in ("terminal", "markdown", "html"):
        assert "It is an estimate, not your answer" in out[name].replace("\n", " "), name


def test_severe_pain_with_vomiting_after_a_marathon_is_not_self_care() -> None:
    """Agonising thighs, vomiting and little urine: emergency, muscle breakdown named."""
    report = report_json(EXAMPLES / "rhabdo-pain-vomiting-marathon.yaml")
    assert report["triage"]["level"] == "emergency"
    assert "rhabdomyolysis" in report["triage"]["conditions"]


def test_dark_urine_is_muscle_breakdown_not_just_dehydration() -> None:
    """Cola-coloured urine names exertional rhabdomyolysis with same-day tests, and no format
    explains it away as dehydration."""
    out = reports(EXAMPLES / "cola-urine-trail-race.yaml")
    report = json.loads(out["json"])
    assert report["triage"]["level"] == "see_doctor"
    flag = next(f for f in report["triage"]["flags"] if f["rule"] == "doctor-dark-urine")
    assert flag["condition"] == "rhabdomyolysis"
    assert "CK" in flag["action"]
    for name, text in out.items():
        assert "heavy dehydration" not in text, name
        assert "Exertional rhabdomyolysis" in text, name
    # Muscle breakdown holds training until a doctor clears it; no extras.
    assert report["plan_context"]["cleared_only"] is True
    assert "extra" not in {item["kind"] for item in report["plan"]}
    for name in ("terminal", "markdown", "html"):
        assert "only after a doctor has cleared you" in out[name], name


def test_one_level_per_box(tmp_path: Path) -> None:
    """Confusion after over-drinking with a full-body cramp: the emergency EAH advice shows, the
    see-a-doctor EAH duplicate is superseded, and no box mixes levels."""
    answers = tmp_path / "a.yaml"
    answers.write_text("event_duration_h: 6\ndrank_beyond_thirst: true\ncramp_pattern: full_body\n"
                       "symptoms: [confusion, nausea]\nmedications: [statin]\n", encoding="utf-8")
    out = reports(answers)
    triage = json.loads(out["json"])["triage"]
    shown = [(f["level"], f["condition"]) for f in triage["flags"]]
    assert ("emergency", "eah") in shown and ("see_doctor", "eah") not in shown
    assert {f["rule"] for f in triage["superseded"]} >= {
        "doctor-mild-hyponatremia-symptoms", "doctor-full-body-cramps-after-overdrinking"}
    assert ("see_doctor", "drug_related") in shown  # another condition keeps its own advice
    md = out["markdown"]
    emergency_box = md[md.index("## Red flags: EMERGENCY"):md.index("## Red flags: See a doctor")]
    assert "See a doctor —" not in emergency_box
    assert "have your blood sodium checked today" not in md


def test_spreading_cramps_get_eah_and_heat_advice_right_now(tmp_path: Path) -> None:
    """Right now fits the cramp: cramps that spread are not told a cramp in one muscle will
    fade; they are told to cool down and have temperature and sodium checked."""
    answers = tmp_path / "a.yaml"
    answers.write_text("event_duration_h: 3\ncramp_pattern: spreading\n"
                       "cramp_sites: [calf, hamstring, quadriceps, abdomen]\n"
                       "eased_when_slowing: false\n", encoding="utf-8")
    now = " ".join(item.text for item in api.diagnose_file(answers).plan.section("now"))
    assert "cramp in one muscle that fades" not in now
    assert "temperature" in now and "blood sodium" in now


def test_no_sweat_rate_is_shown_after_weight_gain() -> None:
    """Intake minus weight change counts an over-drinker's urine as sweat: after a gain no
    sweat rate is shown; after a loss it is only an upper bound."""
    gained = api.diagnose_answers({"event_duration_h": 5, "fluid_ml_per_h": 1200,
                                   "weight_change_kg": 1, "temperature_c": 25,
                                   "cramp_pattern": "localized"})
    fluid = next(item for item in gained.plan if item.id == "drink-to-thirst")
    assert fluid.case == "overdrank" and "sweat_l_h" not in fluid.numbers
    assert "sweat at no more than" not in plan_text(gained)
    lost = api.diagnose_answers({"event_duration_h": 4, "fluid_ml_per_h": 600,
                                 "weight_change_kg": -1.5, "temperature_c": 25,
                                 "cramp_pattern": "localized"})
    assert "no more than" in plan_text(lost) and "urine" in plan_text(lost)


def test_recall_figures_in_docs_are_computed_from_the_cases() -> None:
    """docs/validation.md states the figures `crampdx kb test` computes; regenerate it with
    `crampdx kb validation --output docs/validation.md`."""
    from crampdx.engine import Reasoner
    from crampdx.validation import markdown as validation_md, recall

    loaded = read_knowledge([ROOT / "knowledge"])
    report = run_cases(Reasoner(loaded.kb), loaded.cases)
    figures = recall(report)
    assert len(figures.emergencies_hit) == len(figures.emergencies) > 0
    assert len(figures.eah_first) == len(figures.eah) > 0
    assert (ROOT / "docs" / "validation.md").read_text(encoding="utf-8") == \
        validation_md(report), "run 'crampdx kb validation --output docs/validation.md'"


def test_every_shipped_red_flag_names_a_condition_with_its_advice() -> None:
    """Each shipped triage rule names the condition it suggests; every condition a flag names
    exists, and those that hold training say how to return to running."""
    kb = api.knowledge()
    triage = [rule for rule in kb.rules.values() if rule.then_kind == "triage"]
    assert triage and all(rule.condition in kb.conditions for rule in triage), \
        [rule.id for rule in triage if rule.condition not in kb.conditions]
    for required in ("eah", "heat_stroke", "rhabdomyolysis", "cardiac"):
        assert kb.conditions[required].return_to_running, required
    assert all(c.return_to_running for c in kb.conditions.values() if c.clearance)


def test_a_triage_rule_naming_an_unknown_condition_is_refused(tmp_path: Path) -> None:
    """`kb check` validates the reference, with a did-you-mean."""
    overlay = tmp_path / "kb"
    overlay.mkdir()
    (overlay / "flags.yaml").write_text(
        "rules:\n  - id: doctor-new-flag\n    when: {night_cramps: true}\n"
        "    then: {triage: see_doctor}\n    condition: cardiak\n"
        "    because: Test.\n    action: See a doctor.\n    source: medical_red_flags\n",
        encoding="utf-8")
    problems = [str(p) for p in read_knowledge([ROOT / "knowledge", overlay]).problems]
    assert any("unknown condition 'cardiak'" in p and "did you mean 'cardiac'" in p
               and "flags.yaml:5" in p for p in problems), problems


def test_heat_stroke_supersedes_the_milder_heat_advice() -> None:
    """The hot, confused half-marathoner reads 'cool first, call emergency services', not also
    'see a doctor' for the same heat illness (heat exhaustion is a milder form of heat stroke)."""
    out = reports(EXAMPLES / "heat-stroke-half.yaml")
    triage = json.loads(out["json"])["triage"]
    assert triage["flags"][0]["condition"] == "heat_stroke"
    assert "heat_exhaustion" not in triage["conditions"]
    assert "doctor-overheated" in {f["rule"] for f in triage["superseded"]}
    assert "See a doctor" not in out["terminal"].split("Likely causes")[0]


def test_the_new_questions_are_asked_only_when_they_can_matter() -> None:
    """Goal-directed questioning on the shipped knowledge: blood sodium is asked after nausea
    in a long race and never when nothing points to low blood sodium; the urine and collapse
    warning signs are always asked."""
    from test_interview_flow import Script  # the flow tests' scripted runner

    from crampdx.interview import Interview, run

    def asked(answers: dict) -> list[str]:
        flow = Interview(api.reasoner())
        script = Script(answers)
        run(flow, script)
        return script.asked

    sick = asked({"symptoms": ["nausea", "headache"], "event_distance_km": 42.2,
                  "event_duration_h": 5.5})
    assert "blood_sodium_mmol_l" in sick
    well = asked({"symptoms": [], "event_distance_km": 10, "event_duration_h": 0.8,
                  "weight_change_kg": -0.5, "collapsed_after_finish": False})
    assert "blood_sodium_mmol_l" not in well
    for either in (sick, well):
        assert {"urine_after", "collapsed_after_finish"} <= set(either)


def test_a_150_km_ultra_without_a_duration_is_long_too() -> None:
    """The coach's own distance, no time given: estimated far beyond four hours."""
    diagnosis = api.diagnose_answers({"event_distance_km": 150, "terrain": "mountain",
                                      "drank_beyond_thirst": True})
    assert diagnosis.estimated["event_duration_h"].value > 12
    assert diagnosis.findings["long_event"] > 0.2
    assert "event_duration_h" not in diagnosis.answers.values


def test_a_sign_the_runner_answered_is_not_listed_as_unchecked(run_cli) -> None:  # type: ignore[no-untyped-def]
    """rhabdo-downhill-marathon answered dark urine (an emergency flag for muscle breakdown
    fired): every rule reading the unanswered `urine_after` names muscle breakdown at that
    level or lower, so the box must not ask about "little or no urine, or cola-coloured
    urine", and the JSON lists it as moot, not unscreened."""
    example = str(EXAMPLES / "rhabdo-downhill-marathon.yaml")
    _, text, _ = run_cli("debrief", example)
    box = text[text.index("Warning signs not checked"):text.index("Likely causes")]
    assert "urine" not in box
    assert "fainting while running" in box  # still unanswered and not moot
    _, out, _ = run_cli("debrief", example, "-f", "json")
    triage = json.loads(out)["triage"]
    assert "urine_after" in triage["moot"] and "urine_after" not in triage["unscreened"]
    assert triage["screened"] is False


def _possible_answers(question) -> list:  # type: ignore[no-untyped-def]
    if question.type == "bool":
        return [True, False]
    if question.type == "multi":
        return [[choice] for choice in question.choices]
    if question.choices:
        return list(question.choices)
    return []


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_a_moot_question_could_not_change_the_triage(example: Path) -> None:
    """Moot is safe only if it is true: answering a moot question any way it can be answered
    never raises the triage level nor names a new condition."""
    diagnosis = api.diagnose_file(example)
    kb = api.reasoner(None).kb
    values = {key: list(value) if isinstance(value, (tuple, set, frozenset)) else value
              for key, value in diagnosis.answers.values.items()}
    for qid in diagnosis.triage.moot:
        for value in _possible_answers(kb.questions[qid]):
            other = api.diagnose_answers({**values, **diagnosis.answers.meta, qid: value})
            assert other.triage.level == diagnosis.triage.level, (qid, value)
            assert set(other.triage.conditions()) <= set(diagnosis.triage.conditions()) \
                | {f.rule.condition for f in diagnosis.triage.superseded}, (qid, value)
