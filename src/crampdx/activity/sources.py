"""Where activity files come from: a file (plain or .gz), a zip (a Strava bulk export), a
folder (a Strava export unpacked, or any folder of FIT/GPX/TCX files). Everything is read into
memory with hard caps, never extracted to disk: a zip or gzip bomb stops at the cap."""

from __future__ import annotations

import csv
import gzip
import io
import os
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Callable, Iterator

import msgspec

from crampdx.activity.errors import ActivityError

MAX_ACTIVITY_BYTES = 64 * 1024 * 1024  # one activity, uncompressed (a 30 h race at 1 s ~ 20 MB)
MAX_ZIP_MEMBERS = 50_000  # a five-year Strava export has a few thousand
MAX_ZIP_TOTAL_BYTES = 4 * 1024 * 1024 * 1024  # all activities read from one zip, uncompressed
MAX_OVERSIZED = 3  # members over the cap before the rest of a zip is refused
MAX_FOLDER_FILES = 20_000  # activity files read from one folder (a warning says the rest)
KINDS = ("fit", "gpx", "tcx")


def kind_of(name: str) -> str | None:
    """'fit', 'gpx' or 'tcx' from a file name (also .fit.gz); None for anything else."""
    lower = name.lower()
    if lower.endswith(".gz"):
        lower = lower[:-3]
    suffix = lower.rsplit(".", 1)[-1] if "." in lower else ""
    return suffix if suffix in KINDS else None


def sniff(data: bytes) -> str | None:
    if len(data) >= 12 and data[8:12] == b".FIT":
        return "fit"
    head = data[:4096].lower()
    if b"<gpx" in head:
        return "gpx"
    if b"trainingcenterdatabase" in head:
        return "tcx"
    return None


def _read_capped(stream: io.RawIOBase | io.BufferedIOBase, name: str, limit: int) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise ActivityError(f"larger than {limit // (1024 * 1024)} MB uncompressed: not read "
                            "(too large for one activity; a decompression bomb?)", path=name)
    return data


def gunzip(data: bytes, name: str) -> bytes:
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            return _read_capped(stream, name, MAX_ACTIVITY_BYTES)
    except (OSError, EOFError, zlib.error) as exc:
        raise ActivityError(f"a damaged gzip file ({exc})", path=name) from None


def read_file(path: Path) -> bytes:
    """A file's bytes, gunzipped when gzipped, within the caps; read with crampdx.safeio's
    bounded reader (a device or a FIFO is refused before a byte is read)."""
    from crampdx.errors import CrampdxError
    from crampdx.safeio import read_bounded

    try:
        data = read_bounded(path, max_bytes=MAX_ACTIVITY_BYTES, what="activity file")
    except CrampdxError as exc:
        raise ActivityError(exc.message, path=path) from None
    return gunzip(data, str(path))


class Entry(msgspec.Struct):
    """One activity file to read: its name for messages, a cache key, how to get its bytes,
    and the sport a Strava export's activities.csv gives it."""

    name: str
    key: str
    load: Callable[[], bytes]
    sport_hint: str | None = None


def stat_key(path: Path) -> str:
    stat = path.stat()
    return f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"


def strava_sports(rows: Iterator[list[str]]) -> dict[str, str]:
    """activities.csv: file name (as in the export) -> the activity type Strava shows."""
    header = next(rows, None)
    if not header:
        return {}
    try:
        type_col, file_col = header.index("Activity Type"), header.index("Filename")
    except ValueError:
        return {}
    sports = {}
    for row in rows:
        if len(row) > max(type_col, file_col) and row[file_col]:
            sports[row[file_col].strip()] = row[type_col].strip()
    return sports


def entries(path: Path, warnings: list[str]) -> Iterator[Entry]:
    """Every activity file under a --training PATH (file, .gz, zip or folder)."""
    if path.is_dir():
        yield from _folder(path, warnings)
    elif not path.exists():
        raise ActivityError("no such file or folder", path=path)
    elif not path.is_file():  # a FIFO or a device: is_zipfile would open it and wait
        raise ActivityError("is not a regular file (a device or a pipe?); give an activity "
                            "file, a zip or a folder", path=path)
    elif zipfile.is_zipfile(path) or path.suffix.lower() == ".zip":
        yield from _zip(path, warnings)
    else:
        yield Entry(str(path), stat_key(path), lambda: read_file(path))


