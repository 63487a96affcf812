"""Numbers with units, as runners write them: "28 mi", "84 F", "1.2 l/h", "3 lb", "5:30" hours.

Each question with a number answer names one canonical unit; an answer may use any alias of the
same dimension and is converted. The table is physics, not cramp knowledge, so it lives here.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

from crampdx.textsafe import excerpt


class Unit(msgspec.Struct, frozen=True):
    """A canonical unit and the spellings that convert to it (value * factor + offset)."""

    name: str
    label: str
    aliases: dict[str, tuple[float, float]] = msgspec.field(default_factory=dict)
    digits: int = 2  # converted answers are rounded to this many decimals

    def convert(self, number: float, spelled: str) -> float:
        """The number in this unit, rounded: 26.2 mi is 42.2 km, not 42.16481 km."""
        factor, offset = self.aliases[spelled]
        if (factor, offset) == (1, 0):
            return number
        return round(number * factor + offset, self.digits)


def _f_to_c(factor: float = 5 / 9) -> tuple[float, float]:
    return factor, -32 * factor


UNITS: dict[str, Unit] = {
    unit.name: unit
    for unit in (
        # no "m": runners write it for miles as often as for metres
        Unit("km", "km", {"km": (1, 0), "k": (1, 0), "kms": (1, 0), "kilometres": (1, 0),
                          "kilometers": (1, 0), "mi": (1.609344, 0), "mile": (1.609344, 0),
                          "miles": (1.609344, 0)}, digits=1),
        Unit("h", "h", {"h": (1, 0), "hr": (1, 0), "hrs": (1, 0), "hour": (1, 0),
                        "hours": (1, 0), "min": (1 / 60, 0), "mins": (1 / 60, 0),
                        "minutes": (1 / 60, 0)}),
        Unit("m", "m", {"m": (1, 0), "metres": (1, 0), "meters": (1, 0), "ft": (0.3048, 0),
                        "feet": (0.3048, 0), "km": (1000, 0)}, digits=0),
        Unit("°C", "°C", {"c": (1, 0), "°c": (1, 0), "celsius": (1, 0), "f": _f_to_c(),
                          "°f": _f_to_c(), "fahrenheit": _f_to_c()}, digits=1),
        Unit("ml/h", "ml per hour", {"ml/h": (1, 0), "ml": (1, 0), "l/h": (1000, 0),
                                     "l": (1000, 0), "oz/h": (29.5735, 0), "oz": (29.5735, 0),
                                     "fl oz/h": (29.5735, 0)}, digits=0),
        # "g" is grams per hour, as "ml" is ml per hour: 0.1 g is 100 mg/h
        Unit("mg/h", "mg per hour", {"mg/h": (1, 0), "mg": (1, 0), "g/h": (1000, 0),
                                     "g": (1000, 0), "mmol/h": (23, 0)}, digits=0),
        Unit("g/h", "g per hour", {"g/h": (1, 0), "g": (1, 0)}),
        Unit("kg", "kg", {"kg": (1, 0), "kgs": (1, 0), "lb": (0.45359237, 0),
                          "lbs": (0.45359237, 0), "pounds": (0.45359237, 0), "g": (0.001, 0)},
             digits=1),
        Unit("mmol/L", "mmol per litre", {"mmol/l": (1, 0), "mmol": (1, 0), "meq/l": (1, 0)},
             digits=0),
    )
}

_NUMBER = r"[-+]?(?:\d+(?:[.,]\d+)*[.,]?|[.,]\d+)(?:e[-+]?\d+)?"
_QUANTITY = re.compile(rf"^\s*(?P<number>{_NUMBER})\s*(?P<unit>[^\d\s].*?)?\s*$")
# The rarer forms are kept as text: re compiles (and caches) each the first time one is read.
_CLOCK = (r"(?i)^\s*(?P<h>\d+)\s*(?::|h\s*)(?P<m>[0-5]?\d)(?::(?P<s>[0-5]\d))?\s*"
          r"(?:m|min)?\s*$")
# "1,000" or "12,500.5": commas grouping thousands (never after a leading zero: "0,500" is 0.5)
_THOUSANDS = r"^[-+]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d*)?(?:e[-+]?\d+)?$"
_DECIMAL_COMMA = r"^[-+]?\d*,\d+(?:e[-+]?\d+)?$"


# The unit a bare number was most likely written in when it does not fit its question's
# canonical unit: 84 for a temperature is °F, 20 for a weight change is lb, 12000 for a climb
# is feet, 300 for a race's hours is minutes. (alias to convert with, label to show.)
SLIPS: dict[str, tuple[str, str]] = {"°C": ("f", "°F"), "km": ("mi", "mi"), "kg": ("lb", "lb"),
                                     "m": ("ft", "ft"), "h": ("min", "min")}
# How to type the slipped unit, when its label is hard to type
TYPED = {"°F": "F"}


def likely_slip(number: float, unit: str | None, low: float, high: float
                ) -> tuple[str, float] | None:
    """(label, value in `unit`) when `number` is out of [low, high] in `unit` but fits once
    read in the unit runners most often slip into; None when no slip explains it."""
    if unit not in SLIPS:
        return None
    alias, label = SLIPS[unit]
    converted = UNITS[unit].convert(number, alias)
    return (label, converted) if low <= converted <= high else None


# A bare number this small in these units is almost surely the larger unit: "0.5" sodium is
# 0.5 g an hour, not half a milligram (a gel alone holds about 50 mg); "0.6" to drink is 0.6
# litres an hour. Below `below`, a number without its unit is asked about, not taken.
TINY_SLIPS: dict[str, tuple[str, float]] = {"mg/h": ("g/h", 10), "ml/h": ("l/h", 10)}


def likely_tiny_slip(number: float, unit: str | None) -> tuple[str, float] | None:
    """(label, value in `unit`) when a bare `number` above 0 is too small to mean `unit`."""
    if unit not in TINY_SLIPS:
        return None
    alias, below = TINY_SLIPS[unit]
    if not 0 < number < below:
        return None
    return alias, UNITS[unit].convert(number, alias)


class UnitError(ValueError):
    """The text is not a number in a known unit; the message says what would be accepted."""


def accepted_units(unit: str) -> str:
    return ", ".join(sorted({alias for alias in UNITS[unit].aliases if alias.isascii()}))


def parse_quantity(text: str, unit: str | None) -> float:
    """Turn '28 mi' (or '4:30' for hours) into a float in `unit`; raise UnitError otherwise.
    "1,000" is a thousand (see `quantity_readings` for the comma rule)."""
    return quantity_readings(text, unit)[0]


def quantity_readings(text: str, unit: str | None) -> list[float]:
    """Every value the text can mean, in `unit`, the likeliest first. A comma followed by
    groups of exactly three digits groups thousands ("1,000" is 1000), and also reads as a
    decimal comma when there is only one ("1,000" could be 1.0): the caller keeps the first
    reading its range allows. Any other comma is a decimal comma ("1,5" is 1.5); a number
    mixing both ways ("1.000,5") is refused rather than guessed."""
    if unit == "h":
        clock = re.match(_CLOCK, text)
        if clock:
            seconds = int(clock["s"] or 0)
            return [round(int(clock["h"]) + int(clock["m"]) / 60 + seconds / 3600,
                          UNITS["h"].digits)]
    match = _QUANTITY.match(text.replace("E", "e"))
    if not match:
        raise UnitError(f"'{excerpt(text)}' is not a number"
                        + (f" (e.g. '12 {unit}')" if unit else ""))
    written = match["number"]
    if re.match(_THOUSANDS, written):
        numbers = [float(written.replace(",", ""))]
        if written.count(",") == 1 and "." not in written:
            numbers.append(float(written.replace(",", ".")))
    elif "," not in written and written.count(".") <= 1:
        numbers = [float(written)]
    elif re.match(_DECIMAL_COMMA, written):
        numbers = [float(written.replace(",", "."))]
    else:
        raise UnitError(f"'{excerpt(text)}' is not a number crampdx can read for sure: write "
                        "it with a decimal point and no grouping, e.g. 1234.5")
    spelled = (match["unit"] or "").strip().lower().replace(" per ", "/").rstrip(".")
    if not spelled:
        return numbers
    if unit is None:
        raise UnitError(f"'{excerpt(text)}': this answer is a plain count, without a unit")
    canonical = UNITS[unit]
    if spelled == "m" and unit == "km":
        # "400 m" is a track distance; "26.2 m" is far more likely miles than a 26-metre race
        if numbers[0] < 100:
            raise UnitError(f"'{excerpt(text)}': 'm' could be miles or metres; write mi for "
                            "miles, or the distance in km")
        return [round(number / 1000, 3) for number in numbers]
    if spelled not in canonical.aliases:
        raise UnitError(f"unknown unit '{excerpt(match['unit'])}' for {canonical.label}; "
                        f"use one of: {accepted_units(unit)}")
    return [canonical.convert(number, spelled) for number in numbers]


# Units that make a report imperial when an answer is typed in one (crampdx.units_display).
IMPERIAL_SPELLINGS = {"mi", "mile", "miles", "ft", "feet", "f", "°f", "fahrenheit", "oz",
                      "oz/h", "fl oz/h", "fl oz", "lb", "lbs", "pounds"}


def units_in(data: Any) -> str:
    """'imperial' when any answer is written in an imperial unit, else 'metric'."""
    values = data.values() if isinstance(data, dict) else []
    for value in values:
        for item in (value if isinstance(value, list) else [value]):
            if not isinstance(item, str):
                continue
            match = _QUANTITY.match(item.replace("E", "e"))
            spelled = (match["unit"] or "").strip().lower().replace(" per ", "/").rstrip(".") \
                if match else ""
            if spelled in IMPERIAL_SPELLINGS:
                return "imperial"
    return "metric"
