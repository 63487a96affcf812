"""`crampdx debrief --weeks --next-race --format html` as a runner uses them: the plan in every
format, 80 columns without colour, and every bad input as one line `crampdx: error: ...` with
exit status 2, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
MARATHON = str(EXAMPLES / "marathon-longest-run-24k.yaml")
MOUNTAIN = str(EXAMPLES / "mountain-ultra-300m-hills.yaml")
TRAIL = """\
event: Hot trail 50
event_distance_km: 50
terrain: trail
elevation_gain_m: 1800
elevation_loss_m: 1800
biggest_race_descent_m: 600
temperature_c: 29
"""


def one_line_error(status: int, out: str, err: str) -> str:
    assert status == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("crampdx: error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(("weeks", "message"), [
    ("0", "weeks to the next race must be a whole number from 1 to 52, not 0"),
    ("-3", "weeks to the next race must be a whole number from 1 to 52, not -3"),
    ("500", "weeks to the next race must be a whole number from 1 to 52, not 500"),
    ("abc", "--weeks takes a whole number of weeks to your next race, not 'abc'"),
    ("2.5", "--weeks takes a whole number of weeks to your next race, not '2.5'"),
    ("", "--weeks takes a whole number of weeks to your next race, not ''"),
])
def test_bad_weeks(run_cli, weeks: str, message: str) -> None:  # type: ignore[no-untyped-def]
    assert one_line_error(*run_cli("debrief", MARATHON, "--weeks", weeks)).endswith(message)


@pytest.mark.parametrize(("content", "message"), [
    ("event_distance_km: [50\n", "next.yaml:2:1: invalid YAML"),
    ("event_distance_km: 50\ncramp_pattern: localized\n",
     "next.yaml:2:1: 'cramp_pattern' is not about the race; a next-race file holds: "
     "event_distance_km, event_duration_h"),
    ("event_distnce_km: 50\n",
     "next.yaml:1:1: 'event_distnce_km' is not a race question (did you mean "
     "'event_distance_km'?)"),
    ("event_distance_km: 5000\n", "next.yaml:1:1: event_distance_km: 5000 km is out of range"),
    ("temperature_c: hot\n", "next.yaml:1:1: temperature_c: "),
    ("- 50\n", "next.yaml:1: a next-race file is a mapping of race question -> answer"),
    ("", "next.yaml: the next-race file is empty"),
    ("!!python/object/apply:os.system [echo hi]\n", "next.yaml:1:1: YAML tag"),
])
def test_broken_next_race_files(run_cli, write, content: str,  # type: ignore[no-untyped-def]
                                message: str) -> None:
    path = write("next.yaml", content)
    line = one_line_error(*run_cli("debrief", MARATHON, "--next-race", str(path)))
    assert line.replace(str(path.parent) + "/", "").startswith(f"crampdx: error: {message}")


def test_missing_next_race_file(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    line = one_line_error(*run_cli("debrief", MARATHON, "--next-race",
                                   str(tmp_path / "nope.yaml")))
    assert line.endswith("nope.yaml: no such next-race file")


def test_json_carries_the_plan(run_cli, write) -> None:  # type: ignore[no-untyped-def]
    """Plan items with cause, kind, text, numbers, schedule, source and evidence label; and
    what the plan was sized for."""
    status, out, _ = run_cli("debrief", MARATHON, "--format", "json", "--weeks", "10",
                             "--next-race", str(write("next.yaml", TRAIL)))
    assert status == 0
    report = json.loads(out)
    long_runs = next(i for i in report["plan"] if i["id"] == "long-runs")
    assert long_runs["cause"] == "insufficient_training" and long_runs["kind"] == "training"
    assert long_runs["numbers"]["target_km"] == 35 and long_runs["numbers"]["weeks"] == 10
    # 24 km longest: the first week may be at most 10% longer (Frandsen 2025), 26.4 -> 26 km
    assert long_runs["schedule"][0] == {"first_week": 1, "last_week": 1, "text": "26 km"}
    assert long_runs["source"] == "seed" and long_runs["evidence"] == "coaching"
    assert long_runs["evidence_label"] == "coaching experience"
    assert {"cause", "id", "kind", "title", "text", "numbers", "schedule", "source", "cite",
            "evidence", "evidence_label"} <= set(long_runs)
    context = report["plan_context"]
    assert context["weeks"] == 10 and context["weeks_given"] is True
    assert context["race"]["temperature_c"] == 29 and context["next_race"].endswith("next.yaml")
    assert context["summary"] == "A plan for the 10 weeks to Hot trail 50."
    sodium = next(i for i in report["plan"] if i["id"] == "sodium-per-hour")
    assert sodium["cause"] is None and sodium["numbers"]["mg_lo"] == 700


def test_markdown_has_the_plan_tables(run_cli) -> None:  # type: ignore[no-untyped-def]
    status, out, _ = run_cli("debrief", MOUNTAIN, "--format", "markdown")
    assert status == 0
    plan = out[out.index("## Your plan"):out.index("## Sources")]
    assert "**Sized for:** 80 km · 13 h · mountain · 4800 m up · 4800 m down · " \
           "biggest descent 1400 m · 18 °C" in plan
    assert "### Training: what to change" in plan
    assert "| What to do | Source | Evidence |" in plan
    assert "| **Downhill running.** The race's biggest descent is 1400 m" in plan
    assert "| Week 8 | hard: 2 × 1100 m, fast down and back up (2200 m) |" in plan
    assert "### Extras (the coach's, anecdotal and untested)" in plan
    assert "| anecdotal |" in plan.split("### Extras")[1]


def test_html_from_the_output_suffix(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "plan.html"
    status, out, err = run_cli("debrief", MARATHON, MOUNTAIN, "--output", str(target))
    assert status == 0 and out == "" and "report written to" in err
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count("<article>") == 2


@pytest.mark.parametrize("extra", [[], ["--weeks", "7"], ["--next-race", "TRAIL"]])
def test_terminal_plan_fits_80_columns_without_colour(tmp_path: Path, extra: list[str]) -> None:
    """Piped with NO_COLOR and COLUMNS=80: no escape codes, no line wider than 80, and the plan
    with its week-by-week lines is there."""
    if extra and extra[-1] == "TRAIL":
        (tmp_path / "trail.yaml").write_text(TRAIL, encoding="utf-8")
        extra = ["--next-race", str(tmp_path / "trail.yaml")]
    env = dict(os.environ, NO_COLOR="1", COLUMNS="80")
    for answers in (MARATHON, MOUNTAIN):
        proc = subprocess.run([sys.executable, "-m", "crampdx", "debrief", answers, *extra],
                              capture_output=True, text=True, env=env, check=True)
        assert "\x1b[" not in proc.stdout
        assert max(len(line) for line in proc.stdout.splitlines()) <= 80
        assert "Your plan" in proc.stdout and "Week 1 " in proc.stdout
        assert "Next race: fuelling and drinking" in proc.stdout


def test_help_documents_the_plan_options(run_cli) -> None:  # type: ignore[no-untyped-def]
    status, out, _ = run_cli("debrief", "--help")
    assert status == 0
    for option in ("--weeks N", "--next-race FILE", "html"):
        assert option in out


def test_one_week_to_go_reads_in_the_singular(run_cli) -> None:  # type: ignore[no-untyped-def]
    """--weeks 1 said "the 1 weeks to a race" and "With 1 weeks to go": every example's plan
    reads "1 week" (and no other count of one in the plural), while 6 stays "6 weeks"."""
    import re

    for example in sorted(EXAMPLES.glob("*.yaml")):
        status, out, _ = run_cli("debrief", str(example), "--weeks", "1", "-f", "markdown")
        assert status == 0
        flat = " ".join(out.split())
        assert re.findall(r"\b1 (?:weeks|days|runs|sessions|hours|gels|sets)\b", flat) == [], \
            example.name
    status, out, _ = run_cli("debrief", str(EXAMPLES / "marathon-hit-the-wall.yaml"), "--weeks", "1")
    flat = " ".join(out.split())
    assert "A plan for the 1 week to a race like Autumn marathon." in flat
    assert "With 1 week to go it is too late to start lunges" in flat
    status, out, _ = run_cli("debrief", str(EXAMPLES / "marathon-hit-the-wall.yaml"), "--weeks", "6")
    assert "A plan for the 6 weeks to a race" in " ".join(out.split())
