"""Red flags are read in order: most severe first, then as the knowledge files list them."""

from __future__ import annotations

from crampdx import api

from conftest import EXAMPLES


def test_hot_confused_runner_reads_cool_first_first(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """For a hot, confused runner the first thing the report says is heat stroke: cool first."""
    monkeypatch.delenv("CRAMPDX_SHIPPED_KB", raising=False)
    monkeypatch.delenv("CRAMPDX_KB", raising=False)
    report = api.debrief(EXAMPLES / "heat-stroke-half.yaml")
    levels = [flag["rule"].split("-")[0] for flag in report["triage"]["flags"]]
    assert report["triage"]["level"] == "emergency"
    assert report["triage"]["flags"][0]["rule"] == "emergency-heat-stroke"
    assert report["triage"]["actions"][0].startswith("Cool first")
    assert levels == sorted(levels, key=["emergency", "doctor"].index)
