"""The action plan for the bundled examples, item by item: what a runner is told to change, by
how much and for how long, and where each piece of advice comes from. These run the real
examples through the real knowledge base, so a change to a table in knowledge/plan/ that breaks
the seed's prescriptions fails here."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crampdx import api
from crampdx.answers import parse_answers
from crampdx.errors import CrampdxError
from crampdx.knowledge.model import EVIDENCE_LABELS
from crampdx.knowledge.plans import SIZINGS
from crampdx.plan import (
    SECTIONS,
    SIZERS,
    Plan,
    PlanItem,
    _Context,
    _schedule,
    fill,
    make_plan,
    parse_next_race,
    resolve_weeks,
)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ALL_EXAMPLES = sorted(p.name for p in EXAMPLES.glob("*.yaml"))


def plan_for(name: str, **options: Any) -> Plan:
    return api.diagnose_file(EXAMPLES / name, **options).plan


def item(plan: Plan, item_id: str) -> PlanItem:
    found = [i for i in plan if i.id == item_id]
    assert found, f"{item_id} not in plan: {[i.id for i in plan]}"
    return found[0]


def ids(plan: Plan) -> list[str]:
    return [i.id for i in plan]


def weeks_of(plan_item: PlanItem) -> list[tuple[int, int, str]]:
    return [(row.first, row.last, row.text) for row in plan_item.schedule]


def next_race(**values: Any) -> Any:
    return parse_next_race(values, api.knowledge())


def sets_reps(text: str) -> tuple[int, int]:
    match = re.match(r"(\d+) × (\d+)", text)
    assert match, text
    return int(match.group(1)), int(match.group(2))


# -- long runs -------------------------------------------------------------------------------

def test_marathoner_whose_longest_run_was_24k_builds_to_35k_long_runs() -> None:
    """The seed: marathoners run 35 km and more, every weekend; Lena's longest was 24 km."""
    plan = plan_for("marathon-longest-run-24k.yaml")
    long_runs = item(plan, "long-runs")
    assert long_runs.cause == "insufficient_training" and long_runs.case == "build"
    assert long_runs.numbers["target_km"] == 35 and long_runs.numbers["longest_km"] == 24
    assert "35 km and more, the coach's length for marathon runners" in long_runs.text
    assert "From your longest run of 24 km, make each long run at most 10% longer than the " \
        "longest of the previous 30 days" in long_runs.text
    assert "you ran 4 runs of two hours or more; every weekend would have been 12" \
        in long_runs.text
    assert "20 to 30" in long_runs.text  # the seed's count for a preparation
    # each run at most 10% over the longest of the 30 days before it (Frandsen 2025)
    assert weeks_of(long_runs) == [
        (1, 1, "26 km"), (2, 2, "28.5 km"), (3, 3, "31 km"), (4, 4, "34 km"),
        (5, 5, "35 km: the first at full length"), (6, 10, "35 km"), (11, 12, "under 21 km")]
    assert long_runs.source == "seed" and long_runs.evidence == "coaching"
    assert [n["source"] for n in long_runs.number_sources] == ["frandsen_2025", "crampdx"]


def test_the_first_35k_run_uses_the_race_pace() -> None:
    """The seed's first 35 km recipe, with M-pace +20/+40 s from the race's 3.9 h / 42.2 km;
    at those paces the coach's timings fall short of 35 km, so the middle part is lengthened
    until the timings reach it (crampdx's sizing, labelled as such)."""
    first = item(plan_for("marathon-longest-run-24k.yaml"), "first-long-run")
    assert "walk 10 minutes, jog 25 minutes, run 80 minutes" in first.text
    assert "5:33 /km that is 5:53 and 6:13 /km" in first.text
    assert "4 × 500 m" in first.text and "4 × 8000 m" in first.text
    numbers = first.numbers
    pace = 3.9 * 60 / 42.2
    easy = pace + 1.5
    covered = 10 / 60 * 5.5 + 25 / easy + 2 + 20 / easy + numbers["sized_run_min"] / (pace + 0.5)
    assert 34.5 <= covered <= 36, covered  # the sized timings reach the distance
    assert f"run the middle part for about {numbers['sized_run_min']} minutes instead of 80" \
        in first.text
    assert [n["source"] for n in first.number_sources] == ["crampdx"]


def test_no_first_35k_run_when_the_weeks_left_cannot_reach_it() -> None:
    """--weeks 2: no 35 km run is prescribed, since the long runs cannot reach it in time."""
    for weeks in (1, 2, 3, 4):
        plan = plan_for("marathon-longest-run-24k.yaml", weeks=weeks)
        assert "first-long-run" not in ids(plan)
        assert all("35 km" not in row.text for i in plan for row in i.schedule)


