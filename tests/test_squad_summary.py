"""A coach's squad table: the shipped examples as one group, in every format, most urgent
first, unscreened shown as such, names escaped for each format, linked reports with -o DIR,
and the same table from the history."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from crampdx.render import summary

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
URGENCY = ["emergency", "see_doctor", "unscreened", "self_care"]


@pytest.fixture(autouse=True)
def no_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CRAMPDX_DB", str(tmp_path / "never-used.sqlite3"))


def squad_json(run_cli, *files: Path) -> list[dict]:  # type: ignore[no-untyped-def]
    status, out, err = run_cli("debrief", *map(str, files), "--summary", "-f", "json")
    assert status == 0, err
    return json.loads(out)["athletes"]


def test_every_example_in_one_table_most_urgent_first(run_cli) -> None:  # type: ignore[no-untyped-def]
    """One row per answers file; emergencies, then see-a-doctor, then not screened, then self
    care; each with its leading causes and certainties as the full report has them, and one
    change: a red flag's action when there is one."""
    rows = squad_json(run_cli, *EXAMPLES)
    assert len(rows) == len(EXAMPLES)
    # a self-care red flag ranks after see-a-doctor and before not screened
    ranks = [1.5 if r["flags"] and r["level"] == "self_care" else
             {"emergency": 0, "see_doctor": 1, "unscreened": 2, "self_care": 3}[r["triage"]]
             for r in rows]
    assert ranks == sorted(ranks)
    assert {r["triage"] for r in rows} >= {"emergency", "see_doctor"}
    for row in rows:
        status, out, _ = run_cli("debrief", row["file"], "-f", "json")
        report = json.loads(out)
        assert row["causes"] == [{"id": c["id"], "name": c["name"], "certainty": c["certainty"]}
                                 for c in report["causes"] if c["leading"]]
        assert row["change"]
        if report["triage"]["flags"]:  # any level, self care too
            assert row["change"] == report["triage"]["flags"][0]["action"]
        unanswered_flags = [q for q in row["unscreened"]]
        assert row["screened"] == (not unanswered_flags)
        if report["triage"]["level"] == "self_care":
            assert row["triage"] == ("self_care" if row["screened"] else "unscreened")


def test_unscreened_is_never_shown_as_no_red_flags(run_cli, write) -> None:  # type: ignore[no-untyped-def]
    """A runner who answered no red-flag question: 'not screened' in every format."""
    path = write("quiet.yaml", "athlete: Quiet\nevent: Park run\ncramp_pattern: localized\n"
                               "cramp_sites: [calf]\n")
    assert squad_json(run_cli, path)[0]["triage"] == "unscreened"
    for fmt in ("terminal", "markdown", "html", "csv"):
        status, out, _ = run_cli("debrief", str(path), "--summary", "-f", fmt)
        assert status == 0 and "not screened" in out and "self care" not in out


def test_screening_read_from_the_report_when_it_carries_it() -> None:
    """Once reports carry triage.screened/unscreened (issue 8), those are used as they are."""
    report = {"meta": {"athlete": "A"}, "answers": {}, "causes": [], "plan": [],
              "triage": {"level": "self_care", "flags": [], "screened": True, "unscreened": []}}
    assert summary.row_for(report, ["fainted"]).triage == "self_care"
    report["triage"].pop("screened")
    assert summary.row_for(report, ["fainted"]).triage == "unscreened"


def test_csv_has_the_header_and_guards_formulas(run_cli, write) -> None:  # type: ignore[no-untyped-def]
    """Header athlete,event,...,triage,causes; a name that would run as a formula is text."""
    evil = write("evil.yaml", "athlete: '=cmd|\"/c calc\"!A1'\nevent: '@SUM(1+1)'\n"
                              "cramp_pattern: localized\n")
    status, out, _ = run_cli("debrief", str(evil), str(EXAMPLES[0]), "--summary", "-f", "csv")
    assert status == 0
    reader = csv.DictReader(io.StringIO(out))
    assert {"athlete", "event", "triage", "causes"} <= set(reader.fieldnames or ())
    row = next(r for r in reader if "cmd" in r["athlete"])
    assert row["athlete"] == "'=cmd|\"/c calc\"!A1" and row["event"] == "'@SUM(1+1)"
    assert not any(cell.startswith(("=", "+", "-", "@")) for line in csv.reader(io.StringIO(out))
                   for cell in line)


