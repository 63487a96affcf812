"""The action plan: what to change, by how much and for how long, sized to this runner.

A pure function of the diagnosis (leading causes, answers), the weeks to the next race and,
optionally, that race's facts: `make_plan(kb, diagnosis, next_race=..., weeks=...)` returns a
`Plan` value and never prints. Every number and every sentence comes from the knowledge base:
`plans:` items (knowledge/plan/*.yaml) name a sizing, one of the small functions below, which
reads the item's table and returns the numbers its templates need; fixed advice comes from
`remedies:`. A function only does arithmetic; which sentences show is decided by which numbers
it could compute (a sentence whose placeholders are not all known is left out).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping

import msgspec

from crampdx.derived import (LAST_RACE_ONLY, check_pace, climb_run, distance_run,
                             planned_duration, scale_duration)
from crampdx.errors import CrampdxError, did_you_mean
from crampdx.knowledge import conditions as cond
from crampdx.knowledge.model import FINDING_THRESHOLD
from crampdx.knowledge.model import KnowledgeBase, PlanTemplate
from crampdx.knowledge.plans import placeholders_of

if TYPE_CHECKING:
    from crampdx.diagnosis import Diagnosis

# Used only when a knowledge base has no `preparation` plan item (a test or a bare custom base).
FALLBACK_WEEKS = {"default_weeks": 12, "min_weeks": 1, "max_weeks": 52}
RACE_SECTION = "event"  # questions of this section describe the race; --next-race replaces them
SECTIONS = ("now", "training", "race", "medical", "extras")
SECTION_OF_KIND = {"acute": "now", "training": "training", "race_day": "race", "fuelling": "race",
                   "medical": "medical", "extra": "extras"}


class ScheduleRow(msgspec.Struct, frozen=True):
    """What to do in weeks `first`..`last` (1 = the first week of the plan)."""

    first: int
    last: int
    text: str


class PlanItem(msgspec.Struct, frozen=True):
    """One piece of advice with where it comes from; `numbers` are what it was sized with."""

    id: str
    cause: str | None  # None: part of every plan (fuelling and drinking for the next race)
    kind: str
    section: str
    title: str
    text: str
    source: str
    evidence: str  # coaching | consensus | study | anecdotal
    cite: str
    numbers: Mapping[str, Any] = msgspec.field(default_factory=dict)
    schedule: tuple[ScheduleRow, ...] = ()
    case: str = ""  # which of its sizing's situations applied ("" for fixed remedies)
    # Whose numbers, when not the item's own source: {source, label, evidence, cite, about}.
    number_sources: tuple[Mapping[str, str], ...] = ()

    @property
    def remedy(self) -> "PlanItem":
        """Kept for code written when plan items wrapped a Remedy: item.remedy.id is item.id."""
        return self


class NextRace(msgspec.Struct, frozen=True):
    """The race the plan is for: answers to the race questions, checked like an answers file."""

    values: Mapping[str, Any]
    meta: Mapping[str, str]
    source: str


class Plan(msgspec.Struct, frozen=True):
    """The whole plan; iterating gives its items in reading order."""

    items: tuple[PlanItem, ...] = ()
    weeks: int = 0
    weeks_given: bool = False
    summary: str = ""
    race: Mapping[str, Any] = msgspec.field(default_factory=dict)
    next_race: str | None = None
    estimated_duration: bool = False
    # "" | "emergency": an emergency report's plan holds only the return to running
    withheld: str = ""
    cleared_only: bool = False  # training and racing only after a doctor has cleared the runner

    def __iter__(self) -> Iterator[PlanItem]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def section(self, name: str) -> list[PlanItem]:
        return [item for item in self.items if item.section == name]


# -- inputs --------------------------------------------------------------------------------

def weeks_bounds(kb: KnowledgeBase) -> dict[str, int]:
    prep = next((p for p in kb.plans.values() if p.sizing == "preparation"), None)
    return {k: int(prep.table[k]) for k in FALLBACK_WEEKS} if prep else dict(FALLBACK_WEEKS)


def resolve_weeks(kb: KnowledgeBase, weeks: int | None) -> tuple[int, bool]:
    """The weeks to plan for and whether the runner gave them; out of range is an error."""
    bounds = weeks_bounds(kb)
    if weeks is None:
        return bounds["default_weeks"], False
    if isinstance(weeks, bool) or not isinstance(weeks, int) \
            or not bounds["min_weeks"] <= weeks <= bounds["max_weeks"]:
        raise CrampdxError(f"weeks to the next race must be a whole number from "
                           f"{bounds['min_weeks']} to {bounds['max_weeks']}, not {weeks}")
    return weeks, True


def race_questions(kb: KnowledgeBase) -> list[str]:
    return [q.id for q in kb.questions.values() if q.section == RACE_SECTION]


def parse_next_race(data: Any, kb: KnowledgeBase, path: str = "<next race>") -> NextRace:
    """A --next-race file: like an answers file, but only the race questions (distance, time,
    ground, climb, descent, heat); anything about the cramps or training is a mistake."""
    from crampdx.answers import META_KEYS, parse_answers
    from crampdx.yamlio import LocatedDict, shorten, type_name

    if not isinstance(data, dict):
        raise CrampdxError(f"a next-race file is a mapping of race question -> answer (e.g. "
                           f"'event_distance_km: 50'), not {type_name(data)}", path=path,
                           line=getattr(data, "line", None) or (1 if data is not None else None))
    allowed = [q for q in race_questions(kb) if q not in LAST_RACE_ONLY]
    for key in data:
        if key in META_KEYS or key in allowed:
            continue
        line, column = data.position_of(key) if isinstance(data, LocatedDict) else (None, None)
        about = "is not about the race" if key in kb.questions else "is not a race question"
        if key in LAST_RACE_ONLY:  # finished, distance_covered_km: a race to come has neither
            about = "is about how your last race went, not a race to come"
        raise CrampdxError(f"'{shorten(key)}' {about}"
                           f"{did_you_mean(str(key), allowed) if key not in kb.questions else ''}"
                           f"; a next-race file holds: {', '.join(allowed)}",
                           path=path, line=line, column=column)
    answers = parse_answers(data, kb, path)
    return NextRace(dict(answers.values), dict(answers.meta), path)


# -- sizing ----------------------------------------------------------------------------------

class _Context(msgspec.Struct, frozen=True):
    kb: KnowledgeBase
    leading: tuple[str, ...]
    race: Mapping[str, Any]  # the race planned for
    history: Mapping[str, Any]  # every answer about the last race and the training before it
    weeks: int
    weeks_given: bool
    next_race: NextRace | None
    last_meta: Mapping[str, str]


class Sized(msgspec.Struct):
    case: str
    values: dict[str, Any]
    rows: list[tuple[int, str, dict[str, Any]]] = msgspec.field(default_factory=list)
    source: str | None = None  # the source of this case's numbers, when not the item's own


Sizer = Callable[[_Context, Mapping[str, Any]], "Sized | None"]


def _band(bands: tuple[dict[str, Any], ...], value: float) -> dict[str, Any]:
    """The first band whose `upto` reaches the value (the last one beyond it)."""
    return next((band for band in bands if value <= band["upto"]), bands[-1])


def _round(value: float, step: float) -> float:
    return math.floor(value / step + 0.5) * step


def _pace(minutes_per_km: float) -> str:
    seconds = round(minutes_per_km * 60)
    return f"{seconds // 60}:{seconds % 60:02d}"


def _sweat_rate(history: Mapping[str, Any]) -> float | None:
    """At most this many litres of sweat an hour in the last race: what went in minus the
    weight change. Urine is never measured, so it counts as sweat: an upper bound, which the
    texts say. None when the runner gained weight: then intake says nothing about sweat, and
    a 'sweat rate' would only make the over-drinking look safe."""
    hours, fluid, change = (history.get(k) for k in
                            ("event_duration_h", "fluid_ml_per_h", "weight_change_kg"))
    if not hours or fluid is None or change is None or change > 0:
        return None
    rate = (fluid / 1000 * hours - change) / hours
    return round(rate, 1) if rate > 0 else None


def _preparation(ctx: _Context, t: Mapping[str, Any]) -> Sized:
    values: dict[str, Any] = {"weeks": ctx.weeks, "min_weeks": t["min_weeks"],
                              "max_weeks": t["max_weeks"]}
    case = "given" if ctx.weeks_given else "default"
    if ctx.next_race is not None:
        values["race_name"] = ctx.next_race.meta.get("event")
        if "event_duration_h" not in ctx.next_race.values:
            values["estimated_h"] = ctx.race.get("event_duration_h")
        case = f"next_{case}"
    else:
        values["last_race"] = ctx.last_meta.get("event")
    return Sized(case, values)


def _long_runs(ctx: _Context, t: Mapping[str, Any]) -> Sized | None:
    """Every number the text gives is read off the schedule it describes: the weekly long runs
    are rounded first (to whole km, half up, never beyond the target), then the first week's
    run, the week the target is reached, the full-length runs and the taper are counted from
    them, so the text, the schedule and the counts cannot disagree."""
    runs_lo, runs_hi = t["runs_in_a_preparation"]
    taper, weeks = t["taper_weeks"], ctx.weeks
    values: dict[str, Any] = {
        "max_increase_pct": round(t["max_increase"] * 100), "taper_weeks": taper, "weeks": weeks,
        "window_weeks": t["window_weeks"],
        "prep_runs_lo": int(runs_lo), "prep_runs_hi": int(runs_hi),
        "long_runs_12w": ctx.history.get("long_runs_12w")}
    distance = ctx.race.get("event_distance_km")
    if distance is None:
        return Sized("unknown_distance", values)
    band = _band(t["bands"], distance)
    if "target_km" not in band:
        return None  # track races: no long-run advice
    target = band["target_km"]
    values.update(label=band["label"], target=band.get("target"), note=band.get("note"),
                  distance_km=distance, target_km=target,
                  taper_km=_round(target * t["taper_fraction"], 1))
    available = weeks - taper
    if available <= 0:
        return Sized("no_time", values)
    longest = ctx.history.get("longest_run_km")
    if longest is None:
        return Sized("unknown_start", values)
    longest = round(longest, 1)  # as the text shows it; the build starts from that number
    values["longest_km"] = longest
    if longest >= target:
        case, runs = "at_target", [target] * available
    else:
        runs = progression(longest, target, available, t["max_increase"], t["min_start_km"])
        case = "build" if runs[-1] >= target else "short_time"
        values["gap_km"] = round(target - longest, 1)
    reach = next((week for week, km in enumerate(runs, 1) if km >= target), None)
    peak = max(runs)
    if case == "build" and reach is not None:
        # start_km is the first of several steps: absent when week 1 already runs the target.
        values.update(reach_week=reach, build_weeks=reach - 1,
                      start_km=runs[0] if reach > 1 else None)
    elif case == "short_time":
        # start_km likewise: absent when the one week before the taper is all the build there is.
        values.update(reach_km=peak, build_weeks=available,
                      start_km=runs[0] if available > 1 else None)
    values["runs_at_target"] = sum(1 for km in runs if km >= target)
    # The taper's long runs stay under a share of the longest run the plan reaches (the
    # target, or less when there is no time to reach it), never above it.
    values["taper_km"] = _round(peak * t["taper_fraction"], 1) if taper else None
    if not taper:
        values["taper_weeks"] = None
    rows: list[tuple[int, str, dict[str, Any]]] = []
    for week, km in enumerate(runs, 1):
        kind = "build" if km < target else ("first" if week == reach and case == "build"
                                             else "target")
        rows.append((week, kind, {"km": km}))
    rows += [(week, "taper", {"km": values["taper_km"]}) for week in range(available + 1, weeks + 1)]
    return Sized(case, values, rows)


def progression(longest: float, target: float, weeks: int, max_increase: float,
                min_start: float = 0) -> list[float]:
    """Weekly long runs from `longest` towards `target`, none more than `max_increase` longer
    than the longest of the previous 30 days (Frandsen 2025), nor shorter than `min_start`:
    rounded down to half a km (a tenth while the runs are short), never beyond the target."""
    runs: list[float] = []
    for _ in range(weeks):
        recent = max([longest] + runs[-4:])  # the last 30 days: this week's 4 predecessors
        cap = max(recent * (1 + max_increase), min_start)
        km = math.floor(cap * 2) / 2
        if km <= recent:
            km = math.floor(cap * 10) / 10
        runs.append(min(round(km, 1), target))
    return runs


def _long_run_peak(ctx: _Context) -> float | None:
    """The longest run the plan's long-run schedule reaches (None: it has no schedule)."""
    template = next((p for p in ctx.kb.plans.values() if p.sizing == "long_runs"), None)
    if template is None:
        return None
    sized = _long_runs(ctx, template.table)
    if sized is None or not sized.rows:
        return None
    return max(row[2]["km"] for row in sized.rows if row[1] != "taper")


