"""Every derived answer from generated histories with known values, including the edges:
exactly 2 h, exactly 12 (and 8) weeks before, a run on race day, nothing in the window."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from activity_gen import at, mountain, samples, write
from crampdx.activity import derive

RACE_DAY = dt.date(2024, 6, 1)


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CRAMPDX_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def day(days_before: int) -> dt.date:
    return RACE_DAY - dt.timedelta(days=days_before)


def flat_race(folder: Path, **options) -> Path:  # type: ignore[no-untyped-def]
    """A flat marathon, 3.5 h, run at an even pace."""
    points = samples(at(RACE_DAY), 42.2, 3.5, elevation=lambda d: 100.0, **options)
    return write(folder / "race.fit", points)


def run(folder: Path, days_before: int, km: float, hours: float, name: str = "",
        suffix: str = "fit", **options) -> Path:  # type: ignore[no-untyped-def]
    options.setdefault("elevation", lambda d: 100.0)
    extra = {k: options.pop(k) for k in ("sport", "gps") if k in options}
    points = samples(at(day(days_before)), km, hours, step_s=60, **options)
    label = name or f"run-{days_before}-{km:g}"
    return write(folder / "training" / f"{label}.{suffix}", points, **extra)


def old_history(folder: Path) -> None:
    """A run 20 weeks before: the history reaches back past every window."""
    run(folder, 140, 8, 0.8, "old")


def test_long_runs_count_exactly_two_hours_and_exactly_twelve_weeks(tmp_path: Path) -> None:
    """A run of exactly 2 h counts, 1 h 59 does not; a run on the day exactly 12 weeks before
    race day counts, the day before that does not; a run on race day is not training."""
    race = flat_race(tmp_path)
    old_history(tmp_path)
    run(tmp_path, 84, 20, 2.0, "exactly-12-weeks-exactly-2h")
    run(tmp_path, 85, 30, 3.0, "12-weeks-and-a-day")
    run(tmp_path, 30, 19, 119 / 60, "one-fifty-nine")
    run(tmp_path, 14, 25, 2.5, "long")
    run(tmp_path, 0, 35, 3.5, "race-day")  # a run on race day: not training
    derived = derive(race, [tmp_path / "training"], use_cache=False)
    assert derived.values["long_runs_12w"] == 2
    assert derived.values["longest_run_km"] == 25.0
    assert {Path(f).stem for f in derived.sources["long_runs_12w"]} == {
        "exactly-12-weeks-exactly-2h", "long"}


def test_nothing_in_the_window_is_zero_when_the_history_covers_it(tmp_path: Path) -> None:
    """Runs only before the 12 weeks: no long runs and a longest run of 0, because the files
    show the window was empty."""
    race = flat_race(tmp_path)
    run(tmp_path, 100, 30, 3.0)
    derived = derive(race, [tmp_path / "training"], use_cache=False)
    assert derived.values["long_runs_12w"] == 0
    assert derived.values["longest_run_km"] == 0.0


def test_a_history_that_starts_inside_the_window_settles_nothing(tmp_path: Path) -> None:
    """Files from only the last 5 weeks cannot tell the 12-week or 8-week facts."""
    race = flat_race(tmp_path)
    run(tmp_path, 35, 30, 3.0)
    derived = derive(race, [tmp_path / "training"], use_cache=False)
    for qid in ("long_runs_12w", "longest_run_km", "downhill_training",
                "biggest_training_descent_m"):
        assert qid not in derived.values


def test_bike_rides_and_walks_are_not_runs(tmp_path: Path) -> None:
    """A 100 km ride and a long walk in the window count for nothing."""
    race = flat_race(tmp_path)
    old_history(tmp_path)
    run(tmp_path, 20, 100, 4.0, "ride", sport="cycling")
    run(tmp_path, 21, 20, 5.0, "walk", sport="walking")
    run(tmp_path, 22, 15, 1.5, "run")
    derived = derive(race, [tmp_path / "training"], use_cache=False)
    assert derived.values["longest_run_km"] == 15.0
    assert derived.values["long_runs_12w"] == 0


def test_hikes_count_only_for_a_mountain_race(tmp_path: Path) -> None:
    """A 5 h hike is a long run before a mountain race, not before a flat marathon."""
    old_history(tmp_path)
    run(tmp_path, 20, 20, 5.0, "hike", sport="hiking", elevation=mountain(1200, 20))
    flat = flat_race(tmp_path)
    hilly = write(tmp_path / "mountain-race.fit",
                  samples(at(RACE_DAY), 30, 5.0, elevation=mountain(1500, 30)))
    assert derive(flat, [tmp_path / "training"], use_cache=False).values["long_runs_12w"] == 0
    mountain_facts = derive(hilly, [tmp_path / "training"], use_cache=False).values
    assert mountain_facts["long_runs_12w"] == 1
    assert mountain_facts["biggest_training_descent_m"] == pytest.approx(1200, abs=5)


def test_indoor_runs_count_by_distance_and_time(tmp_path: Path) -> None:
    """A treadmill run (no GPS, no elevation) counts as a long run; it has no descent."""
    race = flat_race(tmp_path)
    old_history(tmp_path)
    run(tmp_path, 10, 24, 2.2, "treadmill", gps=False, elevation=None)
    derived = derive(race, [tmp_path / "training"], use_cache=False)
    assert derived.values["longest_run_km"] == 24.0
    assert derived.values["long_runs_12w"] == 1
    treadmill = next(s for s in derived.training if "treadmill" in s.file)
    assert not treadmill.has_gps and treadmill.gain_m is None


def test_descent_and_downhill_sessions_in_the_eight_weeks(tmp_path: Path) -> None:
    """The biggest continuous descent comes from the 8 weeks only (exactly 8 weeks counts);
    a run with 400 m of descent over 10 km is a downhill session."""
    race = write(tmp_path / "race.gpx", samples(at(RACE_DAY), 40, 6.0,
                                                 elevation=mountain(1000, 40)))
    old_history(tmp_path)
    run(tmp_path, 57, 20, 3.0, "nine-weeks", elevation=mountain(900, 20))
    run(tmp_path, 56, 12, 1.5, "eight-weeks", elevation=mountain(400, 12))
    run(tmp_path, 20, 10, 1.2, "hill", elevation=mountain(250, 10))
    derived = derive(race, [tmp_path / "training"], use_cache=False)
    assert derived.values["biggest_training_descent_m"] == pytest.approx(400, abs=3)
    assert derived.values["downhill_training"] is True  # 400 m over 12 km: 33 m/km
    assert [Path(f).stem for f in derived.sources["downhill_training"]] == ["eight-weeks"]


def test_no_downhill_session_when_descents_are_gentle(tmp_path: Path) -> None:
    """250 m of descent over 10 km (25 m/km) is not a downhill session."""
    race = write(tmp_path / "race.gpx", samples(at(RACE_DAY), 40, 6.0,
                                                 elevation=mountain(1000, 40)))
    old_history(tmp_path)
    run(tmp_path, 20, 10, 1.2, "hill", elevation=mountain(250, 10))
    derived = derive(race, [tmp_path / "training"], use_cache=False)
    assert derived.values["downhill_training"] is False
    assert derived.values["biggest_training_descent_m"] == pytest.approx(250, abs=3)


def test_race_pace_sessions_in_the_six_weeks(tmp_path: Path) -> None:
    """Two runs at the marathon's pace in the last 6 weeks: trained; one is not enough, and
    runs 7 weeks before do not count."""
    race = flat_race(tmp_path)  # 42.2 km in 3.5 h: 4:58 per km
    old_history(tmp_path)
    run(tmp_path, 50, 10, 10 * 3.5 / 42.2, "seven-weeks-pace")
    run(tmp_path, 30, 12, 12 * 3.5 / 42.2, "pace-1")
    run(tmp_path, 20, 10, 1.2, "easy")  # 7:12 per km
    assert derive(race, [tmp_path / "training"], use_cache=False).values[
        "trained_race_pace"] is False
    run(tmp_path, 10, 8, 8 * 3.5 / 42.2, "pace-2")
    derived = derive(race, [tmp_path / "training"], use_cache=False)
    assert derived.values["trained_race_pace"] is True
    assert {Path(f).stem for f in derived.sources["trained_race_pace"]} == {"pace-1", "pace-2"}


def test_trained_terrain_from_climb_per_km(tmp_path: Path) -> None:
    """Before a race climbing 50 m/km, three runs of 25 m/km or more are similar terrain; flat
    runs only are not."""
    race = write(tmp_path / "race.fit", samples(at(RACE_DAY), 40, 6.0,
                                                 elevation=mountain(2000, 40)))
    old_history(tmp_path)
    for n in range(3):
        run(tmp_path, 20 + n, 10, 1.2, f"flat-{n}")
    assert derive(race, [tmp_path / "training"], use_cache=False).values[
        "trained_terrain"] is False
    for n in range(3):
        run(tmp_path, 30 + n, 12, 1.8, f"hilly-{n}", elevation=mountain(300, 12))
    assert derive(race, [tmp_path / "training"], use_cache=False).values[
        "trained_terrain"] is True


def test_flat_race_leaves_terrain_to_the_runner(tmp_path: Path) -> None:
    """Files cannot show a flat race's surface: trained_terrain is not derived."""
    race = flat_race(tmp_path)
    old_history(tmp_path)
    assert "trained_terrain" not in derive(race, [tmp_path / "training"],
                                           use_cache=False).values


