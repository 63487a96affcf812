"""The `plans` kind: sized pieces of the action plan, checked like every other knowledge item.

A plan item names a *sizing*, one of the small functions in `crampdx.plan` that turn answers
into numbers. What each sizing reads from its item's `table`, which cases its text has, and which
`{placeholders}` it fills are declared here, once, so the loader can point at a typo in a table
field or a placeholder with file:line:column and a did-you-mean before any report is made, and a
test can prove the functions fill exactly what is declared.

Templates are filled with `str.format_map` on a dict of already formatted strings: a placeholder
is a bare name; attribute access, indexing, conversions and format specs are refused here, so a
template can never reach into Python objects.
"""

from __future__ import annotations

import string
from typing import Any, Callable, Mapping

import msgspec

from crampdx.errors import did_you_mean
from crampdx.knowledge.model import (
    REMEDY_KINDS,
    KnowledgeBase,
    NumberSource,
    Origin,
    PlanTemplate,
)
from crampdx.yamlio import shorten, type_name

Report = Callable[..., None]  # report(message, data, key=None)


class Field(msgspec.Struct, frozen=True):
    """One entry of a sizing's table: number | count | range | pairs | bands | text | flag."""

    kind: str
    help: str
    required: bool = True
    low: float | None = None
    high: float | None = None
    band: Mapping[str, "Field"] | None = None  # bands: each band's fields besides `upto`


class Sizing(msgspec.Struct, frozen=True):
    help: str
    table: Mapping[str, Field]
    placeholders: frozenset[str]
    cases: tuple[str, ...] = ("main",)
    rows: tuple[str, ...] = ()
    row_placeholders: frozenset[str] = frozenset()
    ordered: tuple[tuple[str, str], ...] = ()  # (a, b): table value a must not exceed b


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


