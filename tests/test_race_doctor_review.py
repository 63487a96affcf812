"""A race doctor's review of the red-flag triage, through real answers files, the real engine
and the shipped knowledge: what a runner reads in the red-flag box and the plan for measured
sodium, nausea with a normal sodium, collapse, fainting in the heat, long cramps with
weakness and suspected muscle breakdown. The knowledge cases in
knowledge/cases/race-doctor-review.yaml pin the levels; these check the words."""

from __future__ import annotations

import json
from pathlib import Path

from crampdx import api
from crampdx.knowledge.loader import read_knowledge
from crampdx.render import json as json_render, markdown, terminal

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def debrief(tmp_path: Path, text: str) -> tuple[dict, str, str]:
    """JSON (parsed), Markdown and terminal text of one answers file."""
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    diagnosis, kb = api.diagnose_file(path), api.knowledge()
    return (json.loads(json_render.render(diagnosis, kb)), markdown.render(diagnosis, kb),
            terminal.render(diagnosis, kb))


def red_flags(md: str) -> str:
    """The Markdown report up to its causes: every red-flag box."""
    return md.split("## Likely causes")[0].split("## Your plan")[0]


def test_sodium_below_130_without_symptoms_is_observed_not_an_emergency(tmp_path: Path) -> None:
    """Hew-Butler 2015 grades EAH by symptoms: 128 mmol/L with none is see-a-doctor, but the
    runner is told to stay under observation, not to go home, and when it becomes an emergency;
    nothing asks to have the already measured sodium checked."""
    report, md, _ = debrief(tmp_path, "event_distance_km: 42.2\nevent_duration_h: 5\n"
                                      "symptoms: []\nblood_sodium_mmol_l: 128\n")
    assert report["triage"]["level"] == "see_doctor"
    assert report["triage"]["conditions"] == ["eah"]
    box = red_flags(md)
    assert "not home alone" in box and "emergency" in box.lower()
    assert "blood sodium checked" not in md


def test_a_measured_low_sodium_replaces_get_it_checked(tmp_path: Path) -> None:
    """Nausea with 133 mmol/L: one EAH flag that says stay with the medics until urine comes,
    not 'have your blood sodium checked today' beside the measured value."""
    report, md, _ = debrief(tmp_path, "event_distance_km: 42.2\nevent_duration_h: 5\n"
                                      "symptoms: [nausea]\nblood_sodium_mmol_l: 133\n")
    flags = [f["rule"] for f in report["triage"]["flags"]]
    assert flags == ["doctor-measured-low-sodium"]
    assert "blood sodium checked" not in md
    assert "until you pass urine" in red_flags(md)


def test_nausea_with_a_normal_sodium_after_an_ultra_is_self_care(tmp_path: Path) -> None:
    """139 mmol/L after a 100 km ultra rules EAH out: nausea alone is self care with clear
    limits (no painkillers; help if vomiting goes on or urine is little or dark), sourced,
    and no box tells the runner to see a doctor."""
    report, md, term = debrief(tmp_path, "event_distance_km: 100\nevent_duration_h: 13\n"
                                         "symptoms: [nausea]\nblood_sodium_mmol_l: 139\n")
    assert report["triage"]["level"] == "self_care"
    assert report["triage"]["conditions"] == ["sick_after_race"]
    box = red_flags(md)
    assert "See a doctor" not in box and "ibuprofen" in box and "dark urine" in box
    assert [f["source"] for f in report["triage"]["flags"]] == ["stuempfle_2015"]
    assert "Stuempfle" in box and "Stuempfle" in term  # the source is printed beside it
    assert "hyponatremia" not in {c["id"] for c in report["causes"]}
    assert "No red flags" not in term


def test_collapse_after_the_finish_gives_way_to_heat_stroke(tmp_path: Path) -> None:
    """Collapsed and burning hot: the box says cool first and does not also say 'lie down with
    the legs raised' for an ordinary post-finish collapse (superseded, Asplund 2011)."""
    report, md, _ = debrief(tmp_path, "event_distance_km: 21.1\ntemperature_c: 28\n"
                                      "overheated: true\ncollapsed_after_finish: true\n"
                                      "symptoms: []\n")
    triage = report["triage"]
    assert triage["level"] == "emergency" and triage["conditions"][0] == "heat_stroke"
    assert "exercise_collapse" not in triage["conditions"]
    assert "doctor-collapsed-after-finish" in {f["rule"] for f in triage["superseded"]}
    box = red_flags(md)
    assert "Cool first" in box and "legs and hips raised" not in box