def test_too_few_weeks_to_reach_the_target_says_so() -> None:
    """Four weeks cannot take 24 km to 35 km within the 30-day rule and leave a taper."""
    long_runs = item(plan_for("marathon-longest-run-24k.yaml", weeks=4), "long-runs")
    assert long_runs.case == "short_time"
    assert "4 weeks are too few to build safely from 24 km to 35 km" in long_runs.text
    assert "build from 26 km in week 1 to 28.5 km in week 2" in long_runs.text
    # The taper stays under 60% of the longest run the plan reaches, not of the target.
    assert "In the last 2 weeks, keep the long runs under 17 km." in long_runs.text
    assert weeks_of(long_runs) == [(1, 1, "26 km"), (2, 2, "28.5 km"), (3, 4, "under 17 km")]
    one = item(plan_for("marathon-longest-run-24k.yaml", weeks=3), "long-runs")
    assert "run 26 km in week 1, and race at a pace" in one.text


def test_a_ten_k_runner_is_told_28_to_32_km() -> None:
    """The seed's other number: 10 km runners run long runs of 28 to 32 km."""
    diagnosis = api.diagnose_answers({"event_distance_km": 10, "onset_km": 9.5,
                                      "longest_run_km": 8, "cramp_pattern": "localized"})
    assert "insufficient_training" in diagnosis.leading
    long_runs = item(diagnosis.plan, "long-runs")
    assert "28 to 32 km, the coach's length for 10 km runners" in long_runs.text
    assert "first-long-run" not in ids(diagnosis.plan)  # the 35 km recipe is for marathoners


def test_an_ultra_gets_a_half_distance_tune_up() -> None:
    """Ultras by distance: 35 km weekly, race-specific long runs and a half-distance race."""
    plan = plan_for("marathon-longest-run-24k.yaml",
                    next_race=next_race(event_distance_km=100, terrain="road"))
    ultra = item(plan, "ultra-long-runs")
    assert ultra.numbers["tune_up_km"] == 50
    assert "For a 100 km ultra the base is a 35 km run every weekend" in ultra.text


# -- lunges ----------------------------------------------------------------------------------

@pytest.mark.parametrize("weeks", [15, 16, 20])
def test_lunges_progress_from_6x6_to_4x100_in_small_steps(weeks: int) -> None:
    """Start 6 × 6, grow every week by at most 30% (crampdx's "a little each week"), peak
    4 × 100 three weeks out (the seed), hold it, halve it in race week; the ramp takes 8 to 12
    weeks and starts later when there is more time (restart from zero each cycle)."""
    lunges = item(plan_for("mountain-ultra-300m-hills.yaml", weeks=weeks),
                  "deep-walking-lunges")
    assert lunges.case == "full"
    ramp = [row for row in lunges.schedule if "×" in row.text and "," not in row.text
            and ":" not in row.text]
    assert sets_reps(ramp[0].text) == (6, 6)
    assert sets_reps(ramp[-1].text) == (4, 100)
    totals = [a * b for a, b in (sets_reps(row.text) for row in ramp)]
    assert all(a < b <= a * 1.3 for a, b in zip(totals, totals[1:])), totals
    assert 8 <= ramp[-1].last - ramp[0].first + 1 <= 12
    assert ramp[-1].last == weeks - 3
    assert lunges.schedule[-2].text == "4 × 100, no more"
    assert (lunges.schedule[-2].first, lunges.schedule[-2].last) == (weeks - 2, weeks - 1)
    assert lunges.schedule[-1].text == "4 × 50: race week, half"
    assert lunges.schedule[-1].first == lunges.schedule[-1].last == weeks
    if weeks > 15:
        assert lunges.schedule[0].text == "no lunges yet"
    assert "1 or 2 sessions a week" in lunges.text
    assert "no trial shows that lunges prevent cramps" in lunges.text


def test_lunges_with_little_time_stop_short_of_the_peak() -> None:
    """Six weeks leave three for the ramp: the plan says so rather than cramming it in."""
    lunges = item(plan_for("mountain-ultra-300m-hills.yaml", weeks=6), "deep-walking-lunges")
    assert lunges.case == "short"
    reached = sets_reps(lunges.schedule[-1].text)
    assert reached[0] * reached[1] < 3 * 150
    assert "The full 4 × 100 is for the next cycle" in lunges.text
    too_late = item(plan_for("mountain-ultra-300m-hills.yaml", weeks=3), "deep-walking-lunges")
    assert too_late.case == "too_late" and not too_late.schedule


# -- descents --------------------------------------------------------------------------------

def test_downhill_sessions_match_the_race_descents_not_the_training_hill() -> None:
    """Biggest training descent 300 m, race descent 1400 m: hills of 0.8 to 1.5 times the race's
    (1100 to 2100 m), thrashed twice, the last two weeks before the race."""
    plan = plan_for("mountain-ultra-300m-hills.yaml")
    downhill = item(plan, "race-specific-downhills")
    assert downhill.cause == "eccentric_overload" and downhill.case == "matched"
    assert (downhill.numbers["hill_lo_m"], downhill.numbers["hill_hi_m"]) == (1100, 2100)
    assert "1400 m, 4.7 times the 300 m you trained on" in downhill.text
    assert "descents of 1100 to 2100 m" in downhill.text
    assert "run it 8 times down and back up" in downhill.text  # the same work on a 300 m hill
    hard = [row for row in downhill.schedule if row.text.startswith("hard:")]
    assert [(r.first, r.text) for r in hard] == [
        (8, "hard: 2 × 1100 m, fast down and back up (2200 m)"),
        (10, "hard: 2 × 1100 m, fast down and back up (2200 m)")]
    assert weeks_of(downhill)[-1] == (11, 12, "no hard descents")
    sizes = [int(m) for row in downhill.schedule for m in re.findall(r"× (\d+) m", row.text)]
    assert sizes == sorted(sizes[:len(sizes) - 2]) + sizes[len(sizes) - 2:]
    assert min(s for s in sizes if s >= 1000) >= 800  # race-size hills, never 250 m ones
    assert "hill-circuit" in ids(plan)


