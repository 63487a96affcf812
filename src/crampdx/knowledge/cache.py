"""The compiled knowledge cache: a validated knowledge base stored once, loaded in milliseconds.

Reading and validating the YAML is most of what a debrief costs, and it gives the same result
until a knowledge file changes. So, like a compiler's object files, the validated model is kept
in the user's cache directory (`knowledge/` under platformdirs' `user_cache_dir`, or under
CRAMPDX_CACHE_DIR) and
reused while nothing it was built from has changed.

- **Key**: every knowledge file's path, size, mtime_ns and content hash, in the order the
  directories stack; the crampdx version; the Python version; and the size and mtime of
  crampdx's own modules that shape the model, so an edited loader in a checkout never reads an
  old cache. Any difference means a rebuild.
- **Format**: pickle, because its C unpickler rebuilds tens of thousands of frozen records
  several times faster than any decoder written in Python (JSON or marshal of plain data, then
  rebuilt field by field, cost more than reading the YAML saved at 4,000 rules). Pickle can run
  code, so it is fenced twice: every file carries a keyed BLAKE2b MAC under a random key kept
  0600 in the same directory, checked before a byte is unpickled (a corrupted, truncated,
  foreign or planted file is ignored and rebuilt); and the unpickler resolves no name but the
  model's own record classes (msgspec Structs). Each model object is stored as its class and
  its field values in order (`__struct_fields__`), rebuilt by calling the class, so a field
  added to the model needs no change here; the fields of every class are stored too, and a
  cache written for other fields is rebuilt.
- **Failure is silent**: an unwritable or read-only directory, a key file someone else owns or
  can read, any OSError: no cache, same result. CRAMPDX_NO_CACHE=1 turns it off.

Files are written to a temporary file in the same directory and renamed into place, so a
reader never sees half a file.
"""

from __future__ import annotations

import io
import os
import pickle
import sys
from pathlib import Path
from typing import Any, Callable

import msgspec

from crampdx import __version__
from crampdx.knowledge import conditions, model
from crampdx.knowledge.locate import knowledge_files

# BLAKE2b and a constant-time compare straight from the modules hashlib and hmac take them from:
# importing hashlib loads OpenSSL (a few ms of every warm run) for digests it never gives here.
try:
    from _blake2 import blake2b
    from _operator import _compare_digest as compare_digest
except ImportError:  # another Python implementation
    from hashlib import blake2b
    from hmac import compare_digest

DIR_ENV = "CRAMPDX_CACHE_DIR"
OFF_ENV = "CRAMPDX_NO_CACHE"
# 2: the model became msgspec Structs (1 held dataclasses): an old file is rebuilt, not misread
MAGIC = b"crampdx-kb-cache 2\n"
MAC_BYTES = 32
KEY_BYTES = 32
KEY_NAME = "key"
# The loader refuses knowledge files over 500 kB; a bigger one is not read whole just to hash it.
HASHED_FILE_BYTES = 1_000_000
# The modules whose code decides what the cached model holds: a change to one (a checkout being
# edited, an upgrade without a version bump) must not be answered from an old cache.
_PACKAGE = Path(__file__).resolve().parent.parent
SHAPING_MODULES = ("knowledge/cache.py", "knowledge/conditions.py", "knowledge/loader.py",
                   "knowledge/model.py", "knowledge/plans.py", "knowledge/schema.py",
                   "knowledge/locate.py", "units.py", "yamlio.py", "yamlplain.py",
                   "yamlfull.py")


class _Invalid(Exception):
    """The cache holds something this version cannot rebuild: rebuild from the YAML."""


def enabled() -> bool:
    return os.environ.get(OFF_ENV, "").strip() in ("", "0")


def cache_dir() -> Path | None:
    """<base>/knowledge, the base being CRAMPDX_CACHE_DIR, else the platform's user cache
    directory for crampdx (shared with the other caches, e.g. activities/)."""
    chosen = os.environ.get(DIR_ENV, "").strip()
    if chosen:
        return Path(chosen) / "knowledge"
    try:
        import platformdirs
    except ImportError:  # pragma: no cover - a dependency, but the cache is only an optimisation
        return None
    return Path(platformdirs.user_cache_dir("crampdx", appauthor=False)) / "knowledge"


def load(dirs: list[Path], build: Callable[[list[Path]], model.KnowledgeBase]) \
        -> model.KnowledgeBase:
    """The knowledge base of `dirs` from the cache, else `build(dirs)` (which validates and may
    raise) stored for next time."""
    directory = cache_dir() if enabled() else None
    key = _fingerprint(dirs) if directory is not None else None
    if directory is None or key is None:
        return build(dirs)
    # one file per stack of directories and Python: rebuilt in place, never piling up
    name = repr([sys.implementation.cache_tag, __version__, *(str(d) for d in dirs)])
    digest = blake2b(name.encode("utf-8", "surrogateescape"), digest_size=12).hexdigest()
    path = directory / f"kb-{digest}.bin"
    secret = _secret(directory, create=False)
    if secret is not None:
        kb = _read(path, secret, key)
        if kb is not None:
            return kb
    kb = build(dirs)
    secret = secret or _secret(directory, create=True)
    if secret is not None:
        _write(path, secret, key, kb)
    return kb


