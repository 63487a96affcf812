"""One activity file's bytes -> its Summary, whatever the format; the sport settled."""

from __future__ import annotations

from crampdx.activity.errors import ActivityError
from crampdx.activity.model import HIKE, OTHER, RIDE, RUN, Summary
from crampdx.activity.profile import summarise
from crampdx.activity.sources import kind_of, sniff

UNKNOWN = "unknown"
# A file that does not say its sport is taken by its moving speed (crampdx's own rule of thumb):
RIDE_SPEED_M_S = 6.5  # 23 km/h: faster than nearly anyone runs for long
RUN_SPEED_M_S = 1.9  # 6.8 km/h: slower is hiking or walking


def read_activity(name: str, data: bytes, sport_hint: str | None = None) -> Summary:
    if not data:
        raise ActivityError("empty file", path=name)
    kind = sniff(data) or kind_of(name)
    if kind == "fit":
        from crampdx.activity import fit as reader
    elif kind == "gpx":
        from crampdx.activity import gpx as reader  # type: ignore[no-redef]
    elif kind == "tcx":
        from crampdx.activity import tcx as reader  # type: ignore[no-redef]
    else:
        raise ActivityError("not a FIT, GPX or TCX activity file", path=name)
    try:
        track = reader.read(data, name)
    except ActivityError:
        raise
    except Exception as exc:  # a library's own surprise on a damaged file: one line, no trace
        detail = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        raise ActivityError(f"not readable as {kind.upper()} ({detail})", path=name) from None
    from crampdx.activity.gpx import sport_word

    sport = sport_word(sport_hint) or track.sport
    summary = summarise(track, name, sport or UNKNOWN)
    if sport is None:
        guessed = infer_sport(summary)
        if guessed != UNKNOWN:
            summary.notes.append(f"the file does not say its sport: taken as {guessed} from its "
                                 "moving speed")
        summary.sport = guessed
    return summary


def infer_sport(summary: Summary) -> str:
    if not summary.moving_km or not summary.moving_h:
        return UNKNOWN
    speed = summary.moving_km * 1000 / (summary.moving_h * 3600)
    if speed >= RIDE_SPEED_M_S:
        return RIDE
    return RUN if speed >= RUN_SPEED_M_S else HIKE


__all__ = ["read_activity", "infer_sport", "UNKNOWN", "OTHER"]