SIZINGS: dict[str, Sizing] = {
    "preparation": Sizing(
        "The plan's opening line and the weeks it is sized for (--weeks, or the default).",
        {"default_weeks": Field("count", "Weeks planned when --weeks is not given", low=1),
         "min_weeks": Field("count", "Fewest weeks --weeks accepts", low=1),
         "max_weeks": Field("count", "Most weeks --weeks accepts", low=1)},
        _names("weeks race_name last_race estimated_h min_weeks max_weeks"),
        cases=("given", "default", "next_given", "next_default"),
        ordered=(("min_weeks", "default_weeks"), ("default_weeks", "max_weeks"))),
    "long_runs": Sizing(
        "Long-run length and count from the race distance, built from the longest run.",
        {"bands": Field("bands", "By race distance in km: the first band whose upto >= it",
                        band={"label": Field("text", "Who the band is for"),
                              "target_km": Field("number", "Length to build to; none: no "
                                                 "long-run advice for this band",
                                                 required=False, low=1),
                              "target": Field("text", "The target in words", required=False),
                              "note": Field("text", "A caveat printed with it", required=False)}),
         "window_weeks": Field("count", "Weeks the long_runs_12w question counts", low=1),
         "runs_in_a_preparation": Field("range", "Long runs a full preparation holds", low=1),
         "max_increase": Field("number", "Most a long run may be longer than the longest of "
                               "the previous 30 days, as a share", low=0.01, high=1),
         "min_start_km": Field("number", "The shortest long run a plan starts from", low=0),
         "taper_weeks": Field("count", "Easier weeks before the race"),
         "taper_fraction": Field("number", "Longest run in the taper, as a share of the "
                                 "target", low=0.1, high=1)},
        _names("label target target_km note distance_km longest_km max_increase_pct start_km "
               "reach_week "
               "runs_at_target taper_weeks taper_km weeks reach_km long_runs_12w window_weeks "
               "prep_runs_lo prep_runs_hi gap_km build_weeks"),
        cases=("build", "at_target", "short_time", "no_time", "unknown_start",
               "unknown_distance"),
        rows=("build", "first", "target", "taper"), row_placeholders=_names("km")),
    "first_long_run": Sizing(
        "The coach's first marathon-length long run, with paces from the race when known.",
        {"distances_km": Field("range", "Race distances it is for", low=0),
         "run_km": Field("number", "Its length", low=1),
         "walk_min": Field("number", "Minutes walking first"),
         "jog_min": Field("number", "Then minutes jogging"),
         "run_min": Field("number", "Then minutes running at the two slower paces"),
         "pace_offsets_s": Field("range", "Seconds per km slower than marathon pace"),
         "finish_reps": Field("count", "Repetitions at marathon pace to finish", low=1),
         "finish_rep_m": Field("number", "Their length in metres", low=1),
         "goal_rep_m": Field("number", "What they grow to over months and years", low=1),
         "cooldown_min": Field("number", "Cool-down minutes"),
         "taper_weeks": Field("count", "Easier weeks before the race (none of them hold it)"),
         "jog_offset_s": Field("number", "Jog and cool-down pace: seconds per km slower than "
                               "marathon pace", low=0),
         "walk_kmh": Field("number", "Walking speed, km an hour", low=1)},
        _names("run_km walk_min jog_min run_min offset_lo_s offset_hi_s reps rep_m goal_rep_m "
               "cooldown_min m_pace pace_lo pace_hi easy_pace coach_km sized_run_min")),
    "ultra_long_runs": Sizing(
        "What an ultra adds to the weekly long run: tune-up race and race-specific long runs.",
        {"from_km": Field("number", "Race distances above this are ultras", low=0),
         "weekly_km": Field("number", "The weekly long run", low=1),
         "tune_up_fraction": Field("number", "Tune-up race as a share of the race distance",
                                   low=0.05, high=1),
         "specific_long_run_h": Field("range", "Hours of a race-specific long run", low=0.5),
         "base_years": Field("number", "Years of weekly long runs that make a base", low=0),
         "tune_up_min_weeks": Field("count", "Fewer weeks to the race: no tune-up race", low=1)},
        _names("distance_km weekly_km tune_up_km long_run_h_lo long_run_h_hi years base_years "
               "tune_up_min_weeks weeks")),
    "lunges": Sizing(
        "Deep walking lunges: a week-by-week progression to a peak some weeks before the race.",
        {"start_sets": Field("count", "Sets in the first week", low=1),
         "start_reps": Field("count", "Lunges per set at the start", low=1),
         "start_cap": Field("count", "Most lunges a session holds in sets of start_reps", low=1),
         "peaks": Field("pairs", "Peak sessions as [sets, reps]; the first is the goal"),
         "ramp_weeks": Field("range", "Weeks from start to peak", low=2),
         "hold_weeks": Field("count", "Weeks the peak is held before the race"),
         "sessions_per_week": Field("range", "Sessions a week", low=1),
         "round_to": Field("count", "Reps per set are rounded to this", low=1),
         "max_weekly_growth": Field("number", "Most the day's lunges grow in a week, as a share",
                                    low=0.01, high=1),
         "race_week_fraction": Field("number", "Race week's lunges as a share of the peak",
                                     low=0, high=1)},
        _names("start_sets start_reps start_cap peak_sets peak_reps alt_sets alt_reps ramp_lo "
               "ramp_hi ramp_weeks start_week peak_week hold_weeks sessions_lo sessions_hi weeks "
               "reached_sets reached_reps max_growth_pct race_week_sets race_week_reps"),
        cases=("full", "short", "too_late"),
        rows=("wait", "ramp", "hold", "race_week"), row_placeholders=_names("sets reps")),
    "downhill": Sizing(
        "Downhill sessions sized to the race's descents against the biggest trained one.",
        {"min_race_descent_m": Field("number", "Below this a race has no descents to prepare",
                                     low=0),
         "assume_single_max_m": Field("number", "Single descent assumed at most, when only the "
                                      "total is known", low=1),
         "hill_factor": Field("range", "Training hill size as a share of the race's biggest "
                              "descent", low=0.1),
         "session_fraction": Field("number", "Descent of a full session as a share of the "
                                   "race's total descent", low=0.05, high=1),
         "step_m": Field("number", "Session descent added each week while building", low=10),
         "default_start_m": Field("number", "First session's descent when the biggest trained "
                                  "descent is unknown", low=10),
         "thrash_sessions": Field("count", "Hard, race-size sessions before the race", low=1),
         "thrash_gap_weeks": Field("count", "Weeks between them", low=1),
         "last_thrash_weeks_before": Field("count", "Weeks between the last one and the race",
                                           low=1),
         "round_m": Field("number", "Metres are rounded to this", low=1)},
        _names("race_descent_m race_loss_m training_descent_m ratio hill_lo_m hill_hi_m "
               "session_m reps local_reps thrash_sessions last_thrash_week "
               "last_thrash_weeks_before weeks step_m thrash_m thrash_reps thrash_hill_m short_m"),
        cases=("matched", "estimated", "flat", "too_late", "unknown"),
        rows=("build", "thrash", "easy", "taper"),
        row_placeholders=_names("session_m hill_m reps")),
    "hill_circuit": Sizing(
        "The coach's hill circuit.",
        {"minutes": Field("number", "Length of the circuit session", low=1),
         "per_week": Field("count", "Sessions a week", low=1)},
        _names("minutes per_week")),
    "race_pace": Sizing(
        "Race-pace sessions, with the pace of the race when its time is known.",
        {"last_weeks": Field("count", "Weeks before the race they matter most", low=1),
         "sessions_per_week": Field("count", "Race-pace sessions a week", low=1)},
        _names("pace distance_km duration_h last_weeks sessions")),
    "terrain": Sizing(
        "Training on the race's ground: climbing per 10 km, or steady hours on the flat.",
        {"mountain_long_run_h": Field("range", "Hours of a long run on hilly ground", low=0.5)},
        _names("terrain gain_m loss_m distance_km gain_per_10km duration_h long_run_h_lo "
               "long_run_h_hi"),
        cases=("hills", "flat")),
    "heat": Sizing(
        "Heat acclimatization for a warm race the runner has not trained for.",
        {"from_c": Field("number", "Race temperatures from which it applies"),
         "days": Field("range", "Days of training in the heat", low=1)},
        _names("temperature_c days_lo days_hi")),
    "core": Sizing(
        "Core activation, then posture, then technique, spread over the weeks.",
        {"min_weeks": Field("count", "Fewer weeks than this: one combined stage", low=1)},
        _names("weeks"), cases=("main", "short"),
        rows=("activation", "posture", "technique")),
    "carbs": Sizing(
        "Carbohydrate per hour by race duration.",
        {"bands": Field("bands", "By duration in hours: the first band whose upto >= it",
                        band={"g_per_h": Field("range", "Grams of carbohydrate an hour"),
                              "note": Field("text", "What kind, printed with it",
                                            required=False),
                              "source": Field("text", "Source id of this band's numbers, when "
                                              "not the item's", required=False)}),
         "ultra_from_km": Field("number", "Races longer than this are ultras", low=0),
         "ultra_g_per_h": Field("range", "The ultra-marathon position stand's grams an hour"),
         "gel_g": Field("number", "Carbohydrate in one gel, to count them", low=1),
         "short_race_km": Field("number", "When the duration is unknown, races up to this "
                                "distance count as short", low=0),
        },
        _names("g_lo g_hi duration_h total_lo total_hi gels_lo gels_hi gel_g note taken_g "
               "distance_km ultra_g_lo ultra_g_hi"),
        cases=("main", "none", "unknown_duration")),
    "carb_loading": Sizing(
        "Topping up glycogen before a long race, in grams a day for this runner.",
        {"from_h": Field("number", "Races longer than this", low=0),
         "g_per_kg": Field("range", "Grams of carbohydrate per kg of body weight a day", low=1),
         "hours": Field("range", "Hours before the race", low=1),
         "short_race_km": Field("number", "When the duration is unknown, races up to this "
                                "distance count as short", low=0),
        },
        _names("g_per_kg_lo g_per_kg_hi hours_lo hours_hi body_kg g_day_lo g_day_hi "
               "duration_h from_h")),
    "sodium": Sizing(
        "Sodium per hour by race temperature, more for salty sweaters in the heat.",
        {"bands": Field("bands", "By temperature in °C: the first band whose upto >= it",
                        band={"mg_per_h": Field("range", "Milligrams of sodium an hour")}),
         "min_duration_h": Field("number", "Shorter races need none during the race", low=0),
         "salty_from_c": Field("number", "From this temperature salty sweaters take more"),
         "salty_extra_mg": Field("number", "How much more an hour", low=0),
         "mg_per_mmol": Field("number", "Milligrams of sodium in one mmol", low=1),
         "sweat_sodium_g_per_l": Field("range", "Sodium in a litre of sweat", low=0),
         "short_race_km": Field("number", "When the duration is unknown, races up to this "
                                "distance count as short", low=0),
        },
        _names("mg_lo mg_hi mmol_lo mmol_hi temperature_c duration_h total_lo_g total_hi_g "
               "salty_extra_mg taken_mg min_duration_h sweat_l_h sweat_na_lo sweat_na_hi "
               "sweat_g_lo sweat_g_hi hot_lo hot_hi"),
        cases=("main", "short", "unknown_temperature")),
    "fluid": Sizing(
        "Drinking to thirst within a range, with the weight limits for this runner.",
        {"l_per_h": Field("range", "Litres an hour most runners need", low=0),
         "max_loss_pct": Field("number", "Most body weight to lose, in %", low=0, high=10),
         "ultra_from_km": Field("number", "Races longer than this are ultras", low=0),
         "ultra_ml_per_h": Field("range", "The ultra-marathon position stand's ml an hour",
                                 low=0)},
        _names("lo_l hi_l body_kg max_loss_kg max_loss_pct sweat_l_h taken_ml gained_kg over_ml "
               "ultra_ml_lo ultra_ml_hi"),
        cases=("main", "overdrank")),
    "fixed": Sizing("Advice with no numbers to size; it belongs with the plan.", {},
                    frozenset()),
}

