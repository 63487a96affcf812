"""Activity-file benchmark: a five-year Strava export summarised cold, then from the cache.

    .venv/bin/python benchmarks/activities.py                  # 2,000 activities, 5 s records
    .venv/bin/python benchmarks/activities.py --activities 500 --interval 1

Not a test: nothing here passes or fails on time. It builds (once, kept in --work) a Strava
bulk export zip: activities.csv plus activities/<n>.fit.gz (every fourth one, written with
garmin-fit-sdk's encoder) or <n>.gpx.gz, runs of 40-150 min recorded every --interval seconds
over --years years, and a marathon race file. It then prints:

* cold: `crampdx.activity.derive(race, [export.zip])` with an empty cache (every file read);
* warm: the same call again, every summary from the JSON cache (files only stat'ed);
* the warm `crampdx import race.fit --training export.zip -f json` as a user runs it (a fresh
  process: interpreter start, knowledge base load, the cache read), median of 5.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from activity_gen import at, gpx_text, mountain, samples, fit_bytes  # noqa: E402

RACE_DAY = dt.date(2025, 10, 12)


def build(work: Path, count: int, years: float, interval: float) -> tuple[Path, Path]:
    """The export zip and the race file (reused when already built with the same settings)."""
    tag = f"{count}-{years:g}-{interval:g}"
    export, race = work / f"export-{tag}.zip", work / "race.fit"
    if export.exists() and race.exists():
        return export, race
    work.mkdir(parents=True, exist_ok=True)
    race.write_bytes(fit_bytes(samples(at(RACE_DAY), 42.2, 3.8, step_s=interval,
                                       elevation=lambda d: 100.0, temp=16)))
    span = int(years * 365)
    rows = ["Activity ID,Activity Date,Activity Name,Activity Type,Filename"]
    templates: dict[int, str] = {}
    started = time.perf_counter()
    with zipfile.ZipFile(export, "w", zipfile.ZIP_STORED) as archive:  # members are .gz
        for n in range(count):
            day = RACE_DAY - dt.timedelta(days=1 + n * span // count)
            minutes = 40 + (n * 37) % 110
            km = minutes / 5.5
            if n % 4 == 0:
                data = fit_bytes(samples(at(day), km, minutes / 60, step_s=interval,
                                         elevation=mountain(20 + n % 300, km)))
                name = f"activities/{n}.fit.gz"
            else:  # GPX from a template per duration: only the date differs
                if minutes not in templates:
                    templates[minutes] = gpx_text(samples(
                        at(dt.date(2000, 1, 1)), km, minutes / 60, step_s=interval,
                        elevation=mountain(20 + minutes, km)))
                data = templates[minutes].replace("2000-01-01", day.isoformat()).encode()
                name = f"activities/{n}.gpx.gz"
            archive.writestr(name, gzip.compress(data, compresslevel=6))
            rows.append(f'{n},"{day}",Run {n},Run,{name}')
        archive.writestr("activities.csv", "\n".join(rows) + "\n")
    print(f"built {export.name}: {count} activities in {time.perf_counter() - started:.0f} s, "
          f"{export.stat().st_size / 2 ** 20:.0f} MB")
    return export, race


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=2000)
    parser.add_argument("--years", type=float, default=5)
    parser.add_argument("--interval", type=float, default=5, help="seconds between records")
    parser.add_argument("--work", type=Path,
                        default=Path(tempfile.gettempdir()) / "crampdx-activity-bench")
    args = parser.parse_args()
    export, race = build(args.work, args.activities, args.years, args.interval)
    cache = Path(tempfile.mkdtemp(prefix="crampdx-cache-"))
    os.environ["CRAMPDX_CACHE_DIR"] = str(cache)
    from crampdx.activity import derive

    try:
        started = time.perf_counter()
        cold = derive(race, [export])
        cold_s = time.perf_counter() - started
        started = time.perf_counter()
        warm = derive(race, [export])
        warm_s = time.perf_counter() - started
        assert warm.values == cold.values and warm.cache_hits == len(warm.training)
        command = [str(Path(sys.executable).parent / "crampdx"), "import", str(race),
                   "--training", str(export), "-f", "json"]
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            runs.append(time.perf_counter() - started)
        cache_mb = sum(p.stat().st_size for p in cache.rglob("*.json")) / 2 ** 20
        print(f"activities: {len(cold.training)} read ({args.years:g} years, records every "
              f"{args.interval:g} s), export {export.stat().st_size / 2 ** 20:.0f} MB")
        print(f"cold (empty cache):      {cold_s:8.2f} s  "
              f"({cold_s / max(1, len(cold.training)) * 1000:.1f} ms per activity)")
        print(f"warm (from the cache):   {warm_s * 1000:8.1f} ms  (cache {cache_mb:.1f} MB JSON)")
        print(f"crampdx import, warm:    {statistics.median(runs) * 1000:8.0f} ms  "
              "(fresh process, median of 5)")
        print("derived:", {k: v for k, v in cold.values.items()
                           if k in ("longest_run_km", "long_runs_12w", "years_consistent")})
    finally:
        shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
