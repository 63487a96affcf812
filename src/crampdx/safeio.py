"""The one way crampdx reads a user's file and the one way it writes one.

`read_bounded` reads at most `max_bytes` (+1, to tell "too big"), refuses what is not a regular
file (a device such as /dev/zero, a FIFO, a socket) before reading a byte, and never blocks on a
FIFO without a writer: the size a file reports is no bound, a read is.

`write_atomic` writes a temporary file with a unique name created exclusively in the target's
directory (so a symlink planted at a predictable name is never followed), fsyncs it, gives it
the target's permission bits, and renames it over the target: readers see the old file or the
new one, never half of it. Policy (docs/security.md): a target that is a symbolic link is
refused (crampdx never writes through a link; give the real path); a target with other hard
links is replaced under this name only, the other names keep the old content. SIGINT, SIGTERM
and SIGHUP wait until the write is done.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Callable

from crampdx.errors import CrampdxError
from crampdx.textsafe import excerpt

DEFERRED_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")


def _article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" else "a"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_bounded(path: Path | str, *, max_bytes: int, what: str = "file") -> bytes:
    """The bytes of a regular file of at most `max_bytes`; otherwise a one-line CrampdxError."""
    path = Path(path)
    try:
        before = os.stat(path)
        if not stat.S_ISREG(before.st_mode):
            kind = _kind(before.st_mode)
            raise CrampdxError(f"is {kind}, not {_article(what)} {what}; crampdx reads regular "
                               "files only", path=path)
        if before.st_size > max_bytes:
            raise CrampdxError(f"{what} is {before.st_size:,} bytes; crampdx reads at most "
                               f"{max_bytes:,}", path=path)
        # O_NONBLOCK: if the file was swapped for a FIFO since the stat, open does not wait
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
        descriptor = os.open(path, flags)
        try:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                raise CrampdxError(f"is not a regular file, not {_article(what)} {what}",
                                   path=path)
            chunks: list[bytes] = []
            size = 0
            while size <= max_bytes:
                chunk = os.read(descriptor, min(1 << 20, max_bytes + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        finally:
            os.close(descriptor)
    except FileNotFoundError:
        raise CrampdxError(f"no such {what}", path=path) from None
    except PermissionError:
        raise CrampdxError(f"cannot read {what}: permission denied", path=path) from None
    except OSError as exc:
        raise CrampdxError(f"cannot read {what}: {exc.strerror or exc}", path=path) from None
    if size > max_bytes:
        raise CrampdxError(f"{what} is more than {max_bytes:,} bytes; crampdx reads at most "
                           f"{max_bytes:,}", path=path)
    return b"".join(chunks)


def read_text_bounded(path: Path | str, *, max_bytes: int, what: str = "file") -> str:
    """`read_bounded`, decoded as UTF-8 (which refuses encoded surrogates too)."""
    data = read_bounded(path, max_bytes=max_bytes, what=what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CrampdxError(f"not UTF-8 text (byte {exc.start}): save the {what} as UTF-8",
                           path=path) from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path | str, text: str, *, doing: str = "write the file",
                 _while_writing: Callable[[], None] | None = None) -> None:
    """Replace `path` with `text` (UTF-8) in one step; see the module docstring."""
    # Imported here: every run reads files, few write one, and tempfile pulls in shutil,
    # bz2 and lzma (some 3 ms of a debrief's start-up).
    import signal
    import tempfile
    import threading

    target = Path(path)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate got this far: refuse, write nothing
        raise CrampdxError(f"cannot {doing}: the text holds {excerpt(exc.object[exc.start])}, "
                           "which is not valid Unicode", path=target) from None
    in_main = threading.current_thread() is threading.main_thread()
    blocked = in_main and hasattr(signal, "pthread_sigmask")
    deferred = {getattr(signal, name) for name in DEFERRED_SIGNALS if hasattr(signal, name)}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, deferred) if blocked else None
    temporary: str | None = None
    try:
        try:
            current = os.lstat(target)
        except FileNotFoundError:
            current = None
        if current is not None and stat.S_ISLNK(current.st_mode):
            raise CrampdxError(f"cannot {doing}: it is a symbolic link, and crampdx does not "
                               "write through links; give the real path", path=target)
        if current is not None and stat.S_ISDIR(current.st_mode):
            raise CrampdxError(f"cannot {doing}: is a directory; give a file name",
                               path=target)
        if current is not None and not stat.S_ISREG(current.st_mode):
            raise CrampdxError(f"cannot {doing}: it is {_kind(current.st_mode)}, not a "
                               "regular file", path=target)
        parent = target.parent if str(target.parent) else Path(".")
        descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                                 dir=parent)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            if _while_writing is not None:
                _while_writing()
            handle.flush()
            os.fsync(handle.fileno())
            mode = stat.S_IMODE(current.st_mode) if current is not None \
                else 0o666 & ~_umask()
            if hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), mode)
        os.replace(temporary, target)
        temporary = None
        _fsync_directory(parent)
    except OSError as exc:
        raise CrampdxError(f"cannot {doing}: {exc.strerror or exc}", path=target) from None
    finally:
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass
        if previous is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable where the platform allows it."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