PLAN_FIELDS = ("id", "cause", "causes", "kind", "sizing", "title", "table", "text", "rows",
               "source", "not_with", "fits", "sources", "claims")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) \
        and value == value and abs(value) != float("inf")


def parse_plan(data: Mapping[str, Any], origin: Origin, kb: KnowledgeBase,
               report: Report) -> PlanTemplate | None:
    """Check a plan item's references, table and templates; None (after reporting) if unusable.

    The loader has already checked field names and simple types (schema.KINDS['plans'])."""
    pid = data["id"]
    ok = True
    causes: tuple[str, ...] = ()
    if "cause" in data and "causes" in data:
        report("give 'cause' or 'causes', not both", data, "causes")
        ok = False
    elif "cause" in data or "causes" in data:
        key = "causes" if "causes" in data else "cause"
        causes = tuple(data["causes"]) if key == "causes" else (data["cause"],)
        for cause in causes:
            if cause not in kb.causes:
                report(f"unknown cause '{shorten(cause)}'{did_you_mean(cause, kb.causes)}",
                       data, key)
                ok = False
    if data["source"] not in kb.sources:
        report(f"unknown source '{shorten(data['source'])}'"
               f"{did_you_mean(data['source'], kb.sources)}", data, "source")
        ok = False
    sizing = SIZINGS[data["sizing"]]  # the enum check has passed
    if data["sizing"] != "preparation" and "kind" not in data:
        report(f"needs 'kind' ({', '.join(REMEDY_KINDS)})", data)
        ok = False
    table = _table(sizing, data.get("table"), data, report)
    for band in (table or {}).get("bands", ()):
        if "source" in band and band["source"] not in kb.sources:
            report(f"table: unknown source '{shorten(band['source'])}'"
                   f"{did_you_mean(band['source'], kb.sources)}", band, "source")
            ok = False
    text = _texts(sizing, data["text"], data, report)
    rows = _rows(sizing, data.get("rows"), data, report)
    sources = _number_sources(sizing, data.get("sources"), data, kb, report)
    if not ok or table is None or text is None or rows is None or sources is None:
        return None
    return PlanTemplate(pid, causes, data.get("kind", "training"), data["sizing"],
                        data["title"].strip(), table, text, rows, data["source"], origin,
                        sources=sources, claims=tuple(data.get("claims", ())))


