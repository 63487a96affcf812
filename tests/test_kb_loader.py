"""Schema-level checks of the loader: each mistake a coach can make in one file gives one
message at the exact line and column, with a did-you-mean where a near name exists."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from crampdx.knowledge.loader import UnreadableError, load_knowledge, read_knowledge

BASE = Path(__file__).parent / "fixtures" / "kb_base"


def problems(tmp_path: Path, text: str, name: str = "mine.yaml") -> list[str]:
    """Problems of one overlay file on top of the clean base, paths shortened to the name."""
    (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    result = read_knowledge([BASE, tmp_path])
    return [str(p).replace(str(tmp_path) + "/", "") for p in result.problems]


RULE = """\
rules:
  - id: my-rule
    when: {cramp_pattern: full_body}
    then: {cause: hyponatremia}
    certainty: 0.3
    because: Because.
    source: seed
"""


def test_the_base_fixture_loads_cleanly() -> None:
    """Every other test here adds one mistake to this."""
    assert read_knowledge([BASE]).problems == []


def test_misspelt_field_points_at_the_key_with_a_suggestion(tmp_path: Path) -> None:
    """'certainity' is one letter off; the message says which field was meant."""
    assert problems(tmp_path, RULE.replace("certainty:", "certainity:")) == [
        "mine.yaml:5:5: unknown field 'certainity' in rule 'my-rule' (did you mean "
        "'certainty'?); allowed: id, when, then, certainty, because, source, action, condition, "
        "claims"]


def test_misspelt_fact_and_choice_and_operator(tmp_path: Path) -> None:
    """Unknown facts, values outside a question's choices and unknown operators each point at
    their own key."""
    text = RULE.replace("{cramp_pattern: full_body}",
                        "{cramp_patern: full_body, drink_type: watr, event_duration_h: {gtt: 4}}")
    assert problems(tmp_path, text) == [
        "mine.yaml:3:12: rule 'my-rule': unknown fact 'cramp_patern' (did you mean "
        "'cramp_pattern'?)",
        "mine.yaml:3:37: rule 'my-rule': 'watr' is not a choice of drink_type (did you mean "
        "'water'?); choices: none, water, electrolyte",
        "mine.yaml:3:74: rule 'my-rule': unknown operator 'gtt' for event_duration_h (did you "
        "mean 'gt'?) (a number takes: gt, ge, lt, le, between, not, in, not_in)",
    ]


def test_comparing_a_choice_with_gt_is_explained(tmp_path: Path) -> None:
    """A choice has no order; the message says so rather than 'unknown operator'."""
    text = RULE.replace("{cramp_pattern: full_body}", "{cramp_pattern: {gt: localized}}")
    assert problems(tmp_path, text) == [
        "mine.yaml:3:28: rule 'my-rule': 'gt' compares numbers; cramp_pattern is a choice "
        "(a choice takes: in, not, not_in)"]


def test_unknown_cause_and_source_get_suggestions(tmp_path: Path) -> None:
    """Typos in references to other files."""
    text = RULE.replace("cause: hyponatremia", "cause: hyponatraemia").replace(
        "source: seed", "source: sede")
    assert problems(tmp_path, text) == [
        "mine.yaml:4:12: rule 'my-rule' concludes unknown cause 'hyponatraemia' (did you mean "
        "'hyponatremia'?)"]
    text = RULE.replace("source: seed", "source: sede")
    assert problems(tmp_path, text) == [
        "mine.yaml:7:5: rule 'my-rule': unknown source 'sede' (did you mean 'seed'?)"]


def test_a_rule_without_a_source_is_refused(tmp_path: Path) -> None:
    """Every rule says where its knowledge comes from."""
    assert problems(tmp_path, RULE.replace("    source: seed\n", "")) == [
        "mine.yaml:2:5: rule 'my-rule' needs 'source' (Source id)"]


def test_duplicate_ids_in_one_layer(tmp_path: Path) -> None:
    """Two rules with one id in the same directory: the second is named, with the first's line."""
    text = RULE + RULE.replace("rules:\n", "")
    assert problems(tmp_path, text) == [
        "mine.yaml:8:5: duplicate rule id 'my-rule' (first defined at mine.yaml:2)"]


def test_duplicate_keys_are_reported_and_the_rest_still_checked(tmp_path: Path) -> None:
    """A duplicate key no longer hides the other problems of the file."""
    text = RULE.replace("    because: Because.\n", "    because: A.\n    because: B.\n")
    text = text.replace("source: seed", "source: sede")
    assert problems(tmp_path, text) == [
        "mine.yaml:7:5: duplicate key 'because' (first given on line 6); YAML would silently "
        "keep only the last one",
        "mine.yaml:8:5: rule 'my-rule': unknown source 'sede' (did you mean 'seed'?)",
    ]