def test_a_race_of_five_1000m_descents_wants_800_to_1500m_hills() -> None:
    """The seed's own example, through --next-race."""
    plan = plan_for("mountain-ultra-300m-hills.yaml",
                    next_race=next_race(event_distance_km=100, elevation_loss_m=5000,
                                        biggest_race_descent_m=1000, terrain="mountain"))
    downhill = item(plan, "race-specific-downhills")
    assert (downhill.numbers["hill_lo_m"], downhill.numbers["hill_hi_m"]) == (800, 1500)


def test_downhill_too_late_two_weeks_out() -> None:
    """A hard bout in the last days would still hurt on race day."""
    downhill = item(plan_for("mountain-ultra-300m-hills.yaml", weeks=2),
                    "race-specific-downhills")
    assert downhill.case == "too_late" and "too late for hard downhill sessions" in downhill.text


# -- specificity, core -----------------------------------------------------------------------

def test_specificity_names_the_race_pace_ground_and_heat() -> None:
    """The mountain runner on a flat, hot 50 km road race: steady road running, race pace from
    the race, and heat acclimatization."""
    plan = plan_for("mountain-runner-flat-road-50k.yaml")
    assert plan.items and "lack_of_specificity" in api.diagnose_file(
        EXAMPLES / "mountain-runner-flat-road-50k.yaml").leading
    ground = item(plan, "race-terrain")
    assert ground.case == "flat" and "steady running on road" in ground.text
    pace = item(plan, "race-pace-sessions")
    assert re.search(r"averaged \d+:\d\d /km over 50 km", pace.text)
    heat = item(plan, "heat-acclimatization")
    assert "10 to 14 days in similar heat before it" in heat.text
    assert heat.source == "armstrong_2007" and heat.evidence == "consensus"


def test_core_goes_activation_then_posture_then_technique() -> None:
    """Three stages in order, over the weeks available."""
    core = item(plan_for("core-side-and-back-cramps.yaml", weeks=9), "core-posture-technique")
    assert [(r.first, r.last, r.text.split(":")[0]) for r in core.schedule] == [
        (1, 3, "core activation"), (4, 6, "posture"), (7, 9, "technique")]
    assert "cadence" in core.schedule[-1].text


# -- fuelling and drinking -------------------------------------------------------------------

def test_a_hot_10h_race_gets_more_sodium_than_a_cool_3h_one() -> None:
    """Sodium per hour rises with the temperature; the totals with the hours."""
    hot = item(api.diagnose_answers({"event_duration_h": 10, "temperature_c": 30,
                                     "cramp_pattern": "localized"}).plan, "sodium-per-hour")
    cool = item(api.diagnose_answers({"event_duration_h": 3, "temperature_c": 12,
                                      "cramp_pattern": "localized"}).plan, "sodium-per-hour")
    assert hot.numbers["mg_lo"] > cool.numbers["mg_hi"]
    assert hot.numbers["total_lo_g"] > cool.numbers["total_hi_g"]
    assert "take 700 to 900 mg of sodium an hour" in hot.text
    assert "take 300 to 500 mg of sodium an hour" in cool.text
    hot_50k = item(plan_for("salty-sweater-hot-50k.yaml"), "sodium-per-hour")
    lena = item(plan_for("marathon-longest-run-24k.yaml"), "sodium-per-hour")
    assert hot_50k.numbers["mg_lo"] > lena.numbers["mg_hi"]


def test_no_sodium_dosing_when_low_blood_sodium_leads() -> None:
    """The coach's over-drinking race: sodium does not prevent EAH in an over-drinker, so the
    plan says so instead of dosing sodium an hour (Hew-Butler 2006; Hoffman & Myers 2015)."""
    plan = plan_for("seed-150k-mountain.yaml")
    ids = [i.id for i in plan]
    assert "sodium-per-hour" not in ids and "electrolytes-not-plain-water" not in ids
    assert "do not prevent low blood sodium" in item(plan, "eah-salt-does-not-prevent").text


def test_a_salty_sweater_in_the_heat_gets_more_still() -> None:
    sodium = item(plan_for("salty-sweater-hot-50k.yaml"), "sodium-per-hour")
    assert sodium.numbers.get("salty_extra_mg") == 300
    assert "heavy, salty sweater" in sodium.text


