"""From a Track's samples to one activity's facts: smoothed climb and descent, the biggest
continuous descent, moving and elapsed time, per-km splits. See docs/activities.md.

Elevation noise (GPS, and a barometer's drift and gusts) adds up: summing every rise of a raw
1-second profile can double a course's climb. Runners' tools smooth first; crampdx does it in
two steps: a running median over 50 m of distance (±25 m; ±2 samples where no distance is
known) removes spikes, then a hysteresis threshold counts a rise or fall only once it exceeds
GAIN_THRESHOLD_M from the last turning point (the way barometric watches accumulate ascent).
"""

from __future__ import annotations

import datetime as _dt
from statistics import median

from crampdx.activity.model import Summary, Track

MEDIAN_HALF_WINDOW_M = 25.0
MEDIAN_HALF_WINDOW_SAMPLES = 2
GAIN_THRESHOLD_M = 2.0  # a rise or fall counts once it exceeds this (hysteresis)
DESCENT_TOLERANCE_M = 20.0  # a "continuous" descent survives bumps up to this
MOVING_SPEED_M_S = 0.5  # slower than 1.8 km/h between two samples counts as stopped
COMPLETE = 0.9  # records covering less than this share of the activity: no profile facts
TIMED = 0.25  # times on less than this share of the track: taken as a track without times


def smoothed(track: Track) -> list[float]:
    """The elevation profile, median-filtered over distance (samples without elevation out)."""
    rows = [(d, e) for d, e in zip(track.distances, track.elevations) if e is not None]
    if not rows:
        return []
    elevations = [e for _, e in rows]
    if all(d is not None for d, _ in rows):
        xs = [float(d) for d, _ in rows]  # type: ignore[arg-type]
        out, lo, hi, n = [], 0, 0, len(xs)
        for i, x in enumerate(xs):
            while xs[lo] < x - MEDIAN_HALF_WINDOW_M:
                lo += 1
            while hi + 1 < n and xs[hi + 1] <= x + MEDIAN_HALF_WINDOW_M:
                hi += 1
            hi = max(hi, i)
            out.append(median(elevations[lo:hi + 1]))
        return out
    k = MEDIAN_HALF_WINDOW_SAMPLES
    return [median(elevations[max(0, i - k):i + k + 1]) for i in range(len(elevations))]


def turning_points(profile: list[float], threshold: float) -> list[float]:
    """The start, then each extreme the profile turns back from by more than `threshold`."""
    if not profile:
        return []
    points = [profile[0]]
    direction, extreme = 0, profile[0]  # +1 climbing, -1 descending, 0 not yet moved
    for value in profile[1:]:
        if direction == 0:
            if abs(value - points[0]) > threshold:
                direction, extreme = (1 if value > points[0] else -1), value
        elif direction * (value - extreme) > 0:
            extreme = value
        elif abs(value - extreme) > threshold:
            points.append(extreme)
            direction, extreme = -direction, value
    if direction:
        points.append(extreme)
    return points


def gain_loss(profile: list[float]) -> tuple[float, float]:
    points = turning_points(profile, GAIN_THRESHOLD_M)
    gain = sum(max(0.0, b - a) for a, b in zip(points, points[1:]))
    loss = sum(max(0.0, a - b) for a, b in zip(points, points[1:]))
    return gain, loss


def biggest_descent(profile: list[float]) -> float:
    """The largest top-to-bottom drop; a rise of up to DESCENT_TOLERANCE_M above the lowest
    point so far does not end the descent (a bump on the way down), a bigger one does."""
    best = 0.0
    top = low = profile[0] if profile else 0.0
    for value in profile[1:]:
        if value - low > DESCENT_TOLERANCE_M:  # climbing again: a new descent may start
            top = low = value
        elif value > top:
            top = low = value
        elif value < low:
            low = value
            best = max(best, top - low)
    return best


def timed_pairs(track: Track) -> list[tuple[float, float]]:
    return [(t, d) for t, d in zip(track.times, track.distances)
            if t is not None and d is not None]


def moving(pairs: list[tuple[float, float]]) -> tuple[float, float] | None:
    """(seconds, metres) between samples that moved at least MOVING_SPEED_M_S: pauses and
    stops out."""
    if len(pairs) < 2:
        return None
    seconds = metres = 0.0
    for (t0, d0), (t1, d1) in zip(pairs, pairs[1:]):
        dt = t1 - t0
        if dt > 0 and (d1 - d0) / dt >= MOVING_SPEED_M_S:
            seconds += dt
            metres += d1 - d0
    return seconds, metres


