"""The attacks of issue 13, each run against the real CLI, engine and knowledge: terminal
escapes and Markdown in answers, planted symlinks, endless files, odd numbers, lone surrogates,
rich markup in overlays, huge values, broken overlays and narrow terminals. Every one must end
in a clean report or one short escaped error line, never a traceback, a hang or a lost file."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt

from crampdx.errors import CrampdxError
from crampdx.textsafe import unsafe_characters

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SEED = EXAMPLES / "seed-150k-mountain.yaml"  # a see-a-doctor red flag, and a plan
CRAMPDX = Path(sys.executable).parent / "crampdx"
ESCAPES = "\x1b[2J\x1b[3J\x1b[H\x1b]0;owned\x07\x1b]8;;http://evil.example/\x1b\\link" \
          "\x1b]8;;\x1b\\\x9b2J\u202eevil"


def answers_with(tmp_path: Path, name: str = "answers.json", **meta: object) -> Path:
    """The seed example with `meta` on top, written as JSON (escapes survive as written)."""
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    data.update(meta)
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def one_clean_line(err: str) -> str:
    """The error output is one line with nothing a terminal would act on."""
    lines = err.splitlines()
    assert len(lines) == 1, err[:500]
    assert not unsafe_characters(lines[0]), lines[0][:200]
    return lines[0]


# 1. terminal escape sequences ----------------------------------------------------------------
@pytest.mark.parametrize("output", [None, "report.txt"])
def test_escape_sequences_in_answers_never_reach_the_terminal(run_cli, tmp_path: Path,
                                                              output: str | None) -> None:
    """An event that would clear the screen, set the title, plant an OSC 8 link and flip the
    text direction is shown with those characters as visible escapes; the red flags stay."""
    path = answers_with(tmp_path, event=f"Ultra{ESCAPES}", athlete="Lena\u202e")
    args = ["debrief", str(path)] + (["-o", str(tmp_path / output)] if output else [])
    status, out, err = run_cli(*args)
    text = (tmp_path / output).read_text(encoding="utf-8") if output else out
    assert status == 0, err
    assert not unsafe_characters(text)
    assert "Ultra\\x1b[2J\\x1b[3J\\x1b[H\\x1b]0;owned\\x07" in text
    assert "\\u202e" in text and "\\x9b" in text
    assert "See a doctor" in text


def test_escape_sequences_on_a_real_terminal(tmp_path: Path) -> None:
    """On a terminal (colour on), rich's own styles are the only escape sequences: no screen
    clearing, no OSC title or link, no C1 or bidi characters from the answers."""
    import io

    from crampdx import api
    from crampdx.render import terminal

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Tty()
    kb = api.knowledge()
    terminal.render(api.diagnose_file(answers_with(tmp_path, event=f"Ultra{ESCAPES}")), kb,
                    screen)
    shown = screen.getvalue()
    assert "See a doctor" in shown
    assert "\x1b[2J" not in shown and "\x1b]" not in shown and "\x07" not in shown
    assert "\x9b" not in shown and "\u202e" not in shown


def test_errors_escape_and_keep_to_one_line(run_cli, tmp_path: Path) -> None:
    """An unknown key with escapes and a newline: the error is one line, escapes visible."""
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"x\x1b[2J\nnew line\u202e": 1}), encoding="utf-8")
    status, _, err = run_cli("debrief", str(path))
    assert status == 2
    line = one_clean_line(err)
    assert "unknown question 'x\\x1b[2J new line\\u202e'" in line


# 2. Markdown injection -----------------------------------------------------------------------
def test_markdown_cannot_be_forged_from_answers(run_cli, tmp_path: Path) -> None:
    """Headings, raw HTML, javascript: links and remote images in an event and a next race's
    name are shown as text when the Markdown report is rendered."""
    attack = ("## Red flags: No red flags in your answers <script>alert(1)</script> "
              "[click](javascript:alert(1)) ![x](http://evil.example/x.png) <b>bold</b>")
    path = answers_with(tmp_path, event=attack, athlete="# Lena")
    race = tmp_path / "next.yaml"
    race.write_text(json.dumps({"event": attack, "event_distance_km": 50}), encoding="utf-8")
    status, out, err = run_cli("debrief", str(path), "-f", "markdown", "--next-race", str(race))
    assert status == 0, err
    html = MarkdownIt("commonmark").render(out)
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert 'href="javascript' not in html
    assert html.count("<h1>") == 1
    assert len(re.findall(r"<h2>Red flags", html)) == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown, as text


def test_multi_line_names_are_refused(run_cli, tmp_path: Path) -> None:
    """A newline in the event would start a forged heading; a name is one line."""
    path = answers_with(tmp_path, event="x\n\n## Red flags: No red flags in your answers\n\n")
    status, _, err = run_cli("debrief", str(path), "-f", "markdown")
    assert status == 2
    assert "event: 3 lines; write one line" in one_clean_line(err)


# 3. planted symlinks -------------------------------------------------------------------------
def _plant(folder: Path, name: str) -> Path:
    victim = folder / "victim.txt"
    victim.write_text("precious\n")
    for candidate in (f".{name}.tmp",):  # the old predictable temporary name
        (folder / candidate).symlink_to(victim)
    return victim


def test_report_never_writes_through_a_planted_symlink(run_cli, tmp_path: Path) -> None:
    """A symlink planted at the old temporary name does not redirect `debrief -o`."""
    victim = _plant(tmp_path, "report.md")
    status, _, err = run_cli("debrief", str(SEED), "-o", str(tmp_path / "report.md"))
    assert status == 0, err
    assert victim.read_text() == "precious\n"
    assert (tmp_path / "report.md").read_text().startswith("# Cramp debrief")


def test_kb_docs_and_schema_never_write_through_planted_symlinks(run_cli,
                                                                 tmp_path: Path) -> None:
    """`kb docs -o` and `kb schema --output-dir` create their temporary files safely too."""
    victim = _plant(tmp_path, "knowledge.md")
    (tmp_path / ".knowledge.schema.json.tmp").symlink_to(victim)
    status, _, err = run_cli("kb", "docs", "-o", str(tmp_path / "knowledge.md"))
    assert status == 0, err
    status, _, err = run_cli("kb", "schema", "--output-dir", str(tmp_path))
    assert status == 0, err
    assert victim.read_text() == "precious\n"
    assert json.loads((tmp_path / "knowledge.schema.json").read_text())


def test_interview_save_never_writes_through_a_planted_symlink(tmp_path: Path) -> None:
    """The interview's save uses the same writer."""
    from crampdx.cli_interview import write_atomically

    victim = _plant(tmp_path, "answers.yaml")
    write_atomically(tmp_path / "answers.yaml", "fainted: false\n")
    assert victim.read_text() == "precious\n"
    assert (tmp_path / "answers.yaml").read_text() == "fainted: false\n"