def test_years_consistent_counts_whole_years(tmp_path: Path) -> None:
    """Weekly runs for two years, then a year with only a few: two consistent years."""
    race = flat_race(tmp_path)
    for week in range(104):
        run(tmp_path, 3 + 7 * week, 8, 0.8, f"w{week}", suffix="gpx")
    for month in range(6):
        run(tmp_path, 3 + 7 * 104 + 60 * month, 8, 0.8, f"sparse{month}", suffix="gpx")
    derived = derive(race, [tmp_path / "training"], use_cache=False)
    assert derived.values["years_consistent"] == 2


def test_race_facts_from_a_generated_fit(tmp_path: Path) -> None:
    """Distance, elapsed time (a 10 min pause included), climb, descent, the biggest descent,
    temperature and the local date come out as generated."""
    points = samples(at(RACE_DAY, 23), 30, 5.0, elevation=mountain(1500, 30), temp=18,
                     pause=(7200, 600))
    race = write(tmp_path / "race.fit", points, utc_offset_h=2)
    values = derive(race).values
    assert values["event_distance_km"] == 30.0
    assert values["event_duration_h"] == pytest.approx(5 + 10 / 60, abs=0.01)
    assert values["elevation_gain_m"] == pytest.approx(1500, rel=0.02)
    assert values["elevation_loss_m"] == pytest.approx(1500, rel=0.02)
    assert values["biggest_race_descent_m"] == pytest.approx(1500, rel=0.02)
    assert values["temperature_c"] == 18
    assert "started_too_fast" not in values  # a mountain race: pace says little
    # 23:00 UTC at UTC+2 is already the next day where the runner was
    assert derive(race).meta["date"] == (RACE_DAY + dt.timedelta(days=1)).isoformat()


