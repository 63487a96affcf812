"""FIT files with Garmin's own SDK (garmin-fit-sdk): it returns what it read before an error
together with the error, where stricter parsers stop with nothing (the Strava Android app's
files). Imported only when a FIT file is read."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from crampdx.activity.errors import ActivityError
from crampdx.activity.model import HIKE, OTHER, RIDE, RUN, WALK, Track

SEMICIRCLE = 180.0 / 2 ** 31
SPORTS = {"running": RUN, "hiking": HIKE, "walking": WALK, "cycling": RIDE, "e_biking": RIDE,
          "mountaineering": HIKE}
DAY = 86400.0


def sport_name(value: Any) -> str:
    return SPORTS.get(value, OTHER) if isinstance(value, str) else OTHER


def read(data: bytes, name: str) -> Track:
    """A Track from a FIT file's bytes; what could not be read becomes a warning."""
    from garmin_fit_sdk import Decoder, Stream

    stream = Stream.from_byte_array(bytearray(data))
    decoder = Decoder(stream)
    if not decoder.is_fit():
        raise ActivityError("not a FIT file (no FIT header); expected a .fit activity from a "
                            "watch or app", path=name)
    try:
        messages, errors = decoder.read(enable_crc_check=False, merge_heart_rates=False)
    except Exception as exc:  # the SDK's own guard failed: report, never a traceback
        raise ActivityError(f"cannot read this FIT file ({exc})", path=name) from None
    file_type = next((m.get("type") for m in messages.get("file_id_mesgs", [])), None)
    if file_type not in (None, "activity"):
        raise ActivityError(f"a FIT '{file_type}' file, not a recorded activity", path=name)
    sessions = messages.get("session_mesgs", [])
    records = messages.get("record_mesgs", [])
    if not sessions and not records:
        detail = f" ({errors[0]})" if errors else ""
        raise ActivityError(f"no activity in this FIT file: no session and no records{detail}",
                            path=name)
    track = Track()
    session = sessions[0] if sessions else {}
    sport = session.get("sport")
    if sport is None:
        sport = next((m.get("sport") for key in ("sport_mesgs", "lap_mesgs")
                      for m in messages.get(key, []) if m.get("sport") is not None), None)
    track.sport = sport_name(sport) if sport is not None else None
    track.total_distance_m = _number(session.get("total_distance"))
    track.total_elapsed_s = _number(session.get("total_elapsed_time"))
    track.total_timer_s = _number(session.get("total_timer_time"))
    if session.get("start_time") is not None:
        track.start = session["start_time"].timestamp()
    for activity in messages.get("activity_mesgs", []):
        local, utc = activity.get("local_timestamp"), activity.get("timestamp")
        if local is None or utc is None:
            continue
        if isinstance(local, (int, float)):
            # local_timestamp: seconds since the FIT epoch, in local time (no time zone).
            from garmin_fit_sdk.util import convert_timestamp_to_datetime

            local = convert_timestamp_to_datetime(local)
        if hasattr(local, "replace"):
            offset = local.replace(tzinfo=_dt.timezone.utc).timestamp() - utc.timestamp()
            if abs(offset) <= 14 * 3600:
                track.utc_offset_s = int(round(offset / 900.0) * 900)
    _records(track, records, name)
    if errors:
        track.warnings.append(_skipped(errors[0], track))
    return track


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else None


def _records(track: Track, records: list[dict[str, Any]], name: str) -> None:
    """Records in time order, one sample per timestamp (the Strava app writes position and
    distance as two records with the same time); records out of time order are dropped."""
    dropped = 0
    last_t: float | None = None
    for record in records:
        stamp = record.get("timestamp")
        t = stamp.timestamp() if stamp is not None else None
        if t is None or (last_t is not None and (t < last_t or t - last_t > DAY)) or \
                (track.start is not None and not track.start - DAY <= t <= track.start + 7 * DAY):
            dropped += 1
            continue
        lat, lon = record.get("position_lat"), record.get("position_long")
        latlon = (lat * SEMICIRCLE, lon * SEMICIRCLE) \
            if isinstance(lat, int) and isinstance(lon, int) else None
        elevation = record.get("enhanced_altitude", record.get("altitude"))
        distance, temp = record.get("distance"), record.get("temperature")
        if last_t is not None and t == last_t:
            for values, value in ((track.distances, distance), (track.elevations, elevation),
                                  (track.latlons, latlon), (track.temperatures, temp)):
                if values[-1] is None and value is not None:
                    values[-1] = value
            continue
        track.add(t, _number(distance), _number(elevation), latlon, _number(temp))
        last_t = t
    if dropped:
        track.warnings.append(f"{dropped} record(s) with a missing or impossible time skipped")


def _skipped(error: Exception, track: Track) -> str:
    """One line: where reading stopped and how much of the activity the records still cover."""
    message = str(error).replace("FIT Runtime Error", "").strip(" :") or type(error).__name__
    kept = ""
    times = [t for t in track.times if t is not None]
    if times:
        kept = f"; kept {len(track.times)} records ({_span(times[-1] - times[0])})"
        if track.total_elapsed_s:
            kept += f" of {_span(track.total_elapsed_s)}"
    summary = " and the file's summary" if track.total_distance_m is not None else ""
    return f"unreadable after an error ({message}){kept}{summary}; skipped the rest"


def _span(seconds: float) -> str:
    """A stretch of an activity as a warning reads it: minutes, or seconds under one."""
    return f"{seconds / 60:.0f} min" if seconds >= 60 else f"{seconds:.0f} s"
