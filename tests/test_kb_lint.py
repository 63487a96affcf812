"""Cross-file checks: knowledge whose every file is valid, yet the whole is wrong."""

from __future__ import annotations

import textwrap
from pathlib import Path

from crampdx.knowledge.lint import lint
from crampdx.knowledge.loader import read_knowledge

BASE = Path(__file__).parent / "fixtures" / "kb_base"


def lint_problems(tmp_path: Path, text: str) -> list[str]:
    """Load + lint problems with an overlay on the clean base; the overlay's cases are kept out
    of the "has no cases" messages unless a test is about them."""
    (tmp_path / "mine.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    result = read_knowledge([BASE, tmp_path])
    found = sorted(result.problems + lint(result), key=lambda p: (p.line or 0, p.column or 0))
    return [str(p).replace(str(tmp_path) + "/", "") for p in found]


def without_case_messages(found: list[str]) -> list[str]:
    return [p for p in found if "no case" not in p]


def rule(rule_id: str, when: str, then: str = "{cause: hyponatremia}",
         certainty: str = "0.3") -> str:
    return (f"  - id: {rule_id}\n    when: {when}\n    then: {then}\n"
            f"    certainty: {certainty}\n    because: B.\n    source: seed\n")


def test_the_base_is_clean() -> None:
    """The fixture every test here builds on has nothing to report."""
    result = read_knowledge([BASE])
    assert result.problems == [] and lint(result) == []


def test_contradictory_choice_values_never_fire(tmp_path: Path) -> None:
    """Two different answers to one choice question at once."""
    found = lint_problems(tmp_path, "rules:\n" + rule(
        "odd", "{cramp_pattern: localized, any: [{cramp_pattern: {in: [spreading, full_body]}}]}"))
    assert without_case_messages(found) == [
        "mine.yaml:3:5: rule 'odd' can never fire: no answer to cramp_pattern satisfies "
        "'cramp_pattern = localized' and 'cramp_pattern in spreading, full_body'"]


def test_number_outside_the_question_range_never_fires(tmp_path: Path) -> None:
    """event_duration_h ranges 0..100, so 'gt: 120' cannot hold."""
    found = lint_problems(tmp_path, "rules:\n" + rule("never", "{event_duration_h: {gt: 120}}"))
    assert without_case_messages(found) == [
        "mine.yaml:3:5: rule 'never' can never fire: no answer to event_duration_h satisfies "
        "'event_duration_h > 120' (its answers range from 0 to 100)"]


def test_empty_number_interval_never_fires(tmp_path: Path) -> None:
    """gt 10 and lt 5 leave nothing between them; ge 5 and le 5 leave exactly 5."""
    found = lint_problems(tmp_path, "rules:\n"
                          + rule("gap", "{onset_km: {gt: 10, lt: 5}}")
                          + rule("point", "{onset_km: {ge: 5, le: 5}}"))
    assert [p for p in without_case_messages(found) if "gap" in p or "point" in p] == [
        "mine.yaml:3:5: rule 'gap' can never fire: no answer to onset_km satisfies "
        "'onset_km > 10' and 'onset_km < 5' (its answers range from 0 to 500)"]


def test_multi_contradictions(tmp_path: Path) -> None:
    """Must contain calf yet not calf; two sites at most one; and a satisfiable mix."""
    found = lint_problems(tmp_path, "rules:\n"
                          + rule("both", "{cramp_sites: calf, any: [{cramp_sites: {not: calf}}]}")
                          + rule("count", "{cramp_sites: {all: [calf, face], count_le: 1}}")
                          + rule("fine", "{cramp_sites: {in: [calf, face], not: face}}"))
    messages = without_case_messages(found)
    assert any("rule 'both' can never fire" in m for m in messages)
    assert any("rule 'count' can never fire" in m for m in messages)
    assert not any("'fine'" in m for m in messages)


def test_finding_and_not_finding_at_once(tmp_path: Path) -> None:
    found = lint_problems(tmp_path, "rules:\n" + rule(
        "self-denying", "{finding: overdrinking, not_finding: overdrinking}"))
    assert without_case_messages(found) == [
        "mine.yaml:3:5: rule 'self-denying' can never fire: it needs finding overdrinking and "
        "not finding overdrinking at once"]


def test_one_dead_alternative_of_a_live_rule(tmp_path: Path) -> None:
    """The rule can fire, but one branch of its 'any' never can: probably a typo in it."""
    found = lint_problems(tmp_path, "rules:\n" + rule(
        "half", "{cramp_pattern: full_body, any: [{drink_type: water}, "
                "{cramp_pattern: localized}]}"))
    assert without_case_messages(found) == [
        "mine.yaml:3:5: rule 'half': alternative 2 of 2 can never hold: no answer to "
        "cramp_pattern satisfies 'cramp_pattern = full_body' and 'cramp_pattern = localized'"]


def test_unreachable_cause_and_unused_finding_and_question(tmp_path: Path) -> None:
    """A new cause nothing concludes, a finding nothing uses, a question nothing reads."""
    found = lint_problems(tmp_path, """\
        sections: [{id: gear, title: Gear}]
        questions:
          - {id: shoe_km, section: gear, ask: 'Km in the shoes?', type: number, help: New shoes.}
        findings:
          - {id: new_shoes, name: New shoes, description: Under 50 km.}
          - {id: orphan, name: Orphan, description: Nobody concludes or uses it.}
        causes:
          - {id: blisters, name: Blisters, summary: Not a cramp.}
        remedies:
          - {id: tape, cause: blisters, kind: acute, text: Tape them., source: seed}
        rules:
          - id: new-shoes
            when: {cramp_sites: calf}
            then: {finding: new_shoes}
            certainty: 0.5
            because: B.
            source: seed
        """)
    assert without_case_messages(found) == [
        "mine.yaml:3:6: question 'shoe_km' is used by no rule (and no ask_if); a rule should "
        "read it, or remove it",
        "mine.yaml:5:6: finding 'new_shoes' is concluded (by rule 'new-shoes') but no rule uses "
        "it; use it in a rule's 'when' or conclude a cause instead",
        "mine.yaml:6:6: finding 'orphan' is neither concluded nor used by any rule; use it or "
        "remove it",
        "mine.yaml:8:6: cause 'blisters' can never be concluded: no rule concludes it",
    ]


def test_a_finding_used_but_never_concluded(tmp_path: Path) -> None:
    """The rule reading it can never fire either; both are said, each at its own line."""
    found = lint_problems(tmp_path, """\
        findings:
          - {id: new_shoes, name: New shoes, description: Under 50 km.}
        rules:
          - id: shoes-cramp
            when: {finding: new_shoes}
            then: {cause: insufficient_training}
            certainty: 0.5
            because: B.
            source: seed
        """)
    assert without_case_messages(found) == [
        "mine.yaml:2:6: finding 'new_shoes' is used (by rule 'shoes-cramp') but no rule "
        "concludes it, so that rule can never fire as written",
        "mine.yaml:5:5: rule 'shoes-cramp' can never fire: it needs finding new_shoes, which no "
        "rule that can fire concludes with a positive certainty",
    ]


def test_a_cause_with_only_evidence_against(tmp_path: Path) -> None:
    """Negative rules lower a cause; they never make it appear."""
    found = lint_problems(tmp_path, """\
        causes: [{id: cold, name: Cold, summary: Cold muscles.}]
        remedies: [{id: layers, cause: cold, kind: race_day, text: Wear layers., source: seed}]
        rules:
          - id: not-cold
            when: {event_duration_h: {lt: 1}}
            then: {cause: cold}
            certainty: -0.5
            because: B.
            source: seed
        """)
    assert without_case_messages(found) == [
        "mine.yaml:1:11: cause 'cold' can never be concluded: only rules against it (negative "
        "certainty)"]


def test_a_cause_without_remedy_and_an_unused_source(tmp_path: Path) -> None:
    found = lint_problems(tmp_path, """\
        sources: [{id: blog, cite: A blog, evidence: anecdotal}]
        causes: [{id: cold, name: Cold, summary: Cold muscles.}]
        rules:
          - id: cold
            when: {event_duration_h: {lt: 1}}
            then: {cause: cold}
            certainty: 0.5
            because: B.
            source: seed
        """)
    assert without_case_messages(found) == [
        "mine.yaml:1:12: source 'blog' is cited by no rule or remedy; cite it or remove it",
        "mine.yaml:2:11: cause 'cold' has no remedy, so a report that finds it has nothing to "
        "suggest; add one under remedies",
    ]


def test_a_repeated_rule_would_count_twice(tmp_path: Path) -> None:
    found = lint_problems(tmp_path, "rules:\n" + rule(
        "again", "{finding: overdrinking, cramp_pattern: full_body}"))
    assert without_case_messages(found) == [
        "mine.yaml:3:5: rule 'again' repeats rule 'hyponatremia-full-body' (same condition and "
        "conclusion), so its evidence would count twice"]


def test_rules_need_a_case_each_way(tmp_path: Path) -> None:
    """Like Sigma's regression tests: one case where a rule fires, one where it does not."""
    found = lint_problems(tmp_path, "rules:\n" + rule("r1", "{cramp_pattern: full_body}")
                          + rule("r2", "{cramp_pattern: spreading}")
                          + rule("r3", "{cramp_pattern: localized}") + """\
        cases:
          - {id: r1-fires, answers: {cramp_pattern: full_body}, fires: r1}
          - {id: r2-both, answers: {cramp_pattern: spreading}, fires: [r2], not_fires: [r1]}
        """.replace("        ", ""))
    assert [p for p in found if "no case" in p] == [
        "mine.yaml:8:5: rule 'r2' has no case where it does not fire; add a case with "
        "'not_fires: [r2]'",
        "mine.yaml:14:5: rule 'r3' has no cases: add one where it fires ('fires: [r3]') and one "
        "where it does not ('not_fires: [r3]'); see docs/authoring.md",
    ]


def test_a_broken_rule_does_not_cascade(tmp_path: Path) -> None:
    """One typo gives one message: the cause the broken rule concludes is not also called
    unreachable, nor its question unused."""
    found = lint_problems(tmp_path, """\
        sections: [{id: gear, title: Gear}]
        questions:
          - {id: shoe_km, section: gear, ask: 'Km in the shoes?', type: number, help: New shoes.}
        causes: [{id: new_shoes, name: New shoes, summary: Under 50 km.}]
        remedies: [{id: run-in, cause: new_shoes, kind: training, text: Run them in., source: seed}]
        rules:
          - id: new-shoes
            when: {shoe_km: {lt: 50}}
            then: {cause: new_shoes}
            certainty: 0.5
            because: B.
            source: sede
        cases:
          - {id: new-shoes, answers: {shoe_km: 10}, fires: new-shoes}
          - {id: old-shoes, answers: {shoe_km: 500}, not_fires: new-shoes}
        """)
    assert found == ["mine.yaml:12:5: rule 'new-shoes': unknown source 'sede' (did you mean "
                     "'seed'?)"]


def test_conditions_too_big_to_compile_are_reported(tmp_path: Path) -> None:
    """Nested 'any' that expand to 128 alternatives; the engine compiles at most 64 per rule."""
    when = "{any: [{onset_km: 1}, {onset_km: 2}]}"
    for level in range(6):
        when = f"{{event_duration_h: {{gt: {level}}}, any: [{when}, {when}]}}"
    found = lint_problems(tmp_path, "rules:\n" + rule("huge", when))
    assert without_case_messages(found) == [
        "mine.yaml:3:5: rule 'huge': its condition expands to more than 64 alternatives; split "
        "it into several rules"]


def test_findings_in_a_cycle(tmp_path: Path) -> None:
    """a needs b and b needs a: the engine could never order them."""
    found = lint_problems(tmp_path, """\
        findings:
          - {id: tired, name: Tired, description: T.}
          - {id: slow, name: Slow, description: S.}
        rules:
          - {id: tired-slow, when: {finding: slow}, then: {finding: tired}, certainty: 0.5,
             because: B., source: seed}
          - {id: slow-tired, when: {finding: tired}, then: {finding: slow}, certainty: 0.5,
             because: B., source: seed}
        """)
    assert found == ["mine.yaml:5: findings depend on each other in a cycle: slow <- tired <- "
                     "slow (rule 'tired-slow')"]


def test_a_remedy_for_an_unknown_cause(tmp_path: Path) -> None:
    found = lint_problems(tmp_path, """\
        remedies:
          - {id: stretch, cause: crampz, kind: acute, text: Stretch., source: seed}
        """)
    assert found == ["mine.yaml:2:19: remedy 'stretch': unknown cause 'crampz'"]
