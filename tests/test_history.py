"""The history database as a user meets it: --record, `crampdx history` (list, JSON, CSV,
one athlete's season, show, forget), two processes saving at once, and files that are not
crampdx's history (damaged, foreign, newer), which are refused and never overwritten."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from crampdx import history

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CRAMPDX = Path(sys.executable).parent / "crampdx"
LENA = (EXAMPLES / "marathon-longest-run-24k.yaml").read_text(encoding="utf-8")


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data" / "history.sqlite3"
    monkeypatch.delenv("CRAMPDX_DB", raising=False)
    return path


WARNING_SIGNS = ("fainted", "palpitations", "overheated", "severe_muscle_pain",
                 "cramp_over_10_min", "muscle_weakness", "collapsed_after_finish", "urine_after")


def lena_race(write, name: str, date: str, event: str, longest: int = 24,  # type: ignore[no-untyped-def]
              screened: bool = True) -> Path:
    """Lena's marathon answers, another race: its date, its event and her longest run; with
    `screened=False` the warning-sign answers are left out (as a runner who skipped them)."""
    text = LENA.replace("event: City marathon", f"event: {event}\ndate: {date}")
    if not screened:
        text = "\n".join(line for line in text.splitlines()
                         if not line.startswith(WARNING_SIGNS)) + "\n"
    return write(name, text.replace("longest_run_km: 24", f"longest_run_km: {longest}"))


def record(run_cli, db: Path, path: Path) -> None:  # type: ignore[no-untyped-def]
    status, _, err = run_cli("debrief", str(path), "--record", "--db", str(db), "-f", "json")
    assert status == 0, err
    assert "recorded as debrief" in err


def test_history_json_lists_newest_race_first_with_leading_causes(run_cli, write, db) -> None:  # type: ignore[no-untyped-def]
    """The contract: {"debriefs": [{id, date, athlete, event, triage, causes}], "recurring":
    [...]}, newest race first whatever the order they were recorded in; causes are the
    report's, leading first."""
    record(run_cli, db, lena_race(write, "b.yaml", "2026-10-04", "Autumn marathon"))
    record(run_cli, db, lena_race(write, "a.yaml", "2026-04-12", "Spring marathon"))
    record(run_cli, db, EXAMPLES / "heat-stroke-half.yaml")  # no date: the day recorded
    status, out, err = run_cli("history", "--db", str(db), "-f", "json")
    assert status == 0, err
    listed = json.loads(out)
    assert set(listed) == {"debriefs", "recurring"}
    assert all(set(d) == {"id", "date", "athlete", "event", "triage", "causes"}
               for d in listed["debriefs"])
    dates = [d["date"] for d in listed["debriefs"]]
    assert dates == sorted(dates, reverse=True)
    assert [d["event"] for d in listed["debriefs"]][1:] == ["Autumn marathon", "Spring marathon"]
    heat = listed["debriefs"][0]
    assert heat["triage"] == "emergency"
    _, report, _ = run_cli("debrief", str(EXAMPLES / "heat-stroke-half.yaml"), "-f", "json")
    report = json.loads(report)
    leading = [c["id"] for c in report["causes"] if c["leading"]]
    assert heat["causes"][:len(leading)] == leading
    assert sorted(heat["causes"]) == sorted(c["id"] for c in report["causes"])


def test_recurring_causes_and_what_changed_for_one_athlete(run_cli, write, db) -> None:  # type: ignore[no-untyped-def]
    """Three of Lena's marathons: the cause that led in all three recurs ("led in 3 of your
    last 3 races"), and the newest report shows her answers and causes then and now."""
    record(run_cli, db, lena_race(write, "1.yaml", "2025-10-05", "Autumn marathon",
                                  screened=False))
    record(run_cli, db, lena_race(write, "2.yaml", "2026-04-12", "Spring marathon"))
    status, out, err = run_cli("debrief", str(lena_race(write, "3.yaml", "2026-10-04",
                                                        "City marathon", longest=36)),
                               "--record", "--db", str(db), "-f", "json")
    assert status == 0, err
    season = json.loads(out)["history"]
    assert season["debriefs"] == 3
    training = next(r for r in season["recurring"] if r["cause"] == "insufficient_training")
    assert (training["count"], training["window"]) == (3, 3)
    assert training["text"] == ("Not enough long-run training for the distance led in 3 of "
                                "your last 3 races.")
    changes = season["changes"]
    assert changes["previous"]["event"] == "Spring marathon"
    assert changes["answers"] == [{"question": "longest_run_km", "before": 24, "after": 36}]

    status, listed, _ = run_cli("history", "--db", str(db), "-f", "json")
    recurring = {r["cause"]: r for r in json.loads(listed)["recurring"]}
    ids = [d["id"] for d in json.loads(listed)["debriefs"]]
    assert recurring["insufficient_training"] == {"cause": "insufficient_training", "count": 3,
                                                  "races": ids, "athlete": "Lena, 34"}

    status, out, err = run_cli("history", "--athlete", "  LENA, 34 ", "--db", str(db))
    assert status == 0, err
    text = " ".join(out.split())
    assert "Not enough long-run training for the distance led in 3 of your last 3 races." in text
    assert "Since your previous debrief (2026-04-12 · Spring marathon)" in text
    assert "24 km" in text and "36 km" in text
    assert text.count("self care (not screened)") == 1  # the race with warning signs skipped
    assert text.count("self care") == 3


