"""Hostile answers, generated: every format renders, escapes and errs cleanly.

Hypothesis writes answers files (the seed example, plus free text and a choice and a number
answer built from control characters, escape sequences, bidi overrides, lone surrogates,
Markdown, HTML and rich markup syntax, long and multi-line strings), runs them through the real
reader, engine and knowledge, and renders every format. Each outcome is either one short escaped
error line or four reports in which the answers changed no structure: the terminal text holds
no control character, the Markdown and the HTML have exactly the elements they have for plain
answers, and the JSON reads back the same answers.

A small, fixed set of examples keeps the suite fast and repeatable (CI runs hypothesis
derandomized); `CRAMPDX_PROPERTY_SCALE=20 pytest tests/test_hostile_properties.py` searches
deeper.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from crampdx import api
from crampdx.errors import CrampdxError
from crampdx.render import html, markdown, terminal
from crampdx.render.json import render as json_render
from crampdx.safeio import write_atomic
from crampdx.textsafe import unsafe_characters

ROOT = Path(__file__).resolve().parent.parent
SEED = yaml.safe_load((ROOT / "examples" / "seed-150k-mountain.yaml").read_text())
WORKDIR = Path(tempfile.mkdtemp(prefix="crampdx-hostile-"))
SCALE = max(1, int(os.environ.get("CRAMPDX_PROPERTY_SCALE", "1")))
SETTINGS = settings(max_examples=60 * SCALE, deadline=None, derandomize=SCALE == 1,
                    suppress_health_check=[HealthCheck.too_slow])
PLAIN = {"athlete": "Plain Name", "event": "Plain Event", "date": "2025-06-01",
         "notes": "plain notes"}

BITS = ["\x1b[2J", "\x1b[3J\x1b[H", "\x1b]0;title\x07", "\x1b]8;;http://evil.example/\x1b\\",
        "\x9b31m", "\x85", "\u202e", "\u2066", "\u2028", "\ud800", "\udfff", "\x00", "\x7f",
        "\n", "\r\n", "\t", "## Red flags", "# ", "- ", "1. ", "> ", "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>", "[link](javascript:alert(1))",
        "![img](http://evil.example/i.png)", "<http://evil.example>", "*", "_", "`", "|", "~",
        "&amp;", "&#60;", "\\", "[bold]", "[/]", "[/bold]", "[link=http://e]x[/link]", "{0}",
        "%s", "1,000", "1,2", "1.000,5", "é", "😀", " "]
pieces = st.one_of(st.sampled_from(BITS), st.text(max_size=8))
inline = st.lists(st.one_of(st.sampled_from([bit for bit in BITS if "\n" not in bit
                                             and "\r" not in bit and not ("\ud800" <= bit[:1] <= "\udfff")]),
                            st.text(alphabet=st.characters(blacklist_categories=("Cs",)),
                                    max_size=8)), max_size=10).map("".join)
hostile = st.one_of(
    inline,
    st.lists(pieces, max_size=10).map("".join),
    st.integers(0, 300).map(lambda n: "x\n" * n),
    st.integers(150, 6_000).map(lambda n: "y" * n),
)
numbers = st.one_of(hostile, st.sampled_from(["1,000", "1,200 l/h", "1,5", "9,000 g/h",
                                              "1.000,5", "3.7", "5_0", "1e400", "-0"]))


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.tags.append(tag + "".join(sorted(f" {k}" for k, _ in attrs)))


def html_tags(text: str) -> list[str]:
    parser = _Tags()
    parser.feed(text)
    return parser.tags


def markdown_tags(text: str) -> list[str]:
    return re.findall(r"<([a-z0-9]+)", MarkdownIt("commonmark").render(text))


def write(data: dict[str, Any]) -> Path:
    path = WORKDIR / "answers.json"
    path.write_text(json.dumps(data, ensure_ascii=True), encoding="utf-8")  # \ud800 as written
    return path


def reports(path: Path) -> dict[str, str]:
    kb = api.knowledge()
    diagnosis = api.diagnose_file(path)
    return {"terminal": terminal.render(diagnosis, kb), "markdown": markdown.render(diagnosis, kb),
            "json": json_render(diagnosis, kb), "html": html.render(diagnosis, kb)}


@SETTINGS
@given(meta=st.fixed_dictionaries({}, optional={key: st.one_of(inline, inline, inline, hostile)
                                                for key in PLAIN}),
       choice=st.one_of(st.none(), st.none(), st.none(), st.none(), st.none(), hostile),
       number=st.one_of(st.none(), st.none(), st.none(), numbers))
def test_hostile_answers_render_escape_and_err_cleanly(meta: dict[str, str], choice: str | None,
                                                        number: str | None) -> None:
    """Whatever the free text, choice and number answers hold: one clean error line, or
    reports whose structure the answers did not change."""
    data = dict(SEED, **meta)
    if choice is not None:
        data["cramp_pattern"] = choice
    if number is not None:
        data["fluid_ml_per_h"] = number
    try:
        shown = reports(write(data))
    except CrampdxError as exc:
        event("refused")
        line = str(exc)
        assert "\n" not in line and not unsafe_characters(line) and len(line) <= 1_000
        return
    event("rendered")
    plain = reports(write(dict(data, **PLAIN)))
    for fmt, text in shown.items():
        assert not unsafe_characters(text), (fmt, unsafe_characters(text))
        write_atomic(WORKDIR / f"report.{fmt}", text)  # every report can be saved
    assert markdown_tags(shown["markdown"]) == markdown_tags(plain["markdown"])
    assert html_tags(shown["html"]) == html_tags(plain["html"])
    document = json.loads(shown["json"])
    assert document["answers"] == json.loads(plain["json"])["answers"]
    for key, value in meta.items():
        if value.strip():
            assert document["meta"][key] == value.strip()


def test_markdown_leaves_a_leading_number_that_is_no_list_marker_alone() -> None:
    """`**Sized for:** 42.2 km` read `\\42.2 km`: only real block syntax at a line start is
    escaped, and text placed mid-line is never escaped as a block start."""
    from crampdx.textsafe import markdown as md

    assert md("42.2 km") == "42.2 km"
    assert md("-5 °C") == "-5 °C"
    assert md("3. forged item") == "3\\. forged item"
    assert md("- forged item") == "\\- forged item"
    assert md("===") == "\\==="
    assert md("3. km", line_start=False) == "3. km"


def test_sized_for_line_in_a_real_markdown_report_has_no_stray_backslash(tmp_path) -> None:
    import subprocess
    import sys
    from pathlib import Path

    example = Path(__file__).parent.parent / "examples" / "marathon-hit-the-wall.yaml"
    out = subprocess.run([sys.executable, "-m", "crampdx", "debrief", str(example),
                          "--format", "markdown"], capture_output=True, text=True, check=True)
    line = next(l for l in out.stdout.splitlines() if l.startswith("**Sized for:**"))
    assert line.startswith("**Sized for:** 42.2 km"), line
