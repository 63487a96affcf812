"""MYCIN certainty factors: how evidence for and against a conclusion adds up.

Two positive factors reinforce without passing 1, two negative ones likewise towards -1, and
mixed ones cancel in proportion, so the seed's "localized and eased when slowing -> not
electrolytes" lowers a cause that other rules raised.
"""

from __future__ import annotations

from functools import reduce
from typing import Iterable


def combine(a: float, b: float) -> float:
    """Combine two certainty factors in [-1, 1] (Shortliffe & Buchanan, 1975)."""
    if a >= 0 and b >= 0:
        result = a + b * (1 - a)
    elif a < 0 and b < 0:
        result = a + b * (1 + a)
    else:
        denominator = 1 - min(abs(a), abs(b))
        result = 0.0 if denominator == 0 else (a + b) / denominator
    return max(-1.0, min(1.0, result))


def combine_all(factors: Iterable[float]) -> float:
    """Combine any number of factors; the order does not matter, none gives 0."""
    return reduce(combine, factors, 0.0)


def premise_certainty(rule_certainty: float, premises: Iterable[float]) -> float:
    """A fired rule's contribution: its certainty scaled by its weakest premise."""
    return rule_certainty * min(premises, default=1.0)
