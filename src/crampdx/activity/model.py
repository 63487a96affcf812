"""What a reader returns (a Track of samples) and what is kept of each activity (a Summary)."""

from __future__ import annotations

import datetime as _dt
from functools import cached_property
from typing import Any

import msgspec

# Sports as crampdx groups them; readers map each format's names onto these.
RUN, HIKE, WALK, RIDE, OTHER = "running", "hiking", "walking", "cycling", "other"
ON_FOOT = (RUN, HIKE, WALK)


class Track(msgspec.Struct):
    """One activity as read: parallel lists of samples (None where the device wrote nothing),
    plus what the file's own summary says (a FIT session's totals)."""

    sport: str | None = None  # None: the file does not say
    times: list[float | None] = msgspec.field(default_factory=list)  # seconds since the epoch, UTC
    distances: list[float | None] = msgspec.field(default_factory=list)  # cumulative metres
    elevations: list[float | None] = msgspec.field(default_factory=list)
    latlons: list[tuple[float, float] | None] = msgspec.field(default_factory=list)
    temperatures: list[float | None] = msgspec.field(default_factory=list)
    utc_offset_s: int | None = None  # the device's local time minus UTC, when it records it
    total_distance_m: float | None = None
    total_elapsed_s: float | None = None
    total_timer_s: float | None = None
    start: float | None = None
    warnings: list[str] = msgspec.field(default_factory=list)

    def add(self, t: float | None, d: float | None = None, e: float | None = None,
            latlon: tuple[float, float] | None = None, temp: float | None = None) -> None:
        self.times.append(t)
        self.distances.append(d)
        self.elevations.append(e)
        self.latlons.append(latlon)
        self.temperatures.append(temp)


class Summary(msgspec.Struct, dict=True):
    """The facts kept of one activity (JSON-able, so the training cache can hold it);
    `dict=True` gives it the `__dict__` its cached `date` is kept in."""

    file: str
    sport: str
    start: float | None  # seconds since the epoch, UTC; None when the file has no times
    local_date: str | None  # ISO date where the activity started, local time when known
    distance_km: float | None
    elapsed_h: float | None
    moving_h: float | None
    moving_km: float | None  # distance covered while moving (the timed part)
    gain_m: float | None
    loss_m: float | None
    biggest_descent_m: float | None
    temperature_c: float | None
    has_gps: bool
    # moving seconds per whole km
    splits_s_per_km: list[float] = msgspec.field(default_factory=list)
    notes: list[str] = msgspec.field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        # a copy of each list too, as dataclasses.asdict gave: the caller may keep and edit it
        return {name: list(value) if isinstance(value, list) else value
                for name, value in msgspec.structs.asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Summary":
        return cls(**data)

    @cached_property
    def date(self) -> _dt.date | None:
        return _dt.date.fromisoformat(self.local_date) if self.local_date else None


SUMMARY_FIELDS = frozenset(Summary.__struct_fields__)
