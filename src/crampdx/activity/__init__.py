"""Race and training facts from the runner's own activity files (FIT, GPX, TCX, a Strava export).

`derive(race, training)` reads the files and returns the answers they settle (question id ->
value), which file(s) each came from, the rule that made it, and warnings about what was skipped.
Prints nothing; the FIT, GPX and TCX libraries are imported only when a file of that kind is read.
See docs/activities.md for every rule.
"""

from __future__ import annotations

from crampdx.activity.facts import Derived, derive

__all__ = ["Derived", "derive"]