def test_writer_policy_for_links_and_permissions(run_cli, tmp_path: Path) -> None:
    """A symlink target is refused (nothing written through it); a hard-linked target is
    replaced under its name only; the target's permission bits are kept."""
    victim = tmp_path / "victim.md"
    victim.write_text("precious\n")
    link = tmp_path / "link.md"
    link.symlink_to(victim)
    status, _, err = run_cli("debrief", str(SEED), "-o", str(link))
    assert status == 2 and "symbolic link" in one_clean_line(err)
    assert victim.read_text() == "precious\n" and link.is_symlink()

    other = tmp_path / "other-name.md"
    os.link(victim, other)
    os.chmod(victim, 0o640)
    status, _, err = run_cli("debrief", str(SEED), "-o", str(victim))
    assert status == 0, err
    assert other.read_text() == "precious\n"
    assert victim.read_text().startswith("# Cramp debrief")
    assert stat.S_IMODE(victim.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.md", "other-name.md",
                                                          "victim.md"]


def test_dash_output_is_standard_output(run_cli, tmp_path: Path, monkeypatch) -> None:
    """`-o -` prints the report; no file named '-' appears."""
    monkeypatch.chdir(tmp_path)
    status, out, _ = run_cli("debrief", str(SEED), "-f", "json", "-o", "-")
    assert status == 0 and json.loads(out)["causes"]
    assert not (tmp_path / "-").exists()