def test_recorded_markdown_report_has_the_history_section(run_cli, write, db) -> None:  # type: ignore[no-untyped-def]
    """The report itself says what recurs and what changed, in Markdown as on the screen."""
    record(run_cli, db, lena_race(write, "1.yaml", "2026-04-12", "Spring marathon"))
    status, out, err = run_cli("debrief", str(lena_race(write, "2.yaml", "2026-10-04",
                                                        "City marathon", longest=30)),
                               "--record", "--db", str(db), "-f", "markdown")
    assert status == 0, err
    section = out[out.index("## Your history"):]
    assert "led in 2 of your last 2 races" in section
    assert "| | Then | Now |" in section and "| 24 km | 30 km |" in section


def test_show_rerenders_and_says_when_newer_knowledge_disagrees(run_cli, write, db) -> None:  # type: ignore[no-untyped-def]
    """`history show ID` re-diagnoses the stored answers with today's knowledge; when the
    debrief was recorded with other knowledge that led with other causes, it says so."""
    record(run_cli, db, lena_race(write, "1.yaml", "2026-04-12", "Spring marathon"))
    status, same, _ = run_cli("history", "show", "1", "--db", str(db))
    assert status == 0 and "Cramp debrief: Lena, 34 · Spring marathon · 2026-04-12" in same
    assert "Re-diagnosed" not in same  # same knowledge: nothing to say
    # As if recorded by an older knowledge base that blamed the heat
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE debriefs SET knowledge = 'older', leading = ?",
                           (json.dumps(["heat_stress"]),))
    status, out, err = run_cli("history", "show", "1", "--db", str(db), "-f", "markdown")
    assert status == 0, err
    assert "Re-diagnosed with a newer knowledge base" in out
    assert out.index("Re-diagnosed") < out.index("Likely causes")
    status, out, _ = run_cli("history", "show", "1", "--db", str(db), "-f", "json")
    note = json.loads(out)["history"]["rediagnosed"]
    assert note["differs"] is True and note["causes_recorded"] == ["heat_stress"]
    status, page, _ = run_cli("history", "show", "1", "--db", str(db), "-f", "html")
    assert "Re-diagnosed with a newer knowledge base" in page and "<section class=\"history\">" in page


def test_forget_one_and_all_of_an_athlete_leaves_nothing_in_the_file(run_cli, write, db) -> None:  # type: ignore[no-untyped-def]
    """Health data: forget deletes, and the deleted names are not left in the database file
    or its write-ahead log."""
    record(run_cli, db, lena_race(write, "1.yaml", "2026-04-12", "Spring marathon"))
    record(run_cli, db, lena_race(write, "2.yaml", "2026-10-04", "Autumn marathon"))
    record(run_cli, db, write("zoe.yaml", "athlete: Zoe Quixotic\nevent: Zany 10k\n"
                                          "cramp_pattern: localized\n"))
    status, _, err = run_cli("history", "forget", "1", "--db", str(db))
    assert status == 0 and "forgot debrief 1 (Lena, 34 · Spring marathon · 2026-04-12)" in err
    status, _, err = run_cli("history", "forget", "--athlete", "zoe quixotic", "--db", str(db))
    assert status == 0 and "forgot 1 debrief of zoe quixotic" in err
    status, out, _ = run_cli("history", "--db", str(db), "-f", "json")
    assert [d["event"] for d in json.loads(out)["debriefs"]] == ["Autumn marathon"]
    stored = b"".join(p.read_bytes() for p in db.parent.iterdir() if p.name.startswith(db.name))
    assert b"Quixotic" not in stored and b"Spring marathon" not in stored
    assert b"Autumn marathon" in stored
    status, _, err = run_cli("history", "forget", "1", "--db", str(db))
    assert status == 2 and err.count("\n") == 1 and "no recorded debrief has id 1" in err


