"""`crampdx debrief` as a user runs it: formats, output files, and every class of bad input."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

SEED_LIKE = """\
athlete: Test Runner
event: Mountain 150
event_duration_h: "10:00"
drink_type: water
drank_beyond_thirst: yes
cramp_pattern: full_body
cramp_sites: [calf, face]
onset_km: 28 mi
longest_run_km: 30
symptoms: [confusion]
"""


@pytest.fixture
def answers(write, mini_kb) -> Path:  # type: ignore[no-untyped-def]
    return write("answers.yaml", SEED_LIKE)


def test_terminal_report_puts_red_flags_first(run_cli, answers: Path) -> None:
    """Triage comes before the causes, and the leading cause shows with its evidence."""
    status, out, err = run_cli("debrief", str(answers), "--units", "metric")
    assert status == 0, err
    assert out.index("EMERGENCY") < out.index("Likely causes")
    assert "Hyponatremia" in out and "Call for help now." in out
    assert "Onset: 45.1 km" in out  # 28 mi converted, rounded to 0.1 km
    assert "What crampdx cannot know" in out


def test_evidence_reads_in_words_and_explain_shows_ids_and_certainties(run_cli) -> None:  # type: ignore[no-untyped-def]
    """The runner's report names each answer in words (a choice by its label) and shows no
    question ids or finding percentages, which read as chances; --explain shows both."""
    example = Path(__file__).resolve().parent.parent / "examples" / "seed-150k-mountain.yaml"
    for fmt in ("terminal", "markdown", "html"):
        status, out, err = run_cli("debrief", str(example), "-f", fmt)
        assert status == 0, err
        flat = " ".join(out.split())
        assert "How far the cramps spread: all over, even hands, face, neck or core" in flat
        assert "What you drank: plain water" in flat
        assert "cramp_pattern = " not in flat and "drink_type = " not in flat
        assert "Drank more than the body lost (" not in flat
        status, out, err = run_cli("debrief", str(example), "-f", fmt, "--explain")
        flat = " ".join(out.split())
        assert "cramp_pattern = full_body" in flat
        assert re.search(r"Drank more than the body lost \(\d+%\)", flat)


def test_json_contract(run_cli, answers: Path) -> None:
    """The JSON keys other tools rely on, causes positive only and highest first."""
    status, out, _ = run_cli("debrief", str(answers), "--format", "json")
    assert status == 0
    report = json.loads(out)
    assert report["triage"]["level"] == "emergency"
    assert report["triage"]["reasons"] == ["Confusion after long exercise."]
    certainties = [c["certainty"] for c in report["causes"]]
    assert certainties == sorted(certainties, reverse=True) and all(0 < c <= 1 for c in certainties)
    cause = next(c for c in report["causes"] if c["id"] == "hyponatremia")
    assert {"id", "name", "certainty", "evidence"} <= set(cause)
    assert {"rule", "certainty", "facts", "source"} <= set(cause["evidence"][0])
    assert isinstance(report["plan"], list) and isinstance(report["unanswered"], list)
    assert report["meta"]["athlete"] == "Test Runner"


def test_markdown_and_output_file(run_cli, answers: Path, tmp_path: Path) -> None:
    """--output writes the file (format from its suffix) and says where."""
    target = tmp_path / "debrief.md"
    status, out, err = run_cli("debrief", str(answers), "--output", str(target))
    assert status == 0 and out == ""
    assert "report written to" in err
    text = target.read_text()
    assert text.startswith("# Cramp debrief: Test Runner · Mountain 150")
    assert "## Red flags: EMERGENCY" in text and "## Likely causes" in text


def test_several_files_give_one_report_each(run_cli, answers: Path, write) -> None:  # type: ignore[no-untyped-def]
    """A coach can debrief a whole group in one call; JSON becomes a list."""
    other = write("other.yaml", "cramp_pattern: localized\neased_when_slowing: true\n")
    status, out, _ = run_cli("debrief", str(answers), str(other), "--format", "json")
    assert status == 0
    reports = json.loads(out)
    assert [Path(r["file"]).name for r in reports] == ["answers.yaml", "other.yaml"]
    assert reports[1]["ruled_out"][0]["id"] == "electrolyte_depletion"


def test_unanswered_questions_are_ranked(run_cli, write, mini_kb) -> None:  # type: ignore[no-untyped-def]
    """With few answers, the questions that would open rules are listed."""
    path = write("few.yaml", "drink_type: water\nevent_duration_h: 6\n")
    _, out, _ = run_cli("debrief", str(path), "--format", "json")
    unanswered = [q["id"] for q in json.loads(out)["unanswered"]]
    assert "drank_beyond_thirst" in unanswered
    assert "drink_type" not in unanswered


BAD_INPUTS = [
    ("missing.yaml", None, "missing.yaml: no such answers file"),
    ("broken.yaml", "cramp_pattern: [full_body\n", "broken.yaml:2:1: invalid YAML"),
    ("list.yaml", "- cramp_pattern\n", "list.yaml:1: an answers file is a mapping"),
    ("typo.yaml", "cramp_patern: full_body\n", "unknown question 'cramp_patern' (did you mean 'cramp_pattern'?)"),
    ("choice.yaml", "cramp_pattern: everywhere\n", "choose from: localized, spreading, full_body"),
    ("close.yaml", "drink_type: watr\n", "(did you mean 'water'?)"),
    ("type.yaml", "drank_beyond_thirst: lots\n", "typo" if False else "expected yes or no"),
    ("range.yaml", "onset_km: 900\n", "onset_km: 900 km is out of range: expected 0 to 500 km"),
    ("unit.yaml", "onset_km: 12 parsecs\n", "unknown unit 'parsecs' for km; use one of:"),
    ("number.yaml", "onset_km: [1, 2]\n", "onset_km: expected a number, not a list"),
    ("dup.yaml", "onset_km: 1\nonset_km: 2\n", "dup.yaml:2:1: duplicate key 'onset_km'"),
    ("binary.yaml", b"\xff\xfe\x00bad", "not UTF-8 text"),
    ("miles.yaml", "onset_km: 26.2 m\n", "'m' could be miles or metres; write mi for miles"),
    ("exponent.yaml", "onset_km: 1.5e3\n", "onset_km: 1500 km (from '1.5e3') is out of range"),
    ("onelist.yaml", "cramp_pattern: [localized]\n", "takes one of localized, spreading, full_body, not a list"),
    ("nothing.yaml", "symptoms: none\n", "for none of these, write [] (an empty list)"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_INPUTS,
                         ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_is_one_clear_line(run_cli, write, mini_kb, name, content, message) -> None:  # type: ignore[no-untyped-def]
    """Every class of bad answers file: exit 2, one line naming the file, no traceback."""
    path = write(name, content) if content is not None else Path(name)
    status, out, err = run_cli("debrief", str(path))
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("crampdx: error: ")
    assert name in err and message in err
    assert "Traceback" not in err


def test_directory_is_not_an_answers_file(run_cli, tmp_path: Path, mini_kb) -> None:  # type: ignore[no-untyped-def]
    status, _, err = run_cli("debrief", str(tmp_path))
    assert status == 2 and "is a directory" in err


def test_python_tags_are_never_executed(write, tmp_path: Path, mini_kb) -> None:  # type: ignore[no-untyped-def]
    """A YAML tag that would run a command is refused by the real program, and nothing runs."""
    marker = tmp_path / "pwned"
    path = write("evil.yaml",
                 f"onset_km: !!python/object/apply:os.system ['touch {marker}']\n")
    proc = subprocess.run([sys.executable, "-m", "crampdx", "debrief", str(path)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "YAML tag !!python/object/apply:os.system is not allowed" in proc.stderr
    assert "evil.yaml:1:11" in proc.stderr
    assert not marker.exists()
    assert "Traceback" not in proc.stderr


def test_unwritable_output_is_a_clean_error(run_cli, answers: Path, tmp_path: Path) -> None:
    status, _, err = run_cli("debrief", str(answers), "--output", str(tmp_path / "no" / "x.md"))
    assert status == 2 and "cannot write the report" in err


def test_help_and_version(run_cli) -> None:  # type: ignore[no-untyped-def]
    """--help names the commands with examples; --version prints the version."""
    from crampdx import __version__

    status, out, _ = run_cli("--version")
    assert status == 0 and out.strip() == f"crampdx {__version__}"
    status, out, _ = run_cli("--help")
    assert status == 0 and "debrief" in out and "examples:" in out
    status, out, _ = run_cli("debrief", "--help")
    assert status == 0 and "--format" in out and "28 mi" in out


def test_version_does_not_import_the_heavy_libraries() -> None:
    """Start-up stays lean: --version loads neither experta, rich nor questionary."""
    code = ("import sys; from crampdx.cli import main\n"
            "try: main(['--version'])\nexcept SystemExit: pass\n"
            "print(sorted(m for m in ('experta', 'rich', 'questionary', 'yaml') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    assert out.strip().endswith("[]")


@pytest.mark.parametrize("fmt, absent", [
    ("json", ("tempfile", "html", "crampdx.units_display", "rich")),
    ("terminal", ("tempfile", "html", "crampdx.units_display", "rich.table", "fractions")),
])
def test_a_report_to_the_screen_loads_only_what_it_uses(tmp_path: Path, fmt: str,
                                                       absent: tuple[str, ...]) -> None:
    """With the knowledge cache warm, a metric report on standard output writes no file (tempfile, and the shutil, bz2 and
    lzma it pulls in), escapes no HTML, converts no units, and the terminal report draws no
    rich Table: each of these costs start-up time a runner waits for (docs/benchmarks.md)."""
    example = Path(__file__).resolve().parent.parent / "examples" / "seed-150k-mountain.yaml"
    code = ("import sys, io, contextlib\n"
            "from crampdx.cli import main\n"
            "out = io.StringIO()\n"
            "with contextlib.redirect_stdout(out):\n"
            f"    status = main(['debrief', {str(example)!r}, '-f', {fmt!r}])\n"
            f"print(status, len(out.getvalue()) > 1000, sorted(m for m in {absent!r} "
            "if m in sys.modules))\n")
    env = dict(__import__("os").environ, CRAMPDX_CACHE_DIR=str(tmp_path / "cache"))
    cold = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert cold.stdout.startswith("0 True"), cold.stderr  # writing the knowledge cache
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.stdout.strip() == "0 True []", done.stderr


def test_questions_yaml_template_reads_back(run_cli, tmp_path: Path, mini_kb) -> None:  # type: ignore[no-untyped-def]
    """`crampdx questions --format yaml` is a blank answers file that debrief accepts."""
    status, out, _ = run_cli("questions", "--format", "yaml")
    assert status == 0 and "onset_km:" in out
    path = tmp_path / "blank.yaml"
    path.write_text(out)
    status, out, err = run_cli("debrief", str(path))
    assert status == 0, err
    assert "0 of 9 questions answered" in out


def test_piped_report_fits_80_columns_without_colour(tmp_path: Path) -> None:
    """Piped or NO_COLOR output has no escape codes and no line wider than 80 columns."""
    import os

    from conftest import EXAMPLES

    env = dict(os.environ, NO_COLOR="1", COLUMNS="80")
    env.pop("CRAMPDX_SHIPPED_KB", None)
    proc = subprocess.run([sys.executable, "-m", "crampdx", "debrief",
                           str(EXAMPLES / "seed-150k-mountain.yaml")],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "\x1b[" not in proc.stdout
    assert max(len(line) for line in proc.stdout.splitlines()) <= 80
    assert not [line for line in proc.stdout.splitlines() if line != line.rstrip()]
    assert proc.stdout.index("See a doctor") < proc.stdout.index("Likely causes")


def test_answers_directory_given_as_kb_says_so(run_cli, write, mini_kb) -> None:  # type: ignore[no-untyped-def]
    """A coach who passes a folder of answers files to --kb is told what --kb expects."""
    answers = write("team/ann.yaml", "cramp_pattern: localized\ncramp_sites: [calf]\nonset_km: 30\n")
    status, _, err = run_cli("debrief", str(answers), "--kb", str(answers.parent))
    assert status == 2
    assert "ann.yaml:1:1: not a knowledge file" in err
    assert "--kb takes a directory of knowledge files" in err


def test_unquoted_clock_time_is_hours_and_minutes(run_cli, write, mini_kb) -> None:  # type: ignore[no-untyped-def]
    """YAML 1.1 would read 3:54 as the base-60 number 234; a runner means 3 h 54 min."""
    path = write("clock.yaml", "event_duration_h: 3:54\n")
    status, out, err = run_cli("debrief", str(path), "--format", "json")
    assert status == 0, err
    assert json.loads(out)["answers"]["event_duration_h"] == 3.9


def test_converted_numbers_are_rounded_and_track_metres_accepted(run_cli, write, mini_kb) -> None:  # type: ignore[no-untyped-def]
    """26.2 mi reads as 42.2 km (not 42.16481), and '400 m' on a km question is 0.4 km."""
    path = write("units.yaml", "onset_km: 26.2 mi\nlongest_run_km: 400 m\n")
    status, out, err = run_cli("debrief", str(path), "--format", "json")
    assert status == 0, err
    assert json.loads(out)["answers"] == {"onset_km": 42.2, "longest_run_km": 0.4}


def test_cramp_after_the_finish_is_caught(run_cli, write) -> None:  # type: ignore[no-untyped-def]
    """With the shipped questions, an onset beyond the race distance (a miles/km slip) is an
    error naming the line, because onset_km is `not_above: event_distance_km` in the YAML."""
    path = write("slip.yaml", "event_distance_km: 26.2 mi\nonset_km: 30 mi\n")
    status, _, err = run_cli("debrief", str(path))
    assert status == 2
    assert "slip.yaml:2:1: onset_km: 48.3 km is more than event_distance_km (42.2 km)" in err


def test_a_bad_file_in_a_group_does_not_stop_the_others(run_cli, write, mini_kb) -> None:  # type: ignore[no-untyped-def]
    """A coach's team run reports the bad file, still prints the others, and exits 2."""
    good = write("good.yaml", "cramp_pattern: localized\n")
    bad = write("bad.yaml", "cramp_pattern: everywhere\n")
    other = write("other.yaml", "cramp_pattern: full_body\n")
    status, out, err = run_cli("debrief", str(good), str(bad), str(other), "--format", "json")
    assert status == 2
    assert [Path(r["file"]).name for r in json.loads(out)] == ["good.yaml", "other.yaml"]
    assert err.count("crampdx: error:") == 1 and "bad.yaml:1:1" in err


