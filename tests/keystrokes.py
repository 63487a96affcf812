"""The keys a runner types to give one answer, shared by the pipe-input and the pexpect tests."""

from __future__ import annotations

from typing import Any

from crampdx.knowledge.model import Question

DOWN, ENTER, SPACE = "\x1b[B", "\r", " "


def answer_keys(question: Question, value: Any) -> str:
    """Keystrokes for `value` (None: Don't know) at this question's prompt."""
    if question.type == "number":
        return ("" if value is None else str(value)) + ENTER
    if question.type == "bool":
        # the letters answer at once wherever the cursor starts (on Don't know for a
        # warning sign, so that a stray Enter never answers one)
        return {True: "y", False: "n", None: "d"}[value]
    options = list(question.choices)
    if question.type == "choice":
        return DOWN * (options.index(value) if value is not None else len(options)) + ENTER
    # after the options: "None of these", then Don't know (the separator is skipped)
    if value is None:
        return DOWN * (len(options) + 1) + SPACE + ENTER
    if not value:  # none of these: ticked explicitly (Enter with nothing ticked asks again)
        return DOWN * len(options) + SPACE + ENTER
    # Down between the options only: Enter with the cursor on Don't know would mean don't know
    return DOWN.join(SPACE if option in value else "" for option in options) + ENTER