def test_carbohydrate_by_duration() -> None:
    """Up to 90 g an hour beyond 2.5 h, 30 to 60 below, none for a short race."""
    def carbs(hours: float) -> PlanItem:
        return item(api.diagnose_answers({"event_duration_h": hours,
                                          "cramp_pattern": "localized"}).plan, "carbs-per-hour")
    assert (carbs(4).numbers["g_lo"], carbs(4).numbers["g_hi"]) == (60, 90)
    assert "mixed glucose and fructose" in carbs(4).text
    assert (carbs(2).numbers["g_lo"], carbs(2).numbers["g_hi"]) == (30, 60)
    assert carbs(0.7).case == "none"
    sprint = plan_for("track-400m-hamstring.yaml")  # time unknown, but 400 m is short
    assert item(sprint, "carbs-per-hour").text.startswith("A 0.4 km race needs no carbohydrate")
    assert item(sprint, "sodium-per-hour").case == "short"
    assert "carb-loading" not in ids(sprint)
    marathon = item(plan_for("marathon-longest-run-24k.yaml"), "carbs-per-hour")
    assert "235 to 350 g in all" in marathon.text and "Last time you took 45 g" in marathon.text


def test_fluid_by_thirst_and_the_overdrinker_is_told_plainly() -> None:
    """Everyone: to thirst, 0.4 to 0.8 l/h, never heavier. The runner who gained weight is
    told that is what happened."""
    fluid = item(plan_for("marathon-longest-run-24k.yaml"), "drink-to-thirst")
    assert fluid.case == "main" and "0.4 to 0.8 litres an hour" in fluid.text
    # "drink to thirst" is the EAH consensus; the 0.4-0.8 l/h range is ACSM's (Sawka 2007)
    assert fluid.source == "hew_butler_2015" and fluid.evidence == "consensus"
    assert [n["source"] for n in fluid.number_sources] == ["sawka_2007"]
    over = item(plan_for("mild-eah-charity-marathon.yaml"), "drink-to-thirst")
    assert over.case == "overdrank" and "heavier" in over.text
    assert "never more than 0.8 litres an hour" in over.text


def test_every_plan_has_the_fuelling_plan_and_start_line_advice_where_it_fits() -> None:
    """Every plan but an emergency's (that one holds only the return to running): fluid advice
    for every race but a track sprint; the coach's start-line story for races over 21 km (or
    of unknown distance), not for a 400 m or a 10 km."""
    for name in ALL_EXAMPLES:
        plan = plan_for(name)
        race = {i.id for i in plan.section("race") if i.cause is None}
        if plan.withheld:
            assert race == set(), name
            continue
        distance = plan.race.get("event_distance_km")
        assert ("drink-to-thirst" in race) == (distance is None or distance > 3), name
        assert ("start-line-drinking" in race) == (distance is None or distance > 21), name


# -- right now, extras, sources --------------------------------------------------------------

def test_acute_advice_and_what_will_not_help() -> None:
    now = plan_for("partial-calf-cramp.yaml").section("now")
    text = " ".join(i.text for i in now)
    assert "stretch the cramping muscle gently" in text
    assert "Walk or sit for a few minutes while you eat and drink" in text
    assert "salt, chips, pickle juice, mustard, sniffing salts, vinegar or spicy food will " \
        "not fix" in text
    # the literature's qualifiers beside the coach's claims
    assert "In a lab study on electrically induced cramps (not race cramps), a small shot of " \
        "pickle juice" in text
    assert "a spicy drink (TRP-channel agonists" in text
    assert plan_for("partial-calf-cramp.yaml").items[0].section == "now"


def test_extras_come_last_apart_and_anecdotal() -> None:
    plan = plan_for("marathon-longest-run-24k.yaml")
    extras = plan.section("extras")
    # the coach's extras are anecdotal; crampdx's safety notes beside them say they are its own
    assert extras and all(i.kind == "extra" and (i.evidence, i.source) in
                          {("anecdotal", "seed_extras"), ("crampdx", "crampdx_safety")}
                          for i in extras)
    assert {i.id for i in extras if i.source == "crampdx_safety"} == {
        "extra-bfr-safety", "extra-ems-safety", "extra-sauna-safety"}
    screening = item(plan, "extra-check-d3-iron-b12")  # ordinary medical screening
    assert screening.section == "medical" and screening.evidence == "medical"
    assert list(plan.items[-len(extras):]) == extras
    texts = " ".join(i.text for i in extras)
    for word in ("Magnesium oil", "silica-based cream", "clay", "Electrical muscle stimulation"):
        assert word in texts


@pytest.mark.parametrize("name", ALL_EXAMPLES)
def test_every_item_says_where_it_comes_from(name: str) -> None:
    """Every recommendation carries a known source and that source's evidence label, and no
    template is left half-filled."""
    kb = api.knowledge()
    plan = plan_for(name)
    assert plan.items
    order = [SECTIONS.index(i.section) for i in plan]
    assert order == sorted(order)
    for plan_item in plan:
        assert plan_item.source in kb.sources, plan_item.id
        assert plan_item.evidence == kb.sources[plan_item.source].evidence
        assert plan_item.evidence in EVIDENCE_LABELS and plan_item.cite
        assert plan_item.text and "{" not in plan_item.text and "}" not in plan_item.text
        assert plan_item.cause is None or plan_item.cause in kb.causes