def test_an_athlete_name_given_in_part_points_to_the_recorded_one(run_cli, write, db) -> None:  # type: ignore[no-untyped-def]
    """'--athlete Lena' when 'Lena, 34' is recorded: one line naming the recorded name and how
    to give it, exit 2, for listing and for forgetting; an empty history says so instead."""
    status, _, err = run_cli("history", "--athlete", "Lena", "--db", str(db))
    assert status == 2 and err.count("\n") == 1
    assert "nothing is recorded yet (debrief with --record)" in err
    record(run_cli, db, lena_race(write, "1.yaml", "2026-04-12", "Spring marathon"))
    for words in (("history", "--athlete", "lena"), ("history", "forget", "--athlete", "Lena")):
        status, _, err = run_cli(*words, "--db", str(db))
        assert status == 2 and err.count("\n") == 1
        assert "(did you mean 'Lena, 34'?): give the name in full" in err
    status, out, _ = run_cli("history", "--db", str(db), "-f", "json")
    assert len(json.loads(out)["debriefs"]) == 1  # nothing forgotten


@pytest.mark.parametrize("content, words", [
    (b"this is my training diary, not a database\n" * 20, "not SQLite"),
    (history.SQLITE_HEADER + b"\x00\xff" * 2000, "not a usable crampdx history database"),
])
def test_a_damaged_file_is_refused_and_never_overwritten(run_cli, write, db, content, words) -> None:  # type: ignore[no-untyped-def]
    """One line, exit 2, and the file byte for byte as it was, also after --record."""
    db.parent.mkdir(parents=True)
    db.write_bytes(content)
    for args in (("history",), ("debrief", str(EXAMPLES / "heat-stroke-half.yaml"), "--record")):
        status, out, err = run_cli(*args, "--db", str(db))
        assert status == 2
        assert err.count("\n") == 1 and err.startswith(f"crampdx: error: {db}: ") and words in err
        assert "Traceback" not in err
        assert db.read_bytes() == content
    assert sorted(p.name for p in db.parent.iterdir()) == [db.name]


def test_a_truncated_history_is_refused_and_kept(run_cli, write, db) -> None:  # type: ignore[no-untyped-def]
    """A real history cut short (a crashed copy): refused, the file untouched."""
    for n in range(3):
        record(run_cli, db, lena_race(write, f"{n}.yaml", f"2026-0{n + 1}-01", "Race"))
    connection = history.connect(db)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.execute("PRAGMA journal_mode = DELETE")
    connection.close()
    content = db.read_bytes()[:5000]
    db.write_bytes(content)
    status, _, err = run_cli("history", "--db", str(db))
    assert status == 2 and err.count("\n") == 1 and "crampdx leaves it untouched" in err
    assert db.read_bytes() == content


def test_another_programs_sqlite_file_is_refused(run_cli, db) -> None:  # type: ignore[no-untyped-def]
    """An SQLite database that is not crampdx's: named as such, not migrated into."""
    db.parent.mkdir(parents=True)
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE users (name TEXT)")
        connection.execute("INSERT INTO users VALUES ('ada')")
    connection.close()
    before = db.read_bytes()
    status, _, err = run_cli("debrief", str(EXAMPLES / "heat-stroke-half.yaml"), "--record",
                             "--db", str(db))
    assert status == 2 and err.count("\n") == 1
    assert "an SQLite database of another program" in err
    assert db.read_bytes() == before


def test_a_history_from_a_newer_crampdx_is_refused(run_cli, db) -> None:  # type: ignore[no-untyped-def]
    """A schema this crampdx does not know yet: say so rather than guess."""
    history.connect(db).close()
    with sqlite3.connect(db) as connection:
        connection.execute(f"PRAGMA user_version = {history.SCHEMA_VERSION + 1}")
    connection.close()
    status, _, err = run_cli("history", "--db", str(db))
    assert status == 2 and "made by a newer crampdx" in err and "upgrade crampdx" in err


