"""What is generated from the knowledge: the JSON Schema, the Markdown reference, the graph.

The JSON Schema comes from schema.KINDS (the specs the loader checks against), so editors that
validate while typing and `crampdx kb check` agree; the reference and the Mermaid diagram come
from a loaded knowledge base, so `docs/knowledge.md` can never drift from the YAML unnoticed (a
test regenerates it and compares).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec

from crampdx.knowledge import conditions as cond
from crampdx.knowledge.model import EVIDENCE_WORDS, KnowledgeBase, Origin, Rule
from crampdx.knowledge.schema import (
    EXPECTATIONS,
    KIND_HELP,
    KINDS,
    RULE_ID,
    SNAKE_ID,
    TRIAGE,
    FieldSpec,
)
from crampdx.textsafe import markdown as markdown_text

DRAFT = "http://json-schema.org/draft-07/schema#"  # what yaml-language-server understands
SCHEMA_FILE = "knowledge.schema.json"
OPERATOR_HELP = {
    "in": "the answer is one of these (multi: contains at least one)",
    "not": "the answer differs from this (multi: does not contain it)",
    "not_in": "the answer is none of these (multi: contains none)",
    "all": "multi: contains all of these",
    "count_ge": "multi: at least this many values chosen",
    "count_le": "multi: at most this many values chosen",
    "gt": "number: greater than (a number, or {fact, times, plus})",
    "ge": "number: at least",
    "lt": "number: less than",
    "le": "number: at most",
    "between": "number: [low, high], inclusive",
}


# -- JSON Schema -----------------------------------------------------------------------------

def _field_schema(spec: FieldSpec) -> dict[str, Any]:
    snake = {"type": "string", "pattern": SNAKE_ID}
    kinds: dict[str, dict[str, Any]] = {
        "id": snake,
        "rule_id": {"type": "string", "pattern": RULE_ID},
        "ref": snake,
        "text": {"type": "string", "minLength": 1},
        "bool": {"type": "boolean"},
        "enum": {"enum": list(spec.values)},
        "certainty": {"type": "number", "minimum": -1, "maximum": 1},
        "choices": {"type": "object", "minProperties": 1, "propertyNames": {"pattern": SNAKE_ID},
                    "additionalProperties": {"type": ["string", "number", "boolean", "null"]}},
        "range": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
        "condition": {"$ref": "#/definitions/condition"},
        "then": {"$ref": "#/definitions/then"},
        "ids": {"type": "array", "minItems": 1, "items": snake},
        "idlist": {"$ref": "#/definitions/idlist"},
        "mapping": {"$ref": "#/definitions/answers"},
        # plans: what a table holds depends on its sizing; `kb check` checks it field by field
        "table": {"type": "object"},
        "templates": {"$ref": "#/definitions/templates"},
        "sentence": {"$ref": "#/definitions/sentence"},
        "numbersources": {"type": "array", "items": {
            "type": "object", "required": ["source", "about"], "additionalProperties": False,
            "properties": {"source": snake, "about": {"type": "string", "minLength": 1},
                           "numbers": {"type": "array", "items": {"type": "string"}}}}},
    }
    schema = dict(kinds[spec.kind])
    if spec.description:
        schema["description"] = spec.description
    return schema


# What the loader checks beyond single fields, said in JSON Schema so editors flag it too.
_ITEM_RULES: dict[str, dict[str, Any]] = {
    "questions": {"allOf": [
        {"if": {"properties": {"type": {"enum": ["choice", "multi"]}}, "required": ["type"]},
         "then": {"required": ["choices"]}, "else": {"not": {"required": ["choices"]}}},
        {"if": {"properties": {"type": {"const": "number"}}, "required": ["type"]},
         "else": {"allOf": [{"not": {"required": ["unit"]}}, {"not": {"required": ["range"]}}]}},
    ]},
    "rules": {
        "if": {"properties": {"then": {"required": ["triage"]}}, "required": ["then"]},
        "then": {"required": ["action"], "not": {"required": ["certainty"]}},
        "else": {"required": ["certainty"], "not": {"required": ["action"]}},
    },
    "remedies": {"anyOf": [
        {"oneOf": [{"required": ["cause"]}, {"required": ["causes"]}]},
        {"required": ["when"], "not": {"anyOf": [{"required": ["cause"]},
                                                {"required": ["causes"]}]}}]},
    "cases": {"anyOf": [{"required": [name]} for name in EXPECTATIONS]},
}


def _definitions() -> dict[str, Any]:
    scalar = {"type": ["string", "number", "boolean"]}
    values = {"type": "array", "minItems": 1, "items": scalar}
    number_or_relative = {"anyOf": [{"type": "number"}, {"$ref": "#/definitions/relative"}]}
    operators = {
        "in": values, "not": scalar, "not_in": values, "all": values,
        "count_ge": {"type": "integer", "minimum": 0}, "count_le": {"type": "integer", "minimum": 0},
        "gt": number_or_relative, "ge": number_or_relative, "lt": number_or_relative,
        "le": number_or_relative,
        "between": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
    }
    every_op = set(cond.SCALAR_OPS) | set(cond.NUMBER_OPS) | set(cond.MULTI_OPS)
    assert set(operators) == every_op, "keep the JSON Schema in step with conditions.py"
    operators = {op: dict(schema, description=OPERATOR_HELP[op])
                 for op, schema in operators.items()}
    id_or_ids = {"anyOf": [{"type": "string", "pattern": SNAKE_ID},
                           {"type": "array", "minItems": 1,
                            "items": {"type": "string", "pattern": SNAKE_ID}}]}
    definitions: dict[str, Any] = {
        "condition": {
            "description": "Every entry must hold: fact: value | fact: {operator: value} | "
                           "finding: ID | not_finding: ID | any: [condition, ...]",
            "type": "object", "minProperties": 1,
            "propertyNames": {"pattern": SNAKE_ID},
            "properties": {
                "any": {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/condition"},
                        "description": "At least one of these conditions holds"},
                "finding": dict(id_or_ids, description="These findings were concluded"),
                "not_finding": dict(id_or_ids, description="None of these findings holds"),
            },
            "additionalProperties": {"$ref": "#/definitions/test"},
        },
        "test": {"anyOf": [scalar, {"type": "object", "minProperties": 1,
                                    "additionalProperties": False, "properties": operators}]},
        "relative": {
            "description": "Another answer, scaled and shifted: fact x times + plus",
            "type": "object", "required": ["fact"], "additionalProperties": False,
            "properties": {"fact": {"type": "string", "pattern": SNAKE_ID},
                           "times": {"type": "number"}, "plus": {"type": "number"}},
        },
        "then": {
            "type": "object", "minProperties": 1, "maxProperties": 1,
            "additionalProperties": False,
            "properties": {"finding": {"type": "string", "pattern": SNAKE_ID},
                           "cause": {"type": "string", "pattern": SNAKE_ID},
                           "triage": {"enum": list(TRIAGE)}},
        },
        "idlist": {"anyOf": [{"type": "string", "minLength": 1},
                             {"type": "array", "minItems": 1, "items": {"type": "string"}}]},
        # plans: a sentence is a template or a list of alternatives; a text is a sentence, a
        # list of sentences, or a mapping of case -> either (crampdx.knowledge.plans)
        "sentence": {"anyOf": [{"type": "string", "minLength": 1},
                               {"type": "array", "minItems": 1,
                                "items": {"type": "string", "minLength": 1}}]},
        "sentences": {"anyOf": [{"$ref": "#/definitions/sentence"},
                                {"type": "array", "minItems": 1,
                                 "items": {"$ref": "#/definitions/sentence"}}]},
        "templates": {"anyOf": [{"$ref": "#/definitions/sentences"},
                                {"type": "object", "minProperties": 1,
                                 "additionalProperties": {"$ref": "#/definitions/sentences"}}]},
        "answers": {"type": "object", "additionalProperties": {"anyOf": [
            {"type": ["string", "number", "boolean", "null"]},
            {"type": "array", "items": {"type": "string"}}]}},
    }
    for kind, specs in KINDS.items():
        item: dict[str, Any] = {
            "description": KIND_HELP.get(kind, kind),
            "type": "object",
            "required": [spec.name for spec in specs if spec.required],
            "additionalProperties": False,
            "properties": {spec.name: _field_schema(spec) for spec in specs},
        }
        item.update(_ITEM_RULES.get(kind, {}))
        definitions[_item_definition(kind)] = item
    return definitions


def _item_definition(kind: str) -> str:
    """The definition name of one item of a kind; 'condition' is taken by the rule condition
    tree, so an item of `conditions` is a 'medical_condition'."""
    return "medical_condition" if kind == "conditions" else kind[:-1]


def json_schema(kind: str | None = None) -> dict[str, Any]:
    """The JSON Schema of a knowledge file: any kinds, or (with `kind`) a file of that kind."""
    kinds = [kind] if kind else list(KINDS)
    title = f"crampdx knowledge file: {kind}" if kind else "crampdx knowledge file"
    return {
        "$schema": DRAFT,
        "title": title,
        "description": "Generated by 'crampdx kb schema' from crampdx's knowledge schema; "
                       "'crampdx kb check' checks the rest (ids, references, cases).",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            name: {"description": KIND_HELP.get(name, name),
                   "type": ["array", "null"],
                   "items": {"$ref": f"#/definitions/{_item_definition(name)}"}}
            for name in kinds
        },
        "definitions": _definitions(),
    }


def json_schema_text(kind: str | None = None) -> str:
    return json.dumps(json_schema(kind), indent=2, ensure_ascii=False) + "\n"


def schema_files() -> dict[str, str]:
    """docs/schema/: one schema for any knowledge file, one per kind."""
    files = {SCHEMA_FILE: json_schema_text()}
    files.update({f"{kind}.schema.json": json_schema_text(kind) for kind in KINDS})
    return files


# -- conditions as text ----------------------------------------------------------------------

def describe_test(test: cond.FactTest) -> str:
    """One test as text, numbers as the author wrote them (4, not 4.0)."""
    def tidy(value: Any) -> Any:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, tuple):
            return tuple(tidy(item) for item in value)
        return value

    if test.kind == "number" and test.relative is None:
        test = msgspec.structs.replace(test, arg=tidy(test.arg))
    return test.describe()


def describe(condition: cond.Condition) -> str:
    """A condition as a reader would say it: `a = x and (b > 4 or finding c)`."""
    if isinstance(condition, cond.FactTest):
        return describe_test(condition)
    if isinstance(condition, cond.FindingTest):
        return f"not finding {condition.finding}" if condition.negated \
            else f"finding {condition.finding}"
    parts = [describe(part) for part in condition.parts]
    if isinstance(condition, cond.AllOf):
        return " and ".join(f"({part})" if " or " in part else part for part in parts)
    return " or ".join(parts)


# -- Markdown reference ----------------------------------------------------------------------

def display_path(kb: KnowledgeBase, origin: Origin) -> str:
    """A path that reads the same on every machine: the knowledge directory's name onwards."""
    path = Path(origin.path)
    for directory in sorted((Path(d) for d in kb.dirs), key=lambda d: -len(d.parts)):
        try:
            return (Path(directory.name) / path.relative_to(directory)).as_posix()
        except ValueError:
            continue
    return path.name