def km_splits(pairs: list[tuple[float, float]]) -> list[float]:
    """Moving seconds for each whole kilometre from the start (for the pace profile)."""
    splits: list[float] = []
    clock = 0.0  # moving seconds so far
    mark_clock, next_km = 0.0, 1000.0
    if pairs and pairs[0][1] > 0:  # times begin after the start: no splits
        return []
    for (t0, d0), (t1, d1) in zip(pairs, pairs[1:]):
        dt, dd = t1 - t0, d1 - d0
        if dt <= 0 or dd / dt < MOVING_SPEED_M_S:
            continue
        while d1 >= next_km:
            at = clock + dt * (next_km - d0) / dd
            splits.append(round(at - mark_clock, 1))
            mark_clock, next_km = at, next_km + 1000.0
        clock += dt
    return splits


def local_date(start: float | None, track: Track) -> str | None:
    """The start's calendar date where the runner was: the device's UTC offset when it records
    one, else the solar offset of the start's longitude (15° per hour), else UTC."""
    if start is None:
        return None
    offset = track.utc_offset_s
    if offset is None:
        first = next((p for p in track.latlons if p is not None), None)
        offset = int(round(first[1] / 15.0)) * 3600 if first is not None else 0
    moment = _dt.datetime.fromtimestamp(start + offset, tz=_dt.timezone.utc)
    return moment.date().isoformat()


def summarise(track: Track, file: str, sport: str) -> Summary:
    notes = list(track.warnings)
    distances = [d for d in track.distances if d is not None]
    record_distance = max(distances) if distances else None
    distance = track.total_distance_m if track.total_distance_m is not None else record_distance
    pairs = timed_pairs(track)
    times = [t for t in track.times if t is not None]
    has_summary = track.total_elapsed_s is not None or track.total_timer_s is not None
    if has_summary:
        pass
    elif distance and pairs and (pairs[-1][1] - pairs[0][1]) < TIMED * distance:
        notes.append("times on too little of the track: read as a track without times")
        pairs, times = [], []
    elif distance and pairs and (pairs[-1][1] - pairs[0][1]) < COMPLETE * distance:
        share = (pairs[-1][1] - pairs[0][1]) / distance
        notes.append(f"times on only {share:.0%} of the track: the duration is the span of the "
                     "times recorded")
    start = track.start if track.start is not None else (times[0] if times else None)
    elapsed = track.total_elapsed_s
    if elapsed is None and len(times) >= 2:
        elapsed = times[-1] - times[0]
    if elapsed is None:
        elapsed = track.total_timer_s
    complete = True
    if distance and record_distance is not None and record_distance < COMPLETE * distance:
        complete = False
    if elapsed and len(times) >= 2 and times[-1] - times[0] < COMPLETE * elapsed:
        complete = False
    if not complete:
        notes.append("the records cover only part of the activity: no climb, descent or pace "
                     "profile from it")
    profile = smoothed(track) if complete else []
    gain = loss = descent = None
    if len(profile) >= 2:
        gain, loss = gain_loss(profile)
        descent = biggest_descent(profile)
    moved = moving(pairs) if complete else None
    moving_s = moved[0] if moved else (track.total_timer_s if track.total_timer_s is not None
                                       else elapsed)
    moving_m = moved[1] if moved else distance
    temperatures = [x for x in track.temperatures if x is not None]
    return Summary(
        file=file, sport=sport, start=start, local_date=local_date(start, track),
        distance_km=_round(distance, 1000, 3), elapsed_h=_round(elapsed, 3600, 4),
        moving_h=_round(moving_s, 3600, 4), moving_km=_round(moving_m, 1000, 3),
        gain_m=_round(gain, 1, 1), loss_m=_round(loss, 1, 1),
        biggest_descent_m=_round(descent, 1, 1),
        temperature_c=round(median(temperatures), 1) if temperatures else None,
        has_gps=any(p is not None for p in track.latlons),
        splits_s_per_km=km_splits(pairs) if complete else [],
        notes=notes)


def _round(value: float | None, unit: float, digits: int) -> float | None:
    return None if value is None else round(value / unit, digits)