NASTY = "Zed <script>alert(1)</script> | **bold** [x](javascript:y) \x1b[31mred\x1b[0m"


def test_names_are_escaped_for_each_format(run_cli, write) -> None:  # type: ignore[no-untyped-def]
    """Markup in an athlete's name stays text: no HTML tags, no Markdown table breakage or
    links, no terminal colour codes."""
    path = write("nasty.yaml", f"athlete: {json.dumps(NASTY)}\nevent: Trail\n"
                               "cramp_pattern: localized\n")
    _, page, _ = run_cli("debrief", str(path), "--summary", "-f", "html")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    _, md, _ = run_cli("debrief", str(path), "--summary", "-f", "markdown")
    row = next(line for line in md.splitlines() if "Zed" in line)
    assert row.count("|") - row.count("\\|") == 7  # six cells, the name's pipe escaped
    assert "\\*\\*bold\\*\\*" in row and "\\[x\\]" in row and "<script>" not in row
    _, text, _ = run_cli("debrief", str(path), "--summary")
    # the escape byte shown as a visible escape (textsafe, as in every report), the text kept
    assert "\x1b" not in text and "\\x1b[31mred" in text and "Zed" in text
    _, table, _ = run_cli("debrief", str(path), "--summary", "-f", "csv")
    assert "\\x1b[31mred" in table and "\x1b" not in table