# -- --weeks and --next-race -----------------------------------------------------------------

@pytest.mark.parametrize("weeks", [1, 6, 12, 20, 52])
def test_schedules_cover_exactly_the_weeks_given(weeks: int) -> None:
    for name in ("marathon-longest-run-24k.yaml", "mountain-ultra-300m-hills.yaml"):
        plan = plan_for(name, weeks=weeks)
        assert plan.weeks == weeks and plan.weeks_given
        assert plan.summary.startswith(
            f"A plan for the {weeks} week{'s' if weeks != 1 else ''} to a race like")
        for plan_item in plan:
            if plan_item.schedule:
                rows = plan_item.schedule
                assert rows[0].first == 1 and rows[-1].last == weeks, plan_item.id
                assert all(b.first == a.last + 1 for a, b in zip(rows, rows[1:]))


@pytest.mark.parametrize("weeks", [0, -3, 53, 500, True])
def test_weeks_out_of_range_is_an_error(weeks: int) -> None:
    with pytest.raises(CrampdxError, match="from 1 to 52"):
        resolve_weeks(api.knowledge(), weeks)


def test_next_race_replaces_the_race_facts() -> None:
    """A hot, hilly trail 50 km after a cool road marathon: the plan is sized for the trail
    race, and its new ground, heat and descents join the plan whatever the diagnosis."""
    race = next_race(event="Trail 50", event_distance_km=50, terrain="trail",
                     elevation_gain_m=1800, elevation_loss_m=1800, biggest_race_descent_m=600,
                     temperature_c=29)
    plan = plan_for("marathon-longest-run-24k.yaml", weeks=10, next_race=race)
    assert plan.summary == "A plan for the 10 weeks to Trail 50."
    assert plan.race["event_distance_km"] == 50 and not plan.estimated_duration
    assert "first-long-run" not in ids(plan) and "ultra-long-runs" in ids(plan)
    assert item(plan, "long-runs").numbers["label"] == "ultra"
    assert item(plan, "sodium-per-hour").numbers["mg_lo"] == 700
    for added in ("race-terrain", "heat-acclimatization", "race-specific-downhills"):
        assert item(plan, added).cause is None
    assert (item(plan, "race-specific-downhills").numbers["hill_lo_m"]) == 450


def test_next_race_duration_is_estimated_on_the_same_ground() -> None:
    """A road half marathon after a road marathon in 3.9 h: about 1.95 h, so no sodium needed
    during it and 30 to 60 g of carbohydrate an hour."""
    plan = plan_for("marathon-longest-run-24k.yaml",
                    next_race=next_race(event_distance_km=21.1, terrain="road"))
    assert plan.estimated_duration and plan.race["event_duration_h"] == pytest.approx(1.9, 0.1)
    assert "estimated from your last race's time, scaled to this race's distance and climb" \
        in " ".join(plan.summary.split())
    assert item(plan, "sodium-per-hour").case == "short"
    assert item(plan, "carbs-per-hour").numbers["g_hi"] == 60


def test_a_next_race_file_holds_race_questions_only() -> None:
    kb = api.knowledge()
    with pytest.raises(CrampdxError, match="'cramp_pattern' is not about the race"):
        parse_next_race({"event_distance_km": 50, "cramp_pattern": "localized"}, kb)
    with pytest.raises(CrampdxError, match="did you mean 'event_distance_km'"):
        parse_next_race({"event_distnce_km": 50}, kb)
    with pytest.raises(CrampdxError, match="out of range"):
        parse_next_race({"event_distance_km": 5000}, kb)


# -- purity and the contract with knowledge/plan ----------------------------------------------

def test_the_plan_is_a_pure_value(capsys: pytest.CaptureFixture[str]) -> None:
    """Same diagnosis, same plan; nothing printed."""
    diagnosis = api.diagnose_file(EXAMPLES / "mountain-ultra-300m-hills.yaml")
    kb = api.knowledge()
    assert make_plan(kb, diagnosis, weeks=9) == make_plan(kb, diagnosis, weeks=9)
    assert make_plan(kb, diagnosis) == diagnosis.plan
    assert capsys.readouterr() == ("", "")


