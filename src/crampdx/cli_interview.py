"""`crampdx interview`: the guided interview (issue 3). Standard-library imports only here."""

from __future__ import annotations

import argparse
from typing import Any, Callable


def add_parser(commands: Any, add_kb_option: Callable[[argparse.ArgumentParser], None]) -> None:
    parser = commands.add_parser(
        "interview", help="answer a guided interview, then see the report",
        description="Walks you through the questions after a race, then prints the debrief.")
    add_kb_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from crampdx.errors import CrampdxError

    raise CrampdxError("the interview is not built yet; use 'crampdx debrief FILE'")
