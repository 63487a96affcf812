"""A second race doctor's review of the held-out triage fixes, checked in the reports a runner
reads (real answers files, the real engine, the shipped knowledge; cases in
knowledge/cases/race-doctor-review-2.yaml):

- Confused in any warm race: heat stroke is named and comes first, "cool first" (Roberts 2021).
- Confused in the cold: the flag is named hypothermia, not "a medical cause of cramps", and it
  comes first (get out of the wind and wet; Dow 2019).
- Dizzy after losing weight: self care only up to four hours, and its limits cover the next
  24 hours (low blood sodium can come on late; Hew-Butler 2015).
- Dizzy after a short race: postural self care with limits (Asplund 2011).
"""

from __future__ import annotations

import json
from pathlib import Path

from reporting import flat, reports_of

READ = ("terminal", "markdown", "html")


def triage(out: dict[str, str]) -> dict:
    return json.loads(out["json"])["triage"]


def test_confused_after_a_hot_10_km_reads_heat_stroke_before_anything_else(
        tmp_path: Path) -> None:
    out = reports_of(tmp_path, "event_distance_km: 10\nevent_duration_h: 0.75\n"
                            "temperature_c: 30\nsymptoms: [confusion]\n")
    assert triage(out)["level"] == "emergency"
    assert triage(out)["conditions"][0] == "heat_stroke"
    for name in READ:
        text = flat(out[name])
        cool = text.index("Cool first, transport second")
        assert cool < text.index("Another medical cause"), name
        assert "Medical cause of cramps" not in text, name


def test_confused_after_a_hot_marathon_names_heat_stroke_beside_low_sodium(
        tmp_path: Path) -> None:
    out = reports_of(tmp_path, "event_distance_km: 42.2\nevent_duration_h: 4.5\n"
                            "temperature_c: 30\nsymptoms: [confusion]\n")
    assert triage(out)["level"] == "emergency"
    assert triage(out)["conditions"][:2] == ["heat_stroke", "eah"]
    for name in READ:
        text = flat(out[name])
        assert "cool first" in text and "rectal temperature" in text, name
        assert "No plain water" in text, name


def test_confused_when_known_to_be_dangerously_hot_reads_one_heat_stroke_flag(
        tmp_path: Path) -> None:
    out = reports_of(tmp_path, "event_distance_km: 42.2\nevent_duration_h: 4.5\n"
                            "temperature_c: 30\noverheated: true\nsymptoms: [confusion]\n")
    flags = json.loads(out["json"])["triage"]["flags"]
    assert [f["condition"] for f in flags].count("heat_stroke") == 1


def test_confused_in_a_cold_wet_race_reads_hypothermia_first(tmp_path: Path) -> None:
    out = reports_of(tmp_path, "event_distance_km: 50\nevent_duration_h: 8\nterrain: mountain\n"
                            "temperature_c: 4\nrace_conditions: [cold]\n"
                            "symptoms: [confusion, vomiting]\n")
    assert triage(out)["conditions"][:2] == ["hypothermia", "eah"]
    for name in READ:
        text = flat(out[name])
        assert "Hypothermia (body too cold)" in text, name
        assert text.index("out of the wind and wet") < text.index("ask for a blood sodium"), name
        assert "Nothing to drink while confused" in text, name
        assert "Medical cause of cramps" not in text, name


def test_dizzy_after_weight_loss_is_told_when_to_get_help_over_the_next_day(
        tmp_path: Path) -> None:
    out = reports_of(tmp_path, "event_distance_km: 42.2\nevent_duration_h: 3\n"
                            "temperature_c: 29\nbody_mass_kg: 70\nweight_change_kg: -1.8\n"
                            "symptoms: [dizziness]\n")
    assert triage(out)["level"] == "self_care"
    for name in READ:
        text = flat(out[name])
        assert "next 24 hours" in text and "blood sodium test" in text, name
        assert "Drink nothing more" not in text, name


def test_dizzy_after_weight_loss_in_a_6_hour_race_keeps_the_eah_presumption(
        tmp_path: Path) -> None:
    out = reports_of(tmp_path, "event_distance_km: 50\nevent_duration_h: 6\nbody_mass_kg: 70\n"
                            "weight_change_kg: -2.5\nsymptoms: [dizziness]\n")
    assert triage(out)["level"] == "see_doctor" and "eah" in triage(out)["conditions"]
    for name in READ:
        text = flat(out[name])
        assert "Lie down with your legs raised" in text and "Drink nothing more" in text, name
        assert "fuel burnt" in text, name


def test_dizzy_after_a_10_km_is_postural_self_care_with_limits(tmp_path: Path) -> None:
    out = reports_of(tmp_path, "event_distance_km: 10\nevent_duration_h: 0.75\n"
                            "symptoms: [dizziness]\n")
    assert triage(out)["level"] == "self_care"
    assert triage(out)["conditions"] == ["exercise_collapse"]
    for name in READ:
        text = flat(out[name])
        assert "legs and hips raised" in text and "15 to 30 minutes" in text, name


def test_collapse_at_a_hot_finish_reads_cooling_first(tmp_path: Path) -> None:
    """Collapsed at the finish of a marathon at 28 °C: heat exhaustion (shade, cool) comes before
    the postural collapse, and the drink it suggests waits for a sodium check after 4 hours."""
    out = reports_of(tmp_path, "event_distance_km: 42.2\nevent_duration_h: 4.5\n"
                            "temperature_c: 28\ncollapsed_after_finish: true\n")
    assert triage(out)["level"] == "see_doctor"
    assert triage(out)["conditions"] == ["heat_exhaustion", "exercise_collapse"]
    for name in READ:
        text = flat(out[name])
        assert text.index("Get into the shade") < text.index("Most collapses after the finish"), name
        assert "ruled out low blood sodium" in text, name


def test_dizzy_self_care_says_dizziness_while_still_running_is_different(
        tmp_path: Path) -> None:
    """Asplund 2011: a collapse after stopping is postural; one while still running is the
    heart or heat until shown otherwise, so the self-care flag says so."""
    for answers in ("event_distance_km: 10\nevent_duration_h: 0.75\nsymptoms: [dizziness]\n",
                    "event_distance_km: 21.1\nevent_duration_h: 2\nbody_mass_kg: 60\n"
                    "weight_change_kg: -1.5\nsymptoms: [dizziness]\n"):
        out = reports_of(tmp_path, answers)
        assert triage(out)["level"] == "self_care"
        for name in READ:
            assert "while you were still running" in flat(out[name]), name
