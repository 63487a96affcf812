"""The answers the files settle, each with the rule that made it and the file(s) behind it.

Race facts come from the race file; training facts from the activities before the race day.
Every threshold here is crampdx's own rule of thumb unless docs/activities.md cites a source;
a fact the files cannot settle is left out (unknown), never guessed. See docs/activities.md.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any, Callable, Iterable

import msgspec

from crampdx.activity.errors import ActivityError
from crampdx.activity.model import HIKE, ON_FOOT, OTHER, RUN, WALK, Summary

LONG_RUN_H = 2.0  # the long_runs_12w question: runs of two hours or more
WINDOW_12W, WINDOW_8W, WINDOW_6W = 84, 56, 42  # days before the race day
COVER_GRACE_DAYS = 7  # history starting up to a week into a window still covers it
MOUNTAIN_GAIN_PER_KM = 25.0  # m/km: a mountain race, where hikes count as training
HILLY_GAIN_PER_KM = 15.0  # m/km: above this, pace says little (no pace facts derived)
DOWNHILL_SESSION_LOSS_M = 300.0  # a downhill session: at least this much descent ...
DOWNHILL_SESSION_LOSS_PER_KM = 30.0  # ... and this much per km
RACE_PACE_BAND = 0.05  # a km within ±5 % of the race's average moving pace
RACE_PACE_SESSION_KM = 3  # ... for at least 3 km in one run
RACE_PACE_SESSIONS = 2  # "sessions": at least two in the six weeks
TERRAIN_SHARE = 0.5  # a run with at least half the race's climb per km ...
TERRAIN_MIN_KM = 5.0  # ... over at least 5 km
TERRAIN_RUNS = 3  # ... three times in the 12 weeks
FAST_START_SHARE = 0.2  # the first fifth of the race's kilometres
FAST_START_RATIO = 1.10  # the rest at least 10 % slower per km: started too fast
EVEN_START_RATIO = 1.05  # less than 5 % slower: not
CONSISTENT_WEEKS = 40  # a year with runs in at least 40 of its 52 weeks counts
SHOW_FILES = 3
SHOW_PROBLEMS = 5  # training problems shown one per line; the rest counted
MIN_RACE_KM = 0.1
# crampdx's own rule of thumb for "is this really the race?" (a warning, the answers are still
# written): under 1 km or 10 minutes, or a walk: the file says walking, or it moved under 5 km/h
# on ground climbing less than HILLY_GAIN_PER_KM (a mountain race can be slower than that).
SUSPECT_RACE_KM = 1.0
SUSPECT_RACE_H = 10 / 60
WALK_SPEED_KMH = 5.0


class Derived(msgspec.Struct):
    """What the activity files settle: values (question id -> canonical value), meta (date),
    where each came from and by which rule, and warnings about what was skipped."""

    values: dict[str, Any] = msgspec.field(default_factory=dict)
    meta: dict[str, str] = msgspec.field(default_factory=dict)
    sources: dict[str, list[str]] = msgspec.field(default_factory=dict)
    rules: dict[str, str] = msgspec.field(default_factory=dict)
    warnings: list[str] = msgspec.field(default_factory=list)
    race: Summary | None = None
    training: list[Summary] = msgspec.field(default_factory=list)
    cache_hits: int = 0

    def set(self, qid: str, value: Any, files: Iterable[str], rule: str) -> None:
        self.values[qid] = value
        self.sources[qid] = list(dict.fromkeys(files))
        self.rules[qid] = rule

    def provenance(self, qid: str) -> str:
        """'race.fit' or 'a.fit, b.fit and 12 more' (for a YAML comment or a report line)."""
        files = self.sources.get(qid, [])
        shown = ", ".join(files[:SHOW_FILES])
        if len(files) > SHOW_FILES:
            shown += f" and {len(files) - SHOW_FILES} more"
        return shown


def derive(race: str | Path | None, training: Iterable[str | Path] = (), *,
           cache_dir: Path | None = None, use_cache: bool = True,
           progress: Callable[[int], None] | None = None) -> Derived:
    """Read the race file (errors are fatal: ActivityError) and the training PATHs (a bad file
    is a warning; the others still count) and derive the facts."""
    derived = Derived()
    if race is not None:
        derived.race = read_race(Path(race), derived.warnings, cache_dir=cache_dir,
                                 use_cache=use_cache)
        race_facts(derived, derived.race)
    paths = [Path(p) for p in training]
    if paths:
        derived.training = read_training(paths, derived, cache_dir=cache_dir,
                                         use_cache=use_cache, progress=progress)
        if derived.race is not None:
            training_facts(derived, derived.race, derived.training)
        else:
            derived.warnings.append("no race file: training facts need the race's date")
    return derived


def read_race(path: Path, warnings: list[str], *, cache_dir: Path | None = None,
              use_cache: bool = True) -> Summary:
    from crampdx.activity.cache import SummaryCache
    from crampdx.activity.reading import read_activity
    from crampdx.activity.sources import read_file, stat_key

    if path.is_dir():
        raise ActivityError("is a folder; give the race's own FIT, GPX or TCX file (training "
                            "folders go after --training)", path=path)
    if not path.exists():
        raise ActivityError("no such file", path=path)
    cache = SummaryCache(path, cache_dir) if use_cache else None
    key = stat_key(path)
    cached = cache.get(key) if cache is not None else None
    if cached is not None and "summary" in cached:
        summary = Summary.from_json(cached["summary"])
        summary.file = str(path)
    else:
        summary = read_activity(str(path), read_file(path))
        if cache is not None:
            cache.put(key, {"summary": summary.to_json()})
            cache.save()  # a cache that cannot be written only costs time next run
    warnings.extend(f"{path}: {note}" for note in summary.notes)
    if summary.sport not in ON_FOOT and summary.sport != "unknown":
        what = "an activity of another sport" if summary.sport == OTHER \
            else f"a {summary.sport} activity"
        raise ActivityError(f"{what}, not a run: give the race's running file", path=path)
    if not summary.distance_km or summary.distance_km < MIN_RACE_KM:
        shown = f"{(summary.distance_km or 0) * 1000:.0f} m"
        raise ActivityError(f"only {shown} in this activity: too short to read a race from "
                            "(a truncated file?)", path=path)
    suspicion = race_suspicion(summary)
    if suspicion:
        warnings.append(f"{path}: {suspicion}")
    return summary


def race_suspicion(summary: Summary) -> str:
    """Why a race file looks like something else (docs/activities.md), or "" when it does not."""
    hours = summary.elapsed_h or summary.moving_h
    short = [f"{summary.distance_km:g} km" if summary.distance_km < SUSPECT_RACE_KM else "",
             f"{round(hours * 60)} min" if hours is not None and hours < SUSPECT_RACE_H else ""]
    if any(short):
        return (f"only {' in '.join(p for p in short if p)}: is this the race? (a race file is "
                "expected to cover at least 1 km and 10 minutes)")
    speed = summary.moving_km / summary.moving_h \
        if summary.moving_km and summary.moving_h else None
    climb = (summary.gain_m or 0) / summary.distance_km
    if summary.sport == WALK or (speed is not None and speed < WALK_SPEED_KMH
                                 and climb < HILLY_GAIN_PER_KM):
        said = "the file says walking" if summary.sport == WALK \
            else f"{speed:.1f} km/h moving on mostly flat ground"
        return f"walking speed ({said}): is this the race? The answers are written as read"
    return ""


def read_training(paths: list[Path], derived: Derived, *, cache_dir: Path | None,
                  use_cache: bool, progress: Callable[[int], None] | None = None
                  ) -> list[Summary]:
    """Every training activity's Summary, from the cache or read; `progress(n)` is told each
    time a file had to be read (n so far), so a front end can show a long first read."""
    from crampdx.activity.cache import SummaryCache
    from crampdx.activity.reading import read_activity
    from crampdx.activity.sources import entries, stat_key

    summaries: list[Summary] = []
    problems: list[str] = []
    fresh = 0
    for path in paths:
        cache = SummaryCache(path, cache_dir) if use_cache else None
        path_warnings: list[str] = []
        try:
            stamp = stat_key(path) if path.is_file() else None
            if cache is not None and stamp is not None and cache.unchanged(stamp):
                listing: Iterable[Any] = [_Cached(key) for key in cache.old]
                path_warnings = list(cache.old_warnings)
            else:
                listing = entries(path, path_warnings)
            if cache is not None:
                cache.stamp, cache.warnings = stamp, path_warnings
            for entry in listing:
                cached = cache.get(entry.key) if cache is not None else None
                if cached is None:
                    fresh += 1
                    if progress is not None:
                        progress(fresh)
                    try:
                        summary = read_activity(entry.name, entry.load(), entry.sport_hint)
                        cached = {"summary": summary.to_json()}
                    except ActivityError as exc:
                        cached = {"error": f"{exc} (skipped)"}
                    except Exception as exc:  # a library's surprise: one file, not the run
                        cached = {"error": f"{entry.name}: not read, skipped "
                                           f"({type(exc).__name__}: {str(exc)[:120]})"}
                    if cache is not None:
                        cache.put(entry.key, cached)
                if "error" in cached:
                    problems.append(cached["error"])
                else:
                    summary = Summary.from_json(cached["summary"])
                    summaries.append(summary)
                    problems.extend(f"{summary.file}: {note}" for note in summary.notes)
        except ActivityError as exc:  # the PATH itself (an empty or damaged zip): a warning
            derived.warnings.append(f"{exc} (training skipped)")
        finally:
            derived.warnings.extend(path_warnings)
            if cache is not None:
                derived.cache_hits += cache.hits
                note = cache.save()
                if note:
                    derived.warnings.append(note)
    shown = problems[:SHOW_PROBLEMS]
    derived.warnings.extend(shown)
    if len(problems) > len(shown):
        derived.warnings.append(f"{len(problems) - len(shown)} more problems in the training "
                                "files (files skipped or read in part) not shown")
    return summaries


class _Cached:
    """An entry of an unchanged PATH: only its key (its summary is in the cache)."""

    sport_hint = None

    def __init__(self, key: str) -> None:
        self.key = key
        self.name = key

    def load(self) -> bytes:  # pragma: no cover - never called: every key is cached
        raise ActivityError("cache entry without its file", path=self.name)


# -- race ---------------------------------------------------------------------------------------
def gain_per_km(summary: Summary) -> float | None:
    if summary.gain_m is None or not summary.distance_km:
        return None
    return summary.gain_m / summary.distance_km


def race_facts(derived: Derived, race: Summary) -> None:
    files = [race.file]
    derived.set("event_distance_km", round(race.distance_km or 0.0, 2), files,
                "the race file's distance (the device's total when it writes one)")
    if race.elapsed_h:
        derived.set("event_duration_h", round(race.elapsed_h, 2), files,
                    "elapsed time, start to finish, pauses included")
    if race.gain_m is not None and race.loss_m is not None:
        derived.set("elevation_gain_m", round(race.gain_m), files,
                    "smoothed elevation: 50 m running median, 2 m hysteresis")
        derived.set("elevation_loss_m", round(race.loss_m), files,
                    "smoothed elevation: 50 m running median, 2 m hysteresis")
        if race.biggest_descent_m is not None:
            derived.set("biggest_race_descent_m",
                        round(min(race.biggest_descent_m, race.loss_m)), files,
                        "largest top-to-bottom drop; rises under 20 m do not end it")
    if race.temperature_c is not None:
        derived.set("temperature_c", round(race.temperature_c * 2) / 2, files,
                    "median of the device's temperature sensor; a wrist sensor reads several "
                    "°C warm (body heat)")
    if race.local_date:
        derived.meta["date"] = race.local_date
    started = started_too_fast(race)
    if started is not None:
        derived.set("started_too_fast", started, files,
                    "first fifth of the km vs the rest (crampdx's rule of thumb): rest ≥10 % "
                    "slower = yes, <5 % = no")


def started_too_fast(race: Summary) -> bool | None:
    splits = race.splits_s_per_km
    climb = gain_per_km(race)
    if len(splits) < 5 or (climb is not None and climb >= HILLY_GAIN_PER_KM):
        return None
    first = max(1, round(len(splits) * FAST_START_SHARE))
    early = sum(splits[:first]) / first
    late = sum(splits[first:]) / (len(splits) - first)
    ratio = late / early
    if ratio >= FAST_START_RATIO:
        return True
    if ratio < EVEN_START_RATIO:
        return False
    return None


# -- training -----------------------------------------------------------------------------------
def training_facts(derived: Derived, race: Summary, history: list[Summary]) -> None:
    race_day = race.date
    if race_day is None:
        derived.warnings.append(f"{race.file}: no date in the race file: training facts need it")
        return
    mountain = (gain_per_km(race) or 0.0) >= MOUNTAIN_GAIN_PER_KM
    sports = (RUN, HIKE) if mountain else (RUN,)
    before = [s for s in history if s.date is not None and s.date < race_day
              and not _same(s, race)]
    runs = [s for s in before if s.sport in sports]
    earliest = min((s.date for s in before if s.date is not None), default=None)
    what = "runs and hikes" if mountain else "runs"

    def window(days: int) -> tuple[list[Summary], bool]:
        start = race_day - _dt.timedelta(days=days)
        chosen = [s for s in runs if s.date is not None and start <= s.date]
        covered = earliest is not None and earliest <= start + _dt.timedelta(COVER_GRACE_DAYS)
        return chosen, covered

    def files(items: Iterable[Summary]) -> list[str]:
        return [s.file for s in items]

    twelve, covered12 = window(WINDOW_12W)
    if covered12:
        longest = max(twelve, key=lambda s: s.distance_km or 0.0, default=None)
        derived.set("longest_run_km", round(longest.distance_km or 0.0, 1) if longest else 0.0,
                    files([longest]) if longest else [],
                    f"longest of the {len(twelve)} {what} in the 12 weeks before race day")
        long_runs = [s for s in twelve if _hours(s) is not None and _hours(s) >= LONG_RUN_H]
        derived.set("long_runs_12w", len(long_runs), files(long_runs),
                    f"{what} of 2 h or more moving time in the 12 weeks before race day")
    eight, covered8 = window(WINDOW_8W)
    if covered8 and derived.race is not None and race.loss_m is not None:
        with_profile = [s for s in eight if s.biggest_descent_m is not None]
        if with_profile or not eight:
            top = max(with_profile, key=lambda s: s.biggest_descent_m or 0.0, default=None)
            derived.set("biggest_training_descent_m",
                        round(top.biggest_descent_m or 0.0) if top else 0,
                        files([top]) if top else [],
                        f"largest continuous descent of the {what} in the 8 weeks before")
        sessions = [s for s in eight if _downhill_session(s)]
        derived.set("downhill_training", bool(sessions), files(sessions),
                    "a run with ≥300 m and ≥30 m/km of descent in the 8 weeks before "
                    "(crampdx's rule of thumb)")
    six, covered6 = window(WINDOW_6W)
    pace = _race_pace(race)
    if pace is not None and covered6:
        paced = [s for s in six if s.sport == RUN and _race_pace_km(s, pace) >= RACE_PACE_SESSION_KM]
        derived.set("trained_race_pace", len(paced) >= RACE_PACE_SESSIONS, files(paced),
                    "at least 2 runs in the 6 weeks before with ≥3 km within ±5 % of race pace "
                    "(crampdx's rule of thumb)")
    climb = gain_per_km(race)
    if climb is not None and climb >= HILLY_GAIN_PER_KM and covered12:
        similar = [s for s in twelve if (s.distance_km or 0) >= TERRAIN_MIN_KM
                   and (gain_per_km(s) or 0.0) >= TERRAIN_SHARE * climb]
        if len(similar) >= TERRAIN_RUNS or not similar:
            derived.set("trained_terrain", len(similar) >= TERRAIN_RUNS, files(similar),
                        f"{TERRAIN_RUNS}+ {what} of ≥5 km with at least half the race's climb "
                        "per km in the 12 weeks before (crampdx's rule of thumb)")
    years = _years_consistent(race_day, [s for s in before if s.sport in sports], earliest)
    if years is not None:
        value, lower_bound = years
        derived.set("years_consistent", value, [],
                    f"years before the race with {what} in ≥{CONSISTENT_WEEKS} of 52 weeks"
                    + (" (at least: the files go back no further)" if lower_bound else ""))
        derived.sources["years_consistent"] = [f"{len(before)} training activities"]


def _same(summary: Summary, race: Summary) -> bool:
    return summary.start is not None and race.start is not None and \
        abs(summary.start - race.start) < 120


def _hours(summary: Summary) -> float | None:
    hours = summary.moving_h if summary.moving_h is not None else summary.elapsed_h
    return None if hours is None else hours + 1e-9


def _downhill_session(summary: Summary) -> bool:
    loss, km = summary.loss_m, summary.distance_km
    return loss is not None and bool(km) and loss >= DOWNHILL_SESSION_LOSS_M and \
        loss / km >= DOWNHILL_SESSION_LOSS_PER_KM  # type: ignore[operator]


def _race_pace(race: Summary) -> float | None:
    """The race's average moving seconds per km, for flat-enough races only."""
    climb = gain_per_km(race)
    if not race.moving_km or not race.moving_h or (climb is not None and
                                                   climb >= HILLY_GAIN_PER_KM):
        return None
    return race.moving_h * 3600 / race.moving_km


def _race_pace_km(summary: Summary, pace: float) -> int:
    low, high = pace * (1 - RACE_PACE_BAND), pace * (1 + RACE_PACE_BAND)
    return sum(1 for split in summary.splits_s_per_km if low <= split <= high)


def _years_consistent(race_day: _dt.date, runs: list[Summary],
                      earliest: _dt.date | None) -> tuple[int, bool] | None:
    """Whole years back from the race day, each with runs in ≥40 of its 52 weeks; None when
    the files do not cover the last year. (value, True) when the files end the count."""
    if earliest is None or earliest > race_day - _dt.timedelta(365 - COVER_GRACE_DAYS):
        return None
    weeks = {(race_day - s.date).days // 7 for s in runs if s.date is not None}
    years = 0
    while True:
        start = race_day - _dt.timedelta(days=364 * (years + 1))
        if earliest > start + _dt.timedelta(COVER_GRACE_DAYS):
            return years, True
        active = sum(1 for w in range(52 * years, 52 * (years + 1)) if w in weeks)
        if active < CONSISTENT_WEEKS:
            return years, False
        years += 1