# -- key ------------------------------------------------------------------------------------
def _fingerprint(dirs: list[Path]) -> bytes | None:
    """What the knowledge base was built from; None if a directory cannot be listed (the loader
    then says why)."""
    parts: list[Any] = [MAGIC, __version__, sys.version, sys.implementation.cache_tag]
    try:
        for module in SHAPING_MODULES:
            stat = (_PACKAGE / module).stat()
            parts.append((module, stat.st_size, stat.st_mtime_ns))
        for directory in dirs:
            directory = Path(directory)
            if not directory.is_dir():
                return None
            parts.append(str(directory.resolve()))
            for file in knowledge_files(directory, cases=False):
                with open(file, "rb") as handle:
                    stat = os.fstat(handle.fileno())
                    if stat.st_size > HASHED_FILE_BYTES:
                        return None  # the loader refuses it, and says why
                    digest = blake2b(handle.read(), digest_size=16).hexdigest()
                parts.append((str(file), stat.st_size, stat.st_mtime_ns, digest))
    except OSError:
        return None
    return blake2b(repr(parts).encode("utf-8", "surrogateescape"), digest_size=32).digest()


# -- the key that authenticates cache files -------------------------------------------------
def _secret(directory: Path, *, create: bool) -> bytes | None:
    """The MAC key: 32 random bytes, 0600, owned by this user; None if it cannot be trusted."""
    path = directory / KEY_NAME
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        if not create:
            return None
        return _new_secret(directory, path)
    except OSError:
        return None
    try:
        stat = os.fstat(fd)
        if not _private(stat) or stat.st_size != KEY_BYTES:
            return None
        secret = os.read(fd, KEY_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    return secret if len(secret) == KEY_BYTES else None


def _private(stat: os.stat_result) -> bool:
    import stat as stat_module

    if not stat_module.S_ISREG(stat.st_mode):
        return False
    if hasattr(os, "getuid"):  # POSIX: ours alone; Windows keeps the user cache per user
        return stat.st_uid == os.getuid() and not stat.st_mode & 0o077
    return True


def _new_secret(directory: Path, path: Path) -> bytes | None:
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        secret = os.urandom(KEY_BYTES)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                     0o600)
        try:
            os.write(fd, secret)
        finally:
            os.close(fd)
    except FileExistsError:  # another crampdx made it just now: use theirs, if trustworthy
        return _secret(directory, create=False)
    except OSError:
        return None
    return secret


def _mac(secret: bytes, payload: bytes) -> bytes:
    return blake2b(payload, key=secret, digest_size=MAC_BYTES).digest()


# -- reading and writing --------------------------------------------------------------------
def _read(path: Path, secret: bytes, key: bytes) -> model.KnowledgeBase | None:
    try:
        with open(path, "rb") as handle:
            blob = handle.read()
    except OSError:
        return None
    head = len(MAGIC)
    if not blob.startswith(MAGIC) or len(blob) < head + MAC_BYTES:
        return None
    mac, payload = blob[head:head + MAC_BYTES], blob[head + MAC_BYTES:]
    if not compare_digest(mac, _mac(secret, payload)):
        return None  # corrupted, truncated or not written by us: never decoded
    if payload[:len(key)] != key:
        return None
    try:
        return loads(payload[len(key):])
    except Exception:  # authenticated yet unreadable (a Python upgrade mid-flight): rebuild
        return None


def _write(path: Path, secret: bytes, key: bytes, kb: model.KnowledgeBase) -> None:
    try:
        payload = key + dumps(kb)
    except (_Invalid, pickle.PicklingError, TypeError, ValueError, RecursionError):
        return  # something the model holds that is no plain data: no cache, same result
    blob = MAGIC + _mac(secret, payload) + payload
    import tempfile  # only when writing (it brings shutil and random)

    try:
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".kb-", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(blob)
        os.replace(temporary, path)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass


# -- the model, pickled field by field ------------------------------------------------------
def model_classes() -> dict[str, type]:
    """Every record class the knowledge model is made of, by name: all the cache can rebuild."""
    found: dict[str, type] = {}
    for module in (model, conditions):
        for name, value in vars(module).items():
            if isinstance(value, type) and issubclass(value, msgspec.Struct) \
                    and value.__module__ == module.__name__:
                found[name] = value
    return found


def shapes() -> dict[str, tuple[str, ...]]:
    """Each model class's fields, stored beside the data: a cache written for other fields
    is rebuilt, never read into the wrong ones."""
    return {name: cls.__struct_fields__ for name, cls in model_classes().items()}


_PLAIN = frozenset((str, int, float, bool, type(None), tuple, list, dict))


class _Pickler(pickle.Pickler):
    """Model records as their class and their field values, rebuilt by calling the class
    (nothing else they may carry, such as an index built on use); plain data as itself; anything
    else refused, so the cache never holds what the loader below would not rebuild."""

    def __init__(self, file: Any) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.fields = {cls: cls.__struct_fields__ for cls in model_classes().values()}

    def reducer_override(self, obj: Any) -> Any:
        kind = type(obj)
        fields = self.fields.get(kind)
        if fields is not None:
            return kind, tuple([getattr(obj, name) for name in fields])
        # plain data, or a model class named as the callable (an unknown object is never hashed)
        if kind in _PLAIN or (isinstance(obj, type) and obj in self.fields):
            return NotImplemented
        raise _Invalid(f"cannot store a {kind.__name__}")


class _Unpickler(pickle.Unpickler):
    """Rebuilds only the model's own classes; any other name in the file is refused."""

    def __init__(self, file: Any) -> None:
        super().__init__(file)
        self.allowed = {(cls.__module__, cls.__qualname__): cls
                        for cls in model_classes().values()}

    def find_class(self, module: str, name: str) -> Any:
        cls = self.allowed.get((module, name))
        if cls is None:
            raise _Invalid(f"refused {module}.{name}")
        return cls


def dumps(kb: model.KnowledgeBase) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer).dump((shapes(), kb))
    return buffer.getvalue()


def loads(data: bytes) -> model.KnowledgeBase:
    stored_shapes, kb = _Unpickler(io.BytesIO(data)).load()
    if stored_shapes != shapes() or not isinstance(kb, model.KnowledgeBase):
        raise _Invalid("the model has changed")
    return kb
