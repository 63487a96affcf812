"""What a new user meets first: the red flags before any note on how a value was estimated,
and an estimate that reads as a runner says it (minutes for a short race, never "0 h")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "html"])
def test_red_flags_come_before_the_estimate_notes(run_cli, fmt: str) -> None:  # type: ignore[no-untyped-def]
    """A chest-pain 10 km opened on a paragraph about Riegel's formula, with the EMERGENCY box
    below it: in every example with an estimate, each red flag box, and the warning signs not
    checked, come first."""
    checked = 0
    for example in EXAMPLES:
        _, out, _ = run_cli("debrief", str(example), "-f", "json")
        if "Duration estimated" not in json.dumps(json.loads(out)["estimated"]):
            continue
        status, out, err = run_cli("debrief", str(example), "-f", fmt)
        assert status == 0, err
        first_note = out.index("Duration estimated")
        for title in ("EMERGENCY", "See a doctor", "Warning signs not checked"):
            if title in out:
                assert out.index(title) < first_note, (example.name, title)
                checked += 1
    assert checked >= 2  # the chest-pain 10 km's emergency among them


def test_a_short_race_is_estimated_in_minutes(run_cli) -> None:  # type: ignore[no-untyped-def]
    """A 400 m with no time: 'about 2 min', not 'about 0 h'."""
    status, out, _ = run_cli("debrief", str(ROOT / "examples" / "track-400m-hamstring.yaml"),
                             "-f", "markdown")
    flat = " ".join(out.split())
    assert "Duration estimated at about 2 min from 0.4 km" in flat
    assert "about 0 h" not in flat
