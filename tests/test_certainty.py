"""MYCIN certainty arithmetic: the numbers every ranking depends on."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crampdx.certainty import combine, combine_all, premise_certainty

cf = st.floats(min_value=-1, max_value=1, allow_nan=False)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (0.6, 0.5, 0.8),  # both for: a + b(1 - a)
        (-0.6, -0.5, -0.8),  # both against: a + b(1 + a)
        (0.8, -0.6, 0.5),  # mixed: (a + b) / (1 - min(|a|, |b|))
        (-0.6, 0.8, 0.5),
        (0.4, 0.0, 0.4),
        (1.0, -1.0, 0.0),  # total contradiction is defined, not a division by zero
    ],
)
def test_combine_matches_mycin(a: float, b: float, expected: float) -> None:
    """The three MYCIN cases, worked by hand."""
    assert combine(a, b) == pytest.approx(expected)


@given(cf, cf)
def test_combine_is_symmetric_and_bounded(a: float, b: float) -> None:
    """Order of evidence never changes the result, and it stays in [-1, 1]."""
    assert combine(a, b) == pytest.approx(combine(b, a))
    assert -1 <= combine(a, b) <= 1


@given(st.lists(st.floats(min_value=0, max_value=1, allow_nan=False), min_size=1, max_size=6))
def test_positive_evidence_only_adds(factors: list[float]) -> None:
    """More evidence for a cause never lowers it below the strongest single piece."""
    assert combine_all(factors) >= max(factors) - 1e-9


def test_against_lowers_a_supported_cause() -> None:
    """The seed's 'localized and easing -> not electrolytes' must pull a supported cause down."""
    assert combine_all([0.4, -0.6]) < 0.4
    assert combine_all([0.4, -0.6]) < 0


def test_premise_scales_by_weakest_finding() -> None:
    """A rule is only as sure as its weakest premise (answers count as 1)."""
    assert premise_certainty(0.6, [0.72, 0.9]) == pytest.approx(0.432)
    assert premise_certainty(-0.5, []) == -0.5