def test_an_older_schema_is_migrated_keeping_its_debriefs(tmp_path: Path) -> None:
    """A version-1 file (before the athlete index) opens as the latest version, rows kept."""
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as connection:
        for statement in history.MIGRATIONS[0]:
            connection.execute(statement)
        connection.execute("INSERT INTO debriefs (recorded_at, triage, causes, leading, answers, "
                           "report, knowledge) VALUES ('2025-01-01T00:00:00', 'self_care', '[]', "
                           "'[]', '{}', '{}', 'k')")
        connection.execute(f"PRAGMA application_id = {history.APPLICATION_ID}")
        connection.execute("PRAGMA user_version = 1")
    connection.close()
    connection = history.connect(path)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == history.SCHEMA_VERSION == 2
    indexes = [r[0] for r in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index'")]
    assert "debriefs_by_athlete" in indexes
    assert [s.date for s in history.debriefs(connection)] == ["2025-01-01"]
    connection.close()


SAVER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from crampdx import history
    db, start, name = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    while not start.exists():
        time.sleep(0.001)
    for n in range(25):
        connection = history.connect(db)
        history.record(connection, answers={"athlete": name},
                       report={"meta": {"athlete": name, "event": f"race {n}"},
                               "triage": {"level": "self_care"}, "causes": []},
                       knowledge="k")
        connection.close()
""")


def test_two_processes_saving_at_once_both_succeed(tmp_path: Path) -> None:
    """Two processes, released together onto a database neither has created yet, each open
    and save 25 debriefs: all 50 are there, no 'database is locked'."""
    db, start = tmp_path / "shared.sqlite3", tmp_path / "go"
    savers = [subprocess.Popen([sys.executable, "-c", SAVER, str(db), str(start), name],
                               stderr=subprocess.PIPE, text=True) for name in ("ana", "ben")]
    start.touch()
    errors = [saver.communicate(timeout=120)[1] for saver in savers]
    assert [saver.returncode for saver in savers] == [0, 0], errors
    connection = history.connect(db)
    names = sorted(s.athlete for s in history.debriefs(connection))
    connection.close()
    assert names == ["ana"] * 25 + ["ben"] * 25


def test_two_crampdx_commands_recording_at_once(tmp_path: Path) -> None:
    """The real command twice at the same moment on a fresh database: both exit 0, both
    debriefs are listed."""
    db = tmp_path / "history.sqlite3"
    env = {"CRAMPDX_DB": str(db), "PATH": "/usr/bin:/bin"}
    commands = [subprocess.Popen([str(CRAMPDX), "debrief", str(EXAMPLES / name), "--record",
                                  "-f", "json"], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, text=True, env=env)
                for name in ("heat-stroke-half.yaml", "marathon-longest-run-24k.yaml")]
    errors = [command.communicate(timeout=120)[1] for command in commands]
    assert [c.returncode for c in commands] == [0, 0], errors
    listed = subprocess.run([str(CRAMPDX), "history", "-f", "csv"], capture_output=True,
                            text=True, env=env, timeout=60)
    rows = list(csv.DictReader(io.StringIO(listed.stdout)))
    assert sorted(r["event"] for r in rows) == ["City marathon", "Summer half marathon"]


def test_the_default_database_is_crampdx_db_else_the_user_data_dir(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """CRAMPDX_DB wins; otherwise platformdirs' user data directory for crampdx."""
    import platformdirs

    monkeypatch.setenv("CRAMPDX_DB", "/somewhere/h.sqlite3")
    assert history.default_path() == Path("/somewhere/h.sqlite3")
    monkeypatch.delenv("CRAMPDX_DB")
    assert history.default_path() == platformdirs.user_data_path("crampdx") / "history.sqlite3"


def test_history_csv_guards_formulas_and_bad_actions_are_one_line(run_cli, write, db) -> None:  # type: ignore[no-untyped-def]
    """A name a spreadsheet would run stays text; a wrong action or id is one line, exit 2."""
    record(run_cli, db, write("evil.yaml", "athlete: '=HYPERLINK(\"http://x\")'\n"
                                           "event: '+1 race'\ncramp_pattern: localized\n"))
    status, out, _ = run_cli("history", "--db", str(db), "-f", "csv")
    row = next(csv.DictReader(io.StringIO(out)))
    assert list(row)[:6] == ["id", "date", "athlete", "event", "triage", "causes"]
    assert row["athlete"].startswith("'=") and row["event"] == "'+1 race"
    for args, words in ((("history", "delete", "1"), "unknown history action 'delete'"),
                        (("history", "show", "x"), "'x' is not a debrief id"),
                        (("history", "show", "99"), "no recorded debrief has id 99"),
                        (("history", "-f", "html"), "'history' lists as terminal, json, csv")):
        status, _, err = run_cli(*args, "--db", str(db))
        assert status == 2 and err.count("\n") == 1 and words in err, err


def test_interview_record_asks_athlete_event_and_date(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """With --record the interview asks who, which race and when (a date it checks), and
    skips what the answers already hold."""
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput
    from rich.console import Console

    from crampdx import api
    from crampdx.cli_history import ask_record_details, check_date
    from crampdx.cli_interview import QuestionaryAsker
    from crampdx.interview import Interview

    compiled = api.reasoner()
    flow = Interview(compiled)
    asker = QuestionaryAsker(compiled.kb, Console(file=io.StringIO()))
    for keys in ("Lena\r", "City marathon\r", "2026-04-12\r"):
        with create_pipe_input() as pipe:
            pipe.send_text(keys)
            pipe.close()
            asker.io = {"input": pipe, "output": DummyOutput()}
            before = dict(flow.meta)
            try:
                ask_record_details(flow, asker)
            except EOFError:  # the pipe ends after this one answer
                pass
            assert len(flow.meta) == len(before) + 1
    assert flow.meta == {"athlete": "Lena", "event": "City marathon", "date": "2026-04-12"}
    assert check_date("12/04/2026") == ("a date as YYYY-MM-DD (e.g. 2026-04-12), or blank if "
                                        "you don't know")
    assert check_date("") is True and check_date("2026-04-12") is True


def test_recurring_never_mixes_athletes(run_cli, write, db) -> None:  # type: ignore[no-untyped-def]
    """Two runners each with one race led by the same cause is no pattern: `history` over all
    athletes counts a cause as recurring only within one athlete's races, and says whose."""
    record(run_cli, db, lena_race(write, "lena.yaml", "2026-04-12", "Spring marathon"))
    record(run_cli, db, write("mara.yaml", LENA.replace("athlete: Lena, 34", "athlete: Mara")))
    _, listed, _ = run_cli("history", "--db", str(db), "-f", "json")
    listed = json.loads(listed)
    assert len(listed["debriefs"]) == 2
    assert listed["recurring"] == []
    record(run_cli, db, lena_race(write, "lena2.yaml", "2026-10-04", "Autumn marathon"))
    _, listed, _ = run_cli("history", "--db", str(db), "-f", "json")
    recurring = json.loads(listed)["recurring"]
    assert recurring and all(r["athlete"] == "Lena, 34" and r["count"] == 2 for r in recurring)
    _, out, _ = run_cli("history", "--db", str(db))
    text = " ".join(out.split())
    assert "Lena, 34: Not enough long-run training for the distance led in 2 of their last 2 " \
        "races listed." in text


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_history_list_keeps_each_debriefs_causes_readable_at_any_width(
        run_cli, db, monkeypatch, columns: int) -> None:  # type: ignore[no-untyped-def]
    """The terminal list fits the width, and each debrief's leading causes are on their own
    'leading:' lines under it, whole (as a sixth column they were squeezed to a word a line)."""
    for example in ("seed-150k-mountain.yaml", "heat-stroke-half.yaml",
                    "marathon-longest-run-24k.yaml"):
        record(run_cli, db, EXAMPLES / example)
    monkeypatch.setenv("COLUMNS", str(columns))
    status, out, err = run_cli("history", "--db", str(db))
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["id", "date", "athlete", "event", "triage"]
    assert max(len(line) for line in lines) <= columns
    _, listed, _ = run_cli("history", "--db", str(db), "-f", "json")
    blocks = out.split("leading: ")[1:]
    assert len(blocks) == 3
    from crampdx import api

    kb = api.knowledge()
    for block, debrief in zip(blocks, json.loads(listed)["debriefs"]):
        cause_lines = []
        for line in block.splitlines():  # the wrapped causes, up to the next debrief's line
            if cause_lines and not line.startswith("    "):
                break
            cause_lines.append(line.strip())
        shown = " ".join(cause_lines)
        first = kb.causes[debrief["causes"][0]].name
        assert shown.startswith(first), (shown, first)
