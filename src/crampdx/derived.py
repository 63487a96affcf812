"""Facts derived from the answers, for the rules: what a runner did not say but the answers imply.

Today one: the event's duration, estimated from its distance (and its climb or ground) when the
runner did not give it, so that a 161 km ultra counts as a long event for the low-blood-sodium
and painkiller rules. A derived value feeds the engine beside the answers but is never written
back as an answer: the report labels it an estimate and says how it was made, and the answers
(and the JSON `answers`) stay what the runner said.

The estimate: a reference marathon time scaled to the distance with Riegel's endurance formula,
where climbing counts as extra distance the way ITRA's effort points count it (1 km per 100 m of
climb). The reference time and the climb assumed for trail and mountain ground when the climb
is not given are crampdx's own assumptions, labelled as such in the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Container, Mapping

DURATION = "event_duration_h"
DISTANCE = "event_distance_km"
CLIMB = "elevation_gain_m"
TERRAIN = "terrain"

REFERENCE_KM = 42.195
REFERENCE_H = 4.0  # crampdx's own assumption: a mid-pack recreational marathon
RIEGEL_EXPONENT = 1.06  # Riegel 1981: time grows with distance to this power
METRES_CLIMB_PER_KM = 100  # ITRA effort points: 100 m of climb counts as 1 km
# crampdx's own assumption when the climb is not given: metres of climb per km of ground
ASSUMED_CLIMB_M_PER_KM = {"trail": 25, "mountain": 60}


@dataclass(frozen=True)
class DerivedValue:
    """A value the rules may use although the runner did not answer it; `how` says how it was
    reached, in a sentence the report prints."""

    fact: str
    value: Any
    how: str


def estimate_duration(answers: Mapping[str, Any]) -> DerivedValue | None:
    """The event's duration in hours from its distance, or None when it was given or the
    distance is unknown."""
    distance = answers.get(DISTANCE)
    if answers.get(DURATION) is not None or not distance:
        return None
    climb, terrain = answers.get(CLIMB), answers.get(TERRAIN)
    if climb is not None:
        climb_note = f"{climb:g} m of climb counted as {climb / METRES_CLIMB_PER_KM:g} km " \
                     "(ITRA effort points)"
    elif terrain in ASSUMED_CLIMB_M_PER_KM:
        climb = distance * ASSUMED_CLIMB_M_PER_KM[terrain]
        climb_note = (f"about {ASSUMED_CLIMB_M_PER_KM[terrain]} m of climb a km assumed for "
                      f"{terrain} ground (crampdx's own assumption), counted as 1 km per 100 m "
                      "(ITRA effort points)")
    else:
        climb, climb_note = 0.0, ""
    effort_km = distance + climb / METRES_CLIMB_PER_KM
    hours = round(REFERENCE_H * (effort_km / REFERENCE_KM) ** RIEGEL_EXPONENT, 1)
    how = (f"Duration estimated at about {hours:g} h from {distance:g} km"
           + (f" with {climb_note}" if climb_note else "")
           + f": a {REFERENCE_H:g}-hour marathon (crampdx's own assumption of a mid-pack "
           f"runner) scaled to the distance with Riegel's formula (time grows with distance to "
           f"the power {RIEGEL_EXPONENT:g}; Riegel 1981). It is an estimate, not your answer; "
           f"give {DURATION} for a sharper report.")
    return DerivedValue(DURATION, hours, how)


def derive(answers: Mapping[str, Any], questions: Container[str]) -> dict[str, DerivedValue]:
    """Every derived value for these answers, by fact id: only for facts the knowledge base
    asks about (`questions`), never for one the runner answered."""
    derived: dict[str, DerivedValue] = {}
    duration = estimate_duration(answers)
    if duration is not None:
        derived[duration.fact] = duration
    return {fact: value for fact, value in derived.items()
            if fact in questions and answers.get(fact) is None}


def engine_facts(answers: Mapping[str, Any],
                 derived: Mapping[str, DerivedValue]) -> dict[str, Any]:
    """What the engine reasons on: the answers, with derived values filling the gaps."""
    facts = dict(answers)
    for fact, value in derived.items():
        facts.setdefault(fact, value.value)
    return facts