def test_every_sizing_has_a_function_and_fills_only_declared_names() -> None:
    """The loader checks templates against SIZINGS; this checks the functions keep to it, over
    every example, several week counts and a few next races."""
    assert set(SIZINGS) == set(SIZERS)
    kb = api.knowledge()
    races = [None, next_race(event_distance_km=21.1, terrain="road"),
             next_race(event_distance_km=80, temperature_c=31, elevation_loss_m=3000)]
    seen_cases: dict[str, set[str]] = {name: set() for name in SIZINGS}
    for name in ALL_EXAMPLES:
        diagnosis = api.diagnose_file(EXAMPLES / name)
        for weeks in (1, 3, 6, 12, 30):
            given = weeks != 12
            for race in races:
                from crampdx.plan import race_facts

                facts, _ = race_facts(kb, diagnosis.answers.values, race)
                ctx = _Context(kb, tuple(kb.causes), facts, diagnosis.answers.values, weeks,
                               given, race, diagnosis.answers.meta)
                for template in kb.plans.values():
                    sized = SIZERS[template.sizing](ctx, template.table)
                    if sized is None:
                        continue
                    spec = SIZINGS[template.sizing]
                    assert sized.case in spec.cases, template.id
                    assert set(sized.values) <= spec.placeholders, template.id
                    for _, kind, values in sized.rows:
                        assert kind in spec.rows and set(values) <= spec.row_placeholders
                    seen_cases[template.sizing].add(sized.case)
    unseen = {name: set(SIZINGS[name].cases) - cases for name, cases in seen_cases.items()
              if set(SIZINGS[name].cases) - cases}
    # Cases these inputs may not reach are reached by the focused test below.
    covered_below = {"downhill": {"unknown"}, "long_runs": {"unknown_distance", "unknown_start"}}
    for sizing, cases in unseen.items():
        assert cases <= covered_below.get(sizing, set()), (sizing, cases)


def test_unknown_descents_and_unknown_start_have_their_own_text() -> None:
    downhill = item(api.diagnose_answers({"during_descent": True, "downhill_training": False,
                                          "cramp_pattern": "localized"}).plan,
                    "race-specific-downhills")
    assert downhill.case == "unknown" and "Give elevation_loss_m" in downhill.text
    long_runs = item(api.diagnose_answers({"event_distance_km": 42.2, "long_runs_12w": 2,
                                           "cramp_pattern": "localized"}).plan, "long-runs")
    assert long_runs.case == "unknown_start"
    assert "From your current longest run, make each long run at most 10% longer than the " \
        "longest of the previous 30 days until you reach 35 km" in long_runs.text
    unknown = item(api.diagnose_answers({"onset_km": 30, "longest_run_km": 20,
                                         "cramp_pattern": "spreading"}).plan, "long-runs")
    assert unknown.case == "unknown_distance" and "Give the race distance" in unknown.text


# -- the text, the schedule and the counts agree -----------------------------------------------
#
# What the runner reads in the text ("29 km in week 1 and 35 km in week 3", "Full-length long
# runs in this plan: 8", "in this plan: 2") is checked against the week-by-week schedule they
# read beside it, over a sweep of inputs: each quantity has one source, so they cannot disagree.

SWEEP_DISTANCES = (10, 21.1, 42.2, 50, 100)
SWEEP_WEEKS = range(2, 21)
SWEEP_LONGEST = tuple(f"{k} km" for k in range(61)) + tuple(f"{m} mi" for m in range(38))
ALL_CAUSES = ("insufficient_training", "eccentric_overload", "neuromuscular_fatigue")


@cache
def converted(answer: str) -> float:
    """The answer as crampdx reads it (miles converted, rounded as the input rounds it)."""
    return parse_answers({"longest_run_km": answer}, api.knowledge()).values["longest_run_km"]


def sized_item(template_id: str, weeks: int, race: dict[str, Any],
               history: dict[str, Any]) -> PlanItem:
    """One plan item, text and schedule, exactly as make_plan fills it."""
    kb = api.knowledge()
    template = kb.plans[template_id]
    ctx = _Context(kb, ALL_CAUSES, race, history, weeks, True, None, {})
    sized = SIZERS[template.sizing](ctx, template.table)
    assert sized is not None
    return PlanItem(template_id, None, template.kind, "training", template.title,
                    fill(template.text[sized.case], sized.values), template.source, "", "",
                    numbers=dict(sized.values), schedule=_schedule(template, sized.rows),
                    case=sized.case)


def by_week(plan_item: PlanItem, weeks: int) -> dict[int, str]:
    """The schedule as the runner reads it, one line a week; it covers every week once."""
    rows = {week: row.text for row in plan_item.schedule
            for week in range(row.first, row.last + 1)}
    assert sorted(rows) == list(range(1, weeks + 1)), plan_item.schedule
    return rows


def km_of(row: str) -> float:
    match = re.fullmatch(r"(?:under )?(\d+(?:\.\d)?) km(?:: the first at full length)?", row)
    assert match, row
    return float(match.group(1))


def target_of(distance: float) -> float:
    bands = api.knowledge().plans["long-runs"].table["bands"]
    return next(b for b in bands if distance <= b["upto"])["target_km"]


