"""The shipped knowledge base passes its own checks: what CI runs on every change to knowledge/.

`crampdx kb check` must find nothing, and every case under knowledge/cases/ must pass, proving
each rule both fires and holds back.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crampdx.engine import Reasoner
from crampdx.casework import run_cases
from crampdx.knowledge.lint import lint
from crampdx.knowledge.loader import read_knowledge

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"


@pytest.fixture(scope="module")
def shipped():
    return read_knowledge([KNOWLEDGE])


def test_kb_check_is_clean(shipped) -> None:
    """Fix what this lists in knowledge/ (or run `crampdx kb check` for the same list)."""
    assert [str(p) for p in shipped.problems + lint(shipped)] == []


def test_every_case_passes_and_every_rule_is_proven_both_ways(shipped) -> None:
    """`crampdx kb test` gives the details of any failure."""
    report = run_cases(Reasoner(shipped.kb), shipped.cases)
    failures = [f"{o.case.id}: {failure}" for o in report.failed for failure in o.failures]
    assert failures == []
    assert report.coverage.missing("fires") == []
    assert report.coverage.missing("not_fires") == []
    assert set(report.coverage.fired_somewhere) == set(shipped.kb.rules)


def test_kb_check_command_exits_0(run_cli, monkeypatch) -> None:
    """The command CI runs, as a user types it."""
    monkeypatch.delenv("CRAMPDX_SHIPPED_KB", raising=False)
    monkeypatch.delenv("CRAMPDX_KB", raising=False)
    status, out, err = run_cli("kb", "check")
    assert (status, out) == (0, "")
    assert "knowledge is clean" in err