def _number_sources(sizing: Sizing, given: Any, item: Mapping[str, Any], kb: KnowledgeBase,
                    report: Report) -> tuple[NumberSource, ...] | None:
    """`sources: [{source: ID, about: TEXT, numbers: [placeholder, ...]}]`: whose numbers."""
    if given is None:
        return ()
    if not isinstance(given, list):
        report(f"'sources' must be a list of {{source, about, numbers}}, not {type_name(given)}",
               item, "sources")
        return None
    out = []
    for entry in given:
        if not isinstance(entry, dict) or not isinstance(entry.get("source"), str) \
                or not isinstance(entry.get("about"), str) or not entry["about"].strip() \
                or set(entry) - {"source", "about", "numbers"}:
            report("each of 'sources' is {source: ID, about: TEXT, numbers: [placeholder]}",
                   entry if isinstance(entry, dict) else item)
            return None
        if entry["source"] not in kb.sources:
            report(f"sources: unknown source '{shorten(entry['source'])}'"
                   f"{did_you_mean(entry['source'], kb.sources)}", entry, "source")
            return None
        numbers = entry.get("numbers", [])
        if not isinstance(numbers, list) or not all(isinstance(n, str) for n in numbers):
            report("sources: 'numbers' must be a list of placeholder names", entry, "numbers")
            return None
        unknown = [n for n in numbers if n not in sizing.placeholders]
        if unknown:
            report(f"sources: unknown placeholder '{shorten(unknown[0])}'"
                   f"{did_you_mean(unknown[0], sizing.placeholders)}", entry, "numbers")
            return None
        out.append(NumberSource(entry["source"], entry["about"].strip(), tuple(numbers)))
    return tuple(out)


