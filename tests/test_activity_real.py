"""Real files from real watches and apps (tests/fixtures/activities, with their licences) give
their known totals within GPS tolerance, and their quirks are read past, not fallen over."""

from __future__ import annotations

from pathlib import Path

import pytest

from crampdx.activity import derive
from crampdx.activity.errors import ActivityError

FILES = Path(__file__).parent / "fixtures" / "activities"


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test reads the files afresh, and never touches the user's own cache."""
    monkeypatch.setenv("CRAMPDX_CACHE_DIR", str(tmp_path / "cache"))


def test_fenix2_run_matches_the_watch_totals() -> None:
    """The Fenix 2's own session: 9008 m, 2832 s, 64 m up and 61 m down (barometric). The
    smoothed profile lands within 10 % of the watch's climb and descent."""
    derived = derive(FILES / "activity-small-fenix2-run.fit")
    values = derived.values
    assert values["event_distance_km"] == pytest.approx(9.01, abs=0.01)
    assert values["event_duration_h"] == pytest.approx(2832 / 3600, abs=0.01)
    assert values["elevation_gain_m"] == pytest.approx(64, rel=0.10)
    assert values["elevation_loss_m"] == pytest.approx(61, rel=0.10)
    assert values["temperature_c"] == pytest.approx(21, abs=2)  # the wrist sensor's reading
    assert derived.meta["date"] == "2015-08-15"
    assert not derived.warnings


def test_korita_mountain_outing_matches_its_known_totals() -> None:
    """A 15 km mountain outing, about 700 m up and down, 3 h 43 (GPS elevation, GPSBabel)."""
    derived = derive(FILES / "korita-zbevnica.gpx")
    values = derived.values
    assert values["event_distance_km"] == pytest.approx(14.9, rel=0.03)
    assert values["event_duration_h"] == pytest.approx(3 + 43 / 60, abs=0.02)
    assert values["elevation_gain_m"] == pytest.approx(700, rel=0.10)
    assert values["elevation_loss_m"] == pytest.approx(700, rel=0.10)
    assert 0 < values["biggest_race_descent_m"] <= values["elevation_loss_m"]
    # times are missing on the first part of the track: said, not hidden
    assert any("times on only" in w for w in derived.warnings)


def test_cerknicko_with_and_without_times() -> None:
    """The same 4.7 km track: with times it has a duration; without, only distance and
    elevation, and no invented duration."""
    timed = derive(FILES / "cerknicko-jezero.gpx").values
    untimed = derive(FILES / "cerknicko-without-times.gpx").values
    assert timed["event_distance_km"] == pytest.approx(4.7, rel=0.05)
    assert untimed["event_distance_km"] == timed["event_distance_km"]
    assert untimed["elevation_gain_m"] == timed["elevation_gain_m"]
    assert "event_duration_h" in timed and "event_duration_h" not in untimed


def test_strava_android_file_is_read_past_its_error() -> None:
    """Strict parsers stop at byte 7472; Garmin's SDK returns what it read and the error, so
    the app's summary (11.27 km in 59 min) still gives the race, and one warning says what
    was skipped. The partial records give no climb or pace profile (they would lie)."""
    derived = derive(FILES / "strava-android-app-201.10-b1218918.fit")
    assert derived.values["event_distance_km"] == pytest.approx(11.27, abs=0.01)
    assert derived.values["event_duration_h"] == pytest.approx(3558 / 3600, abs=0.01)
    assert "elevation_gain_m" not in derived.values
    assert "started_too_fast" not in derived.values
    assert any("7472" in w and "skipped the rest" in w for w in derived.warnings)


def test_a_bike_ride_is_not_a_race() -> None:
    with pytest.raises(ActivityError, match="cycling activity, not a run"):
        derive(FILES / "garmin-fenix-5-bike.fit")


def test_a_truncated_file_as_training_is_kept_with_a_warning(tmp_path: Path) -> None:
    """The truncated FIT still gives what it holds (a 6 m run) plus a warning naming it; as
    the race it is refused as too short to be one."""
    with pytest.raises(ActivityError, match="too short"):
        derive(FILES / "activity-unexpected-eof.fit")
    derived = derive(FILES / "garmin-fenix-5-run.fit",
                     [FILES / "activity-unexpected-eof.fit"], use_cache=False)
    assert len(derived.training) == 1
    assert any("activity-unexpected-eof.fit" in w and "unreadable after" in w
               for w in derived.warnings)
