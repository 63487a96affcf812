"""The training cache: one JSON file per --training PATH under the user's cache directory
(platformdirs; CRAMPDX_CACHE_DIR overrides it), holding each activity file's Summary keyed on
its path, size and modification time (a zip member: the zip's, plus name and CRC). A changed
or new file is read again; the rest come from the cache, unless another crampdx (another
version, or changed activity readers) wrote it. JSON, never pickle: a cache file is data, and
a damaged one is ignored and rebuilt."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

CACHE_VERSION = 1
ENV = "CRAMPDX_CACHE_DIR"
_PACKAGE = Path(__file__).resolve().parent


def reader_stamp() -> str:
    """Which code read the summaries: crampdx's version and the activity readers' files (size,
    mtime). An upgrade that reads files differently (or words a warning differently) must not
    be handed summaries the old code made."""
    from crampdx import __version__

    parts = [__version__]
    for module in sorted(_PACKAGE.glob("*.py")):
        try:
            stat = module.stat()
        except OSError:
            continue
        parts.append(f"{module.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


def cache_dir() -> Path:
    """<cache>/activities: CRAMPDX_CACHE_DIR, else the platform's user cache dir for crampdx."""
    root = os.environ.get(ENV)
    if not root:
        import platformdirs

        root = platformdirs.user_cache_dir("crampdx", appauthor=False)
    return Path(root) / "activities"


class SummaryCache:
    """Summaries (or the error a file gave) of one training PATH, by file key."""

    def __init__(self, source: Path, directory: Path | None = None) -> None:
        digest = hashlib.sha256(str(source.resolve()).encode("utf-8", "surrogatepass"))
        self.path = (directory or cache_dir()) / f"{digest.hexdigest()[:24]}.json"
        self.source = str(source.resolve())
        self.old: dict[str, Any] = {}
        self.new: dict[str, Any] = {}
        self.hits = 0
        # A file PATH (a zip, one activity) unchanged since last time: its whole listing and the
        # warnings it gave are reused without opening it ("stamp": path, size, mtime).
        self.old_stamp: str | None = None
        self.old_warnings: list[str] = []
        self.stamp: str | None = None
        self.warnings: list[str] = []
        self.reader = reader_stamp()
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and data.get("version") == CACHE_VERSION and \
                    data.get("reader") == self.reader and \
                    data.get("source") == self.source and isinstance(data.get("entries"), dict):
                self.old = data["entries"]
                self.old_stamp = data.get("stamp") if isinstance(data.get("stamp"), str) \
                    else None
                warnings = data.get("warnings")
                self.old_warnings = [w for w in warnings if isinstance(w, str)] \
                    if isinstance(warnings, list) else []
        except (OSError, ValueError, UnicodeDecodeError):
            self.old = {}

    def unchanged(self, stamp: str) -> bool:
        """The PATH is the same file as when cached: every entry can be reused as it is."""
        return bool(self.old) and self.old_stamp == stamp and \
            all(_valid(entry) for entry in self.old.values())

    def get(self, key: str) -> dict[str, Any] | None:
        entry = self.old.get(key)
        if _valid(entry):
            self.hits += 1
            self.new[key] = entry
            return entry
        return None

    def put(self, key: str, entry: dict[str, Any]) -> None:
        self.new[key] = entry

    def save(self) -> str | None:
        """Write the entries seen this time (files gone from the PATH drop out); a warning
        instead of an error when the cache cannot be written: the facts are still right."""
        if self.new == self.old and self.stamp == self.old_stamp and \
                self.warnings == self.old_warnings:
            return None
        document = {"version": CACHE_VERSION, "reader": self.reader, "source": self.source,
                    "stamp": self.stamp, "warnings": self.warnings, "entries": self.new}
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_text(json.dumps(document, separators=(",", ":")), encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError as exc:
            try:
                temporary.unlink()
            except OSError:
                pass
            return f"{self.path}: training cache not written ({exc.strerror or exc})"
        return None


def _valid(entry: Any) -> bool:
    """A cached error line, or a summary with exactly the fields a Summary has."""
    from crampdx.activity.model import SUMMARY_FIELDS

    if not isinstance(entry, dict):
        return False
    if isinstance(entry.get("error"), str):
        return True
    summary = entry.get("summary")
    return isinstance(summary, dict) and summary.keys() == SUMMARY_FIELDS
