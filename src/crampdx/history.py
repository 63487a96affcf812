"""A season's memory: recorded debriefs in one SQLite file, and what they say together.

This module owns the database: its schema (versioned migrations counted in PRAGMA user_version,
stamped with an application id so a foreign SQLite file is recognised), opening it safely, and
the queries. It prints nothing. SQLite (standard library) because a runner's history is a single
file with no server to run; WAL and a busy timeout let two crampdx processes save at once.

Health data: `forget` deletes with secure_delete on and truncates the write-ahead log, so a
forgotten debrief does not linger in the file.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import random
import sqlite3
import time
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import msgspec

from crampdx.errors import CrampdxError

ENV_VAR = "CRAMPDX_DB"
FILE_NAME = "history.sqlite3"
APPLICATION_ID = 0x43445831  # "CDX1": marks the file as crampdx's (PRAGMA application_id)
BUSY_TIMEOUT_S = 15.0  # how long a save waits for another process's save to finish
SQLITE_HEADER = b"SQLite format 3\x00"

# Each entry upgrades the schema by one version; never edit a shipped entry, append a new one.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1: the debriefs
        """CREATE TABLE debriefs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            recorded_at TEXT NOT NULL,
            race_date TEXT,
            athlete TEXT NOT NULL DEFAULT '',
            athlete_key TEXT NOT NULL DEFAULT '',
            event TEXT NOT NULL DEFAULT '',
            triage TEXT NOT NULL,
            screened INTEGER,
            causes TEXT NOT NULL,
            leading TEXT NOT NULL,
            answers TEXT NOT NULL,
            report TEXT NOT NULL,
            knowledge TEXT NOT NULL
        )""",
    ),
    (  # 2: one athlete's season, fast
        "CREATE INDEX debriefs_by_athlete ON debriefs (athlete_key, race_date, id)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


class Stored(msgspec.Struct, frozen=True, dict=True):
    """One recorded debrief, as the database holds it. Two are equal (and hash alike) by what
    they record, not by the JSON text kept beside it, which the repr leaves out too; `dict=True`
    holds the parsed JSON, once read."""

    id: int
    recorded_at: str
    race_date: str | None
    athlete: str
    event: str
    triage: str
    screened: bool | None
    causes: tuple[str, ...]  # every cause with positive certainty, highest first
    leading: tuple[str, ...]  # the causes that led (the plan's), leading first
    answers_json: str  # not compared, not in the repr
    report_json: str  # not compared, not in the repr
    knowledge: str = ""

    def _compared(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in _STORED_COMPARED)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._compared() == other._compared()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._compared())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in _STORED_COMPARED)
        return f"{type(self).__qualname__}({shown})"

    # Parsed when first read: a list of thousands needs neither (docs/history.md's numbers).
    @cached_property
    def answers(self) -> dict[str, Any]:
        return json.loads(self.answers_json)

    @cached_property
    def report(self) -> dict[str, Any]:
        return json.loads(self.report_json)

    @property
    def date(self) -> str:
        """The race date, else the day it was recorded."""
        return self.race_date or self.recorded_at[:10]


_STORED_COMPARED = tuple(name for name in Stored.__struct_fields__
                         if name not in ("answers_json", "report_json"))


def default_path() -> Path:
    """CRAMPDX_DB, else history.sqlite3 in the user's data directory (platformdirs knows each
    platform's convention: ~/.local/share, ~/Library/Application Support, %LOCALAPPDATA%)."""
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return Path(env)
    import platformdirs

    return platformdirs.user_data_path("crampdx", appauthor=False) / FILE_NAME


def athlete_key(name: str) -> str:
    """Names compare case- and space-insensitively: 'Lena ' and 'lena' are one athlete."""
    return " ".join(str(name).split()).casefold()


