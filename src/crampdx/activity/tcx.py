"""TCX (Garmin Training Center XML) with the standard library's ElementTree behind defusedxml.

No TCX library is used: python-tcxparser needs lxml, tcxreader parses with a plain ElementTree
(no protection from entity bombs), and TCX is a small, fixed schema (Activity Sport, Lap totals,
Trackpoint Time/Position/Altitude/Distance) that forty lines read. Namespaces are matched by
local name, so TCX 1 and 2 files both read."""

from __future__ import annotations

import datetime as _dt

from crampdx.activity.errors import ActivityError
from crampdx.activity.geo import haversine_m
from crampdx.activity.gpx import refuse_dtd, sport_word
from crampdx.activity.model import Track


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element, name: str):  # type: ignore[no-untyped-def]
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _float(element, name: str) -> float | None:  # type: ignore[no-untyped-def]
    child = _child(element, name) if element is not None else None
    try:
        return float(child.text) if child is not None and child.text else None
    except ValueError:
        return None


def read(data: bytes, name: str) -> Track:
    from xml.etree.ElementTree import ParseError

    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    refuse_dtd(data, name, "a TCX")
    try:
        root = SafeET.fromstring(data)
    except (ParseError, DefusedXmlException) as exc:
        raise ActivityError(f"not a readable TCX file ({exc})", path=name) from None
    activities = [el for el in root.iter() if _local(el.tag) == "Activity"]
    if _local(root.tag) != "TrainingCenterDatabase" or not activities:
        raise ActivityError("no Activity in this TCX file (a course or workout file?)",
                            path=name)
    activity = activities[0]
    track = Track(sport=sport_word(activity.get("Sport")))
    laps = [el for el in activity if _local(el.tag) == "Lap"]
    totals = [(_float(lap, "TotalTimeSeconds"), _float(lap, "DistanceMeters")) for lap in laps]
    if totals and all(t is not None for t, _ in totals):
        track.total_timer_s = sum(t for t, _ in totals if t is not None)
    if totals and all(d is not None for _, d in totals):
        track.total_distance_m = sum(d for _, d in totals if d is not None)
    previous = None
    for point in activity.iter():
        if _local(point.tag) != "Trackpoint":
            continue
        time = _child(point, "Time")
        t = _epoch(time.text) if time is not None and time.text else None
        position = _child(point, "Position")
        lat, lon = _float(position, "LatitudeDegrees"), _float(position, "LongitudeDegrees")
        latlon = (lat, lon) if lat is not None and lon is not None else None
        distance = _float(point, "DistanceMeters")
        if distance is None and latlon is not None:
            distance = (track.distances[-1] or 0.0) if track.distances else 0.0
            if previous is not None:
                distance += haversine_m(*previous, *latlon)
        if latlon is not None:
            previous = latlon
        track.add(t, distance, _float(point, "AltitudeMeters"), latlon, None)
    if not track.times and track.total_timer_s is None:
        raise ActivityError("no trackpoints and no lap totals in this TCX file", path=name)
    return track


def _epoch(text: str) -> float | None:
    import re

    # Python 3.10's fromisoformat takes 3 or 6 fraction digits only: normalise to 6
    text = re.sub(r"\.(\d+)", lambda m: "." + (m.group(1) + "000000")[:6], text.strip())
    try:
        time = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if time.tzinfo is None:
        time = time.replace(tzinfo=_dt.timezone.utc)
    return time.timestamp()
