"""Facts derived from the answers, for the rules: what a runner did not say but the answers imply.

Today one: the event's duration, estimated from its distance (and its climb or ground) when the
runner did not give it, so that a 161 km ultra counts as a long event for the low-blood-sodium
and painkiller rules. A derived value feeds the engine beside the answers but is never written
back as an answer: the report labels it an estimate and says how it was made, and the answers
(and the JSON `answers`) stay what the runner said.

The estimate: a reference marathon time scaled to the distance with Riegel's endurance formula,
where climbing counts as extra distance the way ITRA's effort points count it (1 km per 100 m of
climb). The reference time and the climb assumed for trail and mountain ground when the climb
is not given are crampdx's own assumptions, labelled as such in the report.
"""

from __future__ import annotations

from typing import Any, Container, Mapping

import msgspec

DURATION = "event_duration_h"
DISTANCE = "event_distance_km"
CLIMB = "elevation_gain_m"
TERRAIN = "terrain"
FINISHED = "finished"
COVERED = "distance_covered_km"
LAST_RACE_ONLY = (FINISHED, COVERED)  # about how the last race went, never about a next one
# What this module reads and cites, so `kb check` does not call them unused (knowledge.lint).
READS = (DURATION, DISTANCE, CLIMB, TERRAIN, FINISHED, COVERED)
CITES = ("riegel_1981", "world_records")
# The type (and unit) this module and the report's pictures read each of them as: an overlay
# may reword these questions, never change what their answers are (knowledge.loader checks).
READ_TYPES: dict[str, tuple[str, str | None]] = {
    DURATION: ("number", "h"), DISTANCE: ("number", "km"), CLIMB: ("number", "m"),
    TERRAIN: ("choice", None), FINISHED: ("bool", None), COVERED: ("number", "km"),
    "onset_km": ("number", "km")}

REFERENCE_KM = 42.195
REFERENCE_H = 4.0  # crampdx's own assumption: a mid-pack recreational marathon
RIEGEL_EXPONENT = 1.06  # Riegel 1981: time grows with distance to this power
METRES_CLIMB_PER_KM = 100  # ITRA effort points: 100 m of climb counts as 1 km
# crampdx's own assumption when the climb is not given: metres of climb per km of ground
ASSUMED_CLIMB_M_PER_KM = {"trail": 25, "mountain": 60}


class DerivedValue(msgspec.Struct, frozen=True):
    """A value the rules may use although the runner did not answer it; `how` says how it was
    reached, in a sentence the report prints."""

    fact: str
    value: Any
    how: str


def did_not_finish(answers: Mapping[str, Any]) -> bool:
    """The runner stopped before the finish: said so, or gave a distance covered short of the
    race's."""
    if answers.get(FINISHED) is True:
        return False
    covered, distance = answers.get(COVERED), answers.get(DISTANCE)
    return answers.get(FINISHED) is False or (
        covered is not None and (distance is None or covered < distance))


def distance_run(answers: Mapping[str, Any]) -> float | None:
    """The distance the runner actually ran: the distance covered when they stopped early, else
    the race's. Time, pace and the time-based estimates go with this one; what the runner
    trains for (the plan, the race's length in the rules) stays the race's distance."""
    covered = answers.get(COVERED)
    if covered is not None and answers.get(FINISHED) is not True:
        return covered
    return answers.get(DISTANCE)


def climb_run(answers: Mapping[str, Any]) -> float | None:
    """The course's climb, prorated to the distance run (a runner who stopped at a third of
    the course climbed about a third of it, as far as crampdx can know)."""
    climb, distance, run = answers.get(CLIMB), answers.get(DISTANCE), distance_run(answers)
    if climb is None or not distance or run is None or run >= distance:
        return climb
    return climb * run / distance


