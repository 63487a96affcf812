"""Reports in imperial units: miles, feet, °F, fl oz and lb.

The engine, the plan and the JSON contract stay metric. An imperial report converts each number
as the metric report prints it, so both agree: the plan's "35 km" becomes "21.7 mi", which is
35 km converted, not the unrounded distance it came from. The default is what the answers file
used: any answer written in miles, feet, °F, ounces or pounds makes the report imperial.
"""

from __future__ import annotations

import math
import re
from typing import Callable

UNITS_CHOICES = ("metric", "imperial")

# metric unit as printed -> (imperial label, convert, decimals)
CONVERSIONS: dict[str, tuple[str, Callable[[float], float], int]] = {
    "km": ("mi", lambda v: v / 1.609344, 1),
    "km/h": ("mph", lambda v: v / 1.609344, 1),  # a pace as speed (a race not finished)
    "m": ("ft", lambda v: v / 0.3048, 0),
    "°C": ("°F", lambda v: v * 9 / 5 + 32, 0),
    "ml/h": ("fl oz/h", lambda v: v / 29.5735, 1),
    "ml": ("fl oz", lambda v: v / 29.5735, 1),
    "kg": ("lb", lambda v: v / 0.45359237, 1),
    "litres": ("fl oz", lambda v: v * 1000 / 29.5735, 1),
    "litre": ("fl oz", lambda v: v * 1000 / 29.5735, 1),
}
LB_PER_KG = 1 / 0.45359237

_NUM = r"\d+(?:\.\d+)?"
# a number or a range ("30–35 km"), a space, a unit not followed by more of a word or "/";
# not inside a word or a longer number (an "m" may precede: the end of a terminal colour code)
_QUANTITY = re.compile(
    rf"(?<![A-Za-ln-z0-9_.,])(?P<a>{_NUM})(?:(?P<dash>\s?[–-]\s?|\s(?:to)\s)(?P<b>{_NUM}))?"
    rf" (?P<unit>ml/h|km/h|km|°C|ml|kg|m|litres|litre)(?![\w/])")
# dosing per kilogram of body weight stays per kg (that is how the guidance is written), with
# the pound equivalent beside it
_PER_KG = re.compile(r"\bper kg\b(?! \()")


def convert(value: float, unit: str) -> tuple[float, str]:
    """A printed metric number in imperial, rounded for reading."""
    label, function, digits = CONVERSIONS[unit]
    if unit == "kg":
        return _pounds(value), label
    result = round(function(value), digits)
    return (int(result) if digits == 0 else result), label


def _pounds(kg: float) -> float:
    """A weight printed to 0.1 kg in pounds: a whole pound when one lies within that 0.1 kg
    (a typed "3 lb" is printed "1.4 kg" and must come back as 3 lb, not 3.1), else to 0.1 lb."""
    exact = kg * LB_PER_KG
    whole = round(exact)
    if abs(whole / LB_PER_KG - kg) <= 0.05 + 1e-9:
        return whole
    return round(exact, 1)


def _number(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e6 else f"{value:.0f}"


KM_PER_MILE = 1.609344
# a pace "5:33 /km" (or "5:33/km") and a pace offset "+20 s/km"
_PACE = re.compile(r"(?<![\d:])(?P<min>\d{1,2}):(?P<sec>[0-5]\d)"
                   r"(?:(?P<join> and | to |–)(?P<min2>\d{1,2}):(?P<sec2>[0-5]\d))? ?/km\b")
_PACE_OFFSET = re.compile(r"(?<![\w.])(?P<sign>[+-]?)(?P<sec>\d{1,3}) s/km\b")
# an answer quoted as evidence, "temperature_c = 28 °C": its unit suffix goes with the metric
_EVIDENCE_LABEL = re.compile(r"\b(?P<name>[a-z][a-z0-9_]*?)_(?:c|km|m|kg|ml_per_h|ml)"
                             r" = (?=[-\d])")


# a flat repetition ("4 × 500 m at marathon pace", "grow the 4 × 500 m into 4 × 8000 m"):
# a distance run, not a climb, so yards (track reps) or miles, never thousands of feet
_REPS = re.compile(r"(?P<n>\d+) × (?P<m>\d+) m(?= at | into )")


def _reps(match: re.Match[str]) -> str:
    metres = int(match["m"])
    if metres < 1000:
        return f"{match['n']} × {round(metres / 0.9144 / 10) * 10} yd"
    return f"{match['n']} × {_number(round(metres / 1609.344, 1))} mi"


def _per_mile(minutes: str, seconds: str) -> str:
    total = round((int(minutes) * 60 + int(seconds)) * KM_PER_MILE)
    return f"{total // 60}:{total % 60:02d}"


def _pace(match: re.Match[str]) -> str:
    first = _per_mile(match["min"], match["sec"])
    if match["join"] is None:
        return f"{first} /mi"
    return f"{first}{match['join']}{_per_mile(match['min2'], match['sec2'])} /mi"


def imperial_text(text: str) -> str:
    """Every 'NUMBER UNIT' in metric replaced by its imperial equivalent; paces per mile;
    evidence labels without their metric unit suffix ("temperature 88 °F")."""
    text = _REPS.sub(_reps, text)
    text = _PACE.sub(_pace, text)
    text = _PACE_OFFSET.sub(
        lambda m: f"{m['sign']}{round(int(m['sec']) * KM_PER_MILE)} s/mi", text)
    text = _EVIDENCE_LABEL.sub(lambda m: m["name"].replace("_", " ") + " ", text)
    text = _PER_KG.sub("per kg (2.2 lb)", text)

    def replace(match: re.Match[str]) -> str:
        unit = match["unit"]
        first, label = convert(float(match["a"]), unit)
        second = convert(float(match["b"]), unit)[0] if match["b"] is not None else 0.0
        if not math.isfinite(first) or not math.isfinite(second):
            return match[0]  # a 400-digit number in an overlay's text: shown as written
        if match["b"] is None:
            return f"{_number(first)} {label}"
        return f"{_number(first)}{match['dash']}{_number(second)} {label}"

    return _QUANTITY.sub(replace, text)


def imperial_html(page: str) -> str:
    """Convert text between tags only; never inside a tag, a style sheet or a script."""
    parts = re.split(r"(<[^>]*>)", page)
    out, skip = [], False
    for part in parts:
        if part.startswith("<"):
            lowered = part.lower()
            if lowered.startswith(("<style", "<script")):
                skip = True
            elif lowered.startswith(("</style", "</script")):
                skip = False
            out.append(part)
        else:
            out.append(part if skip else imperial_text(part))
    return "".join(out)


def apply(text: str, fmt: str, units: str) -> str:
    """The rendered report in the chosen units (JSON stays metric: it is the contract; a CSV
    table's prose is converted like the other formats)."""
    if units != "imperial" or fmt == "json":
        return text
    return imperial_html(text) if fmt == "html" else imperial_text(text)
