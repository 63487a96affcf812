"""How the history scales: record N real debriefs (the shipped examples, round robin), then time
listing, one athlete's season and the squad summary; and two processes saving at once.

    .venv/bin/python benchmarks/history_bench.py [N]

Prints numbers; nothing asserts on time (tests never time anything)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from crampdx import api, history
from crampdx.cli_history import answers_document, red_flag_questions
from crampdx.render import summary
from crampdx.render.json import to_dict

ROOT = Path(__file__).resolve().parent.parent


def main(count: int) -> None:
    kb = api.knowledge()
    examples = sorted((ROOT / "examples").glob("*.yaml"))
    diagnoses = [api.diagnose_file(path) for path in examples]
    reports = [(answers_document(d), to_dict(d, kb)) for d in diagnoses]
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "h.sqlite3"
        connection = history.connect(db)
        start = time.perf_counter()
        for n in range(count):
            answers, report = reports[n % len(reports)]
            history.record(connection, answers=answers, report=report, knowledge="bench")
        elapsed = time.perf_counter() - start
        print(f"record: {count} debriefs in {elapsed:.2f} s ({elapsed / count * 1000:.2f} ms "
              f"each, one transaction each); file {db.stat().st_size / 1e6:.1f} MB")
        start = time.perf_counter()
        items = history.debriefs(connection)
        print(f"list all {len(items)}: {(time.perf_counter() - start) * 1000:.0f} ms")
        athlete = items[0].athlete
        start = time.perf_counter()
        mine = history.debriefs(connection, athlete=athlete)
        history.recurring(mine)
        history.changes(mine[1], mine[0], list(kb.questions))
        print(f"one athlete ({len(mine)} debriefs) with recurring and changes: "
              f"{(time.perf_counter() - start) * 1000:.0f} ms")
        start = time.perf_counter()
        rows = [summary.row_for(i.report, red_flag_questions(kb))
                for i in history.latest_per_athlete(items)]
        summary.render(rows, "csv")
        print(f"squad summary ({len(rows)} athletes) from {len(items)} debriefs: "
              f"{(time.perf_counter() - start) * 1000:.0f} ms")
        connection.close()
        saver = ("import sys; from crampdx import history\n"
                 "c = history.connect(sys.argv[1])\n"
                 "for n in range(200):\n"
                 "    history.record(c, answers={}, report={'meta': {'athlete': sys.argv[2]}, "
                 "'triage': {'level': 'self_care'}, 'causes': []}, knowledge='k')\n")
        start = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-c", saver, str(db), name])
                 for name in ("a", "b")]
        codes = [p.wait() for p in procs]
        print(f"two processes x 200 saves at once: {time.perf_counter() - start:.2f} s, "
              f"exit codes {codes}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
