"""No knowledge file, however broken, ends in a traceback or a hang.

Hypothesis throws generated YAML at the loader, the checker, the case runner and `kb check`:
random text, random YAML documents over crampdx's own vocabulary, and mutations of a valid
knowledge base (a field replaced, removed or renamed, anywhere). Every outcome must be either a
clean knowledge base or a list of one-line `path:line:column: message` problems.

The suite runs a small, fixed set of examples so it stays fast and repeatable; for a deep,
random search run `CRAMPDX_PROPERTY_SCALE=50 pytest tests/test_kb_properties.py`.
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
import os
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crampdx.errors import CrampdxError
from crampdx.knowledge import conditions as cond
from crampdx.knowledge.lint import lint
from crampdx.knowledge.loader import read_knowledge
from crampdx.knowledge.schema import KINDS
from crampdx.yamlio import parse_yaml

BASE = Path(__file__).parent / "fixtures" / "kb_base"
BASE_DATA = yaml.safe_load((BASE / "kb.yaml").read_text())
BASE_CASES = yaml.safe_load((BASE / "cases" / "cases.yaml").read_text())
WORKDIR = Path(tempfile.mkdtemp(prefix="crampdx-props-"))
FILE = WORKDIR / "generated.yaml"

SCALE = max(1, int(os.environ.get("CRAMPDX_PROPERTY_SCALE", "1")))
SETTINGS = settings(max_examples=30 * SCALE, deadline=None, derandomize=SCALE == 1,
                    suppress_health_check=[HealthCheck.too_slow])

# crampdx's own words, so generated documents reach deep into the checks, not just "unknown kind"
WORDS = sorted({*KINDS, *(spec.name for specs in KINDS.values() for spec in specs),
                *cond.SCALAR_OPS, *cond.NUMBER_OPS, *cond.MULTI_OPS, *cond.RESERVED,
                "fact", "times", "plus", "cause", "finding", "triage", "emergency",
                "event_duration_h", "cramp_pattern", "cramp_sites", "full_body", "calf",
                "hyponatremia", "overdrinking", "long-event", "seed", "number", "choice",
                "multi", "bool", "km", "race_day"})

scalars = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-10**30, max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(WORDS),
    st.text(max_size=12),
)
keys = st.one_of(st.sampled_from(WORDS), st.text(max_size=8), st.integers(-3, 3))
values = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(keys, children, max_size=4)),
    max_leaves=25)


def check_everything(text: str, *, on_base: bool = True) -> list[str]:
    """Load (on top of the clean base), lint and, when the file added items and everything is
    clean, run a few cases; return the problems."""
    FILE.write_text(text, encoding="utf-8")
    result = read_knowledge([BASE, WORKDIR] if on_base else [WORKDIR])
    problems = result.problems + lint(result)
    for problem in problems:
        assert isinstance(problem, CrampdxError)
        shown = str(problem)
        assert "\n" not in shown and len(shown) < 1000, shown
        assert shown.startswith(str(WORKDIR)) or shown.startswith(str(BASE)), shown
    added = any(raw.origin.path == str(FILE) for items in result.raw.values()
                for raw in items.values())
    if added and not result.problems:
        from crampdx.engine import Reasoner
        from crampdx.casework import run_cases

        try:
            run_cases(Reasoner(result.kb), result.cases, only=list(result.cases)[-3:])
        except CrampdxError as exc:  # e.g. a condition too big to compile: clean, one line
            assert "\n" not in str(exc)
    return [str(p) for p in problems]


def dump(document: Any) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


@SETTINGS
@given(st.text(max_size=300))
def test_any_text_is_read_or_refused_cleanly(text: str) -> None:
    """Unicode soup, control characters, half a flow mapping: never a traceback."""
    check_everything(text, on_base=False)


YAML_BITS = ["rules:", "cases:", "questions:", "\n", "\n  ", "\n    ", "- ", "{", "}", "[", "]",
             ": ", ", ", "&a ", "*a", "&b ", "*b", "!!set ", "!!python/object:os.system ",
             "!!binary ", "<<: ", "? ", "'", '"', "|", ">-", "#", "\t", "id: x", "when: ",
             "any: ", "gt: ", "1e999", "-.inf", ".nan", "2024-13-45", "9" * 5000, "~", "\\u0000"]


@SETTINGS
@given(st.lists(st.sampled_from(YAML_BITS), max_size=40))
def test_yaml_shaped_garbage_is_read_or_refused_cleanly(bits: list[str]) -> None:
    """Aliases, tags, merges, flow and block styles thrown together."""
    check_everything("".join(bits), on_base=False)


@SETTINGS
@given(st.dictionaries(st.sampled_from(sorted(KINDS)),
                       st.lists(st.dictionaries(keys, values, max_size=6), max_size=3),
                       max_size=3))
def test_documents_of_crampdx_words_are_checked_cleanly(document: dict) -> None:
    """Right kinds and fields, wrong everything else."""
    check_everything(dump(document))


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, prefix + (index,))
    return found


def _mutate(document: Any, path: tuple, action: str, value: Any) -> Any:
    if not path:
        return value
    *parents, last = path
    node = document
    for step in parents:
        node = node[step]
    if action == "delete" and isinstance(node, dict):
        del node[last]
    elif action == "rename" and isinstance(node, dict):
        node[f"{last}x" if isinstance(last, str) else str(last)] = node.pop(last)
    else:
        node[last] = value
    return document


@settings(SETTINGS, max_examples=40 * SCALE)
@given(st.data())
def test_a_valid_knowledge_base_with_one_thing_broken(data: st.DataObject) -> None:
    """Replace, remove or rename any one field of a clean knowledge base (its rules, questions,
    cases...) and the checker still answers with located problems, or finds it still valid."""
    document = copy.deepcopy(dict(BASE_DATA, cases=BASE_CASES["cases"]))
    path = data.draw(st.sampled_from(_paths(document)[1:]))
    action = data.draw(st.sampled_from(["replace", "delete", "rename"]))
    value = data.draw(values)
    (WORKDIR / "generated.yaml").unlink(missing_ok=True)
    FILE.write_text(dump(_mutate(document, path, action, value)), encoding="utf-8")
    result = read_knowledge([WORKDIR])
    problems = result.problems + lint(result)
    assert all("\n" not in str(p) and str(p).startswith(str(WORKDIR)) for p in problems)
    if not result.problems:
        from crampdx.engine import Reasoner
        from crampdx.casework import run_cases

        run_cases(Reasoner(result.kb), result.cases, only=list(result.cases)[:3])


@settings(SETTINGS, max_examples=8 * SCALE)
@given(values)
def test_kb_check_command_exits_with_a_status_not_a_traceback(value: Any) -> None:
    """The command a coach runs: 0, 1 or 2, and one line per problem."""
    import contextlib
    import io

    from crampdx.cli import main

    FILE.write_text(dump({"rules": [value]}), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    saved = os.environ.get("CRAMPDX_SHIPPED_KB")
    os.environ["CRAMPDX_SHIPPED_KB"] = str(BASE)  # the small base: 10 ms to load, not 500
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(["kb", "check", "--kb", str(WORKDIR)])
    finally:
        if saved is None:
            os.environ.pop("CRAMPDX_SHIPPED_KB", None)
        else:
            os.environ["CRAMPDX_SHIPPED_KB"] = saved
    assert status in (0, 1, 2)
    assert "Traceback" not in out.getvalue() + err.getvalue()


def test_the_generated_documents_parse_back() -> None:
    """The property tests feed real YAML, not strings PyYAML itself would refuse to emit."""
    assert parse_yaml(dump({"rules": [{"id": "x", 5: None, "when": {"gt": float("inf")}}]}),
                      "x.yaml")["rules"][0]["id"] == "x"
