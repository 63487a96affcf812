"""Generated from the knowledge: the JSON Schema editors use, the reference in docs/, the graph.

Generated files are checked in and compared with a fresh generation, so they are never stale.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from crampdx.knowledge.loader import read_knowledge
from crampdx.knowledge.reference import describe, json_schema, markdown, mermaid, schema_files

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "tests" / "fixtures" / "kb_base"
SHIPPED = ROOT / "knowledge"


def validator(kind: str | None = None):
    schema = json_schema(kind)
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def plain(value):
    """Located YAML data as plain JSON-like values, as an editor's YAML server sees them."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def yaml_files(directory: Path) -> list[Path]:
    return sorted(directory.rglob("*.yaml"))


@pytest.mark.parametrize("directory", [BASE, SHIPPED], ids=["kb_base", "shipped"])
def test_every_valid_knowledge_file_passes_the_json_schema(directory: Path) -> None:
    """An editor must never flag what `kb check` accepts."""
    from crampdx.yamlio import load_yaml_file

    assert read_knowledge([directory]).problems == []
    check = validator()
    for path in yaml_files(directory):
        errors = [e.message for e in check.iter_errors(plain(load_yaml_file(path)))]
        assert errors == [], path


BROKEN = {
    "unknown field": "rules: [{id: r, when: {a: 1}, then: {cause: c}, certainty: 0.5, "
                     "because: b, source: s, sorce: s}]",
    "missing because": "rules: [{id: r, when: {a: 1}, then: {cause: c}, certainty: 0.5, "
                       "source: s}]",
    "certainty out of range": "rules: [{id: r, when: {a: 1}, then: {cause: c}, certainty: 1.5, "
                              "because: b, source: s}]",
    "triage with certainty": "rules: [{id: r, when: {a: 1}, then: {triage: emergency}, "
                             "certainty: 1, because: b, source: s, action: call}]",
    "cause without certainty": "rules: [{id: r, when: {a: 1}, then: {cause: c}, because: b, "
                               "source: s}]",
    "then with two keys": "rules: [{id: r, when: {a: 1}, then: {cause: c, finding: f}, "
                          "certainty: 0.5, because: b, source: s}]",
    "unknown operator": "rules: [{id: r, when: {a: {gtt: 1}}, then: {cause: c}, "
                        "certainty: 0.5, because: b, source: s}]",
    "empty condition": "rules: [{id: r, when: {}, then: {cause: c}, certainty: 0.5, "
                       "because: b, source: s}]",
    "camelCase id": "causes: [{id: newShoes, name: n, summary: s}]",
    "unknown question type": "questions: [{id: q, section: s, ask: a, type: text, help: h}]",
    "choice without choices": "questions: [{id: q, section: s, ask: a, type: choice, help: h}]",
    "unit on a bool": "questions: [{id: q, section: s, ask: a, type: bool, help: h, unit: km}]",
    "remedy with cause and causes": "remedies: [{id: r, cause: c, causes: [c], kind: acute, "
                                    "text: t, source: s}]",
    "unknown evidence": "sources: [{id: s, cite: c, evidence: rumour}]",
    "case without expectation": "cases: [{id: c, answers: {a: 1}}]",
    "unknown kind": "rule: []",
}


@pytest.mark.parametrize("text", BROKEN.values(), ids=BROKEN.keys())
def test_the_json_schema_rejects_what_the_loader_rejects(text: str, tmp_path: Path) -> None:
    """Editors flag these while typing; `kb check` does too (checked here on the same text)."""
    from crampdx.yamlio import parse_yaml

    assert list(validator().iter_errors(plain(parse_yaml(text, "x.yaml"))))
    (tmp_path / "x.yaml").write_text(text + "\n")
    assert read_knowledge([tmp_path]).problems


def test_a_kind_schema_allows_only_that_kind() -> None:
    """rules.schema.json flags a 'causes:' key, for files that should hold only rules."""
    assert list(validator("rules").iter_errors({"causes": []}))
    assert not list(validator("rules").iter_errors({"rules": []}))