@pytest.mark.parametrize("fast_first, expected", [(1.3, True), (1.0, False), (1.08, None)])
def test_started_too_fast_from_the_pace_profile(tmp_path: Path, fast_first: float,
                                                expected: bool | None) -> None:
    """First fifth much faster than the rest: yes; even: no; in between: left to the runner."""
    race = flat_race(tmp_path, fast_first=fast_first)
    assert derive(race).values.get("started_too_fast") == expected


def test_gpx_times_with_an_offset_are_the_same_instants(tmp_path: Path) -> None:
    """The same run written in UTC and in local time (+10:00) gives the same start, duration
    and date: times are compared as instants, never as wall-clock text."""
    points = samples(at(RACE_DAY, 22), 10, 1.0)
    utc = derive(write(tmp_path / "utc.gpx", points))
    local = derive(write(tmp_path / "local.gpx", points, offset_h=10))
    assert utc.race is not None and local.race is not None
    assert local.race.start == utc.race.start
    assert local.values["event_duration_h"] == utc.values["event_duration_h"] == 1.0
    assert local.meta["date"] == utc.meta["date"]


@pytest.mark.parametrize("name", ["race.fit", "race.fit.gz", "race.gpx", "race.gpx.gz",
                                  "race.tcx", "race.tcx.gz"])
def test_every_format_gives_the_same_race(tmp_path: Path, name: str) -> None:
    """The same half marathon (600 m up and down, a 5 min pause) as FIT, GPX or TCX, plain or
    gzipped: the same distance, duration, climb and biggest descent."""
    points = samples(at(RACE_DAY), 21.1, 2.0, elevation=mountain(600, 21.1), pause=(3600, 300))
    values = derive(write(tmp_path / name, points)).values
    assert values["event_distance_km"] == 21.1
    assert values["event_duration_h"] == pytest.approx(2 + 5 / 60, abs=0.01)
    assert values["elevation_gain_m"] == values["elevation_loss_m"] == 600
    assert values["biggest_race_descent_m"] == 600
