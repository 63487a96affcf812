"""Time the attacks of issue 13 that used to be slow: prints seconds, asserts nothing.

    .venv/bin/python benchmarks/hostile_bench.py

- a 2 MB answers file whose athlete is 650,000 lines (refused at reading; was 77 s, 1.9 GB)
- the largest free text allowed (200-character names, 100 lines of notes), rendered as a report
- CRAMPDX_KB=/ (the capped walk stops; was a 30 s walk of the whole disk)
- one interview save (write_atomic: temporary file, fsync, rename), as done after every answer
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CRAMPDX = str(Path(sys.executable).parent / "crampdx")


def timed(label: str, *args: str, **env: str) -> None:
    start = time.perf_counter()
    subprocess.run([CRAMPDX, *args], capture_output=True, env=dict(os.environ, **env))
    print(f"{label:<52} {time.perf_counter() - start:6.2f} s")


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="crampdx-hostile-bench-"))
    huge = folder / "huge.json"
    huge.write_text(json.dumps({"athlete": "x\n" * 650_000}))
    largest = folder / "largest.json"
    largest.write_text(json.dumps({"athlete": "x" * 200, "event": "y" * 200,
                                   "notes": ("z" * 49 + "\n") * 100, "cramp_pattern": "localized"}))
    timed("2 MB athlete of newlines (refused)", "debrief", str(huge))
    timed("largest allowed free text, terminal report", "debrief", str(largest))
    timed("CRAMPDX_KB=/ kb check (refused)", "kb", "check", CRAMPDX_KB="/")
    from crampdx.safeio import write_atomic

    start = time.perf_counter()
    for _ in range(100):
        write_atomic(folder / "answers.yaml", "fainted: false\n" * 40)
    print(f"{'one atomic save (after every interview answer)':<52} "
          f"{(time.perf_counter() - start) * 10:6.2f} ms")


if __name__ == "__main__":
    main()