def _first_long_run(ctx: _Context, t: Mapping[str, Any]) -> Sized | None:
    """The coach's first 35 km, only when the long-run schedule reaches that distance in the
    weeks left; at the runner's paces, the middle part is lengthened so the timings reach it."""
    distance = ctx.race.get("event_distance_km")
    low, high = t["distances_km"]
    if distance is None or not low <= distance <= high:
        return None
    peak = _long_run_peak(ctx)
    if ctx.weeks - t["taper_weeks"] < 1 or (peak is not None and peak < t["run_km"]) \
            or (peak is None and ctx.history.get("longest_run_km") is not None):
        return None
    offset_lo, offset_hi = t["pace_offsets_s"]
    values: dict[str, Any] = {
        "run_km": t["run_km"], "walk_min": t["walk_min"], "jog_min": t["jog_min"],
        "run_min": t["run_min"], "offset_lo_s": offset_lo, "offset_hi_s": offset_hi,
        "reps": t["finish_reps"], "rep_m": t["finish_rep_m"], "goal_rep_m": t["goal_rep_m"],
        "cooldown_min": t["cooldown_min"]}
    hours = ctx.race.get("event_duration_h")
    if hours:
        pace = hours * 60 / distance  # minutes per km at the race's average (marathon) pace
        easy = pace + t["jog_offset_s"] / 60
        run_pace = pace + (offset_lo + offset_hi) / 2 / 60
        walk_km = t["walk_min"] / 60 * t["walk_kmh"]
        fixed_km = walk_km + t["jog_min"] / easy + t["finish_reps"] * t["finish_rep_m"] / 1000 \
            + t["cooldown_min"] / easy
        coach_km = fixed_km + t["run_min"] / run_pace
        values.update(m_pace=_pace(pace), pace_lo=_pace(pace + offset_lo / 60),
                      pace_hi=_pace(pace + offset_hi / 60), easy_pace=_pace(easy),
                      coach_km=round(coach_km))
        if coach_km < t["run_km"] - 0.5:
            values["sized_run_min"] = max(t["run_min"], int(_round((t["run_km"] - fixed_km)
                                                                   * run_pace, 5)))
    return Sized("main", values)


