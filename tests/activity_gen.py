"""Generated activity files with known distances, times, climbs, descents and dates, written
with the libraries' own writers (garmin-fit-sdk's Encoder, gpxpy) and, for TCX, as text."""

from __future__ import annotations

import datetime as dt
import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

M_PER_DEG_LAT = 6371008.8 * 3.141592653589793 / 180  # the haversine's sphere, so d is exact
SEMI = 2 ** 31 / 180.0
UTC = dt.timezone.utc


@dataclass
class Sample:
    t: dt.datetime
    d: float  # cumulative metres
    ele: float | None
    temp: float | None = None

    @property
    def lat(self) -> float:
        return 46.0 + self.d / M_PER_DEG_LAT


LON = 7.0


def samples(start: dt.datetime, km: float, hours: float, *, step_s: float = 30.0,
            elevation: Callable[[float], float] | None = lambda d: 500.0,
            temp: float | None = None, pause: tuple[float, float] | None = None,
            fast_first: float = 1.0) -> list[Sample]:
    """A run of `km` in `hours` of moving time, sampled every `step_s`; `pause` = (after s,
    for s) standing still; `fast_first` > 1 runs the first fifth that much faster (same total
    moving time)."""
    total_m, moving_s = km * 1000.0, hours * 3600.0
    # distance as a function of moving time: two speeds when the first fifth is faster
    first_m = total_m / 5
    v_rest = (total_m - first_m) / (moving_s - first_m / 1.0) if fast_first == 1.0 else None
    if fast_first == 1.0:
        def dist(s: float) -> float:
            return total_m * s / moving_s
    else:
        # first fifth at speed v1 = fast_first * v2; solve for v2 with the total time fixed
        v2 = (first_m / fast_first + (total_m - first_m)) / moving_s
        v1 = fast_first * v2
        t1 = first_m / v1

        def dist(s: float) -> float:
            return v1 * s if s <= t1 else first_m + v2 * (s - t1)
    del v_rest
    out: list[Sample] = []
    moving, clock = 0.0, 0.0
    while True:
        d = min(total_m, dist(moving))
        out.append(Sample(start + dt.timedelta(seconds=clock), d,
                          elevation(d) if elevation else None, temp))
        if moving >= moving_s:
            break
        step = min(step_s, moving_s - moving)
        if pause is not None and moving < pause[0] <= moving + step:
            step = pause[0] - moving
            moving += step
            clock += step
            out.append(Sample(start + dt.timedelta(seconds=clock), dist(moving),
                              elevation(dist(moving)) if elevation else None, temp))
            clock += pause[1]
            continue
        moving += step
        clock += step
    return out


def mountain(climb: float, km: float) -> Callable[[float], float]:
    """Up `climb` metres over the first half, down again over the second."""
    half = km * 500.0
    return lambda d: 1000.0 + climb * (d / half if d <= half else (2 * half - d) / half)


def fit_bytes(points: list[Sample], *, sport: str = "running", utc_offset_h: float | None = None,
              gps: bool = True, session: bool = True) -> bytes:
    from garmin_fit_sdk import Encoder, Profile

    numbers = Profile["mesg_num"]
    encoder = Encoder()
    start, end = points[0].t, points[-1].t
    encoder.write_mesg({"mesg_num": numbers["FILE_ID"], "type": "activity",
                        "manufacturer": "development", "product": 0, "serial_number": 1,
                        "time_created": start})
    for p in points:
        record = {"mesg_num": numbers["RECORD"], "timestamp": p.t, "distance": p.d}
        if gps:
            record.update(position_lat=int(round(p.lat * SEMI)),
                          position_long=int(round(LON * SEMI)))
        if p.ele is not None:
            record["enhanced_altitude"] = p.ele
        if p.temp is not None:
            record["temperature"] = int(p.temp)
        encoder.write_mesg(record)
    if session:
        elapsed = (end - start).total_seconds()
        encoder.write_mesg({"mesg_num": numbers["SESSION"], "start_time": start,
                            "timestamp": end, "total_elapsed_time": elapsed,
                            "total_timer_time": elapsed, "total_distance": points[-1].d,
                            "sport": sport})
    if utc_offset_h is not None:
        local = end + dt.timedelta(hours=utc_offset_h)
        encoder.write_mesg({"mesg_num": numbers["ACTIVITY"], "timestamp": end,
                            "local_timestamp": int(local.timestamp()) - 631065600,
                            "num_sessions": 1})
    return encoder.close()


def gpx_text(points: list[Sample], *, kind: str | None = "running", times: bool = True,
             offset_h: float | None = None) -> str:
    import gpxpy.gpx

    document = gpxpy.gpx.GPX()
    track = gpxpy.gpx.GPXTrack()
    track.type = kind
    document.tracks.append(track)
    segment = gpxpy.gpx.GPXTrackSegment()
    track.segments.append(segment)
    zone = dt.timezone(dt.timedelta(hours=offset_h)) if offset_h is not None else UTC
    for p in points:
        segment.points.append(gpxpy.gpx.GPXTrackPoint(
            p.lat, LON, elevation=p.ele, time=p.t.astimezone(zone) if times else None))
    return document.to_xml()


def tcx_text(points: list[Sample], *, sport: str = "Running") -> str:
    rows = []
    for p in points:
        ele = f"<AltitudeMeters>{p.ele}</AltitudeMeters>" if p.ele is not None else ""
        rows.append(f"<Trackpoint><Time>{p.t.strftime('%Y-%m-%dT%H:%M:%SZ')}</Time>"
                    f"<Position><LatitudeDegrees>{p.lat}</LatitudeDegrees><LongitudeDegrees>"
                    f"{LON}</LongitudeDegrees></Position>{ele}"
                    f"<DistanceMeters>{p.d}</DistanceMeters></Trackpoint>")
    elapsed = (points[-1].t - points[0].t).total_seconds()
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase xmlns='
            '"http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"><Activities>'
            f'<Activity Sport="{sport}"><Id>{points[0].t.isoformat()}</Id>'
            f'<Lap StartTime="{points[0].t.isoformat()}"><TotalTimeSeconds>{elapsed}'
            f'</TotalTimeSeconds><DistanceMeters>{points[-1].d}</DistanceMeters><Track>'
            + "".join(rows) + "</Track></Lap></Activity></Activities></TrainingCenterDatabase>")


def write(path: Path, points: list[Sample], **options) -> Path:  # type: ignore[no-untyped-def]
    """Write by suffix: .fit, .gpx, .tcx, each also .gz."""
    name = path.name[:-3] if path.name.endswith(".gz") else path.name
    if name.endswith(".fit"):
        data = fit_bytes(points, **options)
    elif name.endswith(".gpx"):
        data = gpx_text(points, **options).encode()
    else:
        data = tcx_text(points, **options).encode()
    if path.name.endswith(".gz"):
        data = gzip.compress(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def at(day: dt.date, hour: int = 7) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