def test_then_with_a_list_is_a_message_not_a_crash(tmp_path: Path) -> None:
    """`then: {cause: [a, b]}` once raised TypeError (unhashable list)."""
    text = RULE.replace("{cause: hyponatremia}", "{cause: [hyponatremia, electrolyte_depletion]}")
    assert problems(tmp_path, text) == [
        "mine.yaml:4:12: rule 'my-rule': 'then' names one cause id, not a list"]


def test_relative_comparison_with_a_list_fact_is_a_message(tmp_path: Path) -> None:
    """`{gt: {fact: [a]}}` once raised TypeError."""
    text = RULE.replace("{cramp_pattern: full_body}", "{onset_km: {gt: {fact: [onset_km]}}}")
    assert problems(tmp_path, text) == [
        "mine.yaml:3:28: rule 'my-rule': 'gt' compares with unknown fact '['onset_km']' (did "
        "you mean 'onset_km'?)"]


def test_an_id_with_a_trailing_newline_is_not_snake_case(tmp_path: Path) -> None:
    """`re.match('...$')` accepted "abc\\n"; ids are matched whole."""
    text = 'causes:\n  - {id: "abc\\n", name: N, summary: S}\n'
    assert problems(tmp_path, text) == [
        "mine.yaml:2:6: id 'abc\\n' must be snake_case (lowercase letters, digits and _)"]


def test_unknown_kind_suggests_the_right_one(tmp_path: Path) -> None:
    """A file's top-level keys are kinds."""
    assert problems(tmp_path, "rule:\n  - id: x\n") == [
        "mine.yaml:1:1: unknown kind 'rule' (did you mean 'rules'?); a file holds sections, "
        "questions, findings, causes, rules, remedies, notices, sources, cases, plans, conditions"]


def test_a_missing_directory_is_unreadable(tmp_path: Path) -> None:
    """kb check tells 'could not read' (exit 2) from 'read and found wrong' (exit 1)."""
    result = read_knowledge([BASE, tmp_path / "nope"])
    assert [type(p) for p in result.problems] == [UnreadableError]
    assert str(result.problems[0]).endswith("nope: no such knowledge directory")


def test_a_huge_file_is_refused_before_parsing(tmp_path: Path) -> None:
    """Ten megabytes would take minutes to parse in pure Python: refused at once."""
    (tmp_path / "huge.yaml").write_bytes(b"# " + b"x" * 10_000_000 + b"\n")
    result = read_knowledge([BASE, tmp_path])
    assert len(result.problems) == 1 and isinstance(result.problems[0], UnreadableError)
    assert "knowledge file is 10,000,003 bytes; crampdx reads at most 500,000" in str(
        result.problems[0])


def test_a_file_that_is_not_utf8_is_unreadable(tmp_path: Path) -> None:
    """Latin-1 text from an old editor."""
    (tmp_path / "old.yaml").write_bytes("causes: [{id: caf\xe9}]\n".encode("latin-1"))
    result = read_knowledge([BASE, tmp_path])
    assert isinstance(result.problems[0], UnreadableError)
    assert "not UTF-8 text" in str(result.problems[0])


def test_load_knowledge_raises_the_first_problem_with_a_count(tmp_path: Path) -> None:
    """Commands that just need a knowledge base stop at the first problem, and say there are
    more."""
    (tmp_path / "mine.yaml").write_text(RULE.replace("source: seed", "source: x") + """\
  - id: other-rule
    when: {cramp_pattern: localized}
    then: {cause: hyponatremia}
    certainty: 3
    because: Because.
    source: seed
""")
    with pytest.raises(Exception) as caught:
        load_knowledge([BASE, tmp_path])
    assert "(and 1 more problem: run 'crampdx kb check')" in str(caught.value)


# -- cases --------------------------------------------------------------------------------

CASE = """\
cases:
  - id: my-case
    answers: {cramp_pattern: full_body}
    appear: electrolyte_depletion
"""


def test_a_case_loads(tmp_path: Path) -> None:
    """Cases are a kind like any other; answers are converted as in an answers file."""
    (tmp_path / "c.yaml").write_text(CASE.replace("{cramp_pattern: full_body}",
                                                  '{onset_km: "10 mi", cramp_pattern: full_body}'))
    result = read_knowledge([BASE, tmp_path])
    assert result.problems == []
    case = result.cases["my-case"]
    assert case.answers == {"onset_km": 16.1, "cramp_pattern": "full_body"}
    assert case.appear == ("electrolyte_depletion",)


