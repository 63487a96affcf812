"""The activity package's error: a CrampdxError naming the file, raised by readers."""

from __future__ import annotations

from crampdx.errors import CrampdxError


class ActivityError(CrampdxError):
    """A file that cannot give an activity (truncated beyond use, not an activity, a bomb)."""
