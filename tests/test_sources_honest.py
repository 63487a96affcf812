"""A label is a promise: "consensus statement" or "study" in a report must point at something
published, with a year a reader can look up; collected practice says so instead."""

from __future__ import annotations

import re

from crampdx import api


def test_consensus_and_study_sources_name_a_publication_year() -> None:
    """Every source the report labels a consensus statement or a study cites a year (the
    shipped red-flag list is ordinary medical practice, and the FDA's quinine warning a
    regulator's safety notice, not consensus statements)."""
    kb = api.knowledge()
    unpublished = [source.id for source in kb.sources.values()
                   if source.evidence in ("consensus", "study")
                   and not re.search(r"\b(19|20)\d\d\b", source.cite)]
    assert unpublished == []
    assert kb.sources["medical_red_flags"].evidence == "medical"
    assert kb.sources["quinine_safety"].evidence == "medical"
