"""Triage fixes found by blind held-out cases (knowledge/cases/heldout-2026-11.yaml), checked in
the reports a runner reads: real answers files, the real engine and the shipped knowledge.

- Dizzy after a race in which the runner lost weight: postural dizziness (Asplund 2011), self
  care with limits, never "drink nothing" (the scales rule out overdrinking).
- Confused after a short race: an emergency, but not presumed low blood sodium unless the
  runner drank heavily; heat stroke first when it was warm (Roberts 2021).
- Confused in a cold race: hypothermia named beside low blood sodium (Dow 2019).
"""

from __future__ import annotations

import json
from pathlib import Path

from reporting import flat, reports_of


DIZZY_HALF = """\
event_distance_km: 21.1
event_duration_h: 1.9
temperature_c: 29
symptoms: [dizziness]
cramp_pattern: localized
cramp_sites: [calf]
eased_when_slowing: true
"""


def test_dizzy_after_losing_weight_is_self_care_not_drink_nothing(tmp_path: Path) -> None:
    """1.6 kg lost in a hot half marathon, then light-headed: self care, lie down legs up and
    drink to thirst, with the limits for getting help; no 'drink nothing', no EAH flag."""
    out = reports_of(tmp_path, DIZZY_HALF + "weight_change_kg: -1.6\nbody_mass_kg: 68\n")
    triage = json.loads(out["json"])["triage"]
    assert triage["level"] == "self_care"
    assert triage["conditions"] == ["exercise_collapse"]
    for name, text in out.items():
        text = flat(text)
        assert "legs and hips raised" in text, name
        assert "15 to 30 minutes" in text, name
        assert "Drink nothing more" not in text, name


def test_dizzy_without_a_weight_is_still_presumed_low_blood_sodium(tmp_path: Path) -> None:
    """The same dizziness with no weight answered: overdrinking cannot be ruled out, so the
    EAH presumption and its 'drink nothing more until you pass urine' stay."""
    out = reports_of(tmp_path, DIZZY_HALF)
    triage = json.loads(out["json"])["triage"]
    assert triage["level"] == "see_doctor" and "eah" in triage["conditions"]
    for name, text in out.items():
        assert "Drink nothing more" in flat(text), name


def test_confused_after_a_short_cool_race_is_an_emergency_not_presumed_eah(
        tmp_path: Path) -> None:
    """Confused after 48 minutes at 12 °C: emergency; the causes named are heat, heart, blood
    sugar and head injury, not low blood sodium."""
    out = reports_of(tmp_path, "event_distance_km: 10\nevent_duration_h: 0.8\n"
                            "temperature_c: 12\nsymptoms: [confusion]\n")
    triage = json.loads(out["json"])["triage"]
    assert triage["level"] == "emergency"
    assert triage["conditions"] == ["other_medical"]
    for name in ("terminal", "markdown", "html"):
        text = flat(out[name])
        assert "blood sugar" in text and "defibrillator" in text, name


def test_confused_after_a_short_hot_race_is_heat_stroke_first(tmp_path: Path) -> None:
    """Confused at the finish of a 10 km at 28 °C, temperature not taken: heat stroke is named
    and the report says cool first."""
    out = reports_of(tmp_path, "event_distance_km: 10\nevent_duration_h: 0.7\n"
                            "temperature_c: 28\nsymptoms: [confusion]\n")
    triage = json.loads(out["json"])["triage"]
    assert triage["level"] == "emergency"
    assert "heat_stroke" in triage["conditions"] and "eah" not in triage["conditions"]
    for name in ("terminal", "markdown", "html"):
        assert "Cool first, transport second" in flat(out[name]), name


def test_confused_after_a_short_race_with_heavy_drinking_keeps_eah(tmp_path: Path) -> None:
    """Hours of plain water before a 10 km start: low blood sodium is presumed again."""
    out = reports_of(tmp_path, "event_distance_km: 10\nevent_duration_h: 0.9\n"
                            "symptoms: [confusion]\npre_start_plain_water: true\n"
                            "drank_beyond_thirst: true\n")
    triage = json.loads(out["json"])["triage"]
    assert triage["level"] == "emergency" and "eah" in triage["conditions"]


def test_confused_in_a_cold_race_names_hypothermia_too(tmp_path: Path) -> None:
    """Freezing rain in the mountains: the report says to get the runner out of the wind and
    wet, beside the low-blood-sodium emergency."""
    out = reports_of(tmp_path, "event_distance_km: 100\nevent_duration_h: 6\n"
                            "temperature_c: 2\nrace_conditions: [cold]\n"
                            "symptoms: [confusion]\n")
    triage = json.loads(out["json"])["triage"]
    assert triage["level"] == "emergency"
    assert {"eah", "hypothermia"} <= set(triage["conditions"])
    for name in ("terminal", "markdown", "html"):
        text = flat(out[name])
        assert "hypothermia" in text and "out of the wind and wet" in text, name
