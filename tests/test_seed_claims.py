"""The coach's post, claim by claim (docs/seed.md): every claim in the table is encoded in the
knowledge, every claim the knowledge names is in the table, and each is labelled as his."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

from crampdx import api

ROOT = Path(__file__).resolve().parent.parent
COACH_SOURCES = {"seed", "seed_extras", "seed_guess", "zazulak"}


def _rows() -> dict[str, list[str]]:
    """Claim id -> the 'where in knowledge/' cell of docs/seed.md, as a list of 'kind `id`'."""
    rows = {}
    for line in (ROOT / "docs" / "seed.md").read_text(encoding="utf-8").splitlines():
        match = re.match(r"\| `(seed_[a-z0-9_]+)` \| .* \| (.*) \| .* \|$", line)
        if match:
            cells = [c for c in line.split(" | ")]
            rows[match.group(1)] = [p.strip() for p in cells[2].split(",") if p.strip()]
    return rows


def _where() -> dict[str, list[str]]:
    return runpy.run_path(str(ROOT / "scripts" / "seed-table.py"))["where"](api.knowledge())


def test_every_claim_in_the_table_is_in_the_knowledge_and_vice_versa() -> None:
    """A claim dropped from the knowledge, or added without a row, fails here."""
    rows, where = _rows(), _where()
    assert len(rows) >= 75
    assert set(rows) == set(where), (sorted(set(rows) - set(where)),
                                     sorted(set(where) - set(rows)))


def test_the_table_says_where_each_claim_lives() -> None:
    """The 'where' column lists exactly the items whose `claims:` name the claim."""
    rows, where = _rows(), _where()
    for claim, places in rows.items():
        assert places and places == where[claim], claim


def test_the_table_is_up_to_date() -> None:
    """docs/seed.md is generated: run `.venv/bin/python scripts/seed-table.py` after editing."""
    table = runpy.run_path(str(ROOT / "scripts" / "seed-table.py"))["table"]()
    assert (ROOT / "docs" / "seed.md").read_text(encoding="utf-8") == table


def test_the_coachs_claims_are_labelled_as_his() -> None:
    """A rule, remedy or plan item that encodes a claim cites the coach, or says 'the coach'
    in what the runner reads (a study's qualifier sits beside it, never in its place)."""
    kb = api.knowledge()
    for kind in ("rules", "remedies", "plans"):
        for item in kb.kind(kind).values():
            if not item.claims:
                continue
            text = getattr(item, "because", "") or getattr(item, "text", "")
            words = text if isinstance(text, str) else str(text)
            assert item.source in COACH_SOURCES or "coach" in words.lower(), (kind, item.id)


def test_the_coachs_guess_is_printed_as_a_guess() -> None:
    """'I guess it was a simple hyponatremia' is not printed as a fact."""
    report = api.debrief(ROOT / "examples" / "seed-150k-mountain.yaml")
    reasons = [e for c in report["causes"] for e in c["evidence"]
               if e["source"] == "seed_guess"]
    assert reasons and all("guess" in e["because"] for e in reasons)