def knowledge_version(dirs: Iterable[Path]) -> str:
    """A short hash of every knowledge file's path and content: equal hashes, equal knowledge."""
    digest = hashlib.sha256()
    for directory in dirs:
        directory = Path(directory)
        files = sorted(p for p in directory.rglob("*")
                       if p.suffix in (".yaml", ".yml") and p.is_file()) \
            if directory.is_dir() else []
        for path in files:
            digest.update(path.relative_to(directory).as_posix().encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
        digest.update(b"\1")
    return digest.hexdigest()[:12]


# -- opening ---------------------------------------------------------------------------------

def _refuse(path: Path, why: str) -> CrampdxError:
    return CrampdxError(f"{why}; crampdx leaves it untouched: move it away or give another "
                        f"file with --db or {ENV_VAR}", path=path)


def _check_header(path: Path) -> bool:
    """True when the file exists with content; refuse anything that is not SQLite at all,
    before SQLite is given a chance to write to it."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return False
    except IsADirectoryError:
        raise CrampdxError("is a directory; give a file for the history database",
                           path=path) from None
    except OSError as exc:
        raise CrampdxError(f"cannot read the history database: {exc.strerror or exc}",
                           path=path) from None
    if not head:
        return False
    if head != SQLITE_HEADER:
        raise _refuse(path, "not a crampdx history database (not SQLite: damaged, or another "
                            "kind of file)")
    return True


def _check_ours(connection: sqlite3.Connection, path: Path) -> None:
    """An existing SQLite file must be crampdx's (or empty), and not from a newer crampdx.

    The three facts are read in one read transaction: read one by one, another crampdx
    creating the database could commit between them, and its tables would be seen without
    its application id (a crampdx history refused as another program's)."""
    connection.execute("BEGIN")
    try:
        app_id = connection.execute("PRAGMA application_id").fetchone()[0]
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        tables = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
    finally:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
    if app_id != APPLICATION_ID and (tables or version):
        raise _refuse(path, "an SQLite database of another program, not crampdx's history")
    if version > SCHEMA_VERSION:
        raise _refuse(path, f"made by a newer crampdx (schema {version}; this one reads up to "
                            f"{SCHEMA_VERSION}); upgrade crampdx")
    if app_id == APPLICATION_ID:
        connection.execute("PRAGMA quick_check").fetchall()


def _migrate(connection: sqlite3.Connection) -> None:
    """Bring the schema to SCHEMA_VERSION in one write transaction; a second process doing the
    same waits, then finds it done."""
    if connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
        return
    connection.execute("BEGIN IMMEDIATE")
    try:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        for statements in MIGRATIONS[version:]:
            for statement in statements:
                connection.execute(statement)
        connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def _set_up(connection: sqlite3.Connection) -> None:
    connection.execute("PRAGMA journal_mode = WAL")
    _migrate(connection)


def _while_busy(step: Callable[[], None]) -> None:
    """Run `step`, again while another process holds the lock it needs. Two processes opening
    a new database at once race for it while it is made: switching to WAL and creating the
    tables can fail at once with 'database is locked', whatever the busy timeout (SQLite does
    not wait where waiting could deadlock), so the retry is here, bounded by the timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            step()
            return
        except sqlite3.OperationalError as exc:
            if not ("locked" in str(exc) or "busy" in str(exc)) \
                    or time.monotonic() > deadline:
                raise
            time.sleep(0.02 + random.random() * 0.05)


def connect(path: str | Path | None = None) -> sqlite3.Connection:
    """Open (creating if needed) the history database; a damaged or foreign file is refused
    with a CrampdxError and never written to."""
    target = Path(path) if path is not None else default_path()
    existing = _check_header(target)
    if not existing:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CrampdxError(f"cannot create the history database's directory: "
                               f"{exc.strerror or exc}", path=target.parent) from None
    try:
        connection = sqlite3.connect(target, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as exc:
        raise CrampdxError(f"cannot open the history database: {exc}", path=target) from None
    try:
        if existing:
            _while_busy(lambda: _check_ours(connection, target))
        connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        connection.execute("PRAGMA foreign_keys = ON")
        _while_busy(lambda: _set_up(connection))
    except CrampdxError:
        connection.close()
        raise
    except sqlite3.DatabaseError as exc:
        connection.close()
        if "locked" in str(exc) or "busy" in str(exc):
            raise CrampdxError(f"the history database is busy (another crampdx is saving); "
                               f"try again: {exc}", path=target) from None
        raise _refuse(target, f"not a usable crampdx history database ({exc})") from None
    return connection


# -- writing ---------------------------------------------------------------------------------

def record(connection: sqlite3.Connection, *, answers: dict[str, Any], report: dict[str, Any],
           knowledge: str, screened: bool | None = None, now: _dt.datetime | None = None
           ) -> int:
    """Store one debrief: the answers (as an answers file would hold them), the JSON report,
    the knowledge version, and whether every red-flag question was answered (the report's
    triage.screened when it has one); returns its id."""
    meta = report.get("meta", {})
    triage = report.get("triage", {})
    screened = triage.get("screened", screened)
    causes = [c["id"] for c in report.get("causes", [])]
    leading = [c["id"] for c in report.get("causes", []) if c.get("leading")]
    causes = leading + [c for c in causes if c not in leading]
    stamp = (now or _dt.datetime.now(_dt.timezone.utc)).isoformat(timespec="seconds")
    athlete = str(meta.get("athlete", "") or "")
    try:
        connection.execute("BEGIN IMMEDIATE")
        cursor = connection.execute(
            "INSERT INTO debriefs (recorded_at, race_date, athlete, athlete_key, event, triage, "
            "screened, causes, leading, answers, report, knowledge) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (stamp, race_date(meta.get("date")), athlete, athlete_key(athlete),
             str(meta.get("event", "") or ""), triage.get("level", ""),
             None if screened is None else int(bool(screened)), json.dumps(causes),
             json.dumps(leading), json.dumps(answers, ensure_ascii=False),
             json.dumps(report, ensure_ascii=False), knowledge))
        connection.execute("COMMIT")
    except sqlite3.Error as exc:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise CrampdxError(f"cannot save the debrief in the history: {exc}") from None
    return int(cursor.lastrowid or 0)


def race_date(value: Any) -> str | None:
    """The answers' `date` as an ISO date, or None when it is not one (kept as given in the
    answers; the list then sorts it by the day it was recorded)."""
    if value is None:
        return None
    try:
        return _dt.date.fromisoformat(str(value).strip()[:10]).isoformat()
    except ValueError:
        return None


def forget(connection: sqlite3.Connection, *, debrief_id: int | None = None,
           athlete: str | None = None) -> int:
    """Delete one debrief, or all of one athlete's; returns how many. Deleted rows are
    overwritten (secure_delete) and the write-ahead log truncated: these are health data."""
    if (debrief_id is None) == (athlete is None):
        raise ValueError("forget takes an id or an athlete")
    connection.execute("PRAGMA secure_delete = ON")
    connection.execute("BEGIN IMMEDIATE")
    if debrief_id is not None:
        cursor = connection.execute("DELETE FROM debriefs WHERE id = ?", (debrief_id,))
    else:
        cursor = connection.execute("DELETE FROM debriefs WHERE athlete_key = ?",
                                    (athlete_key(athlete or ""),))
    connection.execute("COMMIT")
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.OperationalError:  # another reader holds the log; it is reused, not grown
        pass
    return cursor.rowcount


# -- reading ---------------------------------------------------------------------------------

_COLUMNS = ("id, recorded_at, race_date, athlete, event, triage, screened, causes, leading, "
            "answers, report, knowledge")
_NEWEST_FIRST = "ORDER BY COALESCE(race_date, substr(recorded_at, 1, 10)) DESC, id DESC"


def _stored(row: Sequence[Any]) -> Stored:
    return Stored(id=row[0], recorded_at=row[1], race_date=row[2], athlete=row[3], event=row[4],
                  triage=row[5], screened=None if row[6] is None else bool(row[6]),
                  causes=tuple(json.loads(row[7])), leading=tuple(json.loads(row[8])),
                  answers_json=row[9], report_json=row[10], knowledge=row[11])


def debriefs(connection: sqlite3.Connection, *, athlete: str | None = None,
             event: str | None = None) -> list[Stored]:
    """Recorded debriefs, newest race first (optionally one athlete's, or one event's)."""
    where, params = [], []
    if athlete is not None:
        where.append("athlete_key = ?")
        params.append(athlete_key(athlete))
    if event is not None:
        where.append("lower(trim(event)) = ?")
        params.append(" ".join(event.split()).lower())
    clause = f"WHERE {' AND '.join(where)} " if where else ""
    rows = connection.execute(f"SELECT {_COLUMNS} FROM debriefs {clause}{_NEWEST_FIRST}",
                              params).fetchall()
    return [_stored(row) for row in rows]


def get(connection: sqlite3.Connection, debrief_id: int) -> Stored:
    row = connection.execute(f"SELECT {_COLUMNS} FROM debriefs WHERE id = ?",
                             (debrief_id,)).fetchone()
    if row is None:
        raise CrampdxError(f"no recorded debrief has id {debrief_id}; 'crampdx history' "
                           "lists them")
    return _stored(row)


def latest_per_athlete(items: list[Stored]) -> list[Stored]:
    """Each athlete's newest debrief (items newest first, as `debriefs` returns them)."""
    seen: set[str] = set()
    latest = []
    for item in items:
        key = athlete_key(item.athlete) or f"#{item.id}"
        if key not in seen:
            seen.add(key)
            latest.append(item)
    return latest


# -- what the season says --------------------------------------------------------------------

class Recurring(msgspec.Struct, frozen=True):
    """A cause that led in two or more of one athlete's listed debriefs."""

    cause: str
    count: int
    races: tuple[int, ...]  # the debriefs it led in, newest first
    window: int  # the athlete's last `window` races hold them all: "led in 3 of your last 4"
    athlete: str = ""  # whose races (as the newest of them spells the name)


def recurring(items: list[Stored], minimum: int = 2) -> list[Recurring]:
    """Causes that led in at least `minimum` debriefs of the same athlete (items newest
    first), most often first. Athletes are never mixed: two runners each cramping once from
    the same cause is no pattern; a debrief with no athlete name belongs to nobody's season."""
    seasons: dict[str, list[Stored]] = {}
    for item in items:
        key = athlete_key(item.athlete)
        if key:
            seasons.setdefault(key, []).append(item)
    found = []
    for season in seasons.values():
        hits: dict[str, list[int]] = {}
        last_index: dict[str, int] = {}
        for index, item in enumerate(season):
            for cause in item.leading:
                hits.setdefault(cause, []).append(item.id)
                last_index[cause] = index
        found += [Recurring(cause, len(ids), tuple(ids), last_index[cause] + 1,
                            season[0].athlete)
                  for cause, ids in hits.items() if len(ids) >= minimum]
    return sorted(found, key=lambda r: (-r.count, r.window, athlete_key(r.athlete), r.cause))


class Change(msgspec.Struct, frozen=True):
    """One answer that differs between two debriefs (None: not answered)."""

    question: str
    before: Any
    after: Any


class Changes(msgspec.Struct, frozen=True):
    """What changed from `previous` to `latest`: answers and leading causes side by side."""

    previous: Stored
    latest: Stored
    answers: tuple[Change, ...]
    causes_before: tuple[str, ...]
    causes_after: tuple[str, ...]


def changes(previous: Stored, latest: Stored, question_order: Sequence[str]) -> Changes:
    """The answers that differ (in the questions' order; meta keys left out) and the leading
    causes of each."""
    before = _values(previous.answers)
    after = _values(latest.answers)
    order = {qid: index for index, qid in enumerate(question_order)}
    keys = sorted(set(before) | set(after), key=lambda k: (order.get(k, len(order)), k))
    diff = tuple(Change(k, before.get(k), after.get(k)) for k in keys
                 if before.get(k) != after.get(k))
    return Changes(previous, latest, diff, previous.leading, latest.leading)


def _values(answers: dict[str, Any]) -> dict[str, Any]:
    from crampdx.answers import META_KEYS

    return {k: v for k, v in answers.items() if k not in META_KEYS}