def test_html_squad_page_links_each_athlete_to_their_report(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """-o DIR: index.html whose rows link to each athlete's full report beside it."""
    out_dir = tmp_path / "squad"
    files = EXAMPLES[:4]
    status, _, err = run_cli("debrief", *map(str, files), "--summary", "-f", "html", "-o",
                             str(out_dir))
    assert status == 0, err
    page = (out_dir / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', page)
    assert len(links) == len(files)
    for href, name in links:
        report = (out_dir / href).read_text(encoding="utf-8")
        assert report.startswith("<!DOCTYPE html>") and f"Cramp debrief: {name}" in report
    markdown_dir = tmp_path / "md"
    run_cli("debrief", *map(str, files), "--summary", "-f", "markdown", "-o", str(markdown_dir))
    table = (markdown_dir / "summary.md").read_text(encoding="utf-8")
    assert all((markdown_dir / href).is_file()
               for href in re.findall(r"\]\(<([^>]+)>\)", table))


def test_history_summary_takes_each_athletes_latest_race(run_cli, write, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Stored debriefs: one row per athlete, their newest race; --event narrows to a race."""
    db = str(tmp_path / "h.sqlite3")
    lena = (ROOT / "examples" / "marathon-longest-run-24k.yaml").read_text(encoding="utf-8")
    old = write("old.yaml", lena.replace("event: City marathon",
                                         "event: Spring marathon\ndate: 2026-04-12"))
    new = write("new.yaml", lena.replace("event: City marathon",
                                         "event: City marathon\ndate: 2026-10-04"))
    for path in (old, new, ROOT / "examples" / "heat-stroke-half.yaml"):
        assert run_cli("debrief", str(path), "--record", "--db", db, "-f", "json")[0] == 0
    status, out, err = run_cli("history", "--summary", "--db", db, "-f", "json")
    assert status == 0, err
    rows = json.loads(out)["athletes"]
    assert [(r["athlete"], r["event"]) for r in rows] == [
        ("Alex, 31", "Summer half marathon"), ("Lena, 34", "City marathon")]
    status, out, _ = run_cli("history", "--summary", "--event", "spring marathon", "--db", db,
                             "-f", "csv")
    assert [r["event"] for r in csv.DictReader(io.StringIO(out))] == ["Spring marathon"]


def test_summary_output_must_be_a_directory_and_csv_needs_summary(run_cli, write) -> None:  # type: ignore[no-untyped-def]
    """Wrong combinations are one line each, exit 2."""
    target = write("file.txt", "x")
    status, _, err = run_cli("debrief", str(EXAMPLES[0]), "--summary", "-o", str(target))
    assert status == 2 and "--output is a directory" in err and err.count("\n") == 1
    status, _, err = run_cli("debrief", str(EXAMPLES[0]), "-f", "csv")
    assert status == 2 and "add --summary" in err and err.count("\n") == 1


def test_a_self_care_red_flag_is_visible_in_the_squad_table(run_cli, write) -> None:  # type: ignore[no-untyped-def]
    """weight-gain-feels-fine: screened, one self-care flag (low blood sodium). The triage
    column names it, the change is its action ("Drink nothing more until you pass urine"); a
    screened runner with no flag reads "no red flags", an unscreened one "not screened"; a
    file with no athlete name shows the file's name."""
    flagged = ROOT / "examples" / "weight-gain-feels-fine.yaml"
    clean = ROOT / "examples" / "marathon-longest-run-24k.yaml"
    quiet = write("nameless-runner.yaml", "event: Park run\ncramp_pattern: localized\n"
                                          "cramp_sites: [calf]\n")
    rows = {r["file"]: r for r in squad_json(run_cli, flagged, clean, quiet)}
    row = rows[str(flagged)]
    assert row["triage_text"].startswith("self care: Exercise-associated hyponatremia")
    assert row["change"].startswith("Drink nothing more until you pass urine")
    assert rows[str(clean)]["triage_text"] == "no red flags"
    assert rows[str(quiet)]["triage_text"] == "not screened"
    for fmt in ("terminal", "markdown", "html", "csv"):
        status, out, _ = run_cli("debrief", str(flagged), str(clean), str(quiet), "--summary",
                                 "-f", fmt)
        # a terminal cell may fold a long word: compare without spaces there
        flat = "".join((_table_cells(out) if fmt == "terminal" else out).split())
        flat = flat.replace("\\", "")
        assert status == 0
        for needle in ("self care: Exercise-associated hyponatremia", "no red flags",
                       "Drink nothing more until you pass urine", "not screened",
                       "nameless-runner.yaml"):
            assert "".join(needle.split()) in flat, (fmt, needle)


def _table_cells(text: str) -> str:
    """A rich table's rows with each wrapped cell joined back into one line of text."""
    rows: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.startswith(("├", "└")):
            rows.append([])
        elif line.startswith("│"):
            parts = [part.strip() for part in line.strip("│").split("│")]
            if not rows[-1]:
                rows[-1] = [""] * len(parts)
            rows[-1] = [f"{a} {b}".strip() for a, b in zip(rows[-1], parts)]
    return " | ".join(" ; ".join(row) for row in rows if row)


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "html", "csv"])
def test_causes_show_the_weight_of_evidence_in_words_not_a_percentage(run_cli, monkeypatch,  # type: ignore[no-untyped-def]
                                                                      fmt: str) -> None:
    """Each leading cause reads as in the athlete's report ('strong evidence'), never '88%',
    which a coach would take for the chance the cause is right; JSON keeps the number."""
    monkeypatch.setenv("COLUMNS", "300")  # one line per row: the cell reads whole
    hit_the_wall = ROOT / "examples" / "marathon-hit-the-wall.yaml"
    status, out, err = run_cli("debrief", str(hit_the_wall), "--summary", "-f", fmt)
    assert status == 0, err
    out = re.sub(r"(?s)<style>.*?</style>", "", out)  # the page's CSS has its own widths in %
    flat = " ".join(out.replace("│", " ").split())
    assert "Empty fuel stores (glycogen): strong evidence" in flat
    assert re.search(r"\d%", flat) is None
    assert squad_json(run_cli, hit_the_wall)[0]["causes"][0]["certainty"] > 0.6