def _ultra_long_runs(ctx: _Context, t: Mapping[str, Any]) -> Sized | None:
    distance = ctx.race.get("event_distance_km")
    if distance is None or distance <= t["from_km"]:
        return None
    low, high = t["specific_long_run_h"]
    values: dict[str, Any] = {
        "distance_km": distance, "weekly_km": t["weekly_km"],
        "long_run_h_lo": low, "long_run_h_hi": high, "base_years": t["base_years"],
        "tune_up_min_weeks": t["tune_up_min_weeks"], "weeks": ctx.weeks}
    if ctx.weeks >= t["tune_up_min_weeks"]:  # a half-distance race needs weeks to recover from
        values["tune_up_km"] = _round(distance * t["tune_up_fraction"], 5)
    years = ctx.history.get("years_consistent")
    if years is not None and years >= t["base_years"]:
        values["years"] = years
    return Sized("main", values)


def _sets_reps(total: float, t: Mapping[str, Any]) -> tuple[int, int]:
    """A day's lunges as sets x reps: sets of the starting size up to the cap, then as many
    sets as the goal has, each longer (rounded), never beyond the goal."""
    if total <= t["start_cap"]:
        return max(1, round(total / t["start_reps"])), t["start_reps"]
    sets, reps = t["peaks"][0]
    return sets, min(reps, max(t["round_to"], int(_round(total / sets, t["round_to"]))))