def number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def check_long_runs(plan_item: PlanItem, weeks: int, distance: float, longest: float) -> None:
    text, target = plan_item.text, target_of(distance)
    taper_weeks = plan_item.numbers["taper_weeks"]
    case = plan_item.case
    if weeks <= taper_weeks:
        assert case == "no_time" and not plan_item.schedule
        assert f"With {weeks} weeks to go there is no time" in text
        return
    rows = by_week(plan_item, weeks)
    available = weeks - taper_weeks
    kms = [km_of(rows[w]) for w in range(1, available + 1)]
    assert f"longest run of {number(round(longest, 1))} km" in text \
        or f"Your longest run, {number(round(longest, 1))} km" in text \
        or f"from {number(round(longest, 1))} km to" in text, text
    # No week's long run is longer than the target, and none is more than 10% longer than the
    # longest of the previous 30 days (Frandsen 2025; the last 4 weeks, or the longest run).
    assert plan_item.numbers["max_increase_pct"] == 10
    assert max(kms) <= target
    assert all(b >= a for a, b in zip(kms, kms[1:])), kms
    history = [round(longest, 1)] + kms
    assert all(km <= max(max(history[max(0, i - 4):i + 1]) * 1.1, 5) + 1e-9
               for i, km in enumerate(kms)), kms
    # The taper: its weeks, and its long runs under a share of the longest run of the plan.
    taper = re.search(r"In the last (\d+) weeks, keep the long runs under (\d+(?:\.\d)?) km\.",
                      text)
    assert taper, text
    assert int(taper.group(1)) == weeks - available == taper_weeks
    for week in range(available + 1, weeks + 1):
        assert rows[week] == f"under {taper.group(2)} km"
    assert float(taper.group(2)) < max(kms)
    full = [w for w, km in enumerate(kms, 1) if km >= target]
    first = [w for w in range(1, available + 1) if rows[w].endswith("the first at full length")]
    count = re.search(r"Full-length long runs in this plan: (\d+)\.", text)
    if case == "short_time":
        assert not full and not first and not count, text
        match = re.search(r"build from (\S+) km in week 1 to (\S+) km in week (\d+), ", text) \
            or re.search(r"run (\S+) km in week (\d+), ", text)
        assert match, text
        *start, reach, week = match.groups() if len(match.groups()) == 3 else (None, *match.groups())
        if start[0] is not None:
            assert rows[1] == f"{start[0]} km" and int(week) > 1
        assert int(week) == available and rows[int(week)] == f"{reach} km"
        return
    assert count and int(count.group(1)) == len(full) == plan_item.numbers["runs_at_target"]
    assert full == list(range(full[0], available + 1))  # every weekend once reached
    if case == "at_target":
        assert round(longest, 1) >= target and not first and full[0] == 1  # rounded, as shown
        assert f"already reaches {number(target)} km: run that length from week 1." in text
        return
    assert case == "build" and first == [full[0]] == [plan_item.numbers["reach_week"]]
    reach = re.search(rf"and {number(target)} km in week (\d+)\.", text)
    if reach:  # a build of one or more weeks before the target
        assert int(reach.group(1)) == full[0] > 1
        start = re.search(r"longest of the previous 30 days: (\S+) km in week 1 and", text)
        assert start and rows[1] == f"{start.group(1)} km" and float(start.group(1)) < target
    else:  # already within a step of it: the target in week 1
        assert full[0] == 1, text
        assert re.search(rf"is \S+ km short of {number(target)} km: run that length from week "
                         r"1\.", text), text
    assert "in week 1 and" not in text or full[0] > 1


