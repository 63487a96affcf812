"""`crampdx kb ...`: knowledge-authoring commands (issue 4). Standard-library imports only here."""

from __future__ import annotations

import argparse
from typing import Any, Callable


def add_parser(commands: Any, add_kb_option: Callable[[argparse.ArgumentParser], None]) -> None:
    parser = commands.add_parser("kb", help="check, test and document the knowledge base",
                                 description="Knowledge-authoring tools.")
    add_kb_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from crampdx.errors import CrampdxError

    raise CrampdxError("the knowledge tools are not built yet")