def scale_duration(hours: float, km: float, gain_m: float | None, new_km: float,
                   new_gain_m: float | None) -> float:
    """A time at one distance carried to another: both as ITRA km-effort (km + climb / 100 m),
    then Riegel's T2 = T1 * (E2 / E1) ** 1.06, so a longer or hillier race is slower per km.
    The new climb, when not given, is the old one per km; the old one unknown: distances only."""
    if gain_m is None:
        effort, new_effort = km, new_km
    else:
        if new_gain_m is None:
            new_gain_m = gain_m / km * new_km
        effort = km + gain_m / METRES_CLIMB_PER_KM
        new_effort = new_km + new_gain_m / METRES_CLIMB_PER_KM
    return round(hours * (new_effort / effort) ** RIEGEL_EXPONENT, 1)


# How an estimated duration ends: what to answer for a sharper report (planned_duration says
# otherwise when the runner gave a time crampdx cannot use for the full race).
ESTIMATE_ASKS = (f" It is an estimate, not your answer; give your time ({DURATION}) for a "
                 "sharper report.")


def estimate_duration(answers: Mapping[str, Any]) -> DerivedValue | None:
    """The event's duration in hours from the distance run (the distance covered when the
    runner stopped early), or None when it was given or the distance is unknown."""
    distance = distance_run(answers)
    if answers.get(DURATION) is not None or not distance:
        return None
    climb, terrain = climb_run(answers), answers.get(TERRAIN)
    if climb is not None:
        climb = float(round(climb))  # prorated to the distance run: whole metres
        climb_note = f"{climb:g} m of climb counted as {climb / METRES_CLIMB_PER_KM:g} km " \
                     "(ITRA effort points)"
    elif terrain in ASSUMED_CLIMB_M_PER_KM:
        climb = distance * ASSUMED_CLIMB_M_PER_KM[terrain]
        climb_note = (f"about {ASSUMED_CLIMB_M_PER_KM[terrain]} m of climb a km assumed for "
                      f"{terrain} ground (crampdx's own assumption), counted as 1 km per 100 m "
                      "(ITRA effort points)")
    else:
        climb, climb_note = 0.0, ""
    effort_km = distance + climb / METRES_CLIMB_PER_KM
    exact = REFERENCE_H * (effort_km / REFERENCE_KM) ** RIEGEL_EXPONENT
    hours = round(exact, 1)
    # under an hour in minutes: a 400 m is "about 2 min", never "about 0 h"
    shown = f"{hours:g} h" if exact >= 1 else f"{max(1, round(exact * 60))} min"
    ran = " (the distance you covered)" if did_not_finish(answers) \
        and answers.get(COVERED) is not None else ""
    how = (f"Duration estimated at about {shown} from {distance:g} km{ran}"
           + (f" with {climb_note}" if climb_note else "")
           + f": a {REFERENCE_H:g}-hour marathon (crampdx's own assumption of a mid-pack "
           f"runner) scaled to the distance with Riegel's formula (time grows with distance to "
           f"the power {RIEGEL_EXPONENT:g}; Riegel 1981).{ESTIMATE_ASKS}")
    return DerivedValue(DURATION, hours, how)


def derive(answers: Mapping[str, Any], questions: Container[str]) -> dict[str, DerivedValue]:
    """Every derived value for these answers, by fact id: only for facts the knowledge base
    asks about (`questions`), never for one the runner answered."""
    derived: dict[str, DerivedValue] = {}
    duration = estimate_duration(answers)
    if duration is not None:
        derived[duration.fact] = duration
    return {fact: value for fact, value in derived.items()
            if fact in questions and answers.get(fact) is None}


def engine_facts(answers: Mapping[str, Any],
                 derived: Mapping[str, DerivedValue]) -> dict[str, Any]:
    """What the engine reasons on: the answers, with derived values filling the gaps."""
    facts = dict(answers)
    for fact, value in derived.items():
        facts.setdefault(fact, value.value)
    return facts


# -- is the pace possible? -------------------------------------------------------------------