# -- tables --------------------------------------------------------------------------------

def _table(sizing: Sizing, table: Any, item: Mapping[str, Any],
           report: Report) -> dict[str, Any] | None:
    if table is None:
        table = {}
        if any(f.required for f in sizing.table.values()):
            report(f"needs 'table' with: {', '.join(sizing.table)}", item)
            return None
    if not isinstance(table, dict):
        report(f"'table' must be a mapping of {', '.join(sizing.table) or 'nothing'}, "
               f"not {type_name(table)}", item, "table")
        return None
    values = _fields(sizing.table, table, "table", report)
    if values is None:
        return None
    for low, high in sizing.ordered:
        if values.get(low) is not None and values.get(high) is not None \
                and values[low] > values[high]:
            report(f"table: '{low}' ({values[low]:g}) must not exceed '{high}' "
                   f"({values[high]:g})", table, low)
            return None
    return values


def _fields(specs: Mapping[str, Field], given: Mapping[str, Any], where: str,
            report: Report) -> dict[str, Any] | None:
    ok = True
    values: dict[str, Any] = {}
    meant: set[str] = set()  # misspelt fields already reported, not reported again as missing
    for key in given:
        if key not in specs:
            allowed = ", ".join(specs) or "nothing"
            hint = did_you_mean(str(key), specs)
            if hint:
                meant.add(hint.split("'")[1])
            report(f"{where}: unknown field '{shorten(key)}'{hint}; allowed: {allowed}",
                   given, key)
            ok = False
    for name, spec in specs.items():
        if name not in given:
            if spec.required and name not in meant:
                report(f"{where}: needs '{name}' ({spec.help})", given)
                ok = False
            continue
        value = _value(spec, given[name], f"{where}: '{name}'", given, name, report)
        if value is _BAD:
            ok = False
        else:
            values[name] = value
    return values if ok else None


