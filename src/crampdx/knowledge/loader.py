"""Read knowledge directories into a validated KnowledgeBase, with file:line:column problems.

Several directories stack: a later one (a coach's `--kb DIR`) adds items and overrides items of
the same kind and id from an earlier one (the shipped knowledge). The loader collects every
problem it can find rather than stopping at the first, so `kb check` can list them all;
`load_knowledge` raises the first one for commands that just need a working knowledge base.
Cases (`cases:`, the regression tests of the rules) are read and checked here too, so a typo in
one is pointed at like any other; running them is `crampdx.casework`'s job.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import msgspec

from crampdx.errors import CrampdxError, did_you_mean
from crampdx.knowledge import conditions as cond
from crampdx.knowledge.cases import Case, parse_case
from crampdx.knowledge.locate import (CASES_DIR, MAX_WALK_ENTRIES, WalkTooLarge,
                                      knowledge_files)
from crampdx.knowledge.plans import parse_plan
from crampdx.knowledge.model import (
    Cause,
    Finding,
    KnowledgeBase,
    MedicalCondition,
    Origin,
    Question,
    Remedy,
    Rule,
    Section,
    Notice,
    Source,
)
from crampdx.knowledge.schema import (
    KEBAB_KINDS,
    KINDS,
    RULE_ID,
    SNAKE_ID,
    THEN_KINDS,
    TRIAGE,
    FieldSpec,
)
from crampdx.textsafe import unsafe_characters
from crampdx.yamlio import LocatedDict, parse_yaml, read_text, shorten, type_name

# The largest shipped file is about 15 kB. Building Python objects from YAML runs at a few
# hundred kB a second on a slow machine, so a bigger limit would let one file stall every
# command that loads the knowledge; 500 kB leaves room for thirty times the largest.
MAX_KB_FILE_BYTES = 500_000
MAX_MESSAGE = 400


class UnreadableError(CrampdxError):
    """A knowledge directory or file that could not be read at all (missing, permissions,
    encoding, size), as opposed to one that was read and found wrong: `kb check` exits 2."""

    @classmethod
    def wrap(cls, error: CrampdxError) -> "UnreadableError":
        return cls(error.message, path=error.path, line=error.line, column=error.column)


class RawItem(msgspec.Struct):
    """One item as read, with the file it came from and the ones it overrode."""

    kind: str
    data: LocatedDict
    origin: Origin
    layer: int
    overrides: list[Origin] = msgspec.field(default_factory=list)


class LoadResult(msgspec.Struct):
    kb: KnowledgeBase
    problems: list[CrampdxError]
    raw: dict[str, dict[str, RawItem]]
    files: list[Path]
    cases: dict[str, Case] = msgspec.field(default_factory=dict)


class _Loader:
    def __init__(self, cases: bool = True) -> None:
        self.with_cases = cases
        self.problems: list[CrampdxError] = []
        self.raw: dict[str, dict[str, RawItem]] = {kind: {} for kind in KINDS}
        self.kb = KnowledgeBase()
        self.files: list[Path] = []
        self.cases: dict[str, Case] = {}

    # -- problems ---------------------------------------------------------------------------
    def problem(self, message: str, origin: Origin | str, data: Any = None, key: Any = None) -> None:
        path = origin.path if isinstance(origin, Origin) else origin
        line, column = (origin.line if isinstance(origin, Origin) else None), None
        if isinstance(data, (dict, list)) and hasattr(data, "position_of"):
            line, column = data.position_of(key) if key is not None else (data.line, data.column)
        self.problems.append(CrampdxError(one_line(message), path=path, line=line or None,
                                          column=column or None))

    def broken(self, kind: str, item_id: Any) -> bool:
        """Defined, but with a problem of its own (reported where it is defined): what refers
        to it is skipped quietly, so one bad override is one problem, not one per use."""
        return isinstance(item_id, str) and item_id in self.raw[kind]

    def refers_to_broken(self, message: str) -> bool:
        """A plan's or a case's "unknown question/cause/... 'x'" about a broken item."""
        match = _UNKNOWN_REFERENCE.match(message)
        return bool(match) and self.broken(match[1] + "s", match[2])

    # -- reading ----------------------------------------------------------------------------
    def read_dir(self, directory: Path, layer: int) -> None:
        if not directory.is_dir():
            what = "is a file, not a knowledge directory" if directory.exists() \
                else "no such knowledge directory"
            self.problems.append(UnreadableError(what, path=directory))
            return
        unlistable: list[OSError] = []
        try:
            files = knowledge_files(directory, cases=self.with_cases, unlistable=unlistable)
        except WalkTooLarge:
            self.problems.append(UnreadableError(
                f"more than {MAX_WALK_ENTRIES:,} files and folders under this directory: it is "
                "no knowledge directory (check --kb and CRAMPDX_KB)", path=directory))
            return
        except OSError as exc:
            self.problems.append(UnreadableError(
                f"cannot list the knowledge directory: {exc.strerror or exc}", path=directory))
            return
        unreadable = [UnreadableError(f"cannot list this folder of knowledge: "
                                      f"{error.strerror or error}", path=error.filename)
                      for error in unlistable]
        self.problems.extend(unreadable)
        if not files and not unreadable:
            self.problems.append(CrampdxError("no .yaml files in this knowledge directory",
                                              path=directory))
        for path in files:
            self.files.append(path)
            try:
                text = read_text(path, what="knowledge file", max_bytes=MAX_KB_FILE_BYTES)
            except CrampdxError as exc:
                self.problems.append(UnreadableError.wrap(exc))
                continue
            duplicates: list[CrampdxError] = []
            try:
                document = parse_yaml(text, path, duplicates, fast=True)
            except CrampdxError as exc:
                self.problems.append(exc)
                continue
            finally:
                self.problems.extend(duplicates)
            in_cases = path.relative_to(directory).parts[0] == CASES_DIR
            self.read_document(document, str(path), layer, in_cases)

    def read_document(self, document: Any, path: str, layer: int,
                      in_cases: bool = False) -> None:
        if document is None:
            return
        if not isinstance(document, dict):
            self.problem(f"a knowledge file is a mapping of kinds ({', '.join(KINDS)}), "
                         f"not {type_name(document)}", Origin(path, 1), document)
            return
        exact = [k for k in document if k in KINDS]
        close = [k for k in document if did_you_mean(str(k), KINDS)]
        if document and not exact and len(close) * 2 < len(document):  # misspelt kinds are few
            keys = ", ".join(str(k) for k in list(document)[:3])
            self.problem(f"not a knowledge file: its keys ({keys}...) are no kinds of knowledge "
                         f"({', '.join(KINDS)}); an answers file goes to 'crampdx debrief', "
                         "and --kb takes a directory of knowledge files",
                         Origin(path), document, next(iter(document)))
            return
        for kind, items in document.items():
            if kind not in KINDS:
                self.problem(f"unknown kind '{kind}'{did_you_mean(str(kind), KINDS)}; "
                             f"a file holds {', '.join(KINDS)}", Origin(path), document, kind)
                continue
            if items is None:
                continue
            if in_cases and kind != "cases":
                self.problem(f"a file under {CASES_DIR}/ holds cases only, not '{kind}': "
                             "debrief and the interview skip that directory; move them to "
                             "another file", Origin(path), document, kind)
                continue
            if not isinstance(items, list):
                self.problem(f"'{kind}' must be a list of items, not {type_name(items)}",
                             Origin(path), document, kind)
                continue
            for index, item in enumerate(items):
                line = items.position_of(index)[0]
                origin = Origin(path, line)
                if not isinstance(item, dict):
                    self.problem(f"each of '{kind}' must be a mapping, not {type_name(item)}",
                                 origin, items, index)
                    continue
                self.add_raw(kind, item, origin, layer)

    def check_text(self, data: Any, origin: Origin) -> None:
        """Knowledge text is shown in terminals, Markdown and HTML: a control character (ESC
        starts terminal commands), a bidi override (reorders what a line says) or a line
        separator cannot be shown as written, so `kb check` refuses it where it is."""
        stack = [data]
        while stack:
            node = stack.pop()
            pairs = node.items() if isinstance(node, dict) else enumerate(node)
            for key, value in pairs:
                if isinstance(value, (dict, list)):
                    stack.append(value)
                    continue
                for text in (key, value):
                    if isinstance(text, str) and (found := unsafe_characters(text)):
                        self.problem(f"text holds {', '.join(found)}: control or bidi "
                                     "characters cannot be shown as written; delete them",
                                     origin, node, key)
                        break

    def add_raw(self, kind: str, item: LocatedDict, origin: Origin, layer: int) -> None:
        self.check_text(item, origin)
        item_id = item.get("id")
        if not isinstance(item_id, str) or not item_id:
            self.problem(f"each of '{kind}' needs an 'id' (text)", origin, item,
                         "id" if "id" in item else None)
            return
        pattern = RULE_ID if kind in KEBAB_KINDS else SNAKE_ID
        if not re.fullmatch(pattern, item_id):
            style = "kebab-case" if kind in KEBAB_KINDS else "snake_case"
            self.problem(f"id '{shorten(item_id)}' must be {style} (lowercase letters, digits"
                         f"{', - and _' if style == 'kebab-case' else ' and _'})",
                         origin, item, "id")
            # keep checking the item: its other mistakes show now, not after the rename, and
            # what refers to it is not blamed for a missing item
        if kind == "questions" and item_id in cond.RESERVED:
            self.problem(f"'{item_id}' is reserved in conditions; choose another question id",
                         origin, item, "id")
            return
        previous = self.raw[kind].get(item_id)
        if previous is not None and previous.layer == layer:
            self.problem(f"duplicate {kind[:-1]} id '{item_id}' (first defined at "
                         f"{previous.origin})", origin, item, "id")
            return
        raw = RawItem(kind, item, origin, layer)
        if previous is not None:
            raw.overrides = previous.overrides + [previous.origin]
            del self.raw[kind][item_id]  # an override takes the newer file's place in the order
        self.raw[kind][item_id] = raw

    # -- fields -----------------------------------------------------------------------------
    def fields(self, raw: RawItem) -> dict[str, Any] | None:
        """Check field names, presence and basic types; None if the item is unusable."""
        specs = {spec.name: spec for spec in KINDS[raw.kind]}
        data, ok = raw.data, True
        for key in data:
            if key not in specs:
                self.problem(f"unknown field '{key}' in {raw.kind[:-1]} '{data['id']}'"
                             f"{did_you_mean(str(key), specs)}; allowed: {', '.join(specs)}",
                             raw.origin, data, key)
                ok = False
        for spec in specs.values():
            if spec.name not in data:
                if spec.required:
                    self.problem(f"{raw.kind[:-1]} '{data['id']}' needs '{spec.name}'"
                                 + (f" ({spec.description})" if spec.description else ""),
                                 raw.origin, data)
                    ok = False
                continue
            ok = self.check_field(raw, spec) and ok
        return dict(data) if ok else None

    def check_field(self, raw: RawItem, spec: FieldSpec) -> bool:
        value = raw.data[spec.name]
        where = f"'{spec.name}' of {raw.kind[:-1]} '{raw.data['id']}'"
        if spec.kind in ("text", "ref", "id", "rule_id") and not (isinstance(value, str)
                                                                    and value.strip()):
            wrong = "blank" if isinstance(value, str) else type_name(value)
            self.problem(f"{where} must be text, not {wrong}", raw.origin, raw.data, spec.name)
            return False
        if spec.kind == "sentence":
            options = value if isinstance(value, list) else [value]
            if not options or not all(isinstance(o, str) and o.strip() for o in options):
                self.problem(f"{where} must be text or a list of texts (alternatives)",
                             raw.origin, raw.data, spec.name)
                return False
            from crampdx.knowledge.model import PICTURE_PLACEHOLDERS
            from crampdx.knowledge.plans import placeholders_of, template_problem

            allowed = frozenset(PICTURE_PLACEHOLDERS)
            for option in options:
                problem = template_problem(option, allowed)
                if problem:
                    self.problem(f"{where}: {problem}", raw.origin, raw.data, spec.name)
                    return False
            if placeholders_of(options[-1]):
                self.problem(f"{where}: the last alternative is shown when nothing else fits, "
                             "so it may have no {placeholders}", raw.origin, raw.data, spec.name)
                return False
        if spec.kind == "bool" and not isinstance(value, bool):
            self.problem(f"{where} must be true or false, not {shorten(value)}",
                         raw.origin, raw.data, spec.name)
            return False
        if spec.kind == "enum" and (not isinstance(value, str) or value not in spec.values):
            self.problem(f"{where} is '{shorten(value)}'{did_you_mean(str(value), spec.values)}; "
                         f"use one of: {', '.join(spec.values)}", raw.origin, raw.data, spec.name)
            return False
        if spec.kind == "certainty" and (not _is_number(value) or not -1 <= value <= 1):
            self.problem(f"{where} must be a number from -1 to 1, not {shorten(value)}",
                         raw.origin, raw.data, spec.name)
            return False
        if spec.kind == "ids" and not (isinstance(value, list) and value
                                       and all(isinstance(v, str) for v in value)):
            self.problem(f"{where} must be a list of ids", raw.origin, raw.data, spec.name)
            return False
        if spec.kind == "idlist" and not (isinstance(value, str) and value.strip()) \
                and not (isinstance(value, list) and value
                         and all(isinstance(v, str) for v in value)):
            self.problem(f"{where} must be an id or a list of ids, not {type_name(value)}",
                         raw.origin, raw.data, spec.name)
            return False
        if spec.kind == "mapping" and not isinstance(value, dict):
            self.problem(f"{where} must be a mapping (question id: answer), not "
                         f"{type_name(value)}", raw.origin, raw.data, spec.name)
            return False
        return True

    # -- kinds ------------------------------------------------------------------------------
    def build(self) -> None:
        kb = self.kb
        for raw in self.raw["sections"].values():
            if (data := self.fields(raw)) is not None:
                kb.sections[data["id"]] = Section(data["id"], data["title"].strip(), raw.origin)
        for raw in self.raw["sources"].values():
            if (data := self.fields(raw)) is not None:
                kb.sources[data["id"]] = Source(data["id"], data["cite"].strip(),
                                                data["evidence"], raw.origin,
                                                str(data.get("short", "")).strip())
        for raw in self.raw["notices"].values():
            if (data := self.fields(raw)) is not None:
                kb.notices[data["id"]] = Notice(data["id"], data["title"].strip(),
                                                data["text"].strip(), raw.origin,
                                                tuple(data.get("claims", ())))
        for raw in self.raw["findings"].values():
            if (data := self.fields(raw)) is not None:
                picture = data.get("picture", "")
                pictures = tuple(" ".join(str(p).split()) for p in picture) \
                    if isinstance(picture, list) else ()
                # the text shown when no alternative fits: without placeholders (checked
                # above), so only its {{ and }} to read as the braces the report shows
                shown = (pictures[-1] if pictures else str(picture).strip()) \
                    .replace("{{", "{").replace("}}", "}")
                kb.findings[data["id"]] = Finding(data["id"], data["name"].strip(),
                                                  data["description"].strip(), raw.origin,
                                                  shown, tuple(data.get("claims", ())),
                                                  pictures)
        for raw in self.raw["causes"].values():
            if (data := self.fields(raw)) is not None:
                kb.causes[data["id"]] = Cause(data["id"], data["name"].strip(),
                                              data["summary"].strip(), raw.origin,
                                              data.get("role", "cause"),
                                              tuple(data.get("claims", ())))
        for raw in self.raw["conditions"].values():
            self.build_condition(raw)
        for raw in self.raw["questions"].values():
            self.build_question(raw)
        from crampdx.derived import READ_TYPES

        for raw in self.raw["questions"].values():
            question = kb.questions.get(raw.data["id"])
            expected = READ_TYPES.get(question.id) if question is not None else None
            if expected is not None and (question.type, question.unit if expected[1] else None) \
                    != expected:  # type: ignore[union-attr]
                kind = {"bool": "yes/no"}.get(expected[0], expected[0]) + " question" \
                    + (f" in {expected[1]}" if expected[1] else "")
                self.problem(f"question '{question.id}' must stay a {kind}: crampdx "
                             "computes the pace, the race time and the report's pictures from "
                             "it (an overlay may reword it, not change its type)",
                             raw.origin, raw.data, "type")
            if question is not None and question.not_above is not None:
                other = kb.questions.get(question.not_above)
                if other is None or other.type != "number" or question.type != "number" \
                        or other.unit != question.unit:
                    self.problem(f"question '{question.id}': 'not_above' names "
                                 f"'{question.not_above}', which must be a number question in "
                                 f"the same unit{did_you_mean(question.not_above, kb.questions)}",
                                 raw.origin, raw.data, "not_above")
            if question is not None and "ask_if" in raw.data:
                ask_if = self.condition(raw, "ask_if", allow_findings=False)
                kb.questions[question.id] = msgspec.structs.replace(question, ask_if=ask_if)
        for raw in self.raw["rules"].values():
            self.build_rule(raw)
        for raw in self.raw["remedies"].values():
            self.build_remedy(raw)
        for raw in self.raw["plans"].values():
            self.build_plan(raw)
        self.check_finding_cycles()
        if self.with_cases:
            for raw in self.raw["cases"].values():
                self.build_case(raw)

    def build_condition(self, raw: RawItem) -> None:
        data = self.fields(raw)
        if data is None:
            return
        cid, item = data["id"], raw.data
        for key in ("source", "return_source"):
            if key in data and data[key] not in self.kb.sources:
                self.problem(f"condition '{cid}': unknown source '{data[key]}'"
                             f"{did_you_mean(data[key], self.kb.sources)}", raw.origin, item, key)
        if "cause" in data and data["cause"] not in self.kb.causes:
            self.problem(f"condition '{cid}': unknown cause '{data['cause']}'"
                         f"{did_you_mean(data['cause'], self.kb.causes)}", raw.origin, item,
                         "cause")
        milder = data.get("milder_form_of", "")
        if milder and milder not in self.raw["conditions"]:
            self.problem(f"condition '{cid}': 'milder_form_of' names unknown condition "
                         f"'{shorten(milder)}'{did_you_mean(milder, self.raw['conditions'])}",
                         raw.origin, item, "milder_form_of")
            milder = ""
        superseded_by = tuple(data.get("superseded_by", ()))
        for other in superseded_by:
            if other not in self.raw["conditions"]:
                self.problem(f"condition '{cid}': 'superseded_by' names unknown condition "
                             f"'{shorten(other)}'{did_you_mean(other, self.raw['conditions'])}",
                             raw.origin, item, "superseded_by")
        superseded_by = tuple(o for o in superseded_by if o in self.raw["conditions"])
        self.kb.conditions[cid] = MedicalCondition(
            cid, data["name"].strip(), data["summary"].strip(), data["source"], raw.origin,
            return_to_running=str(data.get("return_to_running", "")).strip(),
            return_source=data.get("return_source", data["source"]),
            clearance=bool(data.get("clearance", False)), cause=data.get("cause", ""),
            milder_form_of=milder, superseded_by=superseded_by)

    def not_with(self, raw: RawItem, data: dict[str, Any]) -> tuple[str, ...]:
        """The `not_with` condition ids of a remedy or plan item, each checked."""
        ids = tuple(data.get("not_with", ()))
        for cid in ids:
            if cid not in self.kb.conditions:
                self.problem(f"{raw.kind[:-1]} '{data['id']}': 'not_with' names unknown "
                             f"condition '{shorten(cid)}'{did_you_mean(cid, self.kb.conditions)}",
                             raw.origin, raw.data, "not_with")
        return tuple(cid for cid in ids if cid in self.kb.conditions)

    def build_question(self, raw: RawItem) -> None:
        data = self.fields(raw)
        if data is None:
            return
        qid, qtype, item = data["id"], data["type"], raw.data
        if data["section"] not in self.kb.sections \
                and not self.broken("sections", data["section"]):
            self.problem(f"question '{qid}': unknown section '{data['section']}'"
                         f"{did_you_mean(data['section'], self.kb.sections)}",
                         raw.origin, item, "section")
        choices: dict[str, str] = {}
        if qtype in ("choice", "multi"):
            raw_choices = data.get("choices")
            if not isinstance(raw_choices, dict) or not raw_choices:
                self.problem(f"question '{qid}' is a {qtype}: give 'choices' as a mapping of "
                             "value -> label", raw.origin, item, "choices" if raw_choices else None)
                return
            for value, label in raw_choices.items():
                if not isinstance(value, str) or not re.fullmatch(SNAKE_ID, value):
                    self.problem(f"question '{qid}': choice value {shorten(value)} must be "
                                 "snake_case text", raw.origin, raw_choices, value)
                    return
                if isinstance(label, (dict, list)):
                    self.problem(f"question '{qid}': the label of choice '{value}' must be text, "
                                 f"not {type_name(label)}", raw.origin, raw_choices, value)
                    return
                choices[value] = str(label) if label is not None else value
        elif "choices" in data:
            self.problem(f"question '{qid}' is a {qtype}: 'choices' only belong to choice and "
                         "multi questions", raw.origin, item, "choices")
        unit = data.get("unit")
        bounds = None
        if qtype == "number":
            raw_range = data.get("range")
            if raw_range is not None:
                if not (isinstance(raw_range, list) and len(raw_range) == 2
                        and all(_is_number(v) for v in raw_range) and raw_range[0] <= raw_range[1]):
                    self.problem(f"question '{qid}': 'range' must be [min, max] numbers, "
                                 f"min <= max, not {shorten(raw_range)}", raw.origin, item,
                                 "range")
                    return
                bounds = (float(raw_range[0]), float(raw_range[1]))
        else:
            for key in ("unit", "range"):
                if key in data:
                    self.problem(f"question '{qid}' is a {qtype}: '{key}' only belongs to number "
                                 "questions", raw.origin, item, key)
        self.kb.questions[qid] = Question(
            id=qid, section=data["section"], ask=data["ask"].strip(), type=qtype,
            help=data["help"].strip(), origin=raw.origin, choices=choices, unit=unit,
            range=bounds, not_above=data.get("not_above"),
            warns=str(data.get("warns", "")).strip(), short=str(data.get("short", "")).strip())

    def build_rule(self, raw: RawItem) -> None:
        data = self.fields(raw)
        if data is None:
            return
        rid, item = data["id"], raw.data
        then = data["then"]
        if not (isinstance(then, dict) and len(then) == 1):
            self.problem(f"rule '{rid}': 'then' must be one of {{finding: ID}}, {{cause: ID}} or "
                         f"{{triage: LEVEL}}", raw.origin, item, "then")
            return
        (then_kind, target), = then.items()
        if not isinstance(target, str):
            self.problem(f"rule '{rid}': 'then' names one {then_kind} id, not "
                         f"{type_name(target)}", raw.origin, then, then_kind)
            return
        if then_kind not in THEN_KINDS:
            self.problem(f"rule '{rid}': 'then' concludes '{then_kind}'"
                         f"{did_you_mean(str(then_kind), THEN_KINDS)}; use finding, cause or "
                         "triage", raw.origin, then, then_kind)
            return
        known = {"finding": self.kb.findings, "cause": self.kb.causes,
                 "triage": dict.fromkeys(TRIAGE)}[then_kind]
        if target not in known and then_kind != "triage" \
                and self.broken(f"{then_kind}s", target):
            return
        if target not in known:
            self.problem(f"rule '{rid}' concludes unknown {then_kind} '{target}'"
                         f"{did_you_mean(str(target), known)}", raw.origin, then, then_kind)
            return
        if then_kind == "triage":
            if "certainty" in data:
                self.problem(f"rule '{rid}': triage rules have no certainty; a red flag either "
                             "shows or not", raw.origin, item, "certainty")
            if not data.get("action"):
                self.problem(f"rule '{rid}': a triage rule needs 'action' (what to do now)",
                             raw.origin, item)
            if "condition" in data and data["condition"] not in self.kb.conditions:
                self.problem(f"rule '{rid}': unknown condition '{data['condition']}'"
                             f"{did_you_mean(data['condition'], self.kb.conditions)}; "
                             "conditions are listed under 'conditions:'",
                             raw.origin, item, "condition")
        else:
            if "condition" in data:
                self.problem(f"rule '{rid}': 'condition' belongs to triage rules only",
                             raw.origin, item, "condition")
            if "certainty" not in data:
                self.problem(f"rule '{rid}' needs 'certainty' (a number from -1 to 1)",
                             raw.origin, item)
                return
            if "action" in data:
                self.problem(f"rule '{rid}': 'action' belongs to triage rules only",
                             raw.origin, item, "action")
        if data["source"] not in self.kb.sources and not self.broken("sources", data["source"]):
            self.problem(f"rule '{rid}': unknown source '{data['source']}'"
                         f"{did_you_mean(data['source'], self.kb.sources)}",
                         raw.origin, item, "source")
        when = self.condition(raw, "when", allow_findings=True)
        if when is None:
            return
        if then_kind == "finding" and target in cond.findings_of(when):
            self.problem(f"rule '{rid}' concludes finding '{target}' from itself",
                         raw.origin, item, "when")
            return
        self.kb.rules[rid] = Rule(
            id=rid, when=when, then_kind=then_kind, then=target, because=data["because"].strip(),
            source=data["source"], origin=raw.origin,
            certainty=float(data.get("certainty", 1.0)), action=str(data.get("action", "")).strip(),
            condition=data.get("condition", "") if data.get("condition") in self.kb.conditions
            else "", claims=tuple(data.get("claims", ())))

    def build_case(self, raw: RawItem) -> None:
        data = self.fields(raw)
        if data is None:
            return

        def report(message: str, where: Any, key: Any = None) -> None:
            if not self.refers_to_broken(message):
                self.problem(f"case '{data['id']}': {message}", raw.origin, where, key)

        case = parse_case(raw.data, raw.origin, self.kb, self.raw, report)
        if case is not None:
            self.cases[case.id] = case

    def build_plan(self, raw: RawItem) -> None:
        data = self.fields(raw)
        if data is None:
            return

        def report(message: str, where: Any, key: Any = None) -> None:
            if not self.refers_to_broken(message):
                self.problem(f"plan '{data['id']}': {message}", raw.origin, where, key)

        plan = parse_plan(raw.data, raw.origin, self.kb, report)
        not_with = self.not_with(raw, data)
        if plan is not None:
            if not_with:
                plan = msgspec.structs.replace(plan, not_with=not_with)
            if "fits" in data:
                plan = msgspec.structs.replace(
                    plan, fits=self.condition(raw, "fits", allow_findings=False))
            self.kb.plans[plan.id] = plan

    def build_remedy(self, raw: RawItem) -> None:
        data = self.fields(raw)
        if data is None:
            return
        rid, item = data["id"], raw.data
        if "cause" in data and "causes" in data \
                or ("cause" not in data and "causes" not in data and "when" not in data):
            self.problem(f"remedy '{rid}' needs either 'cause' or 'causes' (or only 'when')",
                         raw.origin, item)
            return
        causes = tuple(data["causes"]) if "causes" in data else \
            (data["cause"],) if "cause" in data else ()
        for cause in causes:
            if cause not in self.kb.causes and self.broken("causes", cause):
                return
            if cause not in self.kb.causes:
                self.problem(f"remedy '{rid}': unknown cause '{cause}'"
                             f"{did_you_mean(cause, self.kb.causes)}", raw.origin, item,
                             "causes" if "causes" in data else "cause")
                return
        if data["source"] not in self.kb.sources and not self.broken("sources", data["source"]):
            self.problem(f"remedy '{rid}': unknown source '{data['source']}'"
                         f"{did_you_mean(data['source'], self.kb.sources)}",
                         raw.origin, item, "source")
        when = None
        if "when" in data:
            when = self.condition(raw, "when", allow_findings=True)
            if when is None:
                return
        fits = self.condition(raw, "fits", allow_findings=False) if "fits" in data else None
        self.kb.remedies[rid] = Remedy(rid, causes, data["kind"], data["text"].strip(),
                                       data["source"], raw.origin, when=when,
                                       not_with=self.not_with(raw, data), fits=fits,
                                       claims=tuple(data.get("claims", ())))

    # -- conditions -------------------------------------------------------------------------
    def condition(self, raw: RawItem, key: str, *, allow_findings: bool) -> cond.Condition | None:
        parser = _ConditionParser(self, raw, allow_findings)
        return parser.parse(raw.data[key], raw.data, key)

    def check_finding_cycles(self) -> None:
        """Findings must form a DAG: the engine fires producers before consumers."""
        uses: dict[str, set[str]] = {}
        for rule in self.kb.rules.values():
            if rule.then_kind == "finding":
                uses.setdefault(rule.then, set()).update(cond.findings_of(rule.when))
        state: dict[str, int] = {}

        def visit(node: str, trail: list[str]) -> None:
            state[node] = 1
            for nxt in sorted(uses.get(node, ())):
                if state.get(nxt) == 1:
                    cycle = trail[trail.index(nxt):] + [nxt] if nxt in trail else [node, nxt]
                    rule = next(r for r in self.kb.rules.values()
                                if r.then == node and nxt in cond.findings_of(r.when))
                    self.problem("findings depend on each other in a cycle: "
                                 + " <- ".join(cycle) + f" (rule '{rule.id}')", rule.origin)
                    for cycle_rule in [r for r in self.kb.rules.values()
                                       if r.then_kind == "finding" and r.then in cycle]:
                        self.kb.rules.pop(cycle_rule.id, None)
                elif state.get(nxt) is None:
                    visit(nxt, trail + [nxt])
            state[node] = 2

        for finding in sorted(uses):
            if finding not in state:
                visit(finding, [finding])


_UNKNOWN_REFERENCE = re.compile(
    r"unknown (question|cause|source|finding|section|rule|remedy) '([^']*)'")


class _ConditionParser:
    """Turns a YAML condition into a Condition tree, checking it against the questions."""

    def __init__(self, loader: _Loader, raw: RawItem, allow_findings: bool) -> None:
        self.loader, self.raw, self.allow_findings = loader, raw, allow_findings
        self.ok = True
        singular = "remedy" if raw.kind == "remedies" else raw.kind[:-1]
        self.owner = f"{singular} '{raw.data['id']}'"

    def fail(self, message: str, data: Any, key: Any) -> None:
        self.ok = False
        self.loader.problem(f"{self.owner}: {message}", self.raw.origin, data, key)

    def parse(self, value: Any, parent: Any, key: Any) -> cond.Condition | None:
        result = self.mapping(value, parent, key)
        return result if self.ok else None

    def mapping(self, value: Any, parent: Any, key: Any) -> cond.Condition | None:
        if not isinstance(value, dict) or not value:
            self.fail(f"a condition is a non-empty mapping of fact: test, not "
                      f"{type_name(value)}", parent, key)
            return None
        parts: list[cond.Condition] = []
        questions = self.loader.kb.questions
        for fact, test in value.items():
            if fact == "any":
                if not isinstance(test, list) or not test:
                    self.fail("'any' takes a list of conditions", value, fact)
                    continue
                alternatives = [self.mapping(item, test, index) for index, item in enumerate(test)]
                if all(alternatives):
                    parts.append(cond.AnyOf(tuple(alternatives)))  # type: ignore[arg-type]
            elif fact in ("finding", "not_finding"):
                parts.extend(self.findings(fact, test, value))
            elif fact in questions:
                parts.extend(self.fact_tests(questions[fact], test, value, fact))
            elif self.loader.broken("questions", fact):
                self.ok = False
            else:
                hint = did_you_mean(str(fact), list(questions) + list(cond.RESERVED))
                self.fail(f"unknown fact '{fact}'{hint}", value, fact)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else cond.AllOf(tuple(parts))

    def findings(self, key: str, test: Any, parent: Any) -> list[cond.FindingTest]:
        if not self.allow_findings:
            self.fail(f"'{key}' cannot be used here: only answers are known at this point",
                      parent, key)
            return []
        ids = test if isinstance(test, list) else [test]
        if not ids or not all(isinstance(i, str) for i in ids):
            self.fail(f"'{key}' takes a finding id or a list of them", parent, key)
            return []
        findings = self.loader.kb.findings
        result = []
        for finding in ids:
            if finding not in findings and self.loader.broken("findings", finding):
                self.ok = False
            elif finding not in findings:
                self.fail(f"unknown finding '{finding}'{did_you_mean(finding, findings)}",
                          parent, key)
            else:
                result.append(cond.FindingTest(finding, negated=key == "not_finding"))
        return result

    def fact_tests(self, question: Question, test: Any, parent: Any,
                   key: str) -> list[cond.FactTest]:
        qtype = question.type
        if not isinstance(test, dict):
            value = self.value(question, test, parent, key)
            return [] if value is _BAD else [cond.FactTest(question.id, qtype, "eq", value)]
        allowed = {"number": cond.NUMBER_OPS, "multi": cond.MULTI_OPS}.get(qtype, cond.SCALAR_OPS)
        if not test:
            self.fail(f"empty test for '{question.id}'", parent, key)
        result = []
        for op, arg in test.items():
            if op not in allowed:
                explain = (f"'{op}' compares numbers; {question.id} is a {qtype}"
                           if op in ("gt", "ge", "lt", "le", "between")
                           else f"unknown operator '{op}' for {question.id}"
                           f"{_operator_hint(str(op), allowed)}")
                self.fail(f"{explain} (a {qtype} takes: {', '.join(allowed)})", test, op)
                continue
            parsed = self.argument(question, op, arg, test)
            if parsed is not _BAD:
                result.append(cond.FactTest(question.id, qtype, op, parsed))
        return result

    def argument(self, question: Question, op: str, arg: Any, parent: Any) -> Any:
        if op in ("in", "not_in", "all"):
            if not isinstance(arg, list) or not arg:
                self.fail(f"'{op}' takes a list of values", parent, op)
                return _BAD
            values = [self.value(question, item, arg, index) for index, item in enumerate(arg)]
            return _BAD if _BAD in values else tuple(values)
        if op in ("count_ge", "count_le"):
            if not isinstance(arg, int) or isinstance(arg, bool) or arg < 0:
                self.fail(f"'{op}' takes a whole number >= 0", parent, op)
                return _BAD
            return arg
        if op == "between":
            if not (isinstance(arg, list) and len(arg) == 2 and all(_is_number(v) for v in arg)
                    and arg[0] <= arg[1]):
                self.fail("'between' takes [low, high] numbers", parent, op)
                return _BAD
            return (float(arg[0]), float(arg[1]))
        if op in ("gt", "ge", "lt", "le") and isinstance(arg, dict):
            return self.relative(question, arg, parent, op)
        return self.value(question, arg, parent, op)

    def relative(self, question: Question, arg: dict, parent: Any, op: str) -> Any:
        unknown = set(arg) - {"fact", "times", "plus"}
        if unknown:
            name = sorted(unknown)[0]
            self.fail(f"unknown key '{name}' in a comparison"
                      f"{did_you_mean(str(name), ['fact', 'times', 'plus'])}; use fact, times, plus",
                      arg, name)
            return _BAD
        fact = arg.get("fact")
        other = self.loader.kb.questions.get(fact) if isinstance(fact, str) else None
        if other is None:
            self.fail(f"'{op}' compares with unknown fact '{shorten(fact)}'"
                      f"{did_you_mean(str(arg.get('fact')), self.loader.kb.questions)}",
                      arg, "fact" if "fact" in arg else None)
            return _BAD
        if other.type != "number":
            self.fail(f"'{op}' compares numbers; {other.id} is a {other.type}", arg, "fact")
            return _BAD
        times, plus = arg.get("times", 1), arg.get("plus", 0)
        if not (_is_number(times) and _is_number(plus)):
            self.fail("'times' and 'plus' must be numbers", arg, "times")
            return _BAD
        return cond.Relative(other.id, float(times), float(plus))

    def value(self, question: Question, value: Any, parent: Any, key: Any) -> Any:
        qtype = question.type
        if qtype == "bool":
            if isinstance(value, bool):
                return value
            self.fail(f"{question.id} is true/false, not {shorten(value)}", parent, key)
        elif qtype == "number":
            if _is_number(value):
                return float(value)
            self.fail(f"{question.id} is a number, not {type_name(value)}", parent, key)
        else:
            if isinstance(value, str) and value in question.choices:
                return value
            self.fail(f"'{shorten(value)}' is not a choice of {question.id}"
                      f"{did_you_mean(str(value), question.choices)}; choices: "
                      f"{', '.join(question.choices)}", parent, key)
        return _BAD


_BAD = object()

# How authors spell operators from other languages, for the did-you-mean.
_OPERATOR_SYNONYMS = {
    "less_than": "lt", "lower_than": "lt", "below": "lt", "greater_than": "gt", "more_than": "gt",
    "above": "gt", "over": "gt", "under": "lt", "lte": "le", "gte": "ge", "at_least": "ge",
    "at_most": "le", "min": "ge", "max": "le", "eq": "a plain value", "equals": "a plain value",
    "is": "a plain value", "ne": "not", "not_equal": "not", "one_of": "in", "any_of": "in",
    "contains": "a plain value", "has": "a plain value", "none_of": "not_in", "all_of": "all",
    "range": "between",
}


def _operator_hint(op: str, allowed: tuple[str, ...]) -> str:
    meant = _OPERATOR_SYNONYMS.get(op.lower())
    if meant is not None and (meant in allowed or meant == "a plain value"):
        return f" (did you mean {meant if meant == 'a plain value' else repr(meant)}?)"
    return did_you_mean(op, allowed)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value \
        and abs(value) != float("inf")


def one_line(message: str) -> str:
    """Problems print one per line: no newline from a user's value may split one."""
    text = " ".join(message.split())
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE - 3] + "..."


def read_knowledge(dirs: list[Path], *, cases: bool = True) -> LoadResult:
    """Read and validate knowledge directories, collecting every problem; without `cases`,
    the cases/ directories are not read (a diagnosis never needs them)."""
    loader = _Loader(cases)
    for layer, directory in enumerate(dirs):
        loader.read_dir(Path(directory), layer)
    loader.kb.dirs = tuple(str(d) for d in dirs)
    loader.build()
    return LoadResult(loader.kb, loader.problems, loader.raw, loader.files, loader.cases)


def load_knowledge(dirs: list[Path]) -> KnowledgeBase:
    """A knowledge base ready to use, or a CrampdxError naming the first problem; read and
    validated every time (`crampdx.knowledge.load_knowledge` goes through the cache)."""
    result = read_knowledge(dirs, cases=False)
    if result.problems:
        first = result.problems[0]
        more = len(result.problems) - 1
        if more:
            first.message += f" (and {more} more problem{'s' if more > 1 else ''}: " \
                             "run 'crampdx kb check')"
        raise first
    return result.kb