# The fastest time ever run over each distance (km, seconds): World Athletics records up to the
# marathon and 50 km road, IAU ultra bests beyond (as of 2024; source `world_records`). Between
# two, the record pace is interpolated on log-log axes (a Riegel curve through both); beyond
# the last, extended along the last segment (real multi-day bests are slower still).
WORLD_RECORDS: tuple[tuple[float, float], ...] = (
    (0.1, 9.58),            # Bolt 2009
    (0.4, 43.03),           # van Niekerk 2016
    (0.8, 100.91),          # Rudisha 2012
    (1.5, 206.0),           # El Guerrouj 1998
    (5.0, 755.36),          # Cheptegei 2020
    (10.0, 1571.0),         # Cheptegei 2020
    (21.0975, 3451.0),      # Kiplimo 2021 (57:31)
    (42.195, 7235.0),       # Kiptum 2023 (2:00:35)
    (50.0, 9613.0),         # Negasa 2021 (2:40:13)
    (100.0, 21935.0),       # Sorokin 2022 (6:05:35)
    (160.934, 39099.0),     # Sorokin 2022 (100 miles, 10:51:39)
    (177.41, 43200.0),      # Sorokin 2022 (12 hours)
    (319.614, 86400.0),     # Sorokin 2022 (24 hours)
)
PACE_SOURCE = "world_records"


def record_hours(km: float) -> float | None:
    """The world-record time for `km` in hours (interpolated), None below 100 m."""
    import math

    if km < WORLD_RECORDS[0][0]:
        return None
    pairs = list(zip(WORLD_RECORDS, WORLD_RECORDS[1:]))
    (d1, t1), (d2, t2) = next(((a, b) for a, b in pairs if km <= b[0]), pairs[-1])
    exponent = math.log(t2 / t1) / math.log(d2 / d1)
    return t1 * (km / d1) ** exponent / 3600


class PaceCheck(msgspec.Struct, frozen=True):
    """Distance over time faster than the world record: one of the answers is wrong. `suspects`
    are the answers it comes from; `assumed` is what the plan uses instead of the time."""

    km: float
    hours: float
    kmh: float
    record_h: float
    suspects: tuple[str, ...]
    text: str
    assumed: DerivedValue | None
    source: str = PACE_SOURCE


def _hours_words(hours: float) -> str:
    whole, minutes = divmod(round(hours * 60), 60)
    return f"{whole} h {minutes:02d} min" if whole else f"{minutes} min"


def check_pace(answers: Mapping[str, Any]) -> PaceCheck | None:
    """None when the distance run and the time are possible together (or either is unknown);
    else which answers look wrong and what the plan assumes instead."""
    km, hours = distance_run(answers), answers.get(DURATION)
    if not km or not hours:
        return None
    record = record_hours(km)
    if record is None or hours >= record:
        return None
    kmh = km / hours
    covered = answers.get(COVERED) is not None and answers.get(FINISHED) is not True
    if covered:
        suspects: tuple[str, ...] = (COVERED, DURATION)
        which = (f"{COVERED} ({km:g} km) or {DURATION} ({hours:g} h) must be wrong: check "
                 "both and their units")
    elif answers.get(FINISHED) is True:
        suspects = (DISTANCE, DURATION)
        which = (f"{DISTANCE} ({km:g} km) or {DURATION} ({hours:g} h) must be wrong: check "
                 "both and their units")
    else:
        suspects = (DISTANCE, DURATION)
        which = (f"if you stopped before the finish, give how far you got "
                 f"({COVERED}, with {FINISHED}: false); otherwise {DISTANCE} ({km:g} km) or "
                 f"{DURATION} ({hours:g} h) must be wrong")
    assumed = estimate_duration({k: v for k, v in answers.items()
                                 if k not in (DURATION, FINISHED, COVERED)})
    instead = (f" The diagnosis reads each answer as given; the plan does not size anything "
               f"from this pace: it assumes about {assumed.value:g} h for the "
               f"{answers.get(DISTANCE):g} km race (marked estimated). {assumed.how}"
               if assumed is not None and answers.get(DISTANCE) else
               " The diagnosis reads each answer as given; the plan does not size anything "
               "from this pace.")
    text = (f"{km:g} km in {hours:g} h is {kmh:.1f} km/h, faster than the world record for "
            f"{km:g} km (about {_hours_words(record)}; world records, crampdx's check): "
            f"{which}.{instead}")
    return PaceCheck(km, hours, round(kmh, 1), round(record, 2), suspects, text, assumed)


