"""GPX with gpxpy, the well-kept GPX library (tracks, segments, times, elevations, Garmin's
temperature extension). A DTD or entity is refused before parsing: a GPX never needs one, and
refusing it closes the XML-bomb door. Imported only when a GPX file is read."""

from __future__ import annotations

import datetime as _dt

from crampdx.activity.errors import ActivityError
from crampdx.activity.model import HIKE, OTHER, RIDE, RUN, WALK, Track
from crampdx.activity.geo import haversine_m

# Strava's GPX export writes its activity type number; watches and apps write a word.
STRAVA_TYPES = {"9": RUN, "1": RIDE, "4": HIKE, "10": WALK}


def sport_word(word: str | None) -> str | None:
    """A sport from a free word ('running', 'Trail Run', 'hiking', '9'); None when unknown."""
    if not word:
        return None
    word = word.strip().lower()
    if word in STRAVA_TYPES:
        return STRAVA_TYPES[word]
    for stem, sport in (("run", RUN), ("hik", HIKE), ("walk", WALK), ("cycl", RIDE),
                        ("bik", RIDE), ("ride", RIDE), ("swim", OTHER), ("ski", OTHER)):
        if stem in word:
            return sport
    return None


def refuse_dtd(data: bytes, name: str, kind: str) -> None:
    head = data[:65536]
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise ActivityError(f"{kind} with a DTD or entities refused (an activity file never "
                            "needs one)", path=name)


def read(data: bytes, name: str) -> Track:
    import gpxpy
    import gpxpy.gpx

    refuse_dtd(data, name, "a GPX")
    try:
        document = gpxpy.parse(data.decode("utf-8", errors="replace"))
    except (gpxpy.gpx.GPXException, ValueError) as exc:
        raise ActivityError(f"not a readable GPX file ({str(exc).splitlines()[0][:120]})",
                            path=name) from None
    track = Track()
    sports = [sport_word(t.type) for t in document.tracks]
    track.sport = next((s for s in sports if s is not None), None)
    for gpx_track in document.tracks:
        for segment in gpx_track.segments:
            previous = None
            for point in segment.points:
                distance = track.distances[-1] if track.distances else 0.0
                if previous is not None:
                    distance = (distance or 0.0) + haversine_m(
                        previous.latitude, previous.longitude, point.latitude, point.longitude)
                track.add(_epoch(point.time), distance, point.elevation,
                          (point.latitude, point.longitude), _temperature(point))
                previous = point
    if not track.times:
        raise ActivityError("no recorded track in this GPX (a route or waypoints only?)",
                            path=name)
    return track


def _epoch(time: _dt.datetime | None) -> float | None:
    if time is None:
        return None
    if time.tzinfo is None:  # GPX times are UTC; a time without a zone is read as UTC
        time = time.replace(tzinfo=_dt.timezone.utc)
    return time.timestamp()


def _temperature(point) -> float | None:  # type: ignore[no-untyped-def]
    """Garmin's TrackPointExtension <atemp> (°C), when the device wrote it."""
    for extension in point.extensions or ():
        for element in extension.iter():
            if element.tag.rsplit("}", 1)[-1] in ("atemp", "temp") and element.text:
                try:
                    return float(element.text)
                except ValueError:
                    return None
    return None
