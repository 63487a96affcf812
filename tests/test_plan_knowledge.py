"""The `plans` kind as a coach writes it: each mistake in a plan item's table or templates gives
one message at the exact line and column, with a did-you-mean where a near name exists, and a
template can never reach into Python objects."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from crampdx.knowledge.loader import read_knowledge
from crampdx.knowledge.plans import template_problem

BASE = Path(__file__).parent / "fixtures" / "kb_base"

CIRCUIT = """\
plans:
  - id: my-circuit
    cause: insufficient_training
    kind: training
    sizing: hill_circuit
    title: Hill circuit
    table: {minutes: 60, per_week: 1}
    text: A circuit of {minutes} minutes, {per_week} a week.
    source: seed
"""


def problems(tmp_path: Path, text: str) -> list[str]:
    (tmp_path / "mine.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    result = read_knowledge([BASE, tmp_path])
    return [str(p).replace(str(tmp_path) + "/", "") for p in result.problems]


def test_a_clean_plan_item_loads(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text(CIRCUIT, encoding="utf-8")
    result = read_knowledge([BASE, tmp_path])
    assert result.problems == []
    plan = result.kb.plans["my-circuit"]
    assert plan.causes == ("insufficient_training",) and plan.table == {"minutes": 60.0,
                                                                         "per_week": 1}
    assert plan.text == {"main": (("A circuit of {minutes} minutes, {per_week} a week.",),)}


@pytest.mark.parametrize(("old", "new", "message"), [
    ("sizing: hill_circuit", "sizing: hill_circuits",
     "mine.yaml:5:5: 'sizing' of plan 'my-circuit' is 'hill_circuits' (did you mean "
     "'hill_circuit'?); use one of: preparation, long_runs"),
    ("{minutes} minutes", "{minuts} minutes",
     "mine.yaml:8:5: plan 'my-circuit': text 'main': unknown placeholder {minuts} (did you "
     "mean 'minutes'?); this sizing fills: minutes, per_week"),
    ("{minutes} minutes", "{minutes:.0f} minutes",
     "mine.yaml:8:5: plan 'my-circuit': text 'main': placeholder {minutes} takes no format or "
     "conversion; numbers come formatted"),
    ("{minutes} minutes", "{minutes.__class__} minutes",
     "mine.yaml:8:5: plan 'my-circuit': text 'main': placeholder {minutes.__class__} must be "
     "a plain name like {target_km} (no dots, brackets or positions)"),
    ("{minutes} minutes", "{0} minutes",
     "mine.yaml:8:5: plan 'my-circuit': text 'main': placeholder {0} must be a plain name"),
    ("{minutes} minutes", "{minutes minutes",
     "mine.yaml:8:5: plan 'my-circuit': text 'main': broken braces in"),
    ("table: {minutes: 60, per_week: 1}", "table: {minuts: 60, per_week: 1}",
     "mine.yaml:7:13: plan 'my-circuit': table: unknown field 'minuts' (did you mean "
     "'minutes'?); allowed: minutes, per_week"),
    ("table: {minutes: 60, per_week: 1}", "table: {minutes: sixty, per_week: 1}",
     "mine.yaml:7:13: plan 'my-circuit': table: 'minutes' must be a number, not sixty"),
    ("table: {minutes: 60, per_week: 1}", "table: {minutes: 60, per_week: 1.5}",
     "mine.yaml:7:26: plan 'my-circuit': table: 'per_week' must be a whole number, not 1.5"),
    ("table: {minutes: 60, per_week: 1}", "table: {minutes: 0, per_week: 1}",
     "mine.yaml:7:13: plan 'my-circuit': table: 'minutes' must be at least 1, not 0"),
    ("table: {minutes: 60, per_week: 1}", "table: {minutes: 60}",
     "mine.yaml:7:12: plan 'my-circuit': table: needs 'per_week' (Sessions a week)"),
    ("cause: insufficient_training", "cause: insufficient_trainin",
     "mine.yaml:3:5: plan 'my-circuit': unknown cause 'insufficient_trainin' (did you mean "
     "'insufficient_training'?)"),
    ("source: seed", "source: sed",
     "mine.yaml:9:5: plan 'my-circuit': unknown source 'sed' (did you mean 'seed'?)"),
    ("    kind: training\n", "",
     "mine.yaml:2:5: plan 'my-circuit': needs 'kind' (acute, race_day"),
    ("    title: Hill circuit\n", "    titel: Hill circuit\n",
     "mine.yaml:6:5: unknown field 'titel' in plan 'my-circuit' (did you mean 'title'?)"),
])
def test_each_mistake_is_one_located_message(tmp_path: Path, old: str, new: str,
                                             message: str) -> None:
    assert old in CIRCUIT
    found = problems(tmp_path, CIRCUIT.replace(old, new))
    assert found[0].startswith(message), found
    # The loader's field check also says a required field is missing when it was misspelt.
    assert len(found) == (2 if "titel" in new else 1), found


def test_cases_rows_and_bands_are_checked(tmp_path: Path) -> None:
    """Missing and misspelt cases, rows out of order, bands that do not climb."""
    text = """\
    plans:
      - id: my-sodium
        kind: fuelling
        sizing: sodium
        title: Sodium
        table:
          bands: [{upto: 20, mg_per_h: [300, 500]}, {upto: 15, mg_per_h: [500, 700]}]
          min_duration_h: 2
          short_race_km: 10
          salty_from_c: 20
          salty_extra_mg: 300
          mg_per_mmol: 23
          sweat_sodium_g_per_l: [0.2, 2]
        text: {main: "{mg_lo} mg", short: none, unknown_temperatur: x}
        source: seed
    """
    found = problems(tmp_path, text)
    assert found == [
        "mine.yaml:7:50: plan 'my-sodium': table: 'bands' band 2: 'upto' (15) must be above the "
        "band before (20); bands go from low to high",
        "mine.yaml:14:45: plan 'my-sodium': text: unknown case 'unknown_temperatur' (did you "
        "mean 'unknown_temperature'?); cases: main, short, unknown_temperature"]
    fixed = text.replace("upto: 15", "upto: 25").replace("unknown_temperatur:", "unknown_temperature:")
    assert problems(tmp_path, fixed) == []
    missing = fixed.replace(", unknown_temperature: x", "")
    assert problems(tmp_path, missing) == [
        "mine.yaml:14:5: plan 'my-sodium': text: missing case(s) unknown_temperature; every "
        "case needs a template"]


def test_schedule_rows_must_match_the_sizing(tmp_path: Path) -> None:
    text = """\
    plans:
      - id: my-core
        cause: insufficient_training
        kind: training
        sizing: core
        title: Core
        table: {min_weeks: 3}
        text: {main: "{weeks} weeks", short: "{weeks} weeks"}
        rows: {activation: A, posture: "{sets}", tecnique: T}
        source: seed
    """
    assert problems(tmp_path, text) == [
        "mine.yaml:9:27: plan 'my-core': row 'posture': unknown placeholder {sets}; this sizing "
        "fills: none"]
    text = text.replace('posture: "{sets}"', "posture: P")
    assert problems(tmp_path, text) == [
        "mine.yaml:9:39: plan 'my-core': rows: unknown row 'tecnique' (did you mean "
        "'technique'?); rows: activation, posture, technique"]


def test_plan_ids_are_kebab_case_and_unique(tmp_path: Path) -> None:
    text = CIRCUIT + CIRCUIT.replace("plans:\n", "")
    assert problems(tmp_path, text) == [
        "mine.yaml:10:5: duplicate plan id 'my-circuit' (first defined at mine.yaml:2)"]
    assert problems(tmp_path, CIRCUIT.replace("my-circuit", "My Circuit"))[0].startswith(
        "mine.yaml:2:5: id 'My Circuit' must be kebab-case")


@pytest.mark.parametrize("template", [
    "{x.__class__}", "{x[0]}", "{0}", "{}", "{x!r}", "{x:>10}", "{x", "x}"])
def test_no_template_reaches_into_python(template: str) -> None:
    """Attribute access, indexing, positions, conversions and formats are all refused."""
    assert template_problem(template, frozenset({"x"})) is not None


def test_the_shipped_plan_knowledge_is_clean() -> None:
    """And it holds every sizing the report relies on."""
    from crampdx import api

    kb = api.knowledge()
    sizings = {plan.sizing for plan in kb.plans.values()}
    assert {"preparation", "long_runs", "lunges", "downhill", "carbs", "sodium",
            "fluid"} <= sizings
