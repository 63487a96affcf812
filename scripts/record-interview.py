"""Record a real interview session for docs/interview.md: crampdx runs in tmux (a real
terminal), this script reads the screen, types the answers of an example file (No to the
warning signs the file leaves out, as a runner who felt fine would; "don't know" for the rest),
and prints the whole scrollback as plain text.

    python scripts/record-interview.py examples/marathon-longest-run-24k.yaml > session.txt
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from crampdx import api
from crampdx.answers import load_answers

SESSION = "crampdx-record"
DOWN, ENTER, SPACE = "Down", "Enter", "Space"


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True).stdout


def screen() -> str:
    return tmux("capture-pane", "-p", "-J", "-S", "-", "-t", SESSION)


def keys_for(question, value) -> list[str]:  # type: ignore[no-untyped-def]
    if question.type == "number":
        return ([f"{value:g}" if isinstance(value, float) else str(value)] if value is not None
                else []) + [ENTER]
    if question.type == "bool":
        # the letters answer at once wherever the cursor starts (on Don't know for a warning
        # sign, so that a stray Enter never answers one)
        return {True: ["y"], False: ["n"], None: ["d"]}[value]
    options = list(question.choices)
    if question.type == "choice":
        return [DOWN] * (options.index(value) if value is not None else len(options)) + [ENTER]
    if value is None:  # past "None of these" to Don't know
        return [DOWN] * (len(options) + 1) + [SPACE, ENTER]
    if not value:  # "None of these", ticked (Enter with nothing ticked asks again)
        return [DOWN] * len(options) + [SPACE, ENTER]
    keys: list[str] = []
    for index, option in enumerate(options):  # Down only between options: Enter on the entry
        keys += ([DOWN] if index else []) + ([SPACE] if option in value else [])  # after them
    return keys + [ENTER]  # ("Don't know") would mean don't know


def main(example: str) -> int:
    if shutil.which("tmux") is None:
        print("needs tmux", file=sys.stderr)
        return 2
    kb = api.knowledge()
    answers = load_answers(Path(example), kb).values
    by_prompt = {q.ask[:50]: q for q in kb.questions.values()}
    workdir = tempfile.mkdtemp()
    crampdx = Path(sys.executable).parent / "crampdx"
    subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True)
    tmux("new-session", "-d", "-s", SESSION, "-x", "100", "-y", "50", "-c", workdir)
    tmux("set-option", "-t", SESSION, "history-limit", "20000")
    tmux("send-keys", "-t", SESSION, f"NO_COLOR=1 {crampdx} interview --save race.yaml", ENTER)
    answered = 0
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        time.sleep(0.4)
        text = screen()
        if "questions asked" in text and "What crampdx cannot know" in text:
            break
        progress = list(re.finditer(r"question (\d+) of about \d+\]", text))
        if len(progress) <= answered:
            continue
        tail = text[progress[-1].end():]
        question = next((q for prefix, q in by_prompt.items() if prefix in tail), None)
        if question is None:
            continue
        value = answers.get(question.id)
        if value is None and question.section == "red_flags" and question.type == "bool":
            value = False
        for key in keys_for(question, list(value) if isinstance(value, tuple) else value):
            tmux("send-keys", "-t", SESSION, key)
        answered = len(progress)
    text = screen()
    subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True)
    print("\n".join(line.rstrip() for line in text.splitlines()).strip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
