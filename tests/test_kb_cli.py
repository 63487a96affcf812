"""`crampdx kb ...` as a coach uses it: what it prints and how it exits."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

BASE = Path(__file__).parent / "fixtures" / "kb_base"

GOOD_OVERLAY = """\
sections: [{id: gear, title: Gear}]
sources: [{id: coach_notes, cite: My coaching notes, evidence: coaching}]
questions:
  - id: shoe_km
    section: gear
    ask: How many km had you run in your race shoes before the race?
    type: number
    unit: km
    range: [0, 5000]
    help: Shoes you have not run in change how your calves work.
causes:
  - {id: new_shoes, name: New shoes, summary: Shoes not yet run in.}
remedies:
  - {id: run-shoes-in, cause: new_shoes, kind: training, text: Run 50 km in new shoes first.,
     source: coach_notes}
rules:
  - id: new-shoes
    when: {shoe_km: {lt: 50}}
    then: {cause: new_shoes}
    certainty: 0.5
    because: Shoes with under 50 km in them load the calves differently.
    source: coach_notes
cases:
  - {id: new-shoes-cramp, answers: {shoe_km: 10}, lead: new_shoes, fires: new-shoes}
  - {id: old-shoes, answers: {shoe_km: "300 mi"}, absent: new_shoes, not_fires: new-shoes}
"""


@pytest.fixture(autouse=True)
def base_kb(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The clean fixture stands in for the shipped knowledge; no CRAMPDX_KB from outside."""
    monkeypatch.setenv("CRAMPDX_SHIPPED_KB", str(BASE))
    monkeypatch.delenv("CRAMPDX_KB", raising=False)
    return BASE


@pytest.fixture
def overlay(tmp_path: Path):
    def make(text: str = GOOD_OVERLAY, name: str = "shoes.yaml") -> Path:
        directory = tmp_path / "my-kb"
        directory.mkdir(exist_ok=True)
        (directory / name).write_text(textwrap.dedent(text), encoding="utf-8")
        return directory

    return make


def test_check_clean_exits_0(run_cli) -> None:
    """Nothing on stdout, a one-line summary on stderr."""
    status, out, err = run_cli("kb", "check")
    assert (status, out) == (0, "")
    assert err.startswith("crampdx: knowledge is clean: 2 files in 1 directory; 9 questions, "
                          "9 rules, 3 causes, 16 cases")


def test_check_with_a_clean_overlay(run_cli, overlay) -> None:
    """A coach's directory on top: new question, cause, remedy, rule and cases, all clean."""
    status, out, err = run_cli("kb", "check", "--kb", str(overlay()))
    assert (status, out) == (0, "")
    assert "2 directories" in err and "10 rules" in err and "18 cases" in err


def test_check_reports_each_problem_at_its_line_and_exits_1(run_cli, overlay,
                                                            monkeypatch) -> None:
    """A misspelt field and a rule without cases; paths relative to where the coach is."""
    directory = overlay(GOOD_OVERLAY.replace("    certainty: 0.5", "    certanty: 0.5"))
    monkeypatch.chdir(directory.parent)
    status, out, err = run_cli("kb", "check", "--kb", "my-kb")
    assert status == 1
    assert out.splitlines() == [
        "my-kb/shoes.yaml:20:5: unknown field 'certanty' in rule 'new-shoes' (did you mean "
        "'certainty'?); allowed: id, when, then, certainty, because, source, action, condition, "
        "claims",
    ]
    assert err == "crampdx: 1 problem in 1 file\n"


def test_check_exits_2_when_a_directory_cannot_be_read(run_cli, tmp_path) -> None:
    status, out, err = run_cli("kb", "check", "--kb", str(tmp_path / "missing"))
    assert status == 2
    assert out == f"{tmp_path / 'missing'}: no such knowledge directory\n"


def test_check_exits_2_when_a_file_is_not_text(run_cli, overlay) -> None:
    """Unreadable beats wrong: exit 2 even if other files have plain problems."""
    directory = overlay("rules: 5\n")
    (directory / "binary.yaml").write_bytes(b"\xff\xfe\x00garbage")
    status, out, _ = run_cli("kb", "check", "--kb", str(directory))
    assert status == 2
    assert "binary.yaml: not UTF-8 text" in out
    assert "'rules' must be a list of items, not a number" in out