def _folder(root: Path, warnings: list[str]) -> Iterator[Entry]:
    sports: dict[str, str] = {}
    csv_path = root / "activities.csv"
    if csv_path.is_file():  # an unpacked Strava export
        try:
            with csv_path.open(newline="", encoding="utf-8", errors="replace") as stream:
                sports = strava_sports(csv.reader(stream))
        except (OSError, csv.Error) as exc:
            warnings.append(f"{csv_path}: not read ({exc}); sports come from the files")
    count = 0
    for directory, subdirs, files in os.walk(root):
        subdirs.sort()
        for file_name in sorted(files):
            if kind_of(file_name) is None:
                continue
            count += 1
            if count > MAX_FOLDER_FILES:
                warnings.append(f"{root}: more than {MAX_FOLDER_FILES} activity files; read the "
                                f"first {MAX_FOLDER_FILES} (by name), skipped the rest")
                return
            full = Path(directory) / file_name
            relative = full.relative_to(root).as_posix()
            try:
                key = stat_key(full)
            except OSError:
                continue
            yield Entry(str(full), key, lambda full=full: read_file(full), sports.get(relative))


def _zip(path: Path, warnings: list[str]) -> Iterator[Entry]:
    try:
        archive = zipfile.ZipFile(path)
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ActivityError(f"not a readable zip file ({exc})", path=path) from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise ActivityError(f"{len(members)} files in this zip, more than {MAX_ZIP_MEMBERS}: "
                            "not read (not an activity export?)", path=path)
    wanted = [m for m in members if not m.is_dir() and kind_of(m.filename) is not None]
    if not wanted:
        raise ActivityError("no FIT, GPX or TCX files in this zip (empty, or not an activity "
                            "export)", path=path)
    sports: dict[str, str] = {}
    csv_member = next((m for m in members if PurePosixPath(m.filename).name == "activities.csv"),
                      None)
    prefix = ""
    if csv_member is not None:
        prefix = str(PurePosixPath(csv_member.filename).parent)
        prefix = "" if prefix == "." else prefix + "/"
        try:
            with archive.open(csv_member) as raw:
                text = _read_capped(raw, f"{path}:{csv_member.filename}", MAX_ACTIVITY_BYTES)
            sports = strava_sports(csv.reader(io.StringIO(text.decode("utf-8", "replace"))))
        except (ActivityError, zipfile.BadZipFile, OSError, zlib.error, csv.Error) as exc:
            warnings.append(f"{path}:{csv_member.filename}: not read ({exc})")
    base = stat_key(path)
    budget = {"bytes": MAX_ZIP_TOTAL_BYTES, "oversized": 0}

    def loader(member: zipfile.ZipInfo) -> Callable[[], bytes]:
        def load() -> bytes:
            name = f"{path}:{member.filename}"
            if budget["bytes"] <= 0 or budget["oversized"] >= MAX_OVERSIZED:
                raise ActivityError("not read: reading this zip stopped at its size limit "
                                    "(a zip bomb?)", path=name)
            limit = min(MAX_ACTIVITY_BYTES, budget["bytes"])
            try:
                with archive.open(member) as raw:
                    data = _read_capped(raw, name, limit)
                data = gunzip(data, name)
            except ActivityError:
                budget["bytes"] -= limit
                budget["oversized"] += 1
                raise
            except (zipfile.BadZipFile, OSError, zlib.error, EOFError, RuntimeError) as exc:
                raise ActivityError(f"damaged in the zip ({exc})", path=name) from None
            budget["bytes"] -= len(data)
            return data
        return load

    for member in wanted:
        parts = PurePosixPath(member.filename).parts
        if member.filename.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
            warnings.append(f"{path}:{member.filename}: unsafe name (absolute or '..'): skipped")
            continue
        relative = member.filename[len(prefix):] if member.filename.startswith(prefix) \
            else member.filename
        yield Entry(f"{path}:{member.filename}", f"{base}|{member.filename}|{member.CRC}",
                    loader(member), sports.get(relative))
