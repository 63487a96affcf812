"""yamlplain reads plain answers files without PyYAML: whenever it accepts a text, it builds
exactly what PyYAML (crampdx.yamlfull) builds, values, types, lines and columns included; what
it declines goes to PyYAML and keeps PyYAML's messages; and a warm debrief never imports yaml."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crampdx import yamlfull, yamlio, yamlplain
from crampdx.errors import CrampdxError
from yamlshape import located_shape

ROOT = Path(__file__).resolve().parent.parent
YAML_FILES = sorted(p for folder in ("knowledge", "examples", "tests", "docs", "benchmarks")
                    for p in (ROOT / folder).rglob("*.y*ml"))
ANSWERS_FILES = sorted([*(ROOT / "examples").glob("*.yaml"),
                        *(ROOT / "tests" / "fixtures" / "interview" / "examples").glob("*.yaml")])


def _pyyaml(text: str, fast: bool) -> Any:
    try:
        return located_shape(yamlfull.parse_yaml(text, "f.yaml", fast=fast))
    except CrampdxError as exc:
        return ("error", str(exc))


def _agrees(text: str) -> bool:
    """False if the plain reader declined; if it accepted, its result must be PyYAML's (the
    pure-Python parser's and libyaml's) to the position."""
    plain = yamlplain.read(text)
    if plain is yamlplain.DECLINED:
        return False
    mine = located_shape(plain)
    assert mine == _pyyaml(text, fast=False), text
    assert mine == _pyyaml(text, fast=True), text
    return True


# -- every YAML file in the project -------------------------------------------------------------
@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_yaml_file_is_read_as_pyyaml_reads_it_or_declined(path: Path) -> None:
    _agrees(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", ANSWERS_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_answers_file_is_read_without_pyyaml(path: Path) -> None:
    """The examples and the interview fixtures are all in the plain subset (the point of it)."""
    assert _agrees(path.read_text(encoding="utf-8"))


def test_what_crampdx_writes_is_read_without_pyyaml() -> None:
    """Every kb test case's answers, as the interview and `crampdx import` save them
    (answers.dump_answers), and the blank template of `crampdx questions --format yaml`."""
    from crampdx.answers import Answers, dump_answers
    from crampdx.cli import main
    from crampdx.knowledge import default_knowledge_dirs, load_knowledge

    kb = load_knowledge(default_knowledge_dirs())
    written = 0
    for path in sorted((ROOT / "knowledge" / "cases").glob("*.yaml")):
        for case in yamlfull.parse_yaml(path.read_text(encoding="utf-8"), path)["cases"]:
            values = {k: tuple(v) if isinstance(v, list) else v  # as answers.coerce keeps lists
                      for k, v in (case.get("answers") or {}).items() if k in kb.questions}
            text = dump_answers(Answers(values=values, meta={"athlete": "Zoë", "event": "50 km"}),
                                kb, header="crampdx interview answers (test)\nReport: x")
            assert _agrees(text), text
            written += 1
    assert written > 100
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["questions", "--format", "yaml"]) == 0
    assert _agrees(out.getvalue())


# -- generated documents: the subset's grammar and its near misses ------------------------------
NEAR_MISSES = [
    "0", "-0", "+5", "007", "010", "08", "1_000", "0x1f", "0b101", "0o7", "1e3", "1E3", "1e+3",
    "1.5e+3", "1.5e3", "1.", ".5", "-.5", "1.0", "-1.5", "+0.0", "-0.0", "12345678901234567890",
    ".inf", "-.Inf", ".NaN", ".nan", "inf", "nan", "yes", "Yes", "YES", "yEs", "no", "No", "NO",
    "on", "On", "ON", "oN", "off", "Off", "OFF", "true", "True", "TRUE", "tRUE", "false",
    "y", "n", "Y", "N", "~", "~x", "null", "Null", "NULL", "nULL", "none", "2024-05-01",
    "2024-5-1", "2024-05-01 10:00:00", "2024-05-01T10:00:00Z", "2024-05-01t10:00:00.5+02:00",
    "1999-12-31x", "3:54", "03:54", "12:30:00", "1:2", "-3:54", "+3:54", "3:54.5", "3:60",
    "1:23:45:67", "3:5a", "=", "==", "<<", "<", "<a", "a#b", "a #b", "a  b", "°C", "29 °C",
    "José", "Zoë's 5 km", "😀", "a\xa0", "\xa0b", "http://x.org/a?b=c", "a:b", "a:#b", "a: b",
    "a:", "- a", "-a", "-", "--", "---", "...", "?a", "? a", ":a", "[a]", "[]", "{a: 1}", "{}",
    "&a", "*a", "!a", "!!str a", "|", ">", "%a", "@a", "`a`", "'q'", "'it''s'", "''", "'a'b",
    "'a' b", "'a'#b", '"dq"', '""', '"a # b"', '"a\\nb"', '"a\\"', "'unterminated", '"open',
    "a'b", 'a"b', "a,b", "a]b", "a}b", "5 km", "10k", "4h30", "1/2", "50%", "#", " #", "a\tb",
    "a\rb", "a\x85b", "a\u2028b", "\ufeffa", "a\x07", "a\x7f",
]
KEYS = ["a", "b", "x1", "_k", "event_duration_h", "A-b", "Key", "yes", "No", "on", "null",
        "NULL", "n", "y", "1", "2024-01-01", "-a", "a b", "a.b", "é", '"q"', "'q'", "<<", "=",
        "? a", "[a]", "~", "a" * 1100]
TEXT = st.text(alphabet=st.sampled_from(list(
    "aeyoNnTFx019._:-+ #'\",[]{}&*!|>%@?~=<°éç😀\xa0\t\r\x85\u2028\ufeff\x00")), max_size=12)
SCALAR = st.one_of(st.sampled_from(NEAR_MISSES), TEXT,
                   st.integers(-10**6, 10**6).map(str),
                   st.floats(allow_nan=False, allow_infinity=False, width=32).map(str),
                   st.from_regex(r"\A[a-z][a-z0-9_ ]{0,10}\Z"))
KEY = st.one_of(st.sampled_from(KEYS), st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_-]{0,8}\Z"))
SPACES = st.sampled_from(["", " ", "  "])
COMMENT = st.sampled_from(["", "  # note", " # a: b", "# tight", "   #", "\t# tab"])


@pytest.mark.parametrize("scalar", NEAR_MISSES)
def test_each_near_miss_alone_is_read_as_pyyaml_reads_it(scalar: str) -> None:
    """As a value, a list item and a block item, one at a time (a document holding several
    is declined as soon as one is)."""
    for text in (f"a: {scalar}\n", f"a: [{scalar}]\n", f"a:\n- {scalar}\n", f"{scalar}: 1\n"):
        _agrees(text)


@settings(max_examples=400, deadline=None)
@given(st.one_of(TEXT, SCALAR), st.sampled_from([
    "a: {}", "a: [{}, b]", "a:\n  - {}  # c", "a: [b,\n  {}]", "a: [{},\nb]", "{}: 1"]))
def test_generated_scalars_are_read_as_pyyaml_reads_them(scalar: str, form: str) -> None:
    _agrees(form.format(scalar))


@st.composite
def _line_group(draw: Any) -> list[str]:
    """One key and its value (a scalar, a flow list, or `- item` lines), or a stray line."""
    kind = draw(st.sampled_from(["scalar", "scalar", "flow", "block", "empty", "comment",
                                 "blank", "stray"]))
    key = draw(KEY)
    colon = draw(st.sampled_from([": ", ": ", ":  ", ":", " : "]))
    if kind == "scalar":
        return [f"{key}{colon}{draw(SCALAR)}{draw(COMMENT)}"]
    if kind == "flow":
        items = draw(st.lists(SCALAR, max_size=4))
        gap = draw(st.sampled_from([", ", ",", " , ", ",  ", ",\n  ", ",\n ", ",\n", ", \n   ",
                                    ",\n\n  ", ",\n  # c\n  "]))  # as dump_answers wraps
        inner = draw(SPACES)
        return [f"{key}{colon}[{inner}{gap.join(items)}{inner}]{draw(COMMENT)}"]
    if kind == "block":
        indent = " " * draw(st.sampled_from([0, 0, 2, 4]))
        lines = [f"{key}:{draw(COMMENT)}"]
        for _ in range(draw(st.integers(0, 4))):
            shift = " " * draw(st.sampled_from([0, 0, 0, 1, 2]))
            item = draw(st.one_of(SCALAR, st.just("")))
            lines.append(draw(st.sampled_from([
                f"{indent}- {item}{draw(COMMENT)}", f"{indent}-", f"{indent}-  {item}",
                f"{indent}{shift}- {item}", f"{indent}# between", "", f"{indent}  {item}"])))
        return lines
    if kind == "empty":
        return [f"{key}:{draw(SPACES)}{draw(COMMENT)}"]
    if kind == "comment":
        return [f"{draw(SPACES)}# {draw(SCALAR)}"]
    if kind == "blank":
        return [draw(SPACES)]
    return [draw(st.sampled_from(["---", "...", "%YAML 1.1", "  nested: x", "key: |",
                                  "  continued", "- top", "? a", ": b", "k: &a x", "l: *a",
                                  "m: !!str 1", "n: {a: 1}", "\t", "k: 'multi", "  line'"]))]


@st.composite
def _document(draw: Any, lines: Any) -> str:
    body = [line for group in draw(st.lists(lines, max_size=8)) for line in group]
    return "\n".join(body) + draw(st.sampled_from(["\n", "", "\n\n", "\n  "]))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_document(_line_group()))
def test_generated_documents_are_read_as_pyyaml_reads_them(text: str) -> None:
    """Grammar and near misses mixed: whatever the plain reader accepts, PyYAML reads alike."""
    _agrees(text)


PLAIN_SCALAR = st.one_of(
    st.from_regex(r"\A[a-zA-Z°é][a-zA-Z0-9_ °é./%-]{0,12}[a-zA-Z0-9°é]\Z"),
    st.integers(-10**6, 10**6).map(str),
    st.sampled_from(["yes", "No", "ON", "off", "True", "~", "null", "3:54", "1e3", "1.5",
                     "-0.5", "5 km", "José", "°C", "'it''s'", '"a # b"', "'3:54'", "''"]))
PLAIN_KEY = st.from_regex(r"\A[a-z_][a-z0-9_]{0,10}\Z").filter(
    lambda key: key not in ("yes", "no", "on", "off", "true", "false", "null"))


@st.composite
def _plain_document(draw: Any) -> str:
    """Documents wholly inside the subset: each must be accepted (the reader does its job)."""
    keys = draw(st.lists(PLAIN_KEY, unique=True, max_size=8))
    lines = [draw(st.sampled_from(["", "# header", "# a: b"]))]
    for key in keys:
        kind = draw(st.sampled_from(["scalar", "flow", "block", "empty"]))
        if kind == "scalar":
            lines.append(f"{key}: {draw(PLAIN_SCALAR)}{draw(st.sampled_from(['', '  # c']))}")
        elif kind == "flow":
            items = draw(st.lists(PLAIN_SCALAR.filter(lambda item: ":" not in item), max_size=4))
            wrap = draw(st.sampled_from([", ", ", ", ",\n  "]))  # dump_answers wraps long lists
            lines.append(f"{key}: [{wrap.join(items)}]")  # 3:54 in a list is left to PyYAML
        elif kind == "block":
            indent = draw(st.sampled_from(["", "  "]))
            lines.append(f"{key}:")
            lines += [f"{indent}- {item}" for item in draw(st.lists(PLAIN_SCALAR, max_size=4))]
        else:
            lines.append(f"{key}:")
    return "\n".join(lines) + "\n"


@settings(max_examples=300, deadline=None)
@given(_plain_document())
def test_documents_inside_the_subset_are_accepted(text: str) -> None:
    assert _agrees(text), text


def test_the_comparison_sees_a_wrong_position(monkeypatch: pytest.MonkeyPatch) -> None:
    """The checks above can fail: a reader one column off is caught."""
    real = yamlplain.read

    def shifted(text: str) -> Any:
        data = real(text)
        data["a"].column += 1
        return data

    monkeypatch.setattr(yamlplain, "read", shifted)
    with pytest.raises(AssertionError):
        _agrees("a: [1, 2]\n")


# -- refusals fall back to PyYAML, with PyYAML's messages ---------------------------------------
REFUSED = {
    "duplicate key": ("a: 1\nb: 2\na: 3\n",
                      "f.yaml:3:1: duplicate key 'a' (first given on line 1)"),
    "python tag": ("a: !!python/object:os.system ls\n",
                   "f.yaml:1:4: YAML tag !!python/object:os.system is not allowed"),
    "plain tag": ("a: !!binary aGVsbG8=\n", "YAML tag !!binary is not allowed"),
    "control character": ("a: b\x07\n", "f.yaml:1:5: invalid YAML: character U+0007"),
    "tab": ("a:\t1\n", "f.yaml:1:3: invalid YAML: found character '\\t' that cannot start"),
    "bad date": ("a: 2024-13-45\n", "f.yaml:1:4: cannot read the value 2024-13-45"),
    "unclosed list": ("a: [1, 2\nb: 3\n", "f.yaml:2:2: invalid YAML: expected ',' or ']'"),
    "nested too deep": ("a: " + "[" * 45 + "]" * 45 + "\n", "f.yaml:1:43: nested more than"),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_texts_fall_back_with_pyyaml_messages(name: str) -> None:
    text, message = REFUSED[name]
    assert yamlplain.read(text) is yamlplain.DECLINED
    with pytest.raises(CrampdxError) as mine:
        yamlio.parse_yaml(text, "f.yaml")
    with pytest.raises(CrampdxError) as theirs:
        yamlfull.parse_yaml(text, "f.yaml")
    assert str(mine.value) == str(theirs.value)
    assert message in str(mine.value)


def test_duplicates_are_still_collected_by_pyyaml(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text("a: 1\nb: [x]\na: 2\n", encoding="utf-8")
    duplicates: list[CrampdxError] = []
    data = yamlio.load_yaml_file(path, duplicates=duplicates)
    assert data == {"a": 2, "b": ["x"]}
    assert [str(d) for d in duplicates] == [
        f"{path}:3:1: duplicate key 'a' (first given on line 1); YAML would silently keep only "
        "the last one"]


@pytest.mark.parametrize("text", ["a: ok\n\ufeffb: 1\n", "\ufeffa: 1\n", "a: b\x85c\n",
                                  "a: b\u2028c\n", "a: b\rc\n", "a: 1\r\nb: 2\r\n",
                                  "a: '\ud800'\n", "a: b\x00\n", "a: \x1b[31mred\n"])
def test_control_and_break_characters_are_left_to_pyyaml(text: str) -> None:
    assert yamlplain.read(text) is yamlplain.DECLINED
    outcomes = []
    for parse in (yamlio.parse_yaml, yamlfull.parse_yaml):
        try:
            outcomes.append(located_shape(parse(text, "f.yaml")))
        except CrampdxError as exc:
            outcomes.append(("error", str(exc)))
    assert outcomes[0] == outcomes[1]


def test_limits_hold_on_the_plain_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The size cap refuses a plain file before it is read; too many values are refused with
    PyYAML's message (the limit lowered so the file stays small)."""
    path = tmp_path / "answers.yaml"
    path.write_text("a: [" + ", ".join(["1"] * 60) + "]\n", encoding="utf-8")
    with pytest.raises(CrampdxError, match="crampdx reads at most 100"):
        yamlio.load_yaml_file(path, max_bytes=100)
    assert yamlio.load_yaml_file(path)["a"] == [1] * 60
    monkeypatch.setattr(yamlio, "MAX_EXPANDED_VALUES", 50)
    assert yamlplain.read(path.read_text()) is yamlplain.DECLINED
    with pytest.raises(CrampdxError, match="more than 50 values") as plain_path:
        yamlio.load_yaml_file(path)
    with pytest.raises(CrampdxError) as pyyaml_path:
        yamlfull.parse_yaml(path.read_text(), path, fast=True)
    assert str(plain_path.value) == str(pyyaml_path.value)