def test_crampdx_kb_environment_variable_adds_a_directory(run_cli, overlay,
                                                          monkeypatch) -> None:
    """CRAMPDX_KB works like --kb, for a coach who always uses the same directory."""
    monkeypatch.setenv("CRAMPDX_KB", str(overlay()))
    status, out, _ = run_cli("kb", "list", "--kind", "causes")
    assert status == 0
    assert "(CRAMPDX_KB, 1 file)" in out
    assert "  new_shoes " in out


def test_list_shows_where_each_item_comes_from_and_what_it_overrides(run_cli,
                                                                     overlay) -> None:
    """Overriding a shipped rule by id: the listing names both places."""
    directory = overlay()
    (directory / "override.yaml").write_text(textwrap.dedent("""\
        rules:
          - id: long-event
            when: {event_duration_h: {gt: 6}}
            then: {finding: long_event}
            certainty: 0.9
            because: Over six hours, in my experience.
            source: coach_notes
        """))
    status, out, _ = run_cli("kb", "list", "--kind", "rules", "--kb", str(directory))
    assert status == 0
    line = next(l for l in out.splitlines() if l.strip().startswith("long-event"))
    assert f"{directory}/override.yaml:2" in line
    assert "overrides tests/fixtures/kb_base/kb.yaml:74" in line or \
        f"overrides {BASE}/kb.yaml:74" in line
    assert "(shipped, 2 files)" in out and "(--kb, 2 files)" in out


def test_test_passes_and_reports_coverage(run_cli, overlay) -> None:
    status, out, _ = run_cli("kb", "test", "--kb", str(overlay()))
    assert status == 0
    assert out.splitlines() == [
        "18 cases: 18 passed, 0 failed",
        "rules proven to fire: 10 of 10 (100%)",
        "rules proven not to fire: 10 of 10 (100%)",
        "recall: emergency cases triaged emergency: 1 of 1",
    ]


def test_a_failing_case_shows_what_was_expected_and_what_it_got(run_cli, overlay) -> None:
    """The coach sees the ranked causes the case produced and why the rule did not fire."""
    directory = overlay(GOOD_OVERLAY.replace("answers: {shoe_km: 10}",
                                             "answers: {shoe_km: 80, cramp_pattern: spreading}"))
    status, out, _ = run_cli("kb", "test", "--kb", str(directory))
    assert status == 1
    lines = out.splitlines()
    assert lines[:3] == [
        f"{directory}/shoes.yaml:24:6: case 'new-shoes-cramp': expected new_shoes to lead",
        f"{directory}/shoes.yaml:24:6: case 'new-shoes-cramp': expected rule new-shoes to "
        "fire; it did not: shoe_km < 50 is false (shoe_km = 80)",
        "    got: electrolyte_depletion 0.40; triage self_care",
    ]
    assert "18 cases: 17 passed, 1 failed" in lines
    assert "rules proven to fire: 9 of 10 (90%): missing new-shoes" in lines


def test_test_runs_only_the_named_cases(run_cli) -> None:
    status, out, _ = run_cli("kb", "test", "-v", "spreading-cramps", "nausea-alone")
    assert status == 0
    assert out.splitlines() == ["ok    spreading-cramps", "ok    nausea-alone",
                                "2 cases: 2 passed, 0 failed"]


def test_test_with_an_unknown_case_suggests_one(run_cli) -> None:
    status, _, err = run_cli("kb", "test", "spreading-cramp")
    assert status == 2
    assert "no case 'spreading-cramp' (did you mean 'spreading-cramps'?)" in err


def test_test_refuses_broken_knowledge(run_cli, overlay) -> None:
    """Cases only run on knowledge that loads; the problems are listed."""
    status, out, err = run_cli("kb", "test", "--kb", str(overlay("rules: [{id: x}]\n")))
    assert status == 1
    assert "rule 'x' needs 'when'" in out
    assert "fix them first" in err