def planned_duration(answers: Mapping[str, Any]) -> DerivedValue | None:
    """The full race's duration for a plan that trains for a race like this one, when the
    answered time does not give it: a runner who stopped early (their pace carried to the full
    distance, Riegel) or a time that cannot be right (estimated from the distance alone).
    None when the answered time is the race's own, or nothing gives it."""
    distance, hours = answers.get(DISTANCE), answers.get(DURATION)
    if not distance:
        return None
    if check_pace(answers) is not None:
        return check_pace(answers).assumed  # type: ignore[union-attr]
    if not did_not_finish(answers):
        return None
    run = distance_run(answers)
    if hours and answers.get(COVERED) is not None and run is not None and run >= distance:
        return None  # "not finished", yet the time given is over the full distance
    if hours and run and run < distance:
        full = scale_duration(hours, run, climb_run(answers), distance, answers.get(CLIMB))
        return DerivedValue(DURATION, full, (
            f"The plan's race time: about {full:g} h, your "
            f"{hours:g} h for {run:g} km carried to {distance:g} km with Riegel's formula "
            f"(time grows with distance to the power {RIEGEL_EXPONENT:g}; Riegel 1981)"
            + (", climb counted as ITRA effort points" if answers.get(CLIMB) is not None
               else "") + "."))
    estimate = estimate_duration({k: v for k, v in answers.items()
                                  if k not in (DURATION, FINISHED, COVERED)})
    if estimate is None or not hours:
        return estimate
    # the runner gave a time, but over no distance crampdx knows: never ask for it again
    over = (f"no distance covered ({COVERED}: 0)" if run == 0 else
            f"a distance not given; give how far you got ({COVERED}) to carry it to "
            "the full race")
    return DerivedValue(DURATION, estimate.value, estimate.how.removesuffix(ESTIMATE_ASKS)
                        + f" It is an estimate: your {hours:g} h is for {over}.")


class Caution(msgspec.Struct, frozen=True):
    """Something about the answers the report must say before it is read: a pace that cannot
    be right, or a race the runner did not finish (what is read against which distance)."""

    id: str  # impossible_pace | did_not_finish
    text: str
    facts: tuple[str, ...]  # the answers it is about
    source: str | None = None


def cautions(answers: Mapping[str, Any]) -> list[Caution]:
    """The report's cautions for these answers, the impossible pace first."""
    found: list[Caution] = []
    pace = check_pace(answers)
    if pace is not None:
        found.append(Caution("impossible_pace", pace.text, pace.suspects, pace.source))
    distance, run, hours = answers.get(DISTANCE), distance_run(answers), answers.get(DURATION)
    if did_not_finish(answers) and distance:
        if run is not None and run < distance:
            text = f"You stopped at {run:g} km of the {distance:g} km race."
            if hours and run and pace is None:
                text += (f" Your time ({hours:g} h, {run / hours:.1f} km/h) is for the {run:g} km "
                         "you ran: the rules read it as your time on your feet.")
        elif answers.get(COVERED) is not None:
            text = (f"You did not finish, yet the distance you covered ({run:g} km) is the "
                    f"full {distance:g} km race, so time and pace are read over it.")
        else:
            text = (f"You did not finish the {distance:g} km race; how far you got is not "
                    f"known ({COVERED}), so time and pace are read as if over the full race.")
        text += (f" Where your first cramp came is read against the full {distance:g} km (the "
                 "race you paced for), and the plan trains for it.")
        planned = planned_duration(answers)
        if planned is not None and pace is None:
            text += f" {planned.how}"
        found.append(Caution("did_not_finish", text, tuple(
            f for f in (FINISHED, COVERED, DISTANCE) if answers.get(f) is not None),
            "riegel_1981" if planned is not None and pace is None and hours else None))
    return found