# -- a warm debrief never imports yaml ----------------------------------------------------------
PROBE = ("import contextlib, io, sys\n"
         "from crampdx.cli import main\n"
         "with contextlib.redirect_stdout(io.StringIO()):\n"
         "    status = main(['debrief', sys.argv[1], '-f', 'json'])\n"
         "print(status, 'yaml' in sys.modules, 'crampdx.yamlfull' in sys.modules)\n")


def test_warm_json_debrief_does_not_import_yaml(tmp_path: Path) -> None:
    """With the knowledge cache warm, a JSON debrief of an example reads its answers without
    PyYAML; an answers file outside the plain subset (an anchor) does import it, so the probe
    can see the difference."""
    env = dict(os.environ, CRAMPDX_CACHE_DIR=str(tmp_path / "cache"))
    for name in ("CRAMPDX_KB", "CRAMPDX_SHIPPED_KB", "CRAMPDX_NO_CACHE"):
        env.pop(name, None)
    example = str(ROOT / "examples" / "seed-150k-mountain.yaml")

    def probe(answers: str) -> str:
        done = subprocess.run([sys.executable, "-c", PROBE, answers], capture_output=True,
                              text=True, env=env)
        return done.stdout.strip() or done.stderr

    assert probe(example) == "0 True True"  # cold: the knowledge is read with PyYAML
    assert probe(example) == "0 False False"
    anchored = tmp_path / "anchored.yaml"
    anchored.write_text("event_distance_km: &d 42.2\nnotes: see distance\n", encoding="utf-8")
    assert probe(str(anchored)) == "0 True True"