def test_case_mistakes_are_pointed_at(tmp_path: Path) -> None:
    """Unknown questions, answers that do not fit, unknown rules and causes, contradictions."""
    text = """\
    cases:
      - id: my-case
        answers: {cramp_patern: full_body, onset_km: lots, drink_type: beer}
        appear: [electrolyte_depletion, hyponatremai]
        absent: electrolyte_depletion
        fires: long-evnt
    """
    assert problems(tmp_path, text) == [
        "mine.yaml:3:15: case 'my-case': unknown question 'cramp_patern' (did you mean "
        "'cramp_pattern'?) in 'answers'",
        "mine.yaml:3:40: case 'my-case': answer to onset_km: 'lots' is not a number (e.g. '12 km')",
        "mine.yaml:3:56: case 'my-case': answer to drink_type: 'beer' is not a choice; choose "
        "from: none, water, electrolyte",
        "mine.yaml:4:37: case 'my-case': 'appear' names unknown cause 'hyponatremai' (did you "
        "mean 'hyponatremia'?)",
        "mine.yaml:6:5: case 'my-case': 'fires' names unknown rule 'long-evnt' (did you mean "
        "'long-event'?)",
        "mine.yaml:5:5: case 'my-case': 'electrolyte_depletion' is in both 'appear' and 'absent'",
    ]


def test_a_case_that_expects_nothing_is_refused(tmp_path: Path) -> None:
    """A case without expectations would always pass, proving nothing."""
    assert problems(tmp_path, "cases:\n  - id: empty\n    answers: {}\n") == [
        "mine.yaml:2:5: case 'empty': expects nothing; add at least one of: lead, appear, "
        "absent, triage, fires, not_fires, conditions"]


def test_case_field_types(tmp_path: Path) -> None:
    """answers must be a mapping, lead an id or a list of ids."""
    text = "cases:\n  - id: c\n    answers: [a]\n    lead: {a: 1}\n"
    assert problems(tmp_path, text) == [
        "mine.yaml:3:5: 'answers' of case 'c' must be a mapping (question id: answer), not "
        "a list",
        "mine.yaml:4:5: 'lead' of case 'c' must be an id or a list of ids, not a mapping",
    ]


def test_a_bad_when_or_number_source_points_at_its_line(tmp_path: Path) -> None:
    """`when:` on a remedy is checked like any condition, and a plan's `sources:` must name
    known sources: each problem with its file and line."""
    from crampdx.knowledge.loader import read_knowledge
    from crampdx.knowledge.locate import shipped_knowledge_dir as shipped_dir

    (tmp_path / "mine.yaml").write_text(
        "remedies:\n"
        "  - id: my-remedy\n    cause: pacing_error\n    kind: race_day\n"
        "    when: {terrain: moon}\n    text: Hold back.\n    source: seed\n"
        "plans:\n"
        "  - id: my-hill\n    cause: eccentric_overload\n    kind: training\n"
        "    sizing: hill_circuit\n    title: Hills\n    table: {minutes: 30, per_week: 1}\n"
        "    text: '{minutes} minutes'\n    source: seed\n"
        "    sources:\n      - {source: nowhere, about: x, numbers: [minutes]}\n",
        encoding="utf-8")
    problems = [str(p) for p in read_knowledge([shipped_dir(), tmp_path]).problems]
    assert any(p.endswith("mine.yaml:5:12: remedy 'my-remedy': 'moon' is not a choice of "
                          "terrain; choices: road, track, trail, mountain") for p in problems)
    assert any(p.endswith("mine.yaml:18:10: plan 'my-hill': sources: unknown source "
                          "'nowhere'") for p in problems), problems


def test_a_source_label_reads_as_written_not_as_its_id() -> None:
    """Reports cite each source by its label: 'Hew-Butler 2015' from author and year; a coach's
    own short cite without a year as written ('My notes', not 'my_notes'); a long one, its id."""
    from crampdx.knowledge.model import Origin, Source

    def label(cite: str, short: str = "") -> str:
        return Source("my_notes", cite, "coaching", Origin("s.yaml", 1), short).label

    assert label("Hew-Butler T et al. Consensus statement, 2015") == "Hew-Butler 2015"
    assert label("My   notes") == "My notes"
    assert label("Notes " + "from many seasons of club coaching, kept by hand") == "my_notes"
    assert label("My notes", short="Ana") == "Ana"