def test_schema_prints_json_schema(run_cli) -> None:
    status, out, _ = run_cli("kb", "schema")
    assert status == 0
    schema = json.loads(out)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    from crampdx.knowledge.schema import KINDS

    assert set(schema["properties"]) == set(KINDS)
    _, out, _ = run_cli("kb", "schema", "rules")
    assert list(json.loads(out)["properties"]) == ["rules"]


def test_schema_output_dir_writes_every_file(run_cli, tmp_path) -> None:
    from crampdx.knowledge.schema import KINDS

    status, _, err = run_cli("kb", "schema", "--output-dir", str(tmp_path))
    assert status == 0 and f"wrote {len(KINDS) + 1} schema files" in err
    assert sorted(p.name for p in tmp_path.iterdir())[:2] == ["cases.schema.json",
                                                              "causes.schema.json"]


def test_docs_writes_markdown(run_cli, tmp_path) -> None:
    target = tmp_path / "knowledge.md"
    status, _, err = run_cli("kb", "docs", "--output", str(target))
    assert status == 0 and "knowledge reference written" in err
    text = target.read_text()
    assert text.startswith("# Knowledge reference\n")
    assert "#### `hyponatremia-full-body`" in text and "```mermaid" in text


def test_graph_of_one_cause(run_cli) -> None:
    status, out, _ = run_cli("kb", "graph", "--cause", "insufficient_training")
    assert status == 0
    assert out.startswith("flowchart LR\n")
    assert "q_onset_km --> c_insufficient_training" in out
    assert "f_overdrinking --x c_insufficient_training" in out
    assert "hyponatremia" not in out


def test_graph_with_an_unknown_cause(run_cli) -> None:
    status, _, err = run_cli("kb", "graph", "--cause", "hyponatraemia")
    assert status == 2 and "(did you mean 'hyponatremia'?)" in err


def test_kb_alone_prints_help(run_cli) -> None:
    status, out, _ = run_cli("kb")
    assert status == 0 and "check" in out and "exit status: 0 clean" in out


def test_the_kb_module_imports_nothing_heavy() -> None:
    """`crampdx --version` must stay fast: cli_kb's top level is standard library only."""
    code = ("import sys, crampdx.cli_kb; "
            "print(sorted(m for m in ('yaml', 'rich', 'experta', 'jsonschema', "
            "'crampdx.knowledge') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


def test_the_kinds_listed_by_the_cli_are_the_schema_kinds() -> None:
    """cli_kb keeps its own copy (to stay light); it must not drift."""
    from crampdx.cli_kb import KINDS
    from crampdx.knowledge.schema import KINDS as SCHEMA_KINDS

    assert KINDS == tuple(SCHEMA_KINDS)


def test_a_file_with_thousands_of_problems_prints_the_first_fifty(run_cli, overlay) -> None:
    """A list of 3,000 numbers where rules belong: fifty lines and a count, not 3,000 lines."""
    directory = overlay("rules: [" + "1, " * 2999 + "1]\n")
    status, out, err = run_cli("kb", "check", "--kb", str(directory))
    lines = out.splitlines()
    assert status == 1 and len(lines) == 51
    assert lines[0].endswith("shoes.yaml:1:9: each of 'rules' must be a mapping, not a number")
    assert lines[-1].endswith("shoes.yaml: 2950 more problems in this file not shown; fix the "
                              "ones above first")
    assert "3000 problems in 1 file" in err


def test_an_overlay_question_without_kb_gets_the_hint(run_cli, overlay, tmp_path: Path) -> None:
    """The coach's own question `shoe_km` answered, but --kb forgotten: the error says to add
    --kb DIR; with --kb the same file is read."""
    answers = tmp_path / "race.yaml"
    answers.write_text("shoe_km: 10\n", encoding="utf-8")
    status, _, err = run_cli("debrief", str(answers))
    assert status == 2
    assert "unknown question 'shoe_km'" in err and "add --kb DIR" in err
    status, _, err = run_cli("debrief", str(answers), "--kb", str(overlay()))
    assert status == 0, err
