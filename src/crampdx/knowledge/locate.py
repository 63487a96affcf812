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


def knowledge_files(directory: Path, *, cases: bool = True) -> list[Path]:
    """Every YAML file under a knowledge directory, in a stable order; without `cases`, not the
    files under its top-level cases/ directory (the regression cases: only `kb` reads them)."""
    found = []
    for path in Path(directory).rglob("*"):
        if path.suffix in (".yaml", ".yml") and path.is_file():
            if not cases and path.relative_to(directory).parts[0] == CASES_DIR:
                continue
            found.append(path)
    return sorted(found)