_BAD = object()


def _value(spec: Field, value: Any, what: str, parent: Any, key: Any, report: Report) -> Any:
    def bounds(number: float) -> bool:
        if spec.low is not None and number < spec.low:
            report(f"{what} must be at least {spec.low:g}, not {number:g}", parent, key)
            return False
        if spec.high is not None and number > spec.high:
            report(f"{what} must be at most {spec.high:g}, not {number:g}", parent, key)
            return False
        return True

    kind = spec.kind
    if kind == "text":
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
        report(f"{what} must be text, not {type_name(value)}", parent, key)
    elif kind == "flag":
        if isinstance(value, bool):
            return value
        report(f"{what} must be true or false, not {shorten(value)}", parent, key)
    elif kind in ("number", "count"):
        if not _is_number(value) or (kind == "count" and value != int(value)):
            word = "a whole number" if kind == "count" else "a number"
            report(f"{what} must be {word}, not {shorten(value)}", parent, key)
        elif bounds(float(value)):
            return int(value) if kind == "count" else float(value)
    elif kind == "range":
        if not (isinstance(value, list) and len(value) == 2 and all(map(_is_number, value))
                and value[0] <= value[1]):
            report(f"{what} must be [low, high] numbers with low <= high, not "
                   f"{shorten(value)}", parent, key)
        elif bounds(float(value[0])) and bounds(float(value[1])):
            return (float(value[0]), float(value[1]))
    elif kind == "pairs":
        if not (isinstance(value, list) and value
                and all(isinstance(p, list) and len(p) == 2
                        and all(_is_number(n) and n == int(n) and n >= 1 for n in p)
                        for p in value)):
            report(f"{what} must be a list of [sets, reps] whole numbers, not {shorten(value)}",
                   parent, key)
        else:
            return tuple((int(a), int(b)) for a, b in value)
    elif kind == "bands":
        return _bands(spec, value, what, parent, key, report)
    return _BAD


def _bands(spec: Field, value: Any, what: str, parent: Any, key: Any, report: Report) -> Any:
    if not (isinstance(value, list) and value):
        report(f"{what} must be a list of bands, each with 'upto', not {type_name(value)}",
               parent, key)
        return _BAD
    bands: list[dict[str, Any]] = []
    previous: float | None = None
    fields = dict(spec.band or {})
    fields = {"upto": Field("number", "Upper bound of the band, inclusive"), **fields}
    for index, band in enumerate(value):
        where = f"{what} band {index + 1}"
        if not isinstance(band, dict):
            report(f"{where} must be a mapping, not {type_name(band)}", value, index)
            return _BAD
        parsed = _fields(fields, band, where, report)
        if parsed is None:
            return _BAD
        if previous is not None and parsed["upto"] <= previous:
            report(f"{where}: 'upto' ({parsed['upto']:g}) must be above the band before "
                   f"({previous:g}); bands go from low to high", band, "upto")
            return _BAD
        previous = parsed["upto"]
        bands.append(parsed)
    return tuple(bands)


# -- templates ----------------------------------------------------------------------------