def _text(value: str) -> str:
    """Knowledge text (an overlay's too) read literally: no link, image, raw HTML or emphasis
    can come from it into the reference (crampdx.textsafe.markdown)."""
    return markdown_text(value, line_start=False)


def _cite(kb: KnowledgeBase, source_id: str) -> str:
    source = kb.sources.get(source_id)
    if source is None:
        return source_id
    return f"{_text(source.cite)} ({EVIDENCE_WORDS.get(source.evidence, source.evidence)})"


def _anchor(kind: str, item_id: str) -> str:
    return f'<a id="{kind}-{item_id}"></a>'


def _link(kind: str, item_id: str) -> str:
    return f"[`{item_id}`](#{kind}-{item_id})"


def markdown(kb: KnowledgeBase, *, case_count: int | None = None) -> str:
    """The knowledge reference: every question, finding, cause, rule, remedy and source."""
    uses: dict[str, list[str]] = {}
    for rule in kb.rules.values():
        for fact in sorted(cond.facts_of(rule.when)):
            uses.setdefault(fact, []).append(rule.id)
    finding_uses: dict[str, list[str]] = {}
    for rule in kb.rules.values():
        for finding in sorted(cond.findings_of(rule.when)):
            finding_uses.setdefault(finding, []).append(rule.id)
    out: list[str] = []
    add = out.append
    counts = [f"{len(kb.questions)} questions", f"{len(kb.findings)} findings",
              f"{len(kb.causes)} causes", f"{len(kb.rules)} rules",
              f"{len(kb.remedies)} remedies", f"{len(kb.plans)} plan items",
              f"{len(kb.conditions)} conditions",
              f"{len(kb.sources)} sources"]
    if case_count is not None:
        counts.append(f"{case_count} cases")
    add("# Knowledge reference\n")
    add("<!-- Generated by `crampdx kb docs --output docs/knowledge.md`; do not edit by hand: "
        "edit the YAML under knowledge/ and run it again. -->\n")
    add("Everything crampdx knows, generated from the YAML under `knowledge/` "
        f"({', '.join(counts)}). The format is described in "
        "[knowledge-format.md](knowledge-format.md); how to extend it in "
        "[authoring.md](authoring.md).\n")
    add("- [How the knowledge connects](#how-the-knowledge-connects)")
    for title in ("Questions", "Findings", "Causes", "Red flags", "Conditions", "Rules",
                  "Remedies", "Plan items", "Sources"):
        add(f"- [{title}](#{title.lower().replace(' ', '-')})")
    add("")
    add("## How the knowledge connects\n")
    add("Questions (rounded) feed findings (hexagons) and causes (boxes); red flags set the "
        "triage level. Dotted arrows are evidence against; crossed arrows read \"unless\". "
        "`crampdx kb graph --cause ID` draws the part behind one cause.\n")
    add("```mermaid")
    add(mermaid(kb).rstrip("\n"))
    add("```\n")

    add("## Questions\n")
    for section in kb.sections.values():
        questions = [q for q in kb.questions.values() if q.section == section.id]
        if not questions:
            continue
        add(f"### {_text(section.title)}\n")
        for question in questions:
            add(f"{_anchor('question', question.id)}")
            add(f"#### `{question.id}`\n")
            add(f"> {_text(question.ask)}\n")
            kind = question.type + (f", {question.unit}" if question.unit else "")
            if question.range:
                kind += f", {question.range[0]:g} to {question.range[1]:g}"
            add(f"- **Answer:** {kind}")
            if question.choices:
                add("- **Choices:** " + "; ".join(f"`{value}` {_text(label)}"
                                                  for value, label in question.choices.items()))
            if question.ask_if is not None:
                add(f"- **Asked if:** {describe(question.ask_if)}")
            add(f"- **Why it is asked:** {_text(question.help)}")
            users = uses.get(question.id, [])
            add("- **Used by:** " + (", ".join(_link("rule", r) for r in users) if users
                                     else "no rule"))
            add("")

    add("## Findings\n")
    add("Intermediate conclusions: a finding holds when its rules give it a certainty above "
        "0.2, and other rules build on it.\n")
    for finding in kb.findings.values():
        add(_anchor("finding", finding.id))
        add(f"### `{finding.id}`: {_text(finding.name)}\n")
        add(f"{_text(finding.description)}\n")
        if finding.picture:
            shown = " / ".join(_text(p) for p in finding.pictures or (finding.picture,))
            add(f"What kind of cramp, in the report: {shown}\n")
        producers = kb.rules_for("finding", finding.id)
        add("- **Concluded by:** " + (", ".join(_link("rule", r.id) for r in producers)
                                      or "no rule"))
        add("- **Used by:** " + (", ".join(_link("rule", r) for r in
                                           finding_uses.get(finding.id, [])) or "no rule"))
        add("")

    add("## Causes\n")
    for cause in kb.causes.values():
        add(_anchor("cause", cause.id))
        add(f"### `{cause.id}`: {_text(cause.name)}\n")
        add(f"{_text(cause.summary)}\n")
        if cause.role != "cause":
            add(f"Role: **{cause.role}** (see \"Ranking\" in docs/knowledge-format.md).\n")
        rules = sorted(kb.rules_for("cause", cause.id), key=lambda r: -r.certainty)
        for label, chosen in (("Evidence for", [r for r in rules if r.certainty > 0]),
                              ("Evidence against", [r for r in rules if r.certainty < 0])):
            if chosen:
                add(f"{label}:\n")
                for rule in chosen:
                    add(f"- {_link('rule', rule.id)} ({rule.certainty:+g}): "
                        f"{_text(rule.because)}")
                add("")
        remedies = [r for r in kb.remedies.values() if cause.id in r.causes]
        if remedies:
            add("Remedies: " + ", ".join(_link("remedy", r.id) for r in remedies) + "\n")
        plans = [p for p in kb.plans.values() if cause.id in p.causes]
        if plans:
            add("Plan items: " + ", ".join(_link("plan", p.id) for p in plans) + "\n")

    add("## Red flags\n")
    add("Triage rules: any one that fires sets the report's level; the highest level wins.\n")
    for level in reversed(TRIAGE):
        for rule in kb.rules_for("triage", level):
            suggests = f" (suggests {_link('condition', rule.condition)})" \
                if rule.condition else ""
            add(f"- **{level}**: {_link('rule', rule.id)}{suggests}: {describe(rule.when)}. "
                f"{_text(rule.action)}")
    add("")

    add("## Conditions\n")
    add("The medical conditions red flags suggest; an emergency's plan is only their return "
        "to running, and `clearance` holds training until a doctor clears the runner.\n")
    for condition in kb.conditions.values():
        add(_anchor("condition", condition.id))
        add(f"### `{condition.id}`: {_text(condition.name)}\n")
        add(f"{_text(condition.summary)}\n")
        flags = [_link("rule", r.id) for r in kb.rules.values() if r.condition == condition.id]
        add("- **Red flags:** " + (", ".join(flags) or "none"))
        if condition.return_to_running:
            add(f"- **Returning to running:** {_text(condition.return_to_running)} "
                f"({_link('source', condition.return_source)})")
        if condition.clearance:
            add("- **Training waits for a doctor's clearance.**")
        if condition.cause:
            add(f"- **Same as cause:** {_link('cause', condition.cause)}")
        if condition.superseded_by:
            add("- **Gives way to:** " + ", ".join(_link("condition", c)
                                                   for c in condition.superseded_by))
        add(f"- **Source:** {_link('source', condition.source)}: {_cite(kb, condition.source)}")
        add("")

    add("## Rules\n")
    by_file: dict[str, list[Rule]] = {}
    for rule in kb.rules.values():
        by_file.setdefault(display_path(kb, rule.origin), []).append(rule)
    for path, rules in by_file.items():
        add(f"### {path}\n")
        for rule in rules:
            add(_anchor("rule", rule.id))
            add(f"#### `{rule.id}`\n")
            add(f"- **When:** {describe(rule.when)}")
            if rule.then_kind == "triage":
                suggests = f" Suggests {_link('condition', rule.condition)}." \
                    if rule.condition else ""
                add(f"- **Then:** triage {rule.then}.{suggests} {_text(rule.action)}")
            else:
                add(f"- **Then:** {rule.then_kind} {_link(rule.then_kind, rule.then)}, "
                    f"certainty {rule.certainty:+g}")
            add(f"- **Because:** {_text(rule.because)}")
            add(f"- **Source:** {_link('source', rule.source)}: {_cite(kb, rule.source)}")
            add("")

    add("## Remedies\n")
    for remedy in kb.remedies.values():
        add(_anchor("remedy", remedy.id))
        add(f"### `{remedy.id}` ({remedy.kind})\n")
        add(f"{_text(remedy.text)}\n")
        add("- **For:** " + (", ".join(_link("cause", c) for c in remedy.causes)
                             or "every runner, when its condition holds"))
        if remedy.when is not None:
            add(f"- **Shown when:** {describe(remedy.when)}")
        if remedy.not_with:
            add("- **Not beside:** " + ", ".join(_link("condition", c) for c in remedy.not_with))
        if remedy.fits is not None:
            add(f"- **Only where it fits:** {describe(remedy.fits)}")
        add(f"- **Source:** {_link('source', remedy.source)}: {_cite(kb, remedy.source)}")
        add("")

    add("## Plan items\n")
    add("Pieces of the action plan whose numbers are sized to the athlete (by the named sizing "
        "in `crampdx.plan`); items without a cause are part of every plan.\n")
    for plan in kb.plans.values():
        add(_anchor("plan", plan.id))
        add(f"### `{plan.id}`: {_text(plan.title)} ({plan.kind})\n")
        add("- **For:** " + (", ".join(_link("cause", c) for c in plan.causes)
                             or "every plan"))
        add(f"- **Sized by:** `{plan.sizing}`")
        if plan.fits is not None:
            add(f"- **Only where it fits:** {describe(plan.fits)}")
        add(f"- **Source:** {_link('source', plan.source)}: {_cite(kb, plan.source)}")
        for entry in plan.sources:
            add(f"- **Numbers:** {_text(entry.about)}: {_link('source', entry.source)}")
        add("")

    add("## Sources\n")
    for source in kb.sources.values():
        cited = [_link("rule", r.id) for r in kb.rules.values() if r.source == source.id]
        cited += [_link("remedy", r.id) for r in kb.remedies.values() if r.source == source.id]
        cited += [_link("plan", p.id) for p in kb.plans.values() if p.source == source.id
                  or any(n.source == source.id for n in p.sources)]
        cited += [_link("condition", c.id) for c in kb.conditions.values()
                  if source.id in (c.source, c.return_source)]
        add(_anchor("source", source.id))
        add(f"- `{source.id}`: {_cite(kb, source.id)}. Cited by: "
            + (", ".join(cited) if cited else "nothing"))
    add("")
    return "\n".join(out).rstrip("\n") + "\n"