def test_missing_crampdx_kb_directory_names_the_variable(run_cli, answers: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A CRAMPDX_KB that points nowhere says so, rather than blaming a path from nowhere."""
    monkeypatch.setenv("CRAMPDX_KB", "/no/such/kb")
    status, _, err = run_cli("debrief", str(answers))
    assert status == 2 and "CRAMPDX_KB names '/no/such/kb'" in err


@pytest.mark.parametrize("content", ["", "{}\n", "athlete: Sam\n"])
def test_an_empty_answers_file_still_reports_but_warns_once(run_cli, write, content: str) -> None:  # type: ignore[no-untyped-def]
    """Unknown is allowed, so the report still comes (exit 0), but one stderr line names the
    file and says the report can only list what to ask; a file with answers gets no warning."""
    empty = write("empty.yaml", content)
    full = Path(__file__).resolve().parent.parent / "examples" / "marathon-hit-the-wall.yaml"
    status, out, err = run_cli("debrief", str(empty), str(full))
    assert status == 0 and out
    warnings = [line for line in err.splitlines() if "no answers" in line]
    assert warnings == [f"crampdx: warning: no answers in {empty}: the report can only list "
                        "what to ask"]


@pytest.mark.parametrize("command", ["interview", "import", "history", "debrief"])
def test_help_paragraphs_wrap_cleanly_at_80_columns(command: str) -> None:
    """Epilog paragraphs were broken for a ~95-column terminal, so at 80 they wrapped into
    ragged half-lines ("... answer a / yes-no question at / once; ..."). Every line fits, and
    each prose line is full: the next line's first word would not have fitted after it."""
    import os

    env = dict(os.environ, COLUMNS="80")
    out = subprocess.run([sys.executable, "-m", "crampdx", command, "--help"], env=env,
                         capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    assert all(len(line) <= 80 for line in lines), [l for l in lines if len(l) > 80]
    width = 78  # the formatter's: the terminal's columns less 2
    for line, after in zip(lines, lines[1:]):
        prose = lambda text: bool(text.strip()) and not text[:1].isspace() \
            and not text.endswith(":") and not text.startswith("usage:")  # noqa: E731
        if prose(line) and prose(after):
            assert len(line) + 1 + len(after.split()[0]) > width, (line, after)


@pytest.mark.parametrize("args, wrong, right", [
    (("debrief", "a.yaml", "--format", "pdf"), "invalid choice: 'pdf'", "'html'"),
    (("debrief", "a.yaml", "--units", "furlongs"), "invalid choice: 'furlongs'", "'imperial'"),
    (("debrief",), "the following arguments are required: ANSWERS", "crampdx debrief --help"),
    (("kb", "chek"), "invalid choice: 'chek'", "'check'"),
    (("history", "--bogus"), "unrecognized arguments: --bogus", "'crampdx history --help'"),
    (("kb", "check", "--bogus"), "unrecognized arguments: --bogus", "'crampdx kb check --help'"),
    (("debrief", "--bogus", "a.yaml"), "unrecognized arguments: --bogus",
     "'crampdx debrief --help'"),
])
def test_a_usage_slip_is_one_line_naming_what_is_right(run_cli, args, wrong: str,  # type: ignore[no-untyped-def]
                                                       right: str) -> None:
    """argparse's usage block buried the line that mattered: one line, exit 2, saying what was
    wrong and what would be right, and where the full usage is."""
    status, out, err = run_cli(*args)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and "usage:" not in err
    assert wrong in err and right in err and "--help' shows how to use it" in err