def test_docs_schema_files_are_up_to_date() -> None:
    """docs/schema/ is generated: run `crampdx kb schema --output-dir docs/schema` after editing
    knowledge/schema.py."""
    directory = ROOT / "docs" / "schema"
    expected = schema_files()
    assert sorted(p.name for p in directory.glob("*.json")) == sorted(expected)
    for name, text in expected.items():
        assert (directory / name).read_text(encoding="utf-8") == text, (
            f"docs/schema/{name} is stale: run 'crampdx kb schema --output-dir docs/schema'")


def test_docs_knowledge_md_is_up_to_date() -> None:
    """docs/knowledge.md is generated from the shipped knowledge: after editing knowledge/, run
    `crampdx kb docs --output docs/knowledge.md`."""
    result = read_knowledge([SHIPPED])
    assert result.problems == []
    expected = markdown(result.kb, case_count=len(result.cases))
    actual = (ROOT / "docs" / "knowledge.md").read_text(encoding="utf-8")
    assert actual == expected, ("docs/knowledge.md is stale: run "
                                "'crampdx kb docs --output docs/knowledge.md'")


def test_every_question_rule_and_cause_is_documented() -> None:
    """As sqlite-utils fails on an undocumented command: each id has its own entry."""
    kb = read_knowledge([SHIPPED]).kb
    text = (ROOT / "docs" / "knowledge.md").read_text(encoding="utf-8")
    for kind, items in (("question", kb.questions), ("rule", kb.rules), ("cause", kb.causes),
                        ("finding", kb.findings), ("remedy", kb.remedies),
                        ("plan", kb.plans), ("source", kb.sources)):
        for item_id in items:
            assert f'<a id="{kind}-{item_id}"></a>' in text, f"{kind} {item_id}"


def test_rules_in_the_reference_show_condition_and_source() -> None:
    text = markdown(read_knowledge([BASE]).kb)
    entry = text.split("#### `onset-beyond-longest-run`\n")[1].lstrip("\n").split("\n\n")[0]
    assert entry == textwrap.dedent("""\
        - **When:** onset_km > 1.1 × longest_run_km
        - **Then:** cause [`insufficient_training`](#cause-insufficient_training), certainty +0.7
        - **Because:** The cramps came beyond the longest training run.
        - **Source:** [`seed`](#source-seed): The coach's blog post (coaching experience)""")


def test_describe_reads_like_a_sentence() -> None:
    kb = read_knowledge([BASE]).kb
    assert describe(kb.rules["no-overdrinking-short"].when) == (
        "not finding overdrinking and (cramp_sites includes calf or cramp_sites includes "
        "inner_thigh)")
    assert describe(kb.rules["long-event"].when) == "event_duration_h > 4"


def test_the_graph_declares_every_node_it_links() -> None:
    """Mermaid draws undeclared ids as bare boxes; every arrow's ends must be declared."""
    text = mermaid(read_knowledge([SHIPPED]).kb)
    declared = set(re.findall(r"^  ([qfct]_\w+)[\[\({>]", text, flags=re.M))
    arrows = re.findall(r"^  (\w+) (?:-->|-\.->|--x) (\w+)$", text, flags=re.M)
    assert arrows
    assert {end for arrow in arrows for end in arrow} <= declared


def test_the_graph_marks_evidence_against() -> None:
    text = mermaid(read_knowledge([BASE]).kb)
    assert "q_eased_when_slowing -.-> c_electrolyte_depletion" in text
    assert "q_cramp_pattern --> c_electrolyte_depletion" in text


def test_overlay_text_is_literal_in_the_reference(run_cli, write, mini_kb) -> None:  # type: ignore[no-untyped-def]
    """`kb docs` quotes an overlay's text literally: a Markdown link (a javascript: one too),
    an image or emphasis written into a finding becomes text, not a link in the reference."""
    overlay = write("overlay/findings.yaml", (
        "findings:\n"
        "  - id: sneaky_finding\n"
        "    name: Sneaky [click](javascript:alert(1))\n"
        "    description: See ![x](http://example.invalid/x.png) and *this*\n"))
    status, out, err = run_cli("kb", "docs", "--kb", str(overlay.parent))
    assert status == 0, err
    assert "[click](javascript:" not in out and "![x](" not in out
    assert r"Sneaky \[click\](javascript:alert(1))" in out
    assert r"\*this\*" in out
