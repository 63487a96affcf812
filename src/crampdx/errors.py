"""The one error type: everything a user can get wrong becomes a CrampdxError with a location."""

from __future__ import annotations

from pathlib import Path

EXIT_USAGE = 2
MAX_PROBLEMS = 20  # a file with more problems shows this many, then "and N more"


class CrampdxError(Exception):
    """A problem the user can fix; the CLI prints it on one line and exits with `exit_code`."""

    exit_code = EXIT_USAGE

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
        exit_code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column
        if exit_code is not None:
            self.exit_code = exit_code
        # Further problems found in the same pass (an answers file is checked whole, so the
        # runner fixes everything in one go); str() stays the first one's line.
        self.more: list[CrampdxError] = []
        self.left_out = 0  # problems counted but not described (past MAX_PROBLEMS)

    def lines(self) -> list[str]:
        """Every problem, one line each, at most MAX_PROBLEMS, then how many were left out."""
        from crampdx.textsafe import message

        problems = [self, *self.more]
        shown = [str(problem) for problem in problems[:MAX_PROBLEMS]]
        left = max(0, len(problems) - MAX_PROBLEMS) + self.left_out
        if left:
            where = f" in {self.path}" if self.path else ""
            shown.append(message(f"and {left:,} more problem{'s' if left > 1 else ''}{where}"))
        return shown

    @classmethod
    def of_all(cls, problems: "list[CrampdxError]", left_out: int = 0) -> "CrampdxError":
        """One error to raise for several problems, in the order they were found, and a count
        of those past the cap that were not described."""
        first = problems[0]
        first.more = list(problems[1:])
        first.left_out = left_out
        return first

    def __str__(self) -> str:
        """One line, control characters visible, bounded: a value or a file name from a user
        can neither split the line, drive the terminal, nor make it a megabyte long."""
        from crampdx.textsafe import message

        where = [part for part in (self.path, self.line, self.column) if part is not None]
        prefix = ":".join(str(part) for part in where)
        return message(f"{prefix}: {self.message}" if prefix else self.message)


def did_you_mean(word: str, choices: "list[str] | set[str] | tuple[str, ...]") -> str:
    """A ' (did you mean X?)' suffix for the closest valid name, or '' when nothing is close."""
    import difflib

    if len(str(word)) > 100:  # no name is that long; comparing would only cost time
        return ""
    import unicodedata

    # FINISHED, Finished, a ligature or full-width letters: the same name, other characters
    folded = unicodedata.normalize("NFKC", str(word)).casefold()
    same = [choice for choice in sorted(choices) if str(choice).casefold() == folded]
    close = same or difflib.get_close_matches(str(word), sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
