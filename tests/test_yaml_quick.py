"""The quick construction in yamlfull builds exactly what PyYAML's constructor builds: the
same values and types, the same line and column for every mapping, sequence, key and item, and
the same error (message and position) where PyYAML finds one. (yamlfull.parse_yaml directly:
yamlio.parse_yaml would answer the plain documents without PyYAML, tests/test_yaml_plain.py.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crampdx import yamlfull
from crampdx.errors import CrampdxError
from yamlshape import located_shape

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted(p for folder in ("knowledge", "examples", "tests")
               for p in (ROOT / folder).rglob("*.yaml"))


def _outcome(text: str, fast: bool, duplicates: list[CrampdxError] | None = None) -> Any:
    try:
        return located_shape(yamlfull.parse_yaml(text, "f.yaml", duplicates, fast=fast))
    except CrampdxError as exc:
        return ("error", str(exc))


def _both(text: str, monkeypatch: pytest.MonkeyPatch, collect: bool = False) -> tuple[Any, Any]:
    """(quick, PyYAML's) outcome of each loader, with the duplicates collected when asked."""
    results = []
    for quick in (True, False):
        with monkeypatch.context() as patch:
            if not quick:
                def usual(loader: Any, root: Any) -> Any:
                    raise yamlfull._Unusual
                patch.setattr(yamlfull, "_construct_quick", usual)
            for fast in (True, False):
                duplicates: list[CrampdxError] | None = [] if collect else None
                outcome = _outcome(text, fast, duplicates)
                results.append((outcome, [str(d) for d in duplicates or []]))
    assert results[0] == results[1] and results[2] == results[3], "libyaml and PyYAML differ"
    return results[0], results[2]


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_yaml_file_in_the_project_is_built_the_same(
        path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    quick, usual = _both(path.read_text(encoding="utf-8"), monkeypatch)
    assert quick == usual


TRICKY = {
    "scalars": "a: 1\nb: 2.5\nc: yes\nd: ~\ne: 2024-05-01\nf: '3:54'\ng: 3:54\nh: 0x1f\n"
               "1: int key\ntrue: bool key\n2024-01-02: date key\nnested: {x: [1, {y: z}]}\n",
    "merge key": "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n",
    "merge key without alias": "other:\n  <<: {x: 1}\n  y: 2\n",
    "duplicate key": "a: 1\nb:\n  c: 2\n  c: 3\na: 4\n",
    "list as key": "? [1, 2]\n: x\n",
    "mapping as key": "? {a: 1}\n: x\n",
    "tagged mapping": "a: !!set {x, y}\n",
    "python tag": "a: !!python/object:os.system ls\n",
    "custom tag": "a: !mine 1\n",
    "binary": "a: !!binary aGVsbG8=\n",
    "bad date": "a: 2024-13-45\n",
    "huge number": "a: " + "9" * 5000 + "e99999\n",
    "lone surrogate": 'a: "\\ud800"\n',
    "surrogate pair": 'a: "\\ud83d\\ude00"\n',
    "surrogate key": '"\\ud800": 1\n',
    "too deep": "a: " + "[" * 45 + "]" * 45 + "\n",
    "just deep enough": "a: " + "[" * 39 + "]" * 39 + "\n",
    "alias to itself": "a: &x [1, *x]\n",
    "empty": "",
    "scalar document": "just text\n",
    "json": '{"a": [1, 2, {"b": null}], "c": "\\u00e9"}',
    "value key": "=: 1\n",
}


@pytest.mark.parametrize("name", sorted(TRICKY))
@pytest.mark.parametrize("collect", (False, True), ids=("raise", "collect"))
def test_tricky_documents_give_the_same_value_or_error(
        name: str, collect: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    quick, usual = _both(TRICKY[name], monkeypatch, collect)
    assert quick == usual


def test_the_comparison_sees_a_wrong_position(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above can fail: a quick construction that is off by one column is caught."""
    real = yamlfull._construct_quick

    def shifted(loader: Any, root: Any) -> Any:
        data = real(loader, root)
        data.column += 1
        return data

    text = "a: [1, 2]\n"
    usual = _outcome(text, fast=True)
    monkeypatch.setattr(yamlfull, "_construct_quick", shifted)
    assert _outcome(text, fast=True) != usual


def test_plain_files_need_no_second_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    """The quick walk really builds the knowledge (it does not just fall back every time)."""
    def second(self: Any, node: Any) -> Any:
        raise AssertionError("built by PyYAML's constructor")

    monkeypatch.setattr(yamlfull._LocatingConstructor, "construct_document", second)
    plain = [p for p in FILES if "knowledge" in p.parts and "&" not in p.read_text("utf-8")]
    assert plain
    for path in plain:
        yamlfull.parse_yaml(path.read_text(encoding="utf-8"), path, fast=True)