def _lunge_totals(t: Mapping[str, Any]) -> list[int]:
    """Every day's total a session can show: sets of start_reps up to the cap, then the goal's
    sets of a rounded number of reps up to the goal."""
    small = [n * t["start_reps"] for n in range(1, t["start_cap"] // t["start_reps"] + 1)]
    sets, reps = t["peaks"][0]
    step = t["round_to"]
    large = [sets * r for r in range(step, reps + 1, step) if sets * r > t["start_cap"]]
    return sorted(set(small + large))


def _lunges(ctx: _Context, t: Mapping[str, Any]) -> Sized:
    (peak_sets, peak_reps), *others = t["peaks"]
    ramp_lo, ramp_hi = (int(x) for x in t["ramp_weeks"])
    sessions_lo, sessions_hi = (int(x) for x in t["sessions_per_week"])
    hold, weeks = t["hold_weeks"], ctx.weeks
    values: dict[str, Any] = {
        "start_sets": t["start_sets"], "start_reps": t["start_reps"], "start_cap": t["start_cap"],
        "peak_sets": peak_sets, "peak_reps": peak_reps, "ramp_lo": ramp_lo, "ramp_hi": ramp_hi,
        "hold_weeks": hold, "sessions_lo": sessions_lo, "sessions_hi": sessions_hi,
        "weeks": weeks}
    if others:
        values.update(alt_sets=others[0][0], alt_reps=others[0][1])
    values["max_growth_pct"] = round(t["max_weekly_growth"] * 100)
    ramp_end = weeks - hold  # the week the peak is reached, `hold` weeks before the race
    if ramp_end < 2:
        return Sized("too_late", values)
    peak_total = peak_sets * peak_reps
    # Small weekly steps: the growth that reaches the goal in the weeks there are, never more
    # than max_weekly_growth a week; each preparation starts again from the bottom.
    length = min(ramp_hi, ramp_end)
    growth = 1 + t["max_weekly_growth"]
    shown = _lunge_totals(t)
    days = [(t["start_sets"], t["start_reps"])]
    for _ in range(1, length):
        previous = days[-1][0] * days[-1][1]
        bound = min(previous * growth, peak_total)
        # the largest day a session can hold within this week's bound, never less than last week
        total = max([x for x in shown if x <= bound + 1e-9] + [previous])
        days.append(_sets_reps(total, t))
    case = "full" if days[-1][0] * days[-1][1] >= peak_total and length >= ramp_lo else "short"
    if days[-1][0] * days[-1][1] >= peak_total:
        first_peak = next(i for i, d in enumerate(days) if d[0] * d[1] >= peak_total)
        days = days[:first_peak + 1]  # start later rather than sit at the peak for weeks
        length = len(days)
    start_week = ramp_end - length + 1
    race_week_total = days[-1][0] * days[-1][1] * t["race_week_fraction"]
    race_week = _sets_reps(race_week_total, t)
    values.update(race_week_sets=race_week[0], race_week_reps=race_week[1])
    rows: list[tuple[int, str, dict[str, Any]]] = [(w, "wait", {}) for w in range(1, start_week)]
    rows += [(start_week + i, "ramp", {"sets": s, "reps": r}) for i, (s, r) in enumerate(days)]
    rows += [(w, "hold", {"sets": days[-1][0], "reps": days[-1][1]})
             for w in range(ramp_end + 1, weeks)]
    if weeks > ramp_end:
        rows.append((weeks, "race_week", {"sets": race_week[0], "reps": race_week[1]}))
    values.update(start_week=start_week, peak_week=ramp_end, ramp_weeks=length,
                  reached_sets=days[-1][0], reached_reps=days[-1][1])
    return Sized(case, values, rows)


def _downhill(ctx: _Context, t: Mapping[str, Any]) -> Sized:
    loss = ctx.race.get("elevation_loss_m")
    single = ctx.race.get("biggest_race_descent_m")
    trained = ctx.history.get("biggest_training_descent_m")
    values: dict[str, Any] = {
        "weeks": ctx.weeks, "thrash_sessions": t["thrash_sessions"], "step_m": t["step_m"],
        "last_thrash_weeks_before": t["last_thrash_weeks_before"], "race_loss_m": loss,
        "training_descent_m": trained or None}
    if loss is None and single is None:
        return Sized("unknown", values)
    if max(single or 0, loss or 0) < t["min_race_descent_m"]:
        return Sized("flat", values)
    biggest = single if single is not None else min(loss, t["assume_single_max_m"])
    step_round = t["round_m"]
    factor_lo, factor_hi = t["hill_factor"]
    hill = max(step_round, math.floor(biggest * factor_lo / step_round) * step_round)
    hill_hi = max(hill, _round(biggest * factor_hi, step_round))
    total = loss if loss is not None else biggest
    reps = max(1, round(total * t["session_fraction"] / hill))
    values.update(race_descent_m=biggest, hill_lo_m=hill, hill_hi_m=hill_hi, reps=reps,
                  session_m=reps * hill)
    if trained:
        values["ratio"] = round(biggest / trained, 1)
        if trained < hill:
            values["local_reps"] = math.ceil(reps * hill / trained)
    case = "matched" if single is not None else "estimated"
    last = ctx.weeks - t["last_thrash_weeks_before"]
    if last < 1:
        return Sized("too_late", values)
    thrash_weeks = sorted({last - t["thrash_gap_weeks"] * k for k in range(t["thrash_sessions"])
                           if last - t["thrash_gap_weeks"] * k >= 1})
    # The build: one session a week whose descent grows by step_m, run as one descent until it
    # reaches the hill's size, then as whole repeats of the hill (a repeat is added once the
    # growth has paid for it), up to the full session.
    start = trained if trained else t["default_start_m"]
    levels: list[tuple[int, float]] = []
    while not levels or levels[-1] != (reps, hill):
        volume = start + t["step_m"] * len(levels)  # week 1: what the runner has done
        levels.append((1, _round(volume, step_round)) if volume < hill
                      else (min(reps, int(volume // hill)), hill))
    # The hard sessions go one level beyond where the build ends (the full session if it fits).
    thrash = levels[min(thrash_weeks[0] - 1, len(levels) - 1)]
    # The count the text gives is the schedule's: fewer than the table's when time is short.
    values.update(last_thrash_week=last, thrash_reps=thrash[0], thrash_hill_m=thrash[1],
                  thrash_m=thrash[0] * thrash[1], thrash_sessions=len(thrash_weeks))
    if thrash[0] * thrash[1] < reps * hill:
        values["short_m"] = reps * hill
    rows: list[tuple[int, str, dict[str, Any]]] = []
    for week in range(1, ctx.weeks + 1):
        if week in thrash_weeks:
            rows.append((week, "thrash", {"reps": thrash[0], "hill_m": thrash[1],
                                          "session_m": thrash[0] * thrash[1]}))
        elif week > last:
            rows.append((week, "taper", {}))
        elif week < thrash_weeks[0]:
            n, size = levels[min(week, len(levels)) - 1]
            rows.append((week, "build", {"reps": n, "hill_m": size, "session_m": n * size}))
        else:
            rows.append((week, "easy", {}))
    return Sized(case, values, rows)


def _hill_circuit(ctx: _Context, t: Mapping[str, Any]) -> Sized:
    return Sized("main", {"minutes": t["minutes"], "per_week": t["per_week"]})


def _race_pace(ctx: _Context, t: Mapping[str, Any]) -> Sized | None:
    if ctx.history.get("trained_race_pace") is True and "pacing_error" not in ctx.leading:
        return None
    values: dict[str, Any] = {"last_weeks": t["last_weeks"], "sessions": t["sessions_per_week"]}
    distance, hours = ctx.race.get("event_distance_km"), ctx.race.get("event_duration_h")
    if distance and hours:
        values.update(pace=_pace(hours * 60 / distance), distance_km=distance, duration_h=hours)
    return Sized("main", values)


def _terrain(ctx: _Context, t: Mapping[str, Any]) -> Sized | None:
    terrain = ctx.race.get("terrain")
    changed = ctx.next_race is not None and ctx.history.get("terrain") not in (None, terrain)
    if terrain is None or (ctx.history.get("trained_terrain") is True and not changed):
        return None
    distance, gain = ctx.race.get("event_distance_km"), ctx.race.get("elevation_gain_m")
    low, high = t["mountain_long_run_h"]
    values: dict[str, Any] = {
        "terrain": terrain, "gain_m": gain, "loss_m": ctx.race.get("elevation_loss_m"),
        "distance_km": distance, "duration_h": ctx.race.get("event_duration_h"),
        "long_run_h_lo": low, "long_run_h_hi": high}
    if distance and gain is not None:
        values["gain_per_10km"] = _round(gain / distance * 10, 10)
    return Sized("hills" if terrain in ("trail", "mountain") else "flat", values)


def _heat(ctx: _Context, t: Mapping[str, Any]) -> Sized | None:
    temperature = ctx.race.get("temperature_c")
    if temperature is None or temperature < t["from_c"] \
            or ctx.race.get("heat_acclimatized") is True:
        return None
    low, high = t["days"]
    return Sized("main", {"temperature_c": temperature, "days_lo": low, "days_hi": high})


def _core(ctx: _Context, t: Mapping[str, Any]) -> Sized:
    weeks = ctx.weeks
    if weeks < t["min_weeks"]:
        return Sized("short", {"weeks": weeks})
    first = math.ceil(weeks / 3)
    second = math.ceil((weeks - first) / 2)
    stages = [("activation", first), ("posture", second), ("technique", weeks - first - second)]
    rows: list[tuple[int, str, dict[str, Any]]] = []
    week = 1
    for stage, length in stages:
        rows += [(w, stage, {}) for w in range(week, week + length)]
        week += length
    return Sized("main", {"weeks": weeks}, rows)


def _short_race(ctx: _Context, t: Mapping[str, Any]) -> bool:
    """A race of unknown duration that is short by its distance (a 400 m, a 10 km)."""
    distance = ctx.race.get("event_distance_km")
    return ctx.race.get("event_duration_h") is None and distance is not None \
        and distance <= t["short_race_km"]


def _carbs(ctx: _Context, t: Mapping[str, Any]) -> Sized:
    hours = ctx.race.get("event_duration_h")
    values: dict[str, Any] = {"gel_g": t["gel_g"], "taken_g": ctx.history.get("carbs_g_per_h")}
    if _short_race(ctx, t):
        return Sized("none", dict(values, distance_km=ctx.race["event_distance_km"]),
                     source=t["bands"][0].get("source"))
    if hours is None:
        return Sized("unknown_duration", values)
    band = _band(t["bands"], hours)
    low, high = band["g_per_h"]
    values.update(duration_h=hours, g_lo=low, g_hi=high, note=band.get("note"))
    if high == 0:
        return Sized("none", values, source=band.get("source"))
    distance = ctx.race.get("event_distance_km")
    if distance is not None and distance > t["ultra_from_km"]:
        values.update(ultra_g_lo=t["ultra_g_per_h"][0], ultra_g_hi=t["ultra_g_per_h"][1])
    total_lo, total_hi = _round(low * hours, 5), _round(high * hours, 5)
    values.update(total_lo=total_lo, total_hi=total_hi,
                  gels_lo=max(1, round(total_lo / t["gel_g"])),
                  gels_hi=max(1, round(total_hi / t["gel_g"])))
    return Sized("main", values, source=band.get("source"))


def _carb_loading(ctx: _Context, t: Mapping[str, Any]) -> Sized | None:
    hours = ctx.race.get("event_duration_h")
    if (hours is not None and hours <= t["from_h"]) or _short_race(ctx, t):
        return None
    per_kg_lo, per_kg_hi = t["g_per_kg"]
    hours_lo, hours_hi = t["hours"]
    values: dict[str, Any] = {"g_per_kg_lo": per_kg_lo, "g_per_kg_hi": per_kg_hi,
                              "hours_lo": hours_lo, "hours_hi": hours_hi, "duration_h": hours,
                              "from_h": t["from_h"]}
    body = ctx.history.get("body_mass_kg")
    if body:
        values.update(body_kg=body, g_day_lo=_round(body * per_kg_lo, 10),
                      g_day_hi=_round(body * per_kg_hi, 10))
    return Sized("main", values)


def _sodium(ctx: _Context, t: Mapping[str, Any]) -> Sized:
    hours, temperature = ctx.race.get("event_duration_h"), ctx.race.get("temperature_c")
    values: dict[str, Any] = {"min_duration_h": t["min_duration_h"], "duration_h": hours,
                              "temperature_c": temperature,
                              "taken_mg": ctx.history.get("sodium_mg_per_h")}
    if (hours is not None and hours < t["min_duration_h"]) or _short_race(ctx, t):
        return Sized("short", values)
    sweat = _sweat_rate(ctx.history)
    if sweat:
        g_lo, g_hi = t["sweat_sodium_g_per_l"]
        values.update(sweat_l_h=sweat, sweat_g_lo=g_lo, sweat_g_hi=g_hi,
                      sweat_na_lo=_round(sweat * g_lo * 1000, 50),
                      sweat_na_hi=_round(sweat * g_hi * 1000, 50))
    bands = t["bands"]
    if temperature is None:
        (low, high), (hot_lo, hot_hi) = bands[0]["mg_per_h"], bands[-1]["mg_per_h"]
        values.update(mg_lo=low, mg_hi=high, hot_lo=hot_lo, hot_hi=hot_hi)
        return Sized("unknown_temperature", values)
    low, high = _band(bands, temperature)["mg_per_h"]
    if ctx.history.get("salty_sweater") is True and temperature >= t["salty_from_c"]:
        extra = t["salty_extra_mg"]
        low, high = low + extra, high + extra
        values["salty_extra_mg"] = extra
    values.update(mg_lo=low, mg_hi=high, mmol_lo=round(low / t["mg_per_mmol"]),
                  mmol_hi=round(high / t["mg_per_mmol"]))
    if hours:
        values.update(total_lo_g=round(low * hours / 1000, 1),
                      total_hi_g=round(high * hours / 1000, 1))
    return Sized("main", values)


def _fluid(ctx: _Context, t: Mapping[str, Any]) -> Sized:
    low, high = t["l_per_h"]
    history = ctx.history
    values: dict[str, Any] = {"lo_l": low, "hi_l": high, "max_loss_pct": t["max_loss_pct"],
                              "sweat_l_h": _sweat_rate(history),
                              "taken_ml": history.get("fluid_ml_per_h")}
    distance = ctx.race.get("event_distance_km")
    if distance is not None and distance > t["ultra_from_km"]:
        values.update(ultra_ml_lo=t["ultra_ml_per_h"][0], ultra_ml_hi=t["ultra_ml_per_h"][1])
    body = history.get("body_mass_kg")
    if body:
        values.update(body_kg=body, max_loss_kg=round(body * t["max_loss_pct"] / 100, 1))
    change = history.get("weight_change_kg")
    if change is not None and change > 0:
        values["gained_kg"] = change
    if (values["taken_ml"] or 0) > high * 1000:
        values["over_ml"] = values["taken_ml"]
    overdrank = history.get("drank_beyond_thirst") is True or bool(values.get("gained_kg")) \
        or "over_ml" in values
    return Sized("overdrank" if overdrank else "main", values)


def _fixed(ctx: _Context, t: Mapping[str, Any]) -> Sized:
    return Sized("main", {})


SIZERS: dict[str, Sizer] = {
    "preparation": _preparation, "long_runs": _long_runs, "first_long_run": _first_long_run,
    "ultra_long_runs": _ultra_long_runs, "lunges": _lunges, "downhill": _downhill,
    "hill_circuit": _hill_circuit, "race_pace": _race_pace, "terrain": _terrain,
    "heat": _heat, "core": _core, "carbs": _carbs, "carb_loading": _carb_loading,
    "sodium": _sodium, "fluid": _fluid, "fixed": _fixed,
}


# -- templates -------------------------------------------------------------------------------

def show(value: Any) -> str:
    """A number as a runner reads it: no '.0', one decimal at most."""
    if isinstance(value, float):
        value = round(value, 1)
        return str(int(value)) if value.is_integer() else f"{value:.1f}"
    return str(value)


# "{weeks} weeks" with weeks = 1 reads "1 week": the templates are written for the plural
_COUNTED = ("weeks", "days", "runs", "sessions", "hours", "gels", "sets")


def _singular(template: str, shown: Mapping[str, str]) -> str:
    """The template with "{n} weeks" as "{n} week" wherever n shows as 1."""
    import re

    if "1" not in shown.values():
        return template
    return re.sub(rf"\{{(\w+)\}} ({'|'.join(_COUNTED)})\b",
                  lambda m: f"{{{m[1]}}} {m[2][:-1]}" if shown.get(m[1]) == "1" else m[0],
                  template)


def fill(parts: tuple[tuple[str, ...], ...], values: Mapping[str, Any]) -> str:
    """Each sentence: its first alternative whose placeholders are all known; else left out."""
    return fill_used(parts, values)[0]


def fill_used(parts: tuple[tuple[str, ...], ...], values: Mapping[str, Any]
              ) -> tuple[str, set[str]]:
    """`fill`, and the placeholders the chosen sentences used (to say whose numbers show)."""
    shown = {k: show(v) for k, v in values.items() if v is not None and v != ""}
    out, used = [], set()
    for alternatives in parts:
        for template in alternatives:
            names = placeholders_of(template)
            if all(name in shown for name in names):
                out.append(_singular(template, shown).format_map(shown))
                used |= set(names)
                break
    return " ".join(out), used


def _schedule(template: PlanTemplate, rows: list[tuple[int, str, dict[str, Any]]]
              ) -> tuple[ScheduleRow, ...]:
    merged: list[ScheduleRow] = []
    for week, kind, values in rows:
        text = fill((template.rows[kind],), values)
        if merged and merged[-1].text == text and merged[-1].last == week - 1:
            merged[-1] = ScheduleRow(merged[-1].first, week, text)
        else:
            merged.append(ScheduleRow(week, week, text))
    return tuple(merged)


def _jsonable(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in values.items()
            if v is not None and v != ""}


# -- the plan --------------------------------------------------------------------------------

def race_facts(kb: KnowledgeBase, history: Mapping[str, Any],
               next_race: NextRace | None) -> tuple[dict[str, Any], bool]:
    """The facts of the race planned for, and whether its duration was estimated: for a race
    like the last one, when the runner stopped early or the time cannot be right
    (derived.planned_duration); for a next race, from the last race's pace over the distance
    actually run, when the next race's ground is the same or unknown and that pace possible."""
    own = [k for k in race_questions(kb) if k not in LAST_RACE_ONLY]
    if next_race is None:
        race = {k: history[k] for k in own if k in history}
        planned = planned_duration(history)
        if planned is None:
            return race, False
        race["event_duration_h"] = planned.value
        return race, True
    race = dict(next_race.values)
    distance, hours = distance_run(history), history.get("event_duration_h")
    if check_pace(history) is not None:
        hours = None  # a pace that cannot be right sizes nothing
    same_ground = race.get("terrain") in (None, history.get("terrain")) \
        or history.get("terrain") is None
    if "event_duration_h" not in race and race.get("event_distance_km") and distance and hours \
            and same_ground:
        race["event_duration_h"] = estimate_duration_h(
            hours, distance, climb_run(history), race["event_distance_km"],
            race.get("elevation_gain_m"))
        return race, True
    return race, False


RIEGEL_EXPONENT = 1.06  # Riegel 1981: time grows as distance ** 1.06
CLIMB_M_PER_EFFORT_KM = 100  # ITRA's km-effort: each 100 m of climb counts as one more km


def estimate_duration_h(last_h: float, last_km: float, last_gain_m: float | None,
                        next_km: float, next_gain_m: float | None) -> float:
    """The next race's time from the last race's, at a pace for the next race's distance and
    climb (crampdx.derived.scale_duration: ITRA km-effort, then Riegel's formula)."""
    return scale_duration(last_h, last_km, last_gain_m, next_km, next_gain_m)


def _next_race_asks(ctx: _Context, template: PlanTemplate) -> bool:
    """With --next-race, condition items join the plan whatever the diagnosis when that race
    asks for ground, heat or descents the answers show were not trained."""
    if ctx.next_race is None:
        return False
    race, history, table = ctx.race, ctx.history, template.table
    if template.sizing == "terrain":
        return race.get("terrain") is not None \
            and history.get("terrain") not in (None, race["terrain"])
    if template.sizing == "heat":
        temperature = race.get("temperature_c")
        return temperature is not None and temperature >= table["from_c"] \
            and history.get("heat_acclimatized") is not True
    if template.sizing == "downhill":
        single, loss = race.get("biggest_race_descent_m"), race.get("elevation_loss_m")
        descent = single if single is not None else \
            min(loss, table["assume_single_max_m"]) if loss is not None else None
        if descent is None or descent < table["min_race_descent_m"]:
            return False
        trained = history.get("biggest_training_descent_m")
        return trained is None or trained < descent * table["hill_factor"][0]
    return False


RETURN_TITLE = "Returning to running after medical clearance"


def _flagged(diagnosis: "Diagnosis") -> tuple[str, list[str]]:
    """The triage level and the flagged condition ids (none for a bare diagnosis-like value
    that carries only answers and leading causes, as some callers build)."""
    triage = getattr(diagnosis, "triage", None)
    return (triage.level, triage.conditions()) if triage is not None else ("self_care", [])
HELD_KINDS = ("training", "extra", "fuelling", "race_day")  # never in an emergency's plan


def active_conditions(kb: KnowledgeBase, diagnosis: "Diagnosis") -> set[str]:
    """Conditions the advice must respect: every one a shown red flag names, and every one
    whose cause leads (a leading hyponatremia is EAH, flagged or not)."""
    active = set(_flagged(diagnosis)[1])
    active |= {c.id for c in kb.conditions.values() if c.cause and c.cause in diagnosis.leading}
    return active


def _returns(kb: KnowledgeBase, diagnosis: "Diagnosis", emergency: bool) -> list[PlanItem]:
    """'Returning to running after medical clearance' for each flagged condition that has it:
    every one in an emergency, else those that hold training until a doctor clears it."""
    items = []
    for cid in _flagged(diagnosis)[1]:
        condition = kb.conditions.get(cid)
        if condition is None or not condition.return_to_running:
            continue
        if emergency or condition.clearance:
            items.append(_item(kb, f"return-{cid.replace('_', '-')}", None, "medical",
                               RETURN_TITLE, f"{condition.name}. {condition.return_to_running}",
                               condition.return_source))
    return items


def _holds(kb: KnowledgeBase, diagnosis: "Diagnosis") -> tuple[str, bool]:
    """('emergency', _) when the plan is only the return to running; (_, True) when training
    and racing wait for a doctor (a shown flag names a condition that needs clearance)."""
    level, conditions = _flagged(diagnosis)
    if level == "emergency":
        return "emergency", True
    clearance = any(kb.conditions[c].clearance for c in conditions if c in kb.conditions)
    return "", clearance


def applies(condition: Any, facts: Mapping[str, Any]) -> bool:
    """An item's `fits`: shown unless the race and runner make it known false (three-valued,
    so an unanswered fact never hides advice that may fit)."""
    from crampdx.knowledge import conditions as cond

    return condition is None or cond.evaluate(condition, facts, lambda _: None) is not False


def make_plan(kb: KnowledgeBase, diagnosis: "Diagnosis", *, next_race: NextRace | None = None,
              weeks: int | None = None) -> Plan:
    """The plan for a diagnosis: sized items for the leading causes, the fuelling and drinking
    plan every runner gets, then fixed remedies, medical notes and the anecdotal extras.

    The triage bounds it: an emergency's plan is only the return to running after medical
    clearance; a condition that needs a doctor's clearance (heart, muscle breakdown, a drug)
    drops the extras and marks training and racing 'only after a doctor has cleared you';
    an item whose `not_with` names an active condition (a flagged or leading EAH) is left out."""
    planned_weeks, given = resolve_weeks(kb, weeks)
    withheld, cleared_only = _holds(kb, diagnosis)
    if withheld:
        full = _make_plan(kb, diagnosis, next_race=next_race, weeks=weeks)
        summary = ("No training or race plan now: get medical help first (see the red flags "
                   "above). When a doctor has cleared you, return gradually:")
        return Plan(tuple(_returns(kb, diagnosis, True)), planned_weeks, given, summary,
                    full.race, full.next_race, full.estimated_duration, withheld, True)
    plan = _make_plan(kb, diagnosis, next_race=next_race, weeks=weeks)
    if not cleared_only:
        return plan
    kept = [item for item in plan.items if item.kind != "extra"]
    before = [item for item in kept if SECTIONS.index(item.section) < SECTIONS.index("medical")]
    items = before + _returns(kb, diagnosis, False) + kept[len(before):]
    summary = "Only after a doctor has cleared you. " + plan.summary if plan.summary else \
        "Only after a doctor has cleared you."
    return Plan(tuple(items), plan.weeks, plan.weeks_given, summary, plan.race, plan.next_race,
                plan.estimated_duration, "", True)


def _make_plan(kb: KnowledgeBase, diagnosis: "Diagnosis", *, next_race: NextRace | None = None,
               weeks: int | None = None) -> Plan:
    planned_weeks, given = resolve_weeks(kb, weeks)
    history = diagnosis.answers.values
    race, estimated = race_facts(kb, history, next_race)
    derived = getattr(diagnosis, "estimated", {})
    findings = getattr(diagnosis, "findings", {})
    # An estimate sizes the hours of fuelling only from an hour up; shorter races are sized by
    # their distance, as when no duration is known.
    if next_race is None and "event_duration_h" in derived and "event_duration_h" not in race \
            and derived["event_duration_h"].value >= 1:
        race["event_duration_h"] = derived["event_duration_h"].value
        estimated = True
    active = active_conditions(kb, diagnosis)
    facts = dict(history)
    facts.update({k: v.value for k, v in derived.items() if k not in facts})

    def shown(when: cond.Condition | None) -> bool:
        return when is None or cond.evaluate(
            when, facts, lambda f: findings.get(f, 0) > FINDING_THRESHOLD) is True
    leading = tuple(diagnosis.leading)
    ctx = _Context(kb, leading, race, history, planned_weeks, given, next_race,
                   diagnosis.answers.meta)
    # A flagged condition's cause gets its advice too, after the leading causes' (a flagged
    # EAH brings the low-blood-sodium advice even when other causes rank higher).
    flagged = [kb.conditions[c].cause for c in _flagged(diagnosis)[1]
               if c in kb.conditions and kb.conditions[c].cause]
    rank = {cause: index for index, cause in enumerate(dict.fromkeys(leading + tuple(flagged)))}
    fit_facts = {**facts, **race}  # the race planned for, and what is known of the runner

    def cause_of(causes: tuple[str, ...]) -> str | None:
        hits = [c for c in causes if c in rank]
        return min(hits, key=rank.__getitem__) if hits else None

    ranked: list[tuple[tuple[int, int, int], PlanItem]] = []
    summary = ""
    for order, template in enumerate(kb.plans.values()):
        cause = cause_of(template.causes)
        if template.sizing == "preparation":
            sized = _preparation(ctx, template.table)
            summary = fill(template.text[sized.case], sized.values)
            continue
        if template.causes and cause is None and not _next_race_asks(ctx, template):
            continue
        if active & set(template.not_with) or not applies(template.fits, fit_facts):
            continue
        sized = SIZERS[template.sizing](ctx, template.table)
        if sized is None:
            continue
        text, used = fill_used(template.text[sized.case], sized.values)
        source = sized.source or template.source
        item = _item(kb, template.id, cause, template.kind, template.title, text, source,
                     numbers=_jsonable(sized.values), case=sized.case,
                     schedule=_schedule(template, sized.rows),
                     number_sources=_number_sources(kb, template, used, source))
        # Items for every runner lead their section; those for the next race's conditions
        # follow the leading causes' items.
        position = -1 if not template.causes else rank.get(cause, len(leading))
        ranked.append(((SECTIONS.index(item.section), position, order), item))
    for order, remedy in enumerate(kb.remedies.values(), start=len(kb.plans)):
        cause = cause_of(remedy.causes)
        if (remedy.causes and cause is None) or active & set(remedy.not_with) \
                or not shown(remedy.when) or not applies(remedy.fits, fit_facts):
            continue
        item = _item(kb, remedy.id, cause, remedy.kind, "", remedy.text, remedy.source)
        position = rank[cause] if cause is not None else -1
        ranked.append(((SECTIONS.index(item.section), position, order), item))
    ranked.sort(key=lambda pair: pair[0])
    return Plan(tuple(item for _, item in ranked), planned_weeks, given, summary, race,
                next_race.source if next_race else None, estimated)


def _number_sources(kb: KnowledgeBase, template: PlanTemplate, used: set[str],
                    main: str) -> tuple[Mapping[str, str], ...]:
    """The `sources` of a template whose numbers the text shows (or that name no numbers)."""
    out = []
    for entry in template.sources:
        if entry.source == main or (entry.numbers and not used & set(entry.numbers)):
            continue
        source = kb.sources.get(entry.source)
        out.append({"source": entry.source, "about": entry.about,
                    "label": source.label if source else entry.source,
                    "evidence": kb.evidence_label(entry.source),
                    "cite": source.cite if source else entry.source})
    return tuple(out)


def _item(kb: KnowledgeBase, item_id: str, cause: str | None, kind: str, title: str, text: str,
          source_id: str, **extra: Any) -> PlanItem:
    source = kb.sources.get(source_id)
    return PlanItem(item_id, cause, kind, SECTION_OF_KIND[kind], title, text, source_id,
                    kb.evidence_label(source_id), source.cite if source else source_id, **extra)
