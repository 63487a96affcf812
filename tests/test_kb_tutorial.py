"""docs/authoring.md, performed step by step in a temporary directory.

Every ```yaml block with a title is written to that file, in order; every ```console block is
run, each `$ crampdx ...` command in-process, and what it prints (stdout, then stderr) must
match the lines shown. In the shown output, a line `...` stands for any number of lines and
`...` inside a line for any text; `{exit=N}` after `console` gives the expected exit status
(default 0); `{skip}` marks blocks that are not part of the tutorial run.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

from crampdx.cli import main

DOC = Path(__file__).resolve().parent.parent / "docs" / "authoring.md"
FENCE = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```$", re.M | re.S)


@dataclass
class Step:
    kind: str  # write | run
    path: str = ""
    text: str = ""
    command: str = ""
    expected: str = ""
    status: int = 0
    line: int = 0


def steps() -> list[Step]:
    """The tutorial as a list of file writes and commands, in document order."""
    document = DOC.read_text(encoding="utf-8")
    found: list[Step] = []
    for match in FENCE.finditer(document):
        language, info, body = match.group(1), match.group(2), match.group(3)
        line = document.count("\n", 0, match.start()) + 1
        title = re.search(r'title="([^"]+)"', info)
        if language == "yaml" and title:
            found.append(Step("write", path=title.group(1), text=body, line=line))
        elif language == "console" and "{skip}" not in info:
            exit_status = re.search(r"\{exit=(\d+)\}", info)
            status = int(exit_status.group(1)) if exit_status else 0
            for chunk in re.split(r"^\$ ", body, flags=re.M)[1:]:
                command, _, output = chunk.partition("\n")
                found.append(Step("run", command=command, expected=output, status=status,
                                  line=line))
    return found


def matches(expected: str, actual: str) -> bool:
    """doctest-like: a line '...' matches any lines, '...' in a line any text."""
    pattern = ""
    for line in expected.splitlines():
        if line.strip() == "...":
            pattern += r"(?:[^\n]*\n)*?"
        else:
            pattern += ".*".join(re.escape(part) for part in line.split("...")) + r"\n"
    return re.fullmatch(pattern, actual) is not None


def run(step: Step, capsys: pytest.CaptureFixture[str], cwd: Path) -> tuple[int, str]:
    words = shlex.split(step.command)
    redirect = None
    if ">" in words:
        redirect = cwd / words[words.index(">") + 1]
        words = words[:words.index(">")]
    if words[0] == "mkdir":
        (cwd / words[1]).mkdir()
        return 0, ""
    assert words[0] == "crampdx", f"docs/authoring.md:{step.line}: cannot run {step.command!r}"
    try:
        status = main(words[1:])
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 2
    out, err = capsys.readouterr()
    if redirect is not None:
        redirect.write_text(out, encoding="utf-8")
        out = ""
    return status, out + err


def test_the_tutorial_has_the_steps_it_promises() -> None:
    """A question, a rule, cases, a debrief and an override, each checked by a command."""
    written = [step.path for step in steps() if step.kind == "write"]
    assert written == ["my-kb/shoes.yaml", "my-kb/rules.yaml", "my-kb/rules.yaml",
                       "my-kb/cases.yaml", "my-answers.yaml", "my-kb/overrides.yaml"]
    commands = [step.command.split(" --")[0] for step in steps() if step.kind == "run"]
    assert {"crampdx kb check", "crampdx kb test", "crampdx kb list",
            "crampdx debrief my-answers.yaml"} <= set(commands)


def test_following_the_tutorial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    """Each command prints what the tutorial shows, with the exit status it shows."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CRAMPDX_KB", raising=False)
    monkeypatch.delenv("CRAMPDX_SHIPPED_KB", raising=False)
    for step in steps():
        if step.kind == "write":
            target = tmp_path / step.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(step.text, encoding="utf-8")
            continue
        status, output = run(step, capsys, tmp_path)
        where = f"docs/authoring.md:{step.line}: $ {step.command}"
        assert status == step.status, f"{where}\nexit {status}, not {step.status}:\n{output}"
        assert matches(step.expected, output), (
            f"{where}\nshown:\n{step.expected}\nprinted:\n{output}")
    assert (tmp_path / "my-kb" / "knowledge.schema.json").read_text().startswith("{")


def test_the_matcher_is_strict_where_the_doc_is_explicit() -> None:
    """'...' is the only wildcard: a changed word or an extra line fails."""
    assert matches("a\n...\nc ... e\n", "a\nb\nb\nc d e\n")
    assert not matches("a\nc\n", "a\nb\nc\n")
    assert not matches("0 failed\n", "1 failed\n")