def test_collapse_after_a_cool_finish_stays_see_a_doctor(tmp_path: Path) -> None:
    """Without heat or symptoms, a collapse after the finish keeps its own advice (legs up,
    medics check temperature and sodium) and is not a heart flag."""
    report, md, _ = debrief(tmp_path, "event_distance_km: 42.2\nevent_duration_h: 4\n"
                                      "temperature_c: 14\ncollapsed_after_finish: true\n"
                                      "overheated: false\nfainted: false\nsymptoms: []\n")
    assert report["triage"]["level"] == "see_doctor"
    assert report["triage"]["conditions"] == ["exercise_collapse"]
    assert "legs and hips raised" in red_flags(md)


def test_fainting_in_the_heat_says_cool_first_then_check_the_heart(tmp_path: Path) -> None:
    """Heat stroke's 'cool first' comes first; the heart flag stays and says why heat does not
    rule a heart cause out."""
    report, md, _ = debrief(tmp_path, "event_distance_km: 10\ntemperature_c: 29\n"
                                      "overheated: true\nfainted: true\nsymptoms: []\n")
    conditions = report["triage"]["conditions"]
    assert conditions[0] == "heat_stroke" and "cardiac" in conditions
    box = red_flags(md)
    assert box.index("Cool first") < box.index("ECG")


def test_a_long_cramp_that_left_weakness_is_not_told_sooner_if_weak(tmp_path: Path) -> None:
    """The runner said the muscle stayed weak: no flag may then say 'sooner if it stays weak'
    as if it had not; the report asks for a CK test within a day."""
    report, md, _ = debrief(tmp_path, "event_distance_km: 21.1\ncramp_over_10_min: true\n"
                                      "muscle_weakness: true\ncramp_pattern: localized\n"
                                      "cramp_sites: [hamstring]\n")
    assert report["triage"]["level"] == "see_doctor"
    box = red_flags(md)
    assert "and sooner if" not in box and "CK" in box and "today or tomorrow" in box


def test_suspected_muscle_breakdown_drops_eccentric_training() -> None:
    """Cola-coloured urine after a mountain race: no lunges, downhill sessions, hill circuits
    or long outings on the race's mountain ground in the plan (the condition's return to
    running puts eccentric work last)."""
    diagnosis = api.diagnose_file(EXAMPLES / "cola-urine-trail-race.yaml")
    assert "rhabdomyolysis" in diagnosis.triage.conditions()
    ids = {item.id for item in diagnosis.plan}
    assert not ids & {"deep-walking-lunges", "race-specific-downhills", "hill-circuit",
                      "repeated-bout-protection", "race-terrain"}
    assert "return-rhabdomyolysis" in ids


def test_superseded_by_naming_an_unknown_condition_is_refused(tmp_path: Path) -> None:
    """`kb check` validates `superseded_by`, with a did-you-mean."""
    overlay = tmp_path / "kb"
    overlay.mkdir()
    (overlay / "conditions.yaml").write_text(
        "conditions:\n  - id: odd_collapse\n    name: Odd collapse\n    summary: Test.\n"
        "    source: asplund_2011\n    superseded_by: [heat_strok]\n", encoding="utf-8")
    problems = [str(p) for p in read_knowledge([ROOT / "knowledge", overlay]).problems]
    assert any("unknown condition 'heat_strok'" in p and "did you mean 'heat_stroke'" in p
               for p in problems), problems


def test_mild_eah_stops_sports_drink_too(tmp_path: Path) -> None:
    """Nausea and a headache after 5 h on sports drink with a weight gain: the advice is to
    drink nothing more until urine comes (Hew-Butler 2015), not only to stop plain water,
    which would leave an over-drinker free to keep drinking sports drink."""
    report, md, _ = debrief(tmp_path, "event_distance_km: 42.2\nevent_duration_h: 5\n"
                                      "symptoms: [nausea, headache]\ndrink_type: sports_drink\n"
                                      "drank_beyond_thirst: true\nweight_change_kg: 1.2\n")
    assert report["triage"]["level"] == "see_doctor"
    box = red_flags(md)
    assert "Drink nothing more, water or sports drink, until you pass urine" in box
    assert "Stop drinking plain water" not in box


def test_same_day_muscle_and_kidney_tests_say_where(tmp_path: Path) -> None:
    """Little urine after a 100 km ultra on ibuprofen: CK and kidney tests today, and the
    runner is told where to get them when no doctor can see them today."""
    report, md, _ = debrief(tmp_path, "event_distance_km: 100\nevent_duration_h: 14\n"
                                      "urine_after: none_or_little\nsymptoms: []\n"
                                      "medications: [nsaid]\n")
    assert "rhabdomyolysis" in report["triage"]["conditions"]
    actions = [f["action"] for f in report["triage"]["flags"]
               if f["condition"] == "rhabdomyolysis"]
    assert actions and all("emergency department if no doctor can see you today" in a
                           for a in actions)
