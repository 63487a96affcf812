"""`crampdx import`, `debrief --activity/--training`, Strava exports, the cache, and every bad
file: one line naming the file, never a traceback, nothing already derived lost."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from activity_gen import at, mountain, samples, write
from crampdx.yamlio import load_yaml_file

FILES = Path(__file__).parent / "fixtures" / "activities"
RACE_DAY = dt.date(2024, 6, 1)


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CRAMPDX_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("CRAMPDX_KB", raising=False)
    monkeypatch.delenv("CRAMPDX_SHIPPED_KB", raising=False)
    return tmp_path / "cache"


def days(n: int) -> dt.date:
    return RACE_DAY - dt.timedelta(days=n)


@pytest.fixture
def race(tmp_path: Path) -> Path:
    """A 30 km mountain race: 1500 m up then 1500 m down, 5 h, 18 °C on the watch."""
    return write(tmp_path / "race.fit", samples(at(RACE_DAY), 30, 5.0,
                                                 elevation=mountain(1500, 30), temp=18))


def training_runs() -> list[tuple[str, dt.date, float, float, float]]:
    """(name, day, km, hours, climb): 12 weeks of runs on a 300 m hill, long on Sundays."""
    runs = [("base", days(120), 10, 1.0, 100)]
    for week in range(12):
        runs.append((f"long-{week}", days(2 + 7 * week), 25, 2.5, 300))
        runs.append((f"easy-{week}", days(4 + 7 * week), 10, 1.0, 100))
    return runs


@pytest.fixture
def training(tmp_path: Path) -> Path:
    folder = tmp_path / "training"
    for name, day, km, hours, climb in training_runs():
        write(folder / f"{name}.gpx.gz", samples(at(day), km, hours, step_s=60,
                                                 elevation=mountain(climb, km)))
    return folder


EXPECTED = {"event_distance_km": 30, "event_duration_h": 5, "elevation_gain_m": 1500,
            "elevation_loss_m": 1500, "biggest_race_descent_m": 1500, "temperature_c": 18,
            "longest_run_km": 25, "long_runs_12w": 12, "biggest_training_descent_m": 300,
            "downhill_training": False, "trained_terrain": False}


def test_import_writes_an_answers_file_with_the_source_of_each_answer(
        run_cli, race: Path, training: Path, tmp_path: Path) -> None:
    """YAML with a comment beside each answer naming its file; it reads back as answers."""
    out_file = tmp_path / "answers.yaml"
    status, out, err = run_cli("import", str(race), "--training", str(training),
                               "-o", str(out_file))
    assert status == 0, err
    text = out_file.read_text()
    lines = {line.split(":", 1)[0]: line for line in text.splitlines()
             if line and not line.startswith("#")}
    assert "race.fit" in lines["event_distance_km"].split("#", 1)[1]
    assert "long-0.gpx.gz" in lines["longest_run_km"].split("#", 1)[1]
    data = load_yaml_file(out_file, what="answers file")
    for qid, value in EXPECTED.items():
        assert data[qid] == pytest.approx(value, rel=0.02) if not isinstance(value, bool) \
            else data[qid] is value, qid
    assert data["date"] == RACE_DAY.isoformat()
    status, report, err = run_cli("debrief", str(out_file), "-f", "json")
    assert status == 0, err


def test_import_json_is_the_flat_answers_mapping(run_cli, race: Path, training: Path) -> None:
    """-f json: question id -> value, exactly what an answers file holds (it parses as one)."""
    from crampdx import api
    from crampdx.answers import parse_answers

    status, out, err = run_cli("import", str(race), "--training", str(training), "-f", "json")
    assert status == 0, err
    mapping = json.loads(out)
    assert set(EXPECTED) <= set(mapping)
    answers = parse_answers(mapping, api.knowledge())
    assert answers.values["long_runs_12w"] == 12 and answers.meta["date"] == "2024-06-01"


CRAMP_ONLY = """\
terrain: mountain
symptoms: []
cramp_pattern: localized
cramp_sites: [quadriceps, calf]
onset_km: 20
eased_when_slowing: true
during_descent: true
cramp_history: false
drink_type: sports_drink
fluid_ml_per_h: 500
drank_beyond_thirst: false
sodium_mg_per_h: 500
carbs_g_per_h: 60
trained_race_pace: true
eccentric_strength: false
"""


def test_cramp_answers_plus_files_diagnose_like_fully_typed_answers(
        run_cli, race: Path, training: Path, tmp_path: Path) -> None:
    """End to end: only what the runner alone can tell, plus the race and training files,
    gives the same causes and triage as the same story fully typed."""
    cramp_only = tmp_path / "cramps.yaml"
    cramp_only.write_text(CRAMP_ONLY)
    typed = tmp_path / "typed.yaml"
    typed.write_text(CRAMP_ONLY + "".join(
        f"{k}: {json.dumps(v)}\n" for k, v in EXPECTED.items()))
    status, from_files, err = run_cli("debrief", str(cramp_only), "--activity", str(race),
                                      "--training", str(training), "-f", "json")
    assert status == 0, err
    status, from_typing, err = run_cli("debrief", str(typed), "-f", "json")
    assert status == 0, err
    a, b = json.loads(from_files), json.loads(from_typing)
    assert [(c["id"], c["certainty"]) for c in a["causes"]] == \
        [(c["id"], c["certainty"]) for c in b["causes"]]
    assert a["triage"] == b["triage"]
    assert a["causes"][0]["id"] == "eccentric_overload"
    assert set(a["derived"]) == set(EXPECTED) and b["derived"] == {}


def test_the_runners_answer_wins_and_reports_mark_the_watch(
        run_cli, race: Path, training: Path, tmp_path: Path) -> None:
    """A typed longest run beats the files' 25 km; the JSON's "derived" lists only what came
    from the files; the terminal evidence marks answers from the watch."""
    answers = tmp_path / "answers.yaml"
    answers.write_text(CRAMP_ONLY + "longest_run_km: 40\n")
    status, out, err = run_cli("debrief", str(answers), "--activity", str(race),
                               "--training", str(training), "-f", "json")
    assert status == 0, err
    report = json.loads(out)
    assert report["answers"]["longest_run_km"] == 40
    assert "longest_run_km" not in report["derived"]
    assert report["derived"]["biggest_race_descent_m"]["from"] == [str(race)]
    assert report["meta"]["date"] == "2024-06-01"
    status, text, err = run_cli("debrief", str(answers), "--activity", str(race),
                                "--training", str(training))
    assert status == 0, err
    assert "(from the watch)" in text
    assert "read from your activity files" in text


def test_training_without_a_race_is_refused(run_cli, training: Path, tmp_path: Path) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text(CRAMP_ONLY)
    status, out, err = run_cli("debrief", str(answers), "--training", str(training))
    assert status == 2 and "--training needs --activity" in err


# -- Strava exports and the cache ----------------------------------------------------------------
def strava_export(tmp_path: Path, *, zipped: bool) -> Path:
    """activities.csv + activities/<id>.fit.gz|.gpx.gz; one run relabelled a Ride on Strava."""
    root = tmp_path / "export"
    rows = ["Activity ID,Activity Date,Activity Name,Activity Type,Filename"]
    for n, (name, day, km, hours, climb) in enumerate(training_runs()):
        suffix = ".fit.gz" if n % 2 else ".gpx.gz"
        write(root / "activities" / f"{n}{suffix}",
              samples(at(day), km, hours, step_s=60, elevation=mountain(climb, km)))
        rows.append(f'{n},"{day}",{name},Run,activities/{n}{suffix}')
    write(root / "activities" / "999.gpx.gz", samples(at(days(3)), 60, 2.4, step_s=60))
    rows.append('999,"x",Commute,Ride,activities/999.gpx.gz')
    (root / "activities.csv").write_text("\n".join(rows) + "\n")
    if not zipped:
        return root
    archive = tmp_path / "export_123.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                z.write(path, path.relative_to(root).as_posix())
    return archive


@pytest.mark.parametrize("zipped", [True, False])
def test_a_strava_export_zip_or_folder(run_cli, race: Path, tmp_path: Path,
                                       zipped: bool) -> None:
    """The export's activities.csv gives each file's sport: a 60 km run Strava calls a Ride is
    not the longest run."""
    export = strava_export(tmp_path, zipped=zipped)
    status, out, err = run_cli("import", str(race), "--training", str(export), "-f", "json")
    assert status == 0, err
    mapping = json.loads(out)
    assert mapping["longest_run_km"] == 25 and mapping["long_runs_12w"] == 12


def test_training_summaries_are_cached_and_refreshed(race: Path, training: Path,
                                                     cache: Path) -> None:
    """The second run reads every summary from the JSON cache; a changed file is read again."""
    from crampdx.activity import derive

    reads: list[int] = []
    cold = derive(race, [training], progress=reads.append)
    assert cold.cache_hits == 0 and reads == list(range(1, len(training_runs()) + 1))
    files = list((cache / "activities").glob("*.json"))  # one for the race, one for the PATH
    assert len(files) == 2 and all(json.loads(f.read_text())["version"] == 1 for f in files)
    reads.clear()
    warm = derive(race, [training], progress=reads.append)
    assert warm.cache_hits == len(training_runs()) and warm.values == cold.values
    assert reads == []  # nothing read: no progress to show
    write(training / "long-0.gpx.gz", samples(at(days(2)), 32, 3.2, step_s=60))
    changed = derive(race, [training])
    assert changed.cache_hits == len(training_runs()) - 1
    assert changed.values["longest_run_km"] == 32


def test_an_unchanged_zip_is_not_opened_again_and_its_warnings_repeat(
        race: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Strava zip unchanged since the last run: its listing comes from the cache (the zip is
    not even opened) and the warnings it gave are given again."""
    from crampdx.activity import derive, sources

    export = strava_export(tmp_path, zipped=True)
    with zipfile.ZipFile(export, "a") as z:
        z.writestr("../evil.gpx", b"<gpx/>")
    cold = derive(race, [export])

    def no_zip(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the zip was opened again")

    monkeypatch.setattr(sources, "_zip", no_zip)
    warm = derive(race, [export])
    assert warm.values == cold.values and warm.cache_hits == len(cold.training) == 26
    assert any("unsafe name" in w for w in warm.warnings)


def test_a_damaged_cache_is_ignored(race: Path, training: Path, cache: Path) -> None:
    from crampdx.activity import derive

    first = derive(race, [training])
    for path in (cache / "activities").glob("*.json"):
        path.write_text("{not json")
    again = derive(race, [training])
    assert again.cache_hits == 0 and again.values == first.values


def test_a_cache_another_crampdx_wrote_is_read_again(race: Path, training: Path, cache: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Summaries (and their warnings) written by another version of the activity readers are
    not reused: an upgrade that reads files differently reads them again."""
    from crampdx.activity import cache as activity_cache
    from crampdx.activity import derive

    first = derive(race, [training])
    assert derive(race, [training]).cache_hits == len(training_runs())
    monkeypatch.setattr(activity_cache, "reader_stamp", lambda: "another-crampdx")
    again = derive(race, [training])
    assert again.cache_hits == 0 and again.values == first.values
    assert derive(race, [training]).cache_hits == len(training_runs())  # rebuilt under it


# -- bad files ------------------------------------------------------------------------------------
def assert_one_line_error(status: int, err: str, *needles: str) -> None:
    assert status == 2, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("crampdx: error:")]
    assert len(lines) == 1, err
    for needle in needles:
        assert needle in lines[0], err


@pytest.mark.parametrize("name, content, needle", [
    ("race.fit", b"this is not a watch file at all", "not a FIT file"),
    ("race.gpx", b"<gpx><trk><trkseg><trkpt lat='x'", "not a readable GPX"),
    ("race.tcx", b"<?xml version='1.0'?><TrainingCenterDatabase><Courses/>"
                 b"</TrainingCenterDatabase>", "no Activity"),
    ("race.txt", b"hello", "not a FIT, GPX or TCX"),
    ("race.fit", b"", "empty file"),
    ("race.gpx.gz", b"\x1f\x8b\x08\x00garbage", "damaged gzip"),
    ("race.gpx", b"<?xml version='1.0'?><!DOCTYPE gpx [<!ENTITY a 'aaaa'>]><gpx>&a;</gpx>",
     "DTD or entities refused"),
])
def test_a_bad_race_file_is_one_line(run_cli, tmp_path: Path, name: str, content: bytes,
                                     needle: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    status, out, err = run_cli("import", str(path))
    assert_one_line_error(status, err, str(path), needle)


def test_real_bad_race_files(run_cli) -> None:
    """The truncated FIT and the bike ride, as the race: exit 2, one line naming the file."""
    status, _, err = run_cli("import", str(FILES / "activity-unexpected-eof.fit"))
    assert_one_line_error(status, err, "activity-unexpected-eof.fit", "too short")
    status, _, err = run_cli("import", str(FILES / "garmin-fenix-5-bike.fit"))
    assert_one_line_error(status, err, "garmin-fenix-5-bike.fit", "not a run")
    status, _, err = run_cli("debrief", str(FILES / "README.md"), "--activity",
                             str(FILES / "garmin-fenix-5-bike.fit"))
    assert_one_line_error(status, err, "garmin-fenix-5-bike.fit")


def test_a_gzip_bomb_race_is_refused(run_cli, tmp_path: Path) -> None:
    bomb = tmp_path / "race.fit.gz"
    bomb.write_bytes(gzip.compress(b"\0" * (65 * 1024 * 1024), compresslevel=1))
    status, _, err = run_cli("import", str(bomb))
    assert_one_line_error(status, err, "race.fit.gz", "decompression bomb")


def bad_training(tmp_path: Path, kind: str) -> Path:
    if kind == "empty zip":
        path = tmp_path / "empty.zip"
        zipfile.ZipFile(path, "w").close()
    elif kind == "corrupt zip":
        path = tmp_path / "corrupt.zip"
        path.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 50)
    elif kind == "zip bomb":
        path = tmp_path / "bomb.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for n in range(5):
                z.writestr(f"activities/{n}.gpx", b" " * (65 * 1024 * 1024))
    elif kind == "unsafe names":
        path = tmp_path / "unsafe.zip"
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("../evil.gpx", b"<gpx/>")
            z.writestr("/etc/abs.gpx", b"<gpx/>")
    elif kind == "thousands of files":
        path = tmp_path / "many"
        path.mkdir()
        for n in range(3000):
            (path / f"{n:04}.gpx").write_bytes(b"not a gpx")
    else:
        raise AssertionError(kind)
    return path


@pytest.mark.parametrize("kind, needle", [
    ("empty zip", "no FIT, GPX or TCX files"),
    ("corrupt zip", "not a readable zip"),
    ("zip bomb", "decompression bomb"),
    ("unsafe names", "unsafe name"),
    ("thousands of files", "more problems in the training files"),
])
def test_bad_training_is_a_warning_and_the_race_answers_survive(
        run_cli, race: Path, tmp_path: Path, kind: str, needle: str) -> None:
    """Each bad training PATH gets a warning naming it; the race's answers still come out."""
    path = bad_training(tmp_path, kind)
    status, out, err = run_cli("import", str(race), "--training", str(path), "-f", "json")
    assert status == 0, err
    assert "Traceback" not in err
    assert needle in err and str(path) in err
    assert len(err.splitlines()) <= 8  # summarised, not one line per bad file
    assert json.loads(out)["event_distance_km"] == 30


def test_a_folder_beyond_the_file_cap_is_cut_with_a_warning(
        tmp_path: Path, race: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from crampdx.activity import derive, sources

    monkeypatch.setattr(sources, "MAX_FOLDER_FILES", 3)
    folder = tmp_path / "runs"
    for n in range(5):
        write(folder / f"{n}.gpx", samples(at(days(10 + n)), 5, 0.5, step_s=120))
    derived = derive(race, [folder], use_cache=False)
    assert len(derived.training) == 3
    assert any("more than 3 activity files" in w for w in derived.warnings)


def test_activity_libraries_load_only_when_used(tmp_path: Path) -> None:
    """--version and a debrief without activity options import none of the FIT/GPX/TCX or
    cache libraries."""
    example = Path(__file__).parent.parent / "examples" / "marathon-longest-run-24k.yaml"
    code = ("import sys, io, contextlib\nfrom crampdx.cli import main\n"
            "buf = io.StringIO()\n"
            "with contextlib.redirect_stdout(buf):\n"
            "    try: main(['--version'])\n"
            "    except SystemExit: pass\n"
            f"    main(['debrief', {str(example)!r}, '-f', 'json'])\n"
            "print(sorted(m for m in ('garmin_fit_sdk', 'gpxpy', 'defusedxml', 'platformdirs')"
            " if m in sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_import_never_overwrites_an_answers_file(run_cli, race: Path, tmp_path: Path) -> None:
    """An existing -o file may hold the runner's own answers: refused unless --force."""
    answers = tmp_path / "answers.yaml"
    answers.write_text("cramp_sites: [calf]\n")
    status, _, err = run_cli("import", str(race), "-o", str(answers))
    assert_one_line_error(status, err, str(answers), "--force")
    assert answers.read_text() == "cramp_sites: [calf]\n"
    status, _, err = run_cli("import", str(race), "-o", str(answers), "--force")
    assert status == 0, err
    assert "event_distance_km: 30" in answers.read_text()


def test_odd_file_names_stay_inside_their_comment(run_cli, tmp_path: Path) -> None:
    """A file name with a newline and a '#' cannot break the YAML it is named in."""
    race = write(tmp_path / "my #1\nrace.fit", samples(at(RACE_DAY), 10, 1.0))
    status, out, err = run_cli("import", str(race))
    assert status == 0, err
    data = load_yaml_file_text(out, tmp_path)
    assert set(data) == {"date", "event_distance_km", "event_duration_h", "elevation_gain_m",
                         "elevation_loss_m", "biggest_race_descent_m", "started_too_fast"}
    assert data["event_distance_km"] == 10


def load_yaml_file_text(text: str, folder: Path):  # type: ignore[no-untyped-def]
    path = folder / "out.yaml"
    path.write_text(text)
    return load_yaml_file(path, what="answers file")


def test_a_typed_date_that_differs_from_the_file_is_flagged(
        run_cli, race: Path, tmp_path: Path) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text(CRAMP_ONLY + "date: 2023-05-01\n")
    status, out, err = run_cli("debrief", str(answers), "--activity", str(race), "-f", "json")
    assert status == 0, err
    assert "recorded on 2024-06-01" in err and "right race file" in err
    assert json.loads(out)["meta"]["date"] == "2023-05-01"  # the runner's answer wins


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_markdown_and_html_mark_the_watch_too(run_cli, race: Path, training: Path,
                                              tmp_path: Path, fmt: str) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text(CRAMP_ONLY)
    status, out, err = run_cli("debrief", str(answers), "--activity", str(race),
                               "--training", str(training), "-f", fmt)
    assert status == 0, err
    assert "(from the watch)" in out and "read from your activity files" in out


def test_dont_know_is_respected_but_an_empty_answer_is_filled(
        run_cli, race: Path, training: Path, tmp_path: Path) -> None:
    """`longest_run_km: don't know` (the runner doubts the watch) stays unknown; an empty
    `long_runs_12w:` (a blank template) is filled from the files."""
    answers = tmp_path / "a.yaml"
    answers.write_text(CRAMP_ONLY + "longest_run_km: don't know\nlong_runs_12w:\n")
    status, out, err = run_cli("debrief", str(answers), "--activity", str(race),
                               "--training", str(training), "-f", "json")
    assert status == 0, err
    report = json.loads(out)
    assert "longest_run_km" not in report["answers"]
    assert report["answers"]["long_runs_12w"] == 12


def test_an_unwritable_output_prints_the_answers_instead(run_cli, race: Path,
                                                         tmp_path: Path) -> None:
    """-o into a folder that does not exist: exit 2, one line, and the answers on stdout."""
    target = tmp_path / "missing" / "answers.yaml"
    status, out, err = run_cli("import", str(race), "-o", str(target))
    assert_one_line_error(status, err, str(target), "printed above")
    assert "event_distance_km: 30" in out


def test_an_unwritable_cache_is_only_a_warning(run_cli, race: Path, training: Path,
                                               tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("CRAMPDX_CACHE_DIR", str(blocker))
    status, out, err = run_cli("import", str(race), "--training", str(training), "-f", "json")
    assert status == 0, err
    assert "training cache not written" in err
    assert json.loads(out)["long_runs_12w"] == 12


def test_a_recorded_debrief_keeps_which_answers_came_from_the_files(
        run_cli, race: Path, training: Path, tmp_path: Path) -> None:
    """debrief --record stores the 'derived' marker with the answers; `history show` shows it
    again (JSON and the terminal's "(from the watch)"), not as if the runner had typed them."""
    answers = tmp_path / "answers.yaml"
    answers.write_text("athlete: Ann\n" + CRAMP_ONLY)
    db = str(tmp_path / "h.sqlite3")
    status, first, err = run_cli("debrief", str(answers), "--activity", str(race),
                                 "--training", str(training), "-f", "json", "--record",
                                 "--db", db)
    assert status == 0, err
    recorded = json.loads(first)["derived"]
    assert set(recorded) == set(EXPECTED)
    status, shown, err = run_cli("history", "show", "1", "--db", db, "-f", "json")
    assert status == 0, err
    assert json.loads(shown)["derived"] == recorded
    status, text, err = run_cli("history", "show", "1", "--db", db)
    assert status == 0, err
    assert "(from the watch)" in text and "read from your activity files" in text


@pytest.mark.parametrize("km, hours, sport, expected", [
    (0.8, 0.1, "running", "only 0.8 km in 6 min: is this the race?"),
    (3.0, 0.1, "running", "only 6 min: is this the race?"),
    (10.0, 2.0, "walking", "walking speed (the file says walking): is this the race?"),
    (10.0, 2.5, "running", "walking speed (4.0 km/h moving on mostly flat ground)"),
])
def test_import_warns_when_the_race_file_looks_like_something_else(
        run_cli, tmp_path: Path, km: float, hours: float, sport: str, expected: str) -> None:
    """Too short (under 1 km or 10 minutes) or at walking speed: one warning line on stderr,
    naming the file, and the answers are still written."""
    race = write(tmp_path / "race.fit", samples(at(RACE_DAY), km, hours, step_s=10),
                 sport=sport)
    out = tmp_path / "answers.yaml"
    status, _, err = run_cli("import", str(race), "-o", str(out))
    assert status == 0, err
    warnings = [line for line in err.splitlines() if "is this the race?" in line]
    assert len(warnings) == 1 and expected in warnings[0] and str(race) in warnings[0], err
    assert load_yaml_file(out, what="answers file")["event_distance_km"] == pytest.approx(km, 0.05)


def test_a_real_race_file_gets_no_is_this_the_race_warning(run_cli, race: Path, tmp_path: Path) -> None:
    """The 30 km mountain race at 6 km/h moving: slow, but it climbs, so it is no walk."""
    status, _, err = run_cli("import", str(race), "-o", str(tmp_path / "a.yaml"))
    assert status == 0 and "is this the race?" not in err, err
