"""Where the shipped knowledge is, and which extra directories stack on top of it."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "CRAMPDX_KB"
SHIPPED_ENV_VAR = "CRAMPDX_SHIPPED_KB"


def shipped_knowledge_dir() -> Path:
    """The source checkout's knowledge/ when running from one (edits show at once), else the
    copy packed into the wheel; CRAMPDX_SHIPPED_KB replaces it."""
    replaced = os.environ.get(SHIPPED_ENV_VAR, "").strip()
    if replaced:  # for tests and packagers: a different base knowledge base
        return Path(replaced)
    package = Path(__file__).resolve().parent.parent
    checkout = package.parent.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "knowledge").is_dir():
        return checkout / "knowledge"
    return package / "_knowledge"


def default_knowledge_dirs(extra: list[str | Path] | None = None) -> list[Path]:
    """Shipped knowledge, then CRAMPDX_KB (os.pathsep-separated), then `--kb` directories."""
    dirs = [shipped_knowledge_dir()]
    env = os.environ.get(ENV_VAR, "")
    for part in env.split(os.pathsep):
        if part.strip():
            if not Path(part).is_dir():
                from crampdx.errors import CrampdxError

                raise CrampdxError(f"{ENV_VAR} names '{part}', which is no knowledge directory; "
                                   f"fix or unset {ENV_VAR}")
            dirs.append(Path(part))
    dirs += [Path(d) for d in (extra or [])]
    return dirs


CASES_DIR = "cases"


# A knowledge directory holds tens of files a few folders deep; a walk that meets more entries
# than this was pointed at the wrong directory (CRAMPDX_KB=/ would read the whole disk).
MAX_WALK_ENTRIES = 20_000


class WalkTooLarge(OSError):
    """More files and folders than any knowledge directory has."""


def knowledge_files(directory: Path, *, cases: bool = True,
                    unlistable: list[OSError] | None = None) -> list[Path]:
    """Every YAML file under a knowledge directory, in a stable order; without `cases`, not the
    files under its top-level cases/ directory (the regression cases: only `kb` reads them).
    A folder that cannot be listed goes to `unlistable` (or is raised), never silently skipped;
    a walk over MAX_WALK_ENTRIES entries raises WalkTooLarge."""
    found: list[Path] = []
    seen = 0
    top = Path(directory)

    def failed(error: OSError) -> None:
        if unlistable is None:
            raise error
        unlistable.append(error)

    for folder, folders, files in os.walk(top, onerror=failed):
        seen += len(folders) + len(files)
        if seen > MAX_WALK_ENTRIES:
            raise WalkTooLarge(f"more than {MAX_WALK_ENTRIES} entries under {top}")
        folders.sort()
        if not cases and Path(folder) == top and CASES_DIR in folders:
            folders.remove(CASES_DIR)
        for name in files:
            if name.endswith((".yaml", ".yml")):
                path = Path(folder) / name
                if path.is_file():
                    found.append(path)
    return sorted(found)