@pytest.mark.parametrize("distance", SWEEP_DISTANCES)
def test_long_runs_text_schedule_and_counts_agree_over_a_sweep(distance: float) -> None:
    """Longest run 0 to 60 km (in km and in miles) x weeks 2 to 20, for this distance."""
    cases = set()
    for answer in SWEEP_LONGEST:
        longest = converted(answer)
        for weeks in SWEEP_WEEKS:
            plan_item = sized_item("long-runs", weeks, {"event_distance_km": distance},
                                   {"longest_run_km": longest})
            cases.add(plan_item.case)
            try:
                check_long_runs(plan_item, weeks, distance, longest)
            except AssertionError as error:
                raise AssertionError(f"{answer}, {distance} km, {weeks} weeks: "
                                     f"{plan_item.text} {plan_item.schedule}") from error
    assert cases == {"build", "at_target", "short_time", "no_time"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(longest=st.floats(min_value=0, max_value=60, allow_nan=False),
       unit=st.sampled_from(["km", "mi"]), distance=st.sampled_from(SWEEP_DISTANCES),
       weeks=st.integers(min_value=2, max_value=20))
def test_long_runs_agree_in_the_whole_plan(longest: float, unit: str, distance: float,
                                           weeks: int) -> None:
    """The same through make_plan, from any answer a runner may type."""
    kb = api.knowledge()
    amount = round(longest / (1.609344 if unit == "mi" else 1), 2)
    answers = parse_answers({"event_distance_km": distance,
                             "longest_run_km": f"{amount} {unit}"}, kb)
    diagnosis = SimpleNamespace(answers=answers, leading=list(ALL_CAUSES))
    plan = make_plan(kb, diagnosis, weeks=weeks)  # type: ignore[arg-type]
    check_long_runs(item(plan, "long-runs"), weeks, distance,
                    answers.values["longest_run_km"])


def test_the_reviewed_long_run_contradictions() -> None:
    """The new-user review's cases, as the runner reads them."""
    charity = item(plan_for("mild-eah-charity-marathon.yaml"), "long-runs")
    assert "29 km, make each long run at most 10% longer than the longest of the previous 30 " \
        "days: 31.5 km in week 1 and 35 km in week 3." in charity.text
    assert weeks_of(charity)[:3] == [(1, 1, "31.5 km"), (2, 2, "34.5 km"),
                                     (3, 3, "35 km: the first at full length")]
    sixteen = sized_item("long-runs", 12, {"event_distance_km": 42.2},
                         {"longest_run_km": converted("16 mi")})
    week = re.search(r"35 km in week (\d+)\.", sixteen.text)
    assert week and (int(week.group(1)),) * 2 + ("35 km: the first at full length",) \
        in weeks_of(sixteen)
    ultra = sized_item("long-runs", 12, {"event_distance_km": 50}, {"longest_run_km": 32})
    assert "Your longest run, 32 km, is 3 km short of 35 km: run that length from week 1." \
        in ultra.text and "in week 1 and" not in ultra.text
    six = item(plan_for("marathon-longest-run-24k.yaml", weeks=8,
                        next_race=next_race(event_distance_km=42.2, terrain="road")),
               "long-runs")
    full = [r for r in six.schedule for _ in range(r.first, r.last + 1) if r.text.startswith("35")]
    assert f"Full-length long runs in this plan: {len(full)}." in six.text


@pytest.mark.parametrize("weeks", SWEEP_WEEKS)
def test_downhill_text_and_schedule_agree(weeks: int) -> None:
    """The hard sessions the text counts, their size and the last week are the schedule's."""
    for race, trained in [({"biggest_race_descent_m": 1400, "elevation_loss_m": 4800}, 300),
                          ({"elevation_loss_m": 1800}, None),
                          ({"biggest_race_descent_m": 600, "elevation_loss_m": 1800}, 2000)]:
        downhill = sized_item("race-specific-downhills", weeks, race,
                              {"biggest_training_descent_m": trained})
        if downhill.case == "too_late":
            assert weeks <= 2 and not downhill.schedule
            continue
        rows = by_week(downhill, weeks)
        hard = [w for w, text in rows.items() if text.startswith("hard:")]
        match = re.search(r"hard sessions of (\d+) × (\d+) m \(in this plan: (\d+)\), none after "
                          r"week (\d+), ", downhill.text)
        assert match, downhill.text
        reps, hill, count, last = (int(g) for g in match.groups())
        assert count == len(hard) and last == hard[-1] == weeks - 2
        assert all(rows[w] == f"hard: {reps} × {hill} m, fast down and back up "
                   f"({reps * hill} m)" for w in hard)
        full = re.search(r"build it to (\d+) × (\d+) m \((\d+) m of descent", downhill.text)
        assert full
        short = re.search(r"the hard sessions stop at (\d+) m", downhill.text)
        if short:
            assert int(short.group(1)) == reps * hill < int(full.group(3))
        else:
            assert (reps, hill) == (int(full.group(1)), int(full.group(2)))
        assert all(w > last for w, text in rows.items() if text == "no hard descents")


@pytest.mark.parametrize("weeks", SWEEP_WEEKS)
def test_lunges_text_and_schedule_agree(weeks: int) -> None:
    """The start week, the peak and when it is reached, and the hold are the schedule's; the
    ramp grows every week."""
    lunges = sized_item("deep-walking-lunges", weeks, {}, {})
    if lunges.case == "too_late":
        assert not lunges.schedule and f"With {weeks} weeks to go it is too late" in lunges.text
        return
    rows = by_week(lunges, weeks)
    ramp = [w for w, text in rows.items() if "×" in text and "no more" not in text]
    ramp = [w for w in ramp if "race week" not in rows[w]]
    hold = [w for w, text in rows.items() if text.endswith(", no more")]
    assert ramp == list(range(ramp[0], ramp[-1] + 1)) and hold == list(range(ramp[-1] + 1,
                                                                               weeks))
    totals = [a * b for a, b in (sets_reps(rows[w]) for w in ramp)]
    assert all(a < b <= a * 1.3 for a, b in zip(totals, totals[1:])), totals
    if lunges.case == "full":
        match = re.search(r"Start in week (\d+) with (\d+ × \d+).* reach (\d+ × \d+) \(or .*\) "
                          r"in week (\d+), (\d+) weeks out; hold it, no more, then halve it in "
                          r"race week \((\d+ × \d+)\)", lunges.text)
        assert match, lunges.text
        start, first, peak, peak_week, out, race_week = match.groups()
        assert int(start) == ramp[0] and rows[ramp[0]] == first
    else:
        match = re.search(r"(\d+) are left before the last (\d+).*start with (\d+ × \d+), .*stop "
                          r"at about (\d+ × \d+) in week (\d+), hold that, and halve it in race "
                          r"week \((\d+ × \d+)\)", lunges.text)
        assert match, lunges.text
        left, out, first, peak, peak_week, race_week = match.groups()
        assert int(left) == len(ramp) and ramp[0] == 1 and rows[1] == first
    assert int(peak_week) == ramp[-1] == weeks - int(out) and rows[ramp[-1]] == peak
    assert all(rows[w] == f"{peak}, no more" for w in hold)
    assert rows[weeks] == f"{race_week}: race week, half"
    a, b = sets_reps(peak)
    c, d = sets_reps(race_week)
    assert c * d <= a * b * 0.5 + 6  # about half, rounded to whole sets