# -- Mermaid graph ---------------------------------------------------------------------------

def _label(text: str) -> str:
    return '"' + " ".join(text.replace('"', "#quot;").split()) + '"'


def mermaid(kb: KnowledgeBase, *, cause: str | None = None) -> str:
    """The question -> finding -> cause network as a Mermaid flowchart (GitHub renders it).

    With `cause`, only what can lead to that cause: its rules, their findings, their questions.
    """
    rules = list(kb.rules.values())
    if cause is not None:
        rules = _upstream(kb, cause)
    edges: dict[tuple[str, str], str] = {}
    nodes: dict[str, str] = {}
    for rule in rules:
        target = f"{rule.then_kind[0]}_{rule.then}"
        if rule.then_kind == "triage":
            nodes[target] = f"t_{rule.then}>{_label('triage: ' + rule.then)}]"
        elif rule.then_kind == "finding":
            nodes[target] = f"{target}{{{{{_label(kb.findings[rule.then].name)}}}}}"
        else:
            nodes[target] = f"{target}[{_label(kb.causes[rule.then].name)}]"
        against = rule.certainty < 0
        for fact in sorted(cond.facts_of(rule.when)):
            nodes[f"q_{fact}"] = f"q_{fact}([{_label(fact)}])"
            _edge(edges, f"q_{fact}", target, "-.->" if against else "-->")
        for finding in sorted(cond.findings_of(rule.when, negated=False)):
            nodes[f"f_{finding}"] = f"f_{finding}{{{{{_label(kb.findings[finding].name)}}}}}"
            _edge(edges, f"f_{finding}", target, "-.->" if against else "-->")
        for finding in sorted(cond.findings_of(rule.when, negated=True)):
            nodes[f"f_{finding}"] = f"f_{finding}{{{{{_label(kb.findings[finding].name)}}}}}"
            _edge(edges, f"f_{finding}", target, "--x")
    lines = ["flowchart LR"]
    order = {"q": 0, "f": 1, "c": 2, "t": 3}
    for node_id in sorted(nodes, key=lambda n: (order[n[0]], n)):
        lines.append(f"  {nodes[node_id]}")
    for (source, target), arrow in edges.items():
        lines.append(f"  {source} {arrow} {target}")
    lines += [
        "  classDef question fill:#eef,stroke:#557",
        "  classDef finding fill:#ffd,stroke:#996",
        "  classDef cause fill:#efe,stroke:#585",
        "  classDef triage fill:#fdd,stroke:#a44",
    ]
    for prefix, css in (("q", "question"), ("f", "finding"), ("c", "cause"), ("t", "triage")):
        members = sorted(n for n in nodes if n[0] == prefix)
        if members:
            lines.append(f"  class {','.join(members)} {css}")
    return "\n".join(lines) + "\n"


def _edge(edges: dict[tuple[str, str], str], source: str, target: str, arrow: str) -> None:
    """One arrow per pair; evidence for outranks "unless", which outranks evidence against."""
    rank = {"-->": 0, "--x": 1, "-.->": 2}
    current = edges.get((source, target))
    if current is None or rank[arrow] < rank[current]:
        edges[(source, target)] = arrow


def _upstream(kb: KnowledgeBase, cause: str) -> list[Rule]:
    wanted = {("cause", cause)}
    chosen: list[Rule] = []
    changed = True
    while changed:
        changed = False
        for rule in kb.rules.values():
            if (rule.then_kind, rule.then) in wanted and rule not in chosen:
                chosen.append(rule)
                changed = True
                wanted |= {("finding", f) for f in cond.findings_of(rule.when)}
    return [rule for rule in kb.rules.values() if rule in chosen]