def _texts(sizing: Sizing, text: Any, item: Mapping[str, Any],
           report: Report) -> dict[str, tuple[tuple[str, ...], ...]] | None:
    """`text` is one template, a list of sentences, or (several cases) a mapping of case ->
    either; a sentence is a template or a list of alternatives (the first one whose
    placeholders are all known is used; a sentence with none is left out)."""
    if not isinstance(text, dict):
        if sizing.cases != ("main",):
            report(f"'text' must be a mapping of its cases: {', '.join(sizing.cases)}",
                   item, "text")
            return None
        text_map: Mapping[str, Any] = {"main": text}
        holder: Any = item
        keys: Mapping[str, Any] = {"main": "text"}
    else:
        text_map, holder, keys = text, text, {case: case for case in text}
        for case in text:
            if case not in sizing.cases:
                report(f"text: unknown case '{shorten(case)}'"
                       f"{did_you_mean(str(case), sizing.cases)}; cases: "
                       f"{', '.join(sizing.cases)}", text, case)
                return None
        missing = [case for case in sizing.cases if case not in text]
        if missing:
            report(f"text: missing case(s) {', '.join(missing)}; every case needs a template",
                   item, "text")
            return None
    result: dict[str, tuple[tuple[str, ...], ...]] = {}
    for case, value in text_map.items():
        sentences = value if isinstance(value, list) else [value]
        parsed: list[tuple[str, ...]] = []
        for index, sentence in enumerate(sentences):
            parent, key = (value, index) if isinstance(value, list) else (holder, keys[case])
            alternatives = _alternatives(sentence, sizing.placeholders,
                                         f"text '{case}'", parent, key, report)
            if alternatives is None:
                return None
            parsed.append(alternatives)
        if not parsed:
            report(f"text '{case}' is empty", holder, keys[case])
            return None
        result[case] = tuple(parsed)
    return result


def _rows(sizing: Sizing, rows: Any, item: Mapping[str, Any],
          report: Report) -> dict[str, tuple[str, ...]] | None:
    if not sizing.rows:
        if rows is not None:
            report("this sizing makes no schedule; remove 'rows'", item, "rows")
            return None
        return {}
    if not isinstance(rows, dict):
        report(f"needs 'rows', a mapping of schedule rows: {', '.join(sizing.rows)}", item,
               "rows" if rows is not None else None)
        return None
    result: dict[str, tuple[str, ...]] = {}
    for name, template in rows.items():
        if name not in sizing.rows:
            report(f"rows: unknown row '{shorten(name)}'{did_you_mean(str(name), sizing.rows)}; "
                   f"rows: {', '.join(sizing.rows)}", rows, name)
            return None
        alternatives = _alternatives(template, sizing.row_placeholders, f"row '{name}'", rows,
                                     name, report)
        if alternatives is None:
            return None
        result[name] = alternatives
    missing = [name for name in sizing.rows if name not in rows]
    if missing:
        report(f"rows: missing {', '.join(missing)}", item, "rows")
        return None
    return result


def _alternatives(value: Any, allowed: frozenset[str], what: str, parent: Any, key: Any,
                  report: Report) -> tuple[str, ...] | None:
    options = value if isinstance(value, list) else [value]
    if not options:
        report(f"{what}: an empty list of alternatives", parent, key)
        return None
    result = []
    for option in options:
        if not (isinstance(option, str) and option.strip()):
            report(f"{what}: a template is text, not {type_name(option)}", parent, key)
            return None
        problem = template_problem(option, allowed)
        if problem:
            report(f"{what}: {problem}", parent, key)
            return None
        result.append(" ".join(option.split()))
    return tuple(result)


def placeholders_of(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]


def template_problem(template: str, allowed: frozenset[str]) -> str | None:
    """Why a template cannot be filled safely, or None."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        return f"broken braces in '{shorten(template)}' ({exc}); write {{{{ and }}}} for a brace"
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if not name.isidentifier():
            return (f"placeholder {{{shorten(name)}}} must be a plain name like {{target_km}} "
                    "(no dots, brackets or positions)")
        if conversion or spec:
            return (f"placeholder {{{name}}} takes no format or conversion; numbers come "
                    "formatted")
        if name not in allowed:
            return (f"unknown placeholder {{{name}}}{did_you_mean(name, sorted(allowed))}; "
                    f"this sizing fills: {', '.join(sorted(allowed)) or 'none'}")
    return None

