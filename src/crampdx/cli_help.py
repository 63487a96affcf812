"""Help text that fits the terminal: descriptions wrapped at word boundaries to its width,
while the examples keep their own lines (an indented line wraps under its own indent)."""

from __future__ import annotations

import argparse
import os
import re
import sys
from typing import Any, NoReturn

# An example line: an indented command, two or more spaces, then what it does
_EXAMPLE = r"^(\s+\S.*?\s{2,})(\S.*)$"  # compiled (and cached by re) when help is shown


class WrappedHelpFormatter(argparse.RawDescriptionHelpFormatter):
    """argparse's raw formatter keeps the examples' layout but never wraps; this one wraps
    every line longer than the terminal, keeping short and indented lines as written."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 30,
                 width: int | None = None) -> None:
        if width is None:
            width = max(40, min(terminal_columns(), 100) - 2)
        super().__init__(prog, indent_increment, max_help_position, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        import textwrap  # only when help is shown

        lines = []
        for line in _paragraphs(text):
            if len(indent + line) <= width:
                lines.append(indent + line)
                continue
            example = re.match(_EXAMPLE, line)
            if example and width - len(indent) - len(example[1]) >= 24:
                # "  crampdx ...      what it does": the words wrap under their own column
                hang = indent + " " * len(example[1])
                lines.extend(textwrap.wrap(example[2], width, initial_indent=indent + example[1],
                                           subsequent_indent=hang, break_long_words=False,
                                           break_on_hyphens=False))
                continue
            own = line[:len(line) - len(line.lstrip())]  # an example's indent
            lines.extend(textwrap.wrap(line.strip(), width, initial_indent=indent + own,
                                       subsequent_indent=indent + own + ("  " if own else ""),
                                       break_long_words=False, break_on_hyphens=False))
        return "\n".join(lines)


def _paragraphs(text: str) -> list[str]:
    """The text's lines, with consecutive prose lines (not indented, not blank, not a heading
    ending in ':') joined into one: a paragraph broken in the source for its own width would
    otherwise wrap as ragged half-lines ("... at / once") on a narrower terminal."""
    out: list[str] = []
    prose = False
    for line in text.splitlines():
        is_prose = bool(line.strip()) and not line[:1].isspace() and not line.endswith(":")
        if is_prose and prose:
            out[-1] += " " + line.strip()
        else:
            out.append(line)
        prose = is_prose
    return out


def terminal_columns(fallback: int = 80) -> int:
    """The terminal's width as `shutil.get_terminal_size` works it out ($COLUMNS, then the
    standard output's terminal, then `fallback`), without importing shutil, which brings
    bz2, lzma and fnmatch into every run."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
        columns = columns or fallback
    return columns


class Parser(argparse.ArgumentParser):
    """An argument parser whose help formatter is the wrapping one from the start: argparse
    makes a formatter on every `add_argument`, and its own asks shutil for the terminal size.
    Sub-command parsers are made with the same class, so the whole tree uses it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["formatter_class"] = WrappedHelpFormatter  # what wrap_all gives every parser
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        """One line, exit 2, like every other crampdx error: what was wrong (argparse names
        the valid choices) and where the right usage is; argparse's own usage block above it
        buried the line that mattered."""
        from crampdx.textsafe import message as one_line

        where = getattr(self, "help_for", None) or self.prog
        self.exit(2, one_line(f"{self.prog}: error: {message}; '{where} --help' shows "
                              "how to use it") + "\n")


def wrap_all(parser: argparse.ArgumentParser) -> None:
    """Use the wrapping formatter for a parser and every sub-command under it."""
    parser.formatter_class = WrappedHelpFormatter
    for action in parser._actions:  # noqa: SLF001 - argparse exposes sub-parsers only so
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            for child in action.choices.values():
                wrap_all(child)
