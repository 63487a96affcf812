"""Hostile answers files through the plain YAML reader and PyYAML: prints what each did and how
long it took; asserts nothing (tests/test_hostile_new_inputs.py holds the results).

    .venv/bin/python benchmarks/yamlplain_hostile_bench.py

For each attack: the plain reader's answer (accepted or DECLINED), whether an accepted result
equals PyYAML's (crampdx.yamlfull, values, types and positions), and the seconds taken by
yamlplain.read, yamlio.parse_yaml (plain, else PyYAML) and yamlfull.parse_yaml (libyaml).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from crampdx import yamlfull, yamlio, yamlplain  # noqa: E402
from crampdx.errors import CrampdxError  # noqa: E402
from yamlshape import located_shape  # noqa: E402

MB = 1_000_000


def _outcome(parse: Any, text: str) -> tuple[Any, float]:
    start = time.perf_counter()
    try:
        result: Any = located_shape(parse(text, "f.yaml"))
    except CrampdxError as exc:
        result = ("error", str(exc)[:100])
    return result, time.perf_counter() - start


def attacks() -> dict[str, str]:
    deep = "a: [" + ",\n  ".join(["x"] * 100_000) + "]\n"
    return {
        "near MAX_FILE_BYTES of keys (1.99 MB)": "".join(
            f"k{i}: v{i}\n" for i in range(200_000))[:MB * 2 - 10],
        "a 1 MB line (plain text value)": "notes: " + "ab " * 333_333 + "\n",
        "a 1 MB line of ' #'": "notes: x" + " #" * 500_000 + "\n",
        "a 1 MB line of ':'": "notes: x" + ":" * MB + "\n",
        "a 1 MB line of quotes ''": "notes: '" + "''" * 500_000 + "'\n",
        "a 1 MB double-quoted line": 'notes: "' + "a" * MB + '"\n',
        "a 1 MB key": "k" * MB + ": 1\n",
        "a 1 MB key without colon": "k" * MB + "\n",
        "a 1 MB digits-and-underscores value": "a: 1" + "_" * MB + "x\n",
        "a 1 MB number-like value (1:1:1...)": "a: 1" + ":1" * 500_000 + "x\n",
        "a 1 MB flow list line of 1-char items": "a: [" + "a," * 500_000 + "a]\n",
        "100k keys": "".join(f"key_{i}: {i}\n" for i in range(100_000)),
        "130k keys (over 250,000 values)": "".join(f"key_{i}: {i}\n" for i in range(130_000)),
        "100k block list items": "a:\n" + "- x\n" * 100_000,
        "260k block list items (over the limit)": "a:\n" + "- x\n" * 260_000,
        "wrapped flow list, 100k lines": deep,
        "wrapped flow list, 100k lines, last unclosed": deep[:-2] + "\n",
        "5000-digit int": "a: " + "9" * 5000 + "\n",
        "5000-digit float": "a: " + "9" * 5000 + ".5\n",
        "5000-digit int in a flow list": "a: [" + "9" * 5000 + "]\n",
        "100-digit int": "a: " + "9" * 100 + "\n",
        "101-digit int": "a: " + "9" * 101 + "\n",
        "nested flow lists 10k deep": "a: " + "[" * 10_000 + "]" * 10_000 + "\n",
        "CRLF everywhere, 100k lines": "".join(f"k{i}: {i}\r\n" for i in range(100_000)),
        "lone CR": "a: 1\rb: 2\n",
        "BOM in the middle": "a: 1\n\ufeffb: 2\n",
        "NUL": "a: 1\x00\n",
        "U+2028 in a value": "a: x\u2028y\n",
        "combining marks, RTL, zero-width": "a: e\u0301\u202e\u200bx\n",
        "full-width digits": "a: ４２\n",
        "Arabic-Indic digits": "a: ٤٢\n",
        "non-breaking spaces": "a:\xa042\n",
        "numbers": "a: [1_000, 0o17, +.5, 1e400, -0, nan, inf, .inf, -.inf, .nan]\n",
    }


def main() -> None:
    print(f"{'attack':<46} {'plain':>9} {'same':>5} {'read s':>7} {'parse s':>8} "
          f"{'libyaml s':>9}")
    for name, text in attacks().items():
        start = time.perf_counter()
        plain = yamlplain.read(text)
        read_s = time.perf_counter() - start
        accepted = plain is not yamlplain.DECLINED
        mine, parse_s = _outcome(yamlio.parse_yaml, text)
        theirs, full_s = _outcome(lambda t, p: yamlfull.parse_yaml(t, p, fast=True), text)
        same = "-" if not accepted else ("yes" if located_shape(plain) == theirs else "NO")
        print(f"{name:<46} {'accepted' if accepted else 'DECLINED':>9} {same:>5} "
              f"{read_s:7.3f} {parse_s:8.3f} {full_s:9.3f}"
              + ("" if mine == theirs else "  parse_yaml != yamlfull"), flush=True)

    print("\nplain reader, best of 3, as the input doubles (linear: the same time per unit)")
    for n in (25_000, 50_000, 100_000):
        for name, text in (("keys", "".join(f"key_{i}: {i}\n" for i in range(n))),
                           ("wrapped list lines", "a: [" + ",\n  ".join(["x"] * n) + "]\n"),
                           ("flow items on a line", "a: [" + "a," * n + "a]\n"),
                           ("'' pairs x5 on a line", "a: '" + "''" * n * 5 + "'\n")):
            best = float("inf")
            for _ in range(3):
                start = time.perf_counter()
                yamlplain.read(text)
                best = min(best, time.perf_counter() - start)
            print(f"{name:<24} n={n:>7} {best * 1000:7.1f} ms {best / n * 1e6:6.2f} us each")


if __name__ == "__main__":
    main()