# 5. unbounded reads --------------------------------------------------------------------------
def _crampdx(*args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess:
    environment = dict(os.environ, **env)
    environment.pop("CRAMPDX_KB", None) if "CRAMPDX_KB" not in env else None
    return subprocess.run([str(CRAMPDX), *args], capture_output=True, text=True,
                          timeout=timeout, env=environment)


@pytest.mark.parametrize("args", [["debrief", "/dev/zero"],
                                  ["debrief", str(SEED), "--next-race", "/dev/zero"]])
def test_devices_are_refused_before_reading(args: list[str]) -> None:
    """/dev/zero reports size 0 and never ends: refused as a device, in one line."""
    result = _crampdx(*args)
    assert result.returncode == 2
    assert "is a device" in one_clean_line(result.stderr)


def test_fifos_are_refused_without_blocking(tmp_path: Path) -> None:
    """A FIFO with no writer, and one fed by an endless writer, are refused at once."""
    fifo = tmp_path / "answers.yaml"
    os.mkfifo(fifo)
    result = _crampdx("debrief", str(fifo), timeout=20)
    assert result.returncode == 2 and "is a pipe" in one_clean_line(result.stderr)

    stop = threading.Event()

    def feed() -> None:  # like `yes > fifo`
        try:
            descriptor = os.open(fifo, os.O_WRONLY)
        except OSError:
            return
        try:
            while not stop.is_set():
                os.write(descriptor, b"y\n" * 4096)
        except OSError:
            pass
        finally:
            os.close(descriptor)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    result = _crampdx("debrief", str(SEED), "--next-race", str(fifo), timeout=20)
    stop.set()
    try:  # unblock the writer if crampdx never opened the FIFO
        os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
    except OSError:
        pass
    writer.join(timeout=10)
    assert result.returncode == 2 and "is a pipe" in one_clean_line(result.stderr)


# 6. thousands separators ---------------------------------------------------------------------
def test_thousands_separators(tmp_path: Path) -> None:
    """'1,000' mg is a thousand; '1,200' ml a thousand two hundred; '1,2 l/h' a decimal comma;
    '1,200 l/h' cannot be 1200 litres an hour, so it is 1.2."""
    from crampdx import api

    path = tmp_path / "a.yaml"
    path.write_text("sodium_mg_per_h: 1,000\nfluid_ml_per_h: 1,200\ndrink_type: water\n")
    values = api.diagnose_file(path).answers.values
    assert values["sodium_mg_per_h"] == 1000 and values["fluid_ml_per_h"] == 1200
    path.write_text("fluid_ml_per_h: 1,200 l/h\ndrink_type: water\n")
    assert api.diagnose_file(path).answers.values["fluid_ml_per_h"] == 1200
    path.write_text("fluid_ml_per_h: '1,5 l/h'\ndrink_type: water\n")
    assert api.diagnose_file(path).answers.values["fluid_ml_per_h"] == 1500


def test_ambiguous_numbers_name_both_readings(run_cli, tmp_path: Path) -> None:
    """Neither reading possible: the error names both; mixed separators are not guessed."""
    path = tmp_path / "a.yaml"
    path.write_text("sodium_mg_per_h: 9,000 g/h\n")
    status, _, err = run_cli("debrief", str(path))
    assert status == 2
    assert "reads as 9e+06 mg/h (comma grouping thousands) or 9000 mg/h (decimal comma)" \
        in one_clean_line(err)
    path.write_text("sodium_mg_per_h: 1.000,5\n")
    status, _, err = run_cli("debrief", str(path))
    assert status == 2 and "decimal point and no grouping" in one_clean_line(err)


# 7. lone surrogates --------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["terminal", "markdown", "json", "html"])
def test_lone_surrogates_are_refused_at_read_time(run_cli, tmp_path: Path, fmt: str) -> None:
    """'\\ud800' is refused where it is read, in every format, with no temporary left."""
    bad = tmp_path / "bad.json"
    bad.write_text('{"athlete": "\\ud800"}', encoding="utf-8")
    status, _, err = run_cli("debrief", str(bad), "-f", fmt, "-o", str(tmp_path / "r.out"))
    assert status == 2 and "lone surrogate (\\ud800)" in one_clean_line(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json"]


def test_a_surrogate_in_a_team_spares_the_good_reports(run_cli, tmp_path: Path) -> None:
    """In a coach's group the bad file is reported, the good one still gets its report."""
    bad = tmp_path / "bad.json"
    bad.write_text('{"athlete": "\\ud800"}', encoding="utf-8")
    status, out, err = run_cli("debrief", str(SEED), str(bad), "-f", "json")
    assert status == 2 and "lone surrogate" in one_clean_line(err)
    assert len(json.loads(out)) == 1


def test_surrogates_and_escapes_in_overlays_fail_kb_check(run_cli, tmp_path: Path) -> None:
    """kb check refuses knowledge text that cannot be shown: surrogates, ESC, bidi."""
    overlay = tmp_path / "kb"
    overlay.mkdir()
    (overlay / "a.yaml").write_text('notices:\n  - id: a\n    title: "\\ud800"\n    text: t\n',
                                    encoding="utf-8")
    (overlay / "b.yaml").write_text('notices:\n  - id: b\n    title: "Hi\\e[2J"\n'
                                    '    text: "x\\u202ey"\n', encoding="utf-8")
    status, out, _ = run_cli("kb", "check", "--kb", str(overlay))
    assert status == 1
    assert "a.yaml:3:12: text holds a lone surrogate" in out
    assert "b.yaml:3:5: text holds \\x1b" in out
    assert "b.yaml:4:5: text holds \\u202e" in out
    status, _, err = run_cli("debrief", str(SEED), "--kb", str(overlay))
    assert status == 2 and "lone surrogate" in one_clean_line(err)


# 8. overlay text read as rich markup ---------------------------------------------------------
def test_overlay_text_is_shown_literally(run_cli, tmp_path: Path) -> None:
    """Schedule rows and a question's text with [brackets] show as written, in the report and
    in `crampdx questions`; '[/]' no longer crashes either."""
    plans = yaml.safe_load((ROOT / "knowledge" / "plan" / "training.yaml").read_text())
    plan = next(item for item in plans["plans"] if item["id"] == "core-posture-technique")
    plan["rows"]["activation"] = "core activation [planks/bridges]"
    plan["rows"]["posture"] = "posture [/] tall [bold]really[/bold]"
    overlay = tmp_path / "kb"
    overlay.mkdir()
    (overlay / "plan.yaml").write_text(yaml.safe_dump({"plans": [plan]}), encoding="utf-8")
    (overlay / "q.yaml").write_text(
        "questions:\n  - id: extra_q\n    section: training\n    ask: 'Form [/] ok [red]?'\n"
        "    type: bool\n    help: h\n", encoding="utf-8")
    status, out, err = run_cli("debrief", str(EXAMPLES / "core-side-and-back-cramps.yaml"),
                               "--weeks", "12", "--kb", str(overlay))
    assert status == 0, err
    assert "core activation [planks/bridges]" in out
    assert "posture [/] tall [bold]really[/bold]" in out
    status, out, err = run_cli("questions", "--kb", str(overlay))
    assert status == 0, err
    assert "Form [/] ok [red]?" in " ".join(out.split())


# 9 and 10. big values, huge errors -----------------------------------------------------------
def test_huge_free_text_is_refused_quickly(run_cli, tmp_path: Path) -> None:
    """A 2 MB athlete of newlines, or 10,000 characters, is refused at reading time."""
    path = answers_with(tmp_path, athlete="x\n" * 600_000 + "x")  # 1.8 MB as JSON
    status, _, err = run_cli("debrief", str(path))
    assert status == 2 and "athlete: 1,200,001 characters is too long" in one_clean_line(err)
    path = answers_with(tmp_path, athlete="x\n" * 50 + "x")
    status, _, err = run_cli("debrief", str(path))
    assert status == 2 and "athlete: 51 lines; write one line" in one_clean_line(err)
    path = answers_with(tmp_path, notes="y" * 10_000)
    status, _, err = run_cli("debrief", str(path))
    assert status == 2 and "notes: 10,000 characters is too long" in one_clean_line(err)


@pytest.mark.parametrize("text", [json.dumps({"cramp_pattern": "z" * 1_000_000}),
                                  f"? {'k' * 200_000}\n: 1\n"])
def test_errors_quote_a_short_excerpt(run_cli, tmp_path: Path, text: str) -> None:
    """A megabyte choice value or a 200 kB key (explicit, so YAML takes it) yields a short
    error line."""
    path = tmp_path / "big.yaml"
    path.write_text(text, encoding="utf-8")
    status, _, err = run_cli("debrief", str(path))
    assert status == 2
    assert len(one_clean_line(err)) < 400


# 11. unreadable overlay folder ---------------------------------------------------------------
def test_unreadable_overlay_folder_is_an_error(run_cli, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder that cannot be listed is reported like an unreadable file (exit 2). Root can
    list a mode-000 folder, so listing it is made to fail the way it fails for others."""
    overlay = tmp_path / "kb"
    (overlay / "sub").mkdir(parents=True)
    (overlay / "ok.yaml").write_text("notices: []\n")
    (overlay / "sub" / "hidden.yaml").write_text("notices: []\n")
    real_scandir = os.scandir

    def scandir(path: object = ".") -> object:
        if str(path).endswith("sub"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    status, out, _ = run_cli("kb", "check", "--kb", str(overlay))
    assert status == 2
    assert "sub: cannot list this folder of knowledge: Permission denied" in out


# 12. questions -f yaml -----------------------------------------------------------------------
def test_template_survives_multi_line_question_text(run_cli, tmp_path: Path) -> None:
    """A question whose text spans lines stays a comment: the template reads back as a blank
    answers file with only question ids (and athlete, event) as keys."""
    overlay = tmp_path / "kb"
    overlay.mkdir()
    (overlay / "q.yaml").write_text(
        "questions:\n  - id: extra_q\n    section: training\n    ask: |-\n"
        "      First line?\n      second_line: injected\n    type: bool\n    help: h\n")
    status, out, _ = run_cli("questions", "-f", "yaml", "--kb", str(overlay))
    assert status == 0
    template = yaml.safe_load(out)
    assert "second_line" not in template and "extra_q" in template
    assert set(template.values()) == {None}


# 13. narrow terminals ------------------------------------------------------------------------
@pytest.mark.parametrize("columns", ["0", "5"])
def test_narrow_terminals_still_show_the_red_flags_in_full(columns: str) -> None:
    """COLUMNS=0 or 5: the report still prints, with every red flag's "Do now" in full."""
    from crampdx import api

    flags = api.diagnose_file(SEED).triage.flags
    result = _crampdx("debrief", str(SEED), COLUMNS=columns)
    assert result.returncode == 0, result.stderr
    words = " ".join(re.sub(r"[│╭╮╰╯─]", " ", result.stdout).split())
    for flag in flags:
        assert " ".join(flag.rule.action.split()) in words


# 14. smaller ---------------------------------------------------------------------------------
def test_weeks_and_counts_take_whole_numbers_only(run_cli, tmp_path: Path) -> None:
    """--weeks 5_0 is not 50; 3.7 long runs is not a count."""
    status, _, err = run_cli("debrief", str(SEED), "--weeks", "5_0")
    assert status == 2 and "not '5_0'" in one_clean_line(err)
    path = tmp_path / "a.yaml"
    path.write_text("long_runs_12w: 3.7\n")
    status, _, err = run_cli("debrief", str(path))
    assert status == 2 and "a count takes a whole number, not 3.7" in one_clean_line(err)


def test_a_big_plain_list_is_not_blamed_on_aliases(run_cli, tmp_path: Path) -> None:
    """330,000 items and no alias: the message says how many, not that aliases expand."""
    path = tmp_path / "a.yaml"
    path.write_text("notes: [" + ",".join(["1"] * 330_000) + "]\n")
    status, _, err = run_cli("debrief", str(path))
    line = one_clean_line(err)
    assert status == 2 and "holds more than 250,000 values" in line and "alias" not in line


def test_blank_names_in_knowledge_say_blank(run_cli, tmp_path: Path) -> None:
    """A whitespace-only title says 'blank', not 'must be text, not text'."""
    overlay = tmp_path / "kb"
    overlay.mkdir()
    (overlay / "s.yaml").write_text("sections:\n  - id: training\n    title: '   '\n")
    status, out, _ = run_cli("kb", "check", "--kb", str(overlay))
    assert status == 1
    assert out.splitlines() == [f"{overlay / 's.yaml'}:3:5: 'title' of section 'training' "
                                "must be text, not blank"]


def test_one_bad_override_is_one_problem_at_the_overlay(run_cli, tmp_path: Path) -> None:
    """Overriding a question badly is one problem at the overlay's line, not one per shipped
    rule that uses the question."""
    overlay = tmp_path / "kb"
    overlay.mkdir()
    (overlay / "q.yaml").write_text(
        "questions:\n  - id: cramp_pattern\n    section: cramps\n    ask: How?\n"
        "    type: bogus\n    help: h\n")
    status, out, _ = run_cli("kb", "check", "--kb", str(overlay))
    assert status == 1
    assert out.splitlines() == [f"{overlay / 'q.yaml'}:5:5: 'type' of question "
                                "'cramp_pattern' is 'bogus'; use one of: number, bool, "
                                "choice, multi"]


def test_the_root_directory_is_no_knowledge_directory() -> None:
    """CRAMPDX_KB=/ stops after a capped walk with a clear message, not a disk-wide scan."""
    result = _crampdx("kb", "check", CRAMPDX_KB="/", timeout=120)
    assert result.returncode == 2
    assert "/: more than 20,000 files and folders under this directory: it is no knowledge " \
           "directory" in result.stdout


def test_writer_refuses_text_it_cannot_encode(tmp_path: Path) -> None:
    """Should a surrogate ever get this far, nothing is written, not even a temporary."""
    from crampdx.safeio import write_atomic

    with pytest.raises(CrampdxError, match="not valid Unicode"):
        write_atomic(tmp_path / "r.html", "x\ud800")
    assert list(tmp_path.iterdir()) == []


def test_activity_files_that_never_end_are_refused(tmp_path: Path) -> None:
    """--activity /dev/zero, and a FIFO as the race or as --training, are refused at once
    (for --training, with a warning), never read or waited on."""
    fifo = tmp_path / "race.fit"
    os.mkfifo(fifo)
    result = _crampdx("debrief", str(SEED), "--activity", "/dev/zero", timeout=20)
    assert result.returncode == 2 and "is a device" in one_clean_line(result.stderr)
    result = _crampdx("debrief", str(SEED), "--activity", str(fifo), timeout=20)
    assert result.returncode == 2 and "is a pipe" in one_clean_line(result.stderr)
    race = ROOT / "tests" / "fixtures" / "activities" / "garmin-fenix-5-run.fit"
    result = _crampdx("import", str(race), "--training", str(fifo), timeout=20)
    # a training path that cannot be read is a warning (the race still gives its answers)
    # (this 158 m fixture also gets the "is this the race?" warning: not what is tested here)
    stderr = "".join(line for line in result.stderr.splitlines(keepends=True)
                     if "is this the race?" not in line)
    assert result.returncode == 0 and "not a regular file" in one_clean_line(stderr)
