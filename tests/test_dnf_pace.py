"""A race not finished, a pace no one has run, and a late cramp read against the runner's own
race: real answer files through the real engine and the shipped knowledge, asserting what the
runner reads in the report (terminal, Markdown, JSON)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from activity_gen import at, mountain, samples, write
from crampdx.api import knowledge
from crampdx.derived import RIEGEL_EXPONENT, record_hours
from crampdx.interview import Interview
from crampdx.api import reasoner

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "seed-150k-mountain.yaml"
HALF = ROOT / "examples" / "half-marathon-went-out-too-fast.yaml"


@pytest.fixture(autouse=True)
def shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRAMPDX_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("CRAMPDX_KB", raising=False)
    monkeypatch.delenv("CRAMPDX_SHIPPED_KB", raising=False)


def json_report(run_cli, *args: str) -> dict:  # type: ignore[no-untyped-def]
    status, out, err = run_cli("debrief", *args, "-f", "json")
    assert status == 0, err
    return json.loads(out)


def answers_file(tmp_path: Path, text: str, name: str = "answers.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def seed_without(*keys: str) -> str:
    """The seed example's text without some answers (the coach's file as first written)."""
    return "".join(line + "\n" for line in SEED.read_text(encoding="utf-8").splitlines()
                   if not line.startswith(tuple(f"{key}:" for key in keys)))


# -- a runner who dropped out half-way --------------------------------------------------------
def test_the_seed_dnf_keeps_its_diagnosis_and_plans_the_full_race(run_cli) -> None:  # type: ignore[no-untyped-def]
    """The coach stopped at 50 km of 150 km after 8 h: hyponatremia first and see a doctor, as
    before; the report says the 8 h are for the 50 km run (6.2 km/h, not 18.8) and the plan
    trains for 150 km at his pace carried to the full distance (Riegel), labelled."""
    report = json_report(run_cli, str(SEED))
    assert report["triage"]["level"] == "see_doctor"
    assert report["causes"][0]["id"] == "hyponatremia"
    assert [c["id"] for c in report["cautions"]] == ["did_not_finish"]
    full = round(8 * (150 / 50) ** RIEGEL_EXPONENT, 1)
    status, out, _ = run_cli("debrief", str(SEED), "-f", "markdown")
    assert status == 0
    text = " ".join(out.split())
    assert "## A race you did not finish" in out
    assert "You stopped at 50 km of the 150 km race" in text
    assert "Your time (8 h, 6.2 km/h) is for the 50 km you ran" in text
    assert f"about {full:g} h, your 8 h for 50 km carried to 150 km" in text
    assert "Riegel 1981" in text and "Riegel PS. Athletic records" in text  # named, cited
    assert f"150 km · {full:g} h (estimated)" in text  # the plan's race line
    assert f"For a race of about {full:g} h, take" in text  # carbohydrate sized to it
    assert "18.8 km/h" not in text and "Check your answers" not in text


def test_the_seed_as_first_written_is_an_impossible_pace(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Without the distance covered, 150 km in 8 h is faster than the world record: the report
    says so after the red flags, names the answers that look wrong, sizes nothing from that
    pace (the plan assumes a time from the distance, labelled) and the diagnosis stands."""
    path = answers_file(tmp_path, seed_without("finished", "distance_covered_km"))
    report = json_report(run_cli, str(path))
    assert report["triage"]["level"] == "see_doctor"
    assert report["causes"][0]["id"] == "hyponatremia"
    caution = report["cautions"][0]
    assert caution["id"] == "impossible_pace" and caution["source"] == "world_records"
    assert caution["answers"] == ["event_distance_km", "event_duration_h"]
    record = record_hours(150)
    assert record is not None and 8 < record  # the premise: faster than the record
    text = caution["text"]
    assert "150 km in 8 h is 18.8 km/h, faster than the world record for 150 km" in text
    assert "distance_covered_km" in text and "finished: false" in text
    assert "event_distance_km (150 km) or event_duration_h (8 h) must be wrong" in text
    status, out, _ = run_cli("debrief", str(path))
    assert status == 0
    flat = " ".join(out.split())
    assert flat.index("See a doctor") < flat.index("Check your answers: a pace no one has run")
    assert "150 km · 8 h" not in flat  # the plan does not size from the impossible pace
    assert "(estimated) · mountain" in flat
    assert "For a race of about 8 h" not in flat


def test_a_pace_from_the_distance_covered_can_be_impossible_too(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Stopped at 40 km after 1.5 h: the distance covered or the time is wrong, and the
    report says which two answers to check."""
    path = answers_file(tmp_path, "event_distance_km: 100\nfinished: false\n"
                                  "distance_covered_km: 40\nevent_duration_h: 1.5\n"
                                  "terrain: trail\ncramp_pattern: localized\n")
    caution = json_report(run_cli, str(path))["cautions"][0]
    assert caution["id"] == "impossible_pace"
    assert caution["answers"] == ["distance_covered_km", "event_duration_h"]
    assert "distance_covered_km (40 km) or event_duration_h (1.5 h) must be wrong" \
        in caution["text"]


@pytest.mark.parametrize(("km", "hours", "flagged"), [
    (42.195, 2.05, False),   # 2:03, a few minutes off the record: possible
    (42.195, 1.9, True),     # under the marathon record
    (10, 0.5, False), (10, 0.4, True), (160.9, 11.5, False), (160.9, 9, True),
])
def test_only_a_pace_faster_than_the_world_record_is_flagged(run_cli, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                             km: float, hours: float,
                                                             flagged: bool) -> None:
    """Fast but possible paces pass; one faster than the record does not."""
    path = answers_file(tmp_path, f"event_distance_km: {km}\nevent_duration_h: {hours}\n"
                                  "terrain: road\n")
    ids = [c["id"] for c in json_report(run_cli, str(path))["cautions"]]
    assert ids == (["impossible_pace"] if flagged else [])


def test_a_dnf_without_a_time_estimates_the_part_run_for_the_rules(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """No time given: the rules get a duration estimated for the 50 km run (their exposure),
    and the plan a longer one for the whole 100 km race; both are labelled estimates."""
    path = answers_file(tmp_path, "event_distance_km: 100\nfinished: false\n"
                                  "distance_covered_km: 50\nterrain: road\n"
                                  "cramp_pattern: localized\n")
    report = json_report(run_cli, str(path))
    for_rules = report["estimated"]["event_duration_h"]
    assert "from 50 km (the distance you covered)" in for_rules["how"]
    status, out, _ = run_cli("debrief", str(path), "-f", "markdown")
    line = next(line for line in out.splitlines() if "100 km ·" in line)
    planned = float(line.split("100 km · ")[1].split(" h")[0])
    assert planned > for_rules["value"] and "(estimated)" in line


def test_the_covered_distance_is_checked_against_the_race_and_the_onset(run_cli,  # type: ignore[no-untyped-def]
                                                                         tmp_path: Path) -> None:
    """A cramp after the point where the runner stopped, or a covered distance beyond the race,
    is a slip: one line naming the answers, exit status 2."""
    onset = answers_file(tmp_path, "event_distance_km: 100\nfinished: false\n"
                                   "distance_covered_km: 40\nonset_km: 60\n", "onset.yaml")
    status, _, err = run_cli("debrief", str(onset))
    assert status == 2
    assert "onset_km: 60 km is more than distance_covered_km (40 km)" in err
    beyond = answers_file(tmp_path, "event_distance_km: 42.2\ndistance_covered_km: 50\n",
                          "beyond.yaml")
    status, _, err = run_cli("debrief", str(beyond))
    assert status == 2 and "distance_covered_km: 50 km is more than event_distance_km" in err
    both = answers_file(tmp_path, "event_distance_km: 100\nfinished: true\n"
                                  "distance_covered_km: 40\n", "both.yaml")
    status, _, err = run_cli("debrief", str(both))
    assert status == 2 and "both.yaml:3:" in err
    assert "distance_covered_km: 40 km is short of event_distance_km (100 km), but finished " \
        "is true" in err


def test_a_next_race_file_cannot_say_how_far_you_got(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """How the last race went is not about the next one: a next-race file naming it is one
    line, exit status 2; the last race's pace over the distance covered sizes the next race."""
    bad = answers_file(tmp_path, "event_distance_km: 100\ndistance_covered_km: 50\n", "n.yaml")
    status, _, err = run_cli("debrief", str(SEED), "--next-race", str(bad))
    assert status == 2 and "'distance_covered_km' is about how your last race went" in err
    good = answers_file(tmp_path, "event_distance_km: 100\nterrain: mountain\n", "next.yaml")
    status, out, _ = run_cli("debrief", str(SEED), "--next-race", str(good), "-f", "markdown")
    assert status == 0
    expected = round(8 * (100 / 50) ** RIEGEL_EXPONENT, 1)  # from 8 h over the 50 km run
    assert f"100 km · {expected:g} h (estimated)" in out


# -- the interview ----------------------------------------------------------------------------
def test_how_far_is_asked_only_after_not_finishing(monkeypatch: pytest.MonkeyPatch) -> None:
    """'Did you reach the finish?' is part of the event; 'how far did you get' follows only a
    no, never a yes."""
    def event_questions(finished: bool) -> list[str]:
        flow = Interview(reasoner())
        seen = []
        while (step := flow.next_step()) is not None and step.question.section in (
                "red_flags", "event"):
            qid = step.question.id
            seen.append(qid)
            value = {"finished": finished, "event_distance_km": 100.0,
                     "distance_covered_km": 60.0}.get(qid)
            flow.answer(qid, value)
        return seen

    yes, no = event_questions(True), event_questions(False)
    assert "finished" in yes and "distance_covered_km" not in yes
    assert no.index("distance_covered_km") == no.index("finished") + 1


def test_a_watch_distance_is_the_distance_covered(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A runner who stopped early: the race file's 30 km are the distance covered, never the
    race's 90 km; its climb over the part run is carried to the whole course; the pace comes
    from the watch's distance and time."""
    race = write(tmp_path / "race.fit", samples(at(dt.date(2024, 6, 1)), 30, 5.0,
                                                 elevation=mountain(1500, 30), temp=18))
    path = answers_file(tmp_path, "event_distance_km: 90\nfinished: false\n"
                                  "cramp_pattern: localized\n")
    report = json_report(run_cli, str(path), "--activity", str(race))
    answers = report["answers"]
    assert answers["event_distance_km"] == 90
    assert answers["distance_covered_km"] == pytest.approx(30, abs=0.3)
    assert "distance_covered_km" in report["derived"]
    assert answers["elevation_gain_m"] == pytest.approx(1500 * 3, rel=0.05)
    caution = report["cautions"][0]
    assert caution["id"] == "did_not_finish"
    assert "You stopped at 30 km of the 90 km race" in caution["text"]
    assert "(5 h, 6.0 km/h)" in caution["text"]


def test_in_the_interview_a_watch_distance_moves_to_covered(monkeypatch: pytest.MonkeyPatch) -> None:
    """The watch said 30 km; the runner then says they did not finish: the 30 km become the
    distance covered and the race's own distance is asked."""
    from crampdx.answers import Answers

    flow = Interview(reasoner(), derived=Answers(values={"event_distance_km": 30.0}))
    asked = []
    while (step := flow.next_step()) is not None and step.question.section in (
            "red_flags", "event"):
        qid = step.question.id
        asked.append(qid)
        flow.answer(qid, {"finished": False, "event_distance_km": 90.0}.get(qid))
    assert flow.values["distance_covered_km"] == 30.0
    assert flow.values["event_distance_km"] == 90.0
    assert asked.index("event_distance_km") > asked.index("finished")
    assert "distance_covered_km" not in asked  # the watch answered it


# -- "late" in the runner's own race --------------------------------------------------------
def test_a_half_marathon_late_cramp_reads_against_the_half(run_cli) -> None:  # type: ignore[no-untyped-def]
    """Calves at 17 km of a half marathon: late means the last third of this race (after about
    14 km), never 'after 30 km'."""
    report = json_report(run_cli, str(HALF))
    start = round(21.1 * 2 / 3)
    status, out, _ = run_cli("debrief", str(HALF))
    flat = " ".join(out.split())
    assert f"Late: the first cramp came at 17 km of 21.1 km, in the race's last third " \
           f"(after about {start} km), when working muscles tire." in flat
    assert "after 30 km" not in flat
    assert report["causes"][0]["id"] == "pacing_error"


def test_late_in_an_ultra_does_not_claim_the_last_third(run_cli) -> None:  # type: ignore[no-untyped-def]
    """45 km of a 150 km race is not its last third (the race the runner paced for, not the
    50 km he covered): the picture says where the cramp came, no more."""
    status, out, _ = run_cli("debrief", str(SEED))
    flat = " ".join(out.split())
    assert "Late: the first cramp came at 45 km of 150 km, when working muscles tire." in flat
    assert "last third" not in flat.split("What kind of cramp")[1].split("Likely causes")[0]


def test_picture_placeholders_are_checked_when_the_knowledge_loads(tmp_path: Path) -> None:
    """A picture naming a placeholder the report cannot fill, or a last alternative that needs
    one, is a knowledge error naming the file, not a broken report."""
    from crampdx.errors import CrampdxError

    for picture, problem in (('["At {onset_kms} km.", "Late."]', "unknown placeholder"),
                             ('["Late.", "At {onset_km} km."]', "the last alternative")):
        kb = tmp_path / picture[:5].strip('["{')
        kb.mkdir(exist_ok=True)
        (kb / "extra.yaml").write_text(
            "findings:\n  - id: late_onset\n    name: Late\n    description: Late.\n"
            f"    picture: {picture}\n", encoding="utf-8")
        with pytest.raises(CrampdxError) as caught:
            knowledge([kb])
        assert problem in str(caught.value) and "extra.yaml" in str(caught.value)


def test_the_pace_reads_in_miles_an_hour_in_an_imperial_report(run_cli) -> None:  # type: ignore[no-untyped-def]
    """--units imperial: the caution's pace is converted with its distances (mph, mi), never
    left in km/h beside miles."""
    status, out, _ = run_cli("debrief", str(SEED), "--units", "imperial")
    assert status == 0
    flat = " ".join(out.split())
    assert "You stopped at 31.1 mi of the 93.2 mi race" in flat
    assert f"(8 h, {50 / 8 / 1.609344:.1f} mph)" in flat and "km/h" not in flat


def test_a_resumed_interview_keeps_the_watch_distance_as_covered(tmp_path: Path) -> None:
    """Resuming with --activity after answering 'not finished' and the race's 90 km: the watch's
    30 km still fill the distance covered, never the race's distance."""
    from crampdx.answers import Answers
    from crampdx.api import activity_facts
    from crampdx.cli_activity import gaps

    race = write(tmp_path / "race.fit", samples(at(dt.date(2024, 6, 1)), 30, 5.0,
                                                 elevation=mountain(1500, 30)))
    resumed = Answers(values={"finished": False, "event_distance_km": 90.0})
    watch = gaps(activity_facts(race), knowledge(), None, resumed)
    assert watch.values["distance_covered_km"] == pytest.approx(30, abs=0.3)
    assert "event_distance_km" not in watch.values
    assert watch.values["elevation_gain_m"] == pytest.approx(4500, rel=0.05)


def test_a_dnf_time_without_the_distance_covered_asks_for_that_distance(run_cli,  # type: ignore[no-untyped-def]
                                                                        tmp_path: Path) -> None:
    """5 h given for a marathon not finished, how far unknown: the plan estimates the full
    race's time, and its note asks for the distance covered, never for the time the runner
    already gave."""
    path = answers_file(tmp_path, "event_distance_km: 42.2\nevent_duration_h: 5\n"
                                  "finished: false\ncramp_pattern: localized\n")
    status, out, _ = run_cli("debrief", str(path), "-f", "markdown")
    assert status == 0
    flat = " ".join(out.split())
    assert "your 5 h is for a distance not given; give how far you got (distance_covered_km) " \
           "to carry it to the full race." in flat
    assert "give event_duration_h" not in flat
