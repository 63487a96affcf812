"""crampdx benchmark: start-up time, and engine build + inference against CLIPS. Prints numbers.

    .venv/bin/python benchmarks/bench.py            # full run: 100, 1,000 and 5,000 rules
    .venv/bin/python benchmarks/bench.py --quick    # 100 and 1,000 rules, fewer repeats
    .venv/bin/python benchmarks/bench.py --sizes 2000 --repeat 5 --profile 5000

Not a test: nothing here passes or fails on time. It prints

* start-up: `crampdx --version` and `crampdx debrief <example>` beside a bare `python -c pass`
  (median of N fresh subprocesses), and which modules `crampdx --version` imports;
* the engine: synthetic knowledge bases (benchmarks/synthkb.py, written as crampdx YAML and
  loaded with crampdx.knowledge.load_knowledge) built with crampdx.engine.Reasoner and run on a
  few synthetic answer sets, beside the same rules in CLIPS through clipspy (the `bench` extra:
  pip install -e '.[bench]'), with the number of results on which the two engines disagree
  (0 expected);
* with --profile SIZE: where the build and one inference spend their time, crampdx vs experta.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import clipsrun  # noqa: E402
import synthkb  # noqa: E402

HEAVY = ("experta", "rich", "questionary", "prompt_toolkit", "yaml", "schema", "frozendict")


# -- helpers --------------------------------------------------------------------------------
def median_time(function: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median wall time of `repeat` calls, and the last call's result."""
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def seconds(value: float | None) -> str:
    if value is None:
        return "n/a"
    if value < 0.01:
        return f"{value * 1000:.2f} ms"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.2f} s"


def ratio(mine: float | None, theirs: float | None) -> str:
    if mine is None or theirs is None or theirs <= 0:
        return "n/a"
    return f"{mine / theirs:.1f}x"


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    line = "  ".join("-" * width for width in widths)
    out = ["  ".join(str(h).ljust(w) for h, w in zip(headers, widths)), line]
    for row in rows:
        out.append("  ".join(str(c).rjust(w) if i else str(c).ljust(w)
                             for i, (c, w) in enumerate(zip(row, widths))))
    return "\n".join(out)


def crampdx_command() -> list[str]:
    script = Path(sys.executable).parent / "crampdx"
    return [str(script)] if script.exists() else [sys.executable, "-m", "crampdx"]


# -- start-up -------------------------------------------------------------------------------
def debrief_target(workdir: Path) -> tuple[list[str], dict[str, str], str]:
    """An example answers file (examples/), else the mini fixture with an answers file."""
    examples = sorted((ROOT / "examples").glob("*.yaml"))
    preferred = [p for p in examples if p.name == "seed-150k-mountain.yaml"]
    if preferred or examples:
        path = (preferred or examples)[0]
        return [str(path)], {}, f"examples/{path.name}"
    answers = workdir / "answers.yaml"
    answers.write_text("event_duration_h: 5\ndrink_type: water\ndrank_beyond_thirst: true\n"
                       "cramp_pattern: full_body\n", encoding="utf-8")
    env = {"CRAMPDX_SHIPPED_KB": str(ROOT / "tests" / "fixtures" / "mini_kb")}
    return [str(answers)], env, "tests/fixtures/mini_kb + a 4-answer file"


def startup_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for start-up runs: bytecode caching on, as for an installed crampdx.

    With PYTHONDONTWRITEBYTECODE set, every run would compile crampdx's modules from source
    again; the .pyc files go to a private PYTHONPYCACHEPREFIX instead of the source tree."""
    env = dict(os.environ, **(extra or {}))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    env["PYTHONPYCACHEPREFIX"] = PYCACHE
    return env


PYCACHE = os.path.join(tempfile.gettempdir(), "crampdx-bench-pycache")


def time_command(argv: list[str], runs: int, env: dict[str, str] | None = None) \
        -> tuple[float | None, str]:
    full_env = startup_env(env)
    times = []
    for index in range(runs + 1):  # the first run warms the disk cache and .pyc files
        start = time.perf_counter()
        done = subprocess.run(argv, env=full_env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            message = (done.stderr.strip().splitlines() or ["?"])[-1]
            return None, f"exit {done.returncode}: {message}"
        if index:
            times.append(elapsed)
    return statistics.median(times), ""


IMPORT_PROBE = """
import contextlib, io, json, sys
from crampdx.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main(["--version"])
    except SystemExit:
        pass
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(%r))
print(json.dumps({"modules": len(sys.modules), "heavy": heavy}))
"""


def import_evidence() -> list[str]:
    """What `crampdx --version` imports: a sys.modules probe and PYTHONPROFILEIMPORTTIME."""
    lines = []
    probe = subprocess.run([sys.executable, "-c", IMPORT_PROBE % (HEAVY,)],
                           capture_output=True, text=True, env=startup_env())
    if probe.returncode == 0:
        found = json.loads(probe.stdout.strip().splitlines()[-1])
        heavy = ", ".join(found["heavy"]) or "none"
        lines.append(f"sys.modules after `crampdx --version`: {found['modules']} modules; "
                     f"of {', '.join(HEAVY)}: {heavy}")
    else:
        lines.append(f"sys.modules probe failed: {probe.stderr.strip()[-300:]}")
    env = dict(startup_env(), PYTHONPROFILEIMPORTTIME="1")
    done = subprocess.run(crampdx_command() + ["--version"], env=env, capture_output=True,
                          text=True)
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "imported package" in line:
            continue
        _self_us, cumulative_us, name = line[len("import time:"):].split("|", 2)
        rows.append((int(cumulative_us.strip()), len(name) - len(name.lstrip()), name.strip()))
    top_level = sorted((r for r in rows if r[1] == 1), reverse=True)
    crampdx_rows = [r for r in rows if r[2].split(".")[0] == "crampdx"]
    heavy_rows = [r[2] for r in rows if r[2].split(".")[0] in HEAVY]
    lines.append(f"PYTHONPROFILEIMPORTTIME=1 crampdx --version: {len(rows)} modules imported; "
                 f"crampdx's own: {', '.join(r[2] for r in crampdx_rows)}; "
                 f"heavy: {', '.join(heavy_rows) or 'none'}")
    lines.append("  slowest top-level imports (cumulative): " + ", ".join(
        f"{name} {cumulative / 1000:.1f} ms" for cumulative, _, name in top_level[:6]))
    return lines


def startup_section(runs: int) -> None:
    print(f"\n== Start-up (median of {runs} fresh subprocesses, after one warm-up run; "
          f".pyc caching on) ==\n")
    with tempfile.TemporaryDirectory(prefix="crampdx-bench-") as directory:
        debrief_args, debrief_env, debrief_label = debrief_target(Path(directory))
        cases = [
            ("python -c pass", [sys.executable, "-c", "pass"], None),
            ("crampdx --version", crampdx_command() + ["--version"], None),
            (f"crampdx debrief {debrief_label}",
             crampdx_command() + ["debrief", *debrief_args, "--format", "json"], debrief_env),
        ]
        results = [(label, *time_command(argv, runs, env)) for label, argv, env in cases]
    base = results[0][1]
    rows = []
    for label, elapsed, error in results:
        extra = "" if elapsed is None or base is None else f"+{seconds(elapsed - base)}"
        rows.append([label, seconds(elapsed) if elapsed is not None else error, extra,
                     ratio(elapsed, base) if label != "python -c pass" else ""])
    print(table(["command", "median", "over python", "ratio"], rows))
    print()
    for line in import_evidence():
        print(line)


# -- engine ---------------------------------------------------------------------------------
def synthetic_case(size: int, n_sets: int) -> tuple[Any, list[dict], float]:
    """A synthetic knowledge base of `size` rules, its answer sets, and its YAML load time."""
    from crampdx.knowledge import load_knowledge

    with tempfile.TemporaryDirectory(prefix="crampdx-bench-kb-") as directory:
        kb_dir = synthkb.write_knowledge(Path(directory) / "kb", size)
        load_time, kb = median_time(lambda: load_knowledge([kb_dir]), 1)
    return kb, synthkb.answer_sets(kb, n_sets), load_time


def shipped_case() -> tuple[Any, list[dict], float] | None:
    """The shipped knowledge/ with every examples/*.yaml as an answer set, when both exist."""
    from crampdx.answers import load_answers
    from crampdx.knowledge import load_knowledge

    examples = sorted((ROOT / "examples").glob("*.yaml"))
    if not (ROOT / "knowledge").is_dir() or not examples:
        return None
    load_time, kb = median_time(lambda: load_knowledge([ROOT / "knowledge"]), 1)
    return kb, [load_answers(path, kb).values for path in examples], load_time


def engine_row(kb: Any, sets: list[dict], load_time: float, repeat: int,
               use_clips: bool) -> dict[str, Any]:
    from crampdx.engine import Reasoner
    from crampdx.knowledge import conditions as cond

    row: dict[str, Any] = {
        "rules": len(kb.rules),
        "branches": sum(len(cond.branches(r.when)) for r in kb.rules.values()),
        "questions": len(kb.questions), "findings": len(kb.findings), "causes": len(kb.causes),
        "load": load_time, "sets": len(sets),
    }
    row["build"], reasoner = median_time(lambda: Reasoner(kb), repeat)
    inferences, per_set = [], []
    for answers in sets:
        elapsed, inference = median_time(lambda: reasoner.infer(answers), repeat)
        per_set.append(elapsed)
        inferences.append(inference)
    row["infer"] = statistics.median(per_set)
    row["fired"] = statistics.mean(len(i.fired) for i in inferences)
    row["clips_build"] = row["clips_infer"] = row["mismatches"] = None
    if use_clips:
        row["clips_build"], clips_reasoner = median_time(
            lambda: clipsrun.ClipsReasoner(kb), repeat)
        per_set, problems = [], []
        for answers, inference in zip(sets, inferences):
            elapsed, result = median_time(lambda: clips_reasoner.infer(answers), repeat)
            per_set.append(elapsed)
            problems += clipsrun.mismatches(inference, result)
        row["clips_infer"] = statistics.median(per_set)
        row["mismatches"] = len(problems)
        row["problems"] = problems[:5]
        del clips_reasoner
    del reasoner
    gc.collect()
    return row


def engine_section(sizes: list[int], repeat: int, n_sets: int, use_clips: bool,
                   shipped: bool) -> None:
    print(f"\n== Engine: shipped and synthetic knowledge bases (build: median of {repeat}; inference: "
          f"median over {n_sets} answer sets of the median of {repeat} runs each) ==\n")
    if not use_clips:
        print("clipspy is not installed (pip install -e '.[bench]'): CLIPS columns are n/a.\n")
    rows, notes = [], []
    cases: list[tuple[str, Callable[[], Any]]] = []
    if shipped:
        cases.append(("shipped", shipped_case))
    cases += [(f"{size:,}", lambda size=size: synthetic_case(size, n_sets)) for size in sizes]
    for label, make in cases:
        started = time.perf_counter()
        try:
            case = make()
        except Exception as exc:  # the shipped knowledge may be mid-edit; say so and go on
            notes.append(f"{label}: skipped ({type(exc).__name__}: {exc})")
            continue
        if case is None:
            continue
        row = engine_row(*case, repeat=repeat, use_clips=use_clips)
        name = f"shipped ({row['rules']})" if label == "shipped" else f"{row['rules']:,}"
        rows.append([
            name, f"{row['branches']:,}",
            seconds(row["build"]), seconds(row["clips_build"]),
            ratio(row["build"], row["clips_build"]),
            seconds(row["infer"]), seconds(row["clips_infer"]),
            ratio(row["infer"], row["clips_infer"]),
            f"{row['fired']:.0f}", "n/a" if row["mismatches"] is None else str(row["mismatches"]),
        ])
        what = (f"shipped knowledge/, {row['sets']} examples/*.yaml as answer sets"
                if label == "shipped" else f"{row['rules']:,} synthetic rules")
        notes.append(f"{what}: {row['questions']} questions, {row['findings']} findings, "
                     f"{row['causes']} causes; YAML load {seconds(row['load'])}; "
                     f"row took {time.perf_counter() - started:.0f} s")
        for problem in row.get("problems") or []:
            notes.append(f"  mismatch: {problem}")
        print(f"  ... {label} done ({time.perf_counter() - started:.0f} s)", flush=True)
    print()
    print(table(["rules", "branches", "build crampdx", "build CLIPS", "ratio",
                 "infer crampdx", "infer CLIPS", "ratio", "fired", "mismatches"], rows))
    print()
    for note in notes:
        print(note)
    print("\nbuild = crampdx.engine.Reasoner(kb): engine class generation + instantiation"
          "\n        (matcher network); CLIPS: translation to defrules + Environment + load."
          "\ninfer = Reasoner.infer(answers) / reset + assert answers + run; 'fired' = rules"
          "\n        that fired per inference; 'mismatches' = causes, findings, fired rules or"
          "\n        triage flags on which crampdx and CLIPS disagree, over all answer sets.")


# -- end to end: whole processes (issue 12's targets) ---------------------------------------
EXAMPLE = ROOT / "examples" / "seed-150k-mountain.yaml"
TARGETS = {
    "json_vs_python": 8.0, "terminal_vs_python": 10.0, "version_vs_python": 3.0,
    "warm_vs_clips": 1.5, "cold_vs_clips": 4.0, "interview_p90_ms": 20.0, "doubling": 2.1,
    "team_terminal_vs_json": 3.0,
}
EnvMaker = Callable[[], dict]


def paired_runs(commands: dict[str, tuple[list[str], EnvMaker]], runs: int, base: str) \
        -> dict[str, dict[str, float]]:
    """Interleaved runs: each round runs every command once (in a rotating order), so a busy
    machine slows all of them alike; a ratio is taken within each round, then the median."""
    labels = list(commands)
    times: dict[str, list[float]] = {label: [] for label in labels}
    for round_ in range(runs + 1):  # round 0 warms the disk cache, .pyc and knowledge caches
        order = labels[round_ % len(labels):] + labels[:round_ % len(labels)]
        for label in order:
            argv, make_env = commands[label]
            start = time.perf_counter()
            done = subprocess.run(argv, env=startup_env(make_env()), stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True)
            elapsed = time.perf_counter() - start
            if done.returncode not in (0,):
                raise RuntimeError(f"{label}: exit {done.returncode}: "
                                   f"{(done.stderr.strip().splitlines() or ['?'])[-1]}")
            if round_:
                times[label].append(elapsed)
    return {label: {"median": statistics.median(values),
                    "ratio": statistics.median(v / b for v, b in zip(values, times[base]))}
            for label, values in times.items()}


def _fresh_cache_env(root: Path) -> EnvMaker:
    """An empty knowledge cache for every run: a cold start, building and writing the cache."""
    counter = iter(range(10**6))
    return lambda: {"CRAMPDX_CACHE_DIR": str(root / f"cold-{next(counter)}")}


def import_profile(argv: list[str], env: dict[str, str], top: int = 8) -> str:
    """Where a warm debrief's start-up goes, from PYTHONPROFILEIMPORTTIME: the slowest
    top-level imports (cumulative; the profiler itself adds some overhead) and which of the
    libraries that cost most at import are loaded at all."""
    done = subprocess.run(argv, env=dict(startup_env(env), PYTHONPROFILEIMPORTTIME="1"),
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    rows, names = [], set()
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "imported package" in line:
            continue
        _self_us, cumulative_us, name = line[len("import time:"):].split("|", 2)
        names.add(name.strip())
        if len(name) - len(name.lstrip()) == 1:
            rows.append((int(cumulative_us.strip()), name.strip()))
    watched = ("yaml", "rich", "rich.table", "tempfile", "dataclasses", "msgspec", "experta",
               "sqlite3", "questionary", "html")
    loaded = [name for name in watched if name in names]
    return (f"{sum(c for c, _ in rows) / 1000:.1f} ms of imports; slowest: "
            + ", ".join(f"{name} {c / 1000:.1f} ms" for c, name in sorted(rows, reverse=True)[:top])
            + f"\n    loaded: {', '.join(loaded) or 'none'}; not loaded: "
            + ", ".join(name for name in watched if name not in names))


def _verdict(value: float, target: float) -> str:
    verdict = "met" if value <= target else f"MISSED by {value / target:.2f}x"
    return f"target <= {target:g}: {verdict}"


def cpu_yardstick() -> float:
    """Median time of a fixed pure-Python loop: how busy the machine is right now."""
    def loop() -> int:
        return sum(i * i for i in range(300_000))
    return median_time(loop, 5)[0]


def write_overlay_case(workdir: Path, size: int) -> dict[str, Any]:
    """The shipped knowledge plus a synthetic overlay of `size` rules; an answers file with the
    seed example's answers and synthetic answers to the overlay's questions; the same rules as a
    CLIPS .clp file and the same answers as JSON for benchmarks/clipsproc.py."""
    import yaml

    from crampdx.answers import load_answers
    from crampdx.engine import rule_levels
    from crampdx.knowledge import conditions as cond
    from crampdx.knowledge.loader import load_knowledge as read_and_check

    overlay = synthkb.write_knowledge(workdir / f"overlay-{size}", size)
    kb = read_and_check([ROOT / "knowledge", overlay])
    values = dict(load_answers(EXAMPLE, kb).values)
    values.update(synthkb.answer_sets(read_and_check([overlay]), 1)[0])
    answers = workdir / f"answers-{size}.yaml"
    answers.write_text(yaml.safe_dump({k: list(v) if isinstance(v, tuple) else v
                                       for k, v in values.items()}, sort_keys=False),
                       encoding="utf-8")
    facts = [[k, kb.questions[k].type, list(v) if isinstance(v, tuple) else v]
             for k, v in values.items()]
    answers_json = workdir / f"answers-{size}.json"
    answers_json.write_text(json.dumps(facts), encoding="utf-8")
    levels = rule_levels(kb)
    constructs, count = list(clipsrun.TEMPLATES), 0
    for rule in kb.rules.values():
        for branch in cond.branches(rule.when):
            count += 1
            used = " ".join(leaf.finding for leaf in branch
                            if isinstance(leaf, cond.FindingTest) and not leaf.negated)
            lhs = "\n  ".join(clipsrun.branch_lhs(kb, branch))
            constructs.append(
                f"(defrule b{count} (declare (salience {-levels[rule.id]}))\n  {lhs}\n"
                f'  => (crampdx-fire "{rule.id}" "{rule.then_kind}" "{rule.then}" '
                f'{float(rule.certainty)!r} "{used}"))')
    clp = workdir / f"rules-{size}.clp"
    clp.write_text("\n".join(constructs) + "\n", encoding="utf-8")
    return {"overlay": overlay, "answers": answers, "answers_json": answers_json, "clp": clp,
            "max_steps": 10 * max(1, count), "rules": len(kb.rules), "branches": count}


def e2e_mismatches(report: dict[str, Any], clips_out: dict[str, Any]) -> list[str]:
    """Where `crampdx debrief -f json` and the CLIPS process disagree: causes, findings, the
    certainty of every rule that moved a cause, and the red flags."""
    problems: list[str] = []

    def compare(what: str, mine: dict[str, float], theirs: dict[str, float]) -> None:
        for key in sorted(set(mine) | set(theirs)):
            a, b = mine.get(key), theirs.get(key)
            if a is None or b is None or abs(a - b) > 1e-9:
                problems.append(f"{what} {key}: crampdx {a} vs CLIPS {b}")

    causes = report["causes"] + report["ruled_out"]
    compare("cause", {c["id"]: c["certainty"] for c in causes},
            {k: round(v, 3) for k, v in clips_out["causes"].items() if v != 0})
    compare("finding", report["findings"],
            {k: round(v, 3) for k, v in clips_out["findings"].items()})
    cause_rules = {e["rule"]: e["certainty"] for c in causes
                   for e in c.get("evidence", []) + c.get("against", [])}
    compare("rule", cause_rules, {k: round(clips_out["fired"][k], 3) for k in cause_rules
                                  if k in clips_out["fired"]})
    # a red flag that fired but is covered by a stronger one is listed as superseded
    flags = {flag["rule"] for flag in report["triage"]["flags"]
             + report["triage"].get("superseded", [])}
    for rule in sorted(flags ^ set(clips_out["triage"])):
        problems.append(f"red flag {rule}: crampdx {rule in flags} vs CLIPS "
                        f"{rule in clips_out['triage']}")
    return problems


def e2e_section(runs: int, overlay_size: int, doubling: list[int], interview_rules: int,
                team_files: int, use_clips: bool) -> None:
    print(f"\n== End to end: whole processes, {runs} interleaved rounds after a warm-up round "
          "(median; ratios taken within each round) ==\n")
    print(f"machine load: {os.getloadavg()[0]:.1f} (1-minute average, {os.cpu_count()} cores); "
          f"a fixed CPU loop takes {seconds(cpu_yardstick())} (lower is a quieter machine: "
          "absolute times scale with it, paired ratios much less)\n")
    none: EnvMaker = lambda: {}  # noqa: E731
    with tempfile.TemporaryDirectory(prefix="crampdx-bench-e2e-") as directory:
        work = Path(directory)
        warm_env: EnvMaker = lambda: {"CRAMPDX_CACHE_DIR": str(work / "warm-cache")}  # noqa: E731
        cold_env = _fresh_cache_env(work)
        cmd = crampdx_command()
        python = [sys.executable, "-c", "pass"]

        # 1. start-up
        results = paired_runs({
            "python -c pass": (python, none),
            "crampdx --version": (cmd + ["--version"], none),
            "debrief -f json (warm cache)": (cmd + ["debrief", str(EXAMPLE), "-f", "json"],
                                             warm_env),
            "debrief, terminal format (warm cache)": (cmd + ["debrief", str(EXAMPLE)], warm_env),
            "debrief -f json (no cache)": (cmd + ["debrief", str(EXAMPLE), "-f", "json"],
                                           cold_env),
        }, runs, "python -c pass")
        targets = {"crampdx --version": TARGETS["version_vs_python"],
                   "debrief -f json (warm cache)": TARGETS["json_vs_python"],
                   "debrief, terminal format (warm cache)": TARGETS["terminal_vs_python"]}
        print(f"start-up, examples/{EXAMPLE.name}:")
        print(table(["command", "median", "x python -c pass", "target"], [
            [label, seconds(r["median"]), f"{r['ratio']:.1f}x",
             _verdict(r["ratio"], targets[label]) if label in targets else ""]
            for label, r in results.items()]))

        for label, fmt in (("debrief -f json", ["-f", "json"]), ("debrief, terminal", [])):
            print(f"  {label} (warm cache), imports: "
                  + import_profile(cmd + ["debrief", str(EXAMPLE), *fmt], warm_env()))

        # 2. shipped knowledge + an overlay, against CLIPS as a whole process
        case = write_overlay_case(work, overlay_size)
        print(f"\nshipped knowledge + a {overlay_size:,}-rule overlay ({case['rules']:,} rules, "
              f"{case['branches']:,} branches), debrief -f json vs CLIPS loading the same rules "
              "from a .clp file, asserting the same answers and running:")
        debrief = cmd + ["debrief", str(case["answers"]), "-f", "json", "--kb",
                         str(case["overlay"])]
        commands = {"python -c pass": (python, none),
                    "crampdx, warm cache": (debrief, warm_env),
                    "crampdx, cold (empty cache)": (debrief, cold_env)}
        clips_argv = [sys.executable, str(HERE / "clipsproc.py"), str(case["clp"]),
                      str(case["answers_json"]), str(case["max_steps"])]
        if use_clips:
            commands["CLIPS (clipspy) process"] = (clips_argv, none)
        results = paired_runs(commands, runs, "CLIPS (clipspy) process" if use_clips
                              else "python -c pass")
        rows = []
        for label, r in results.items():
            target = ""
            if use_clips and label == "crampdx, warm cache":
                target = _verdict(r["ratio"], TARGETS["warm_vs_clips"])
            elif use_clips and label.startswith("crampdx, cold"):
                target = _verdict(r["ratio"], TARGETS["cold_vs_clips"])
            rows.append([label, seconds(r["median"]),
                         f"{r['ratio']:.2f}x" if use_clips else "n/a", target])
        print(table(["process", "median", "x CLIPS", "target"], rows))
        if use_clips:
            mine = json.loads(subprocess.run(debrief, env=startup_env(warm_env()),
                                             capture_output=True, text=True).stdout)
            theirs = json.loads(subprocess.run(clips_argv, env=startup_env(),
                                               capture_output=True, text=True).stdout)
            problems = e2e_mismatches(mine, theirs)
            print(f"mismatches between the crampdx report and CLIPS: {len(problems)} "
                  f"(causes {len(mine['causes']) + len(mine['ruled_out'])}, findings "
                  f"{len(mine['findings'])}, red flags {len(mine['triage']['flags'])} compared)")
            for problem in problems[:5]:
                print(f"  mismatch: {problem}")
        else:
            print("clipspy is not installed (pip install -e '.[bench]'): no CLIPS column.")

        # 3. doubling the rules
        cases = {size: (case if size == overlay_size else write_overlay_case(work, size))
                 for size in doubling}
        commands = {}
        for size, item in cases.items():
            argv = cmd + ["debrief", str(item["answers"]), "-f", "json", "--kb",
                          str(item["overlay"])]
            commands[f"{size} warm"] = (argv, warm_env)
            commands[f"{size} cold"] = (argv, cold_env)
        results = paired_runs(commands, runs, f"{doubling[0]} warm")
        print("\ndoubling the overlay (debrief -f json, shipped knowledge + N rules):")
        rows = []
        for kind in ("warm", "cold"):
            previous = None
            for size in doubling:
                now = results[f"{size} {kind}"]["median"]
                step = now / previous if previous else None
                rows.append([f"{size:,} rules, {kind}", seconds(now),
                             f"x{step:.2f}" if step else "",
                             _verdict(step, TARGETS["doubling"]) if step else ""])
                previous = now
        print(table(["overlay", "median", "per doubling", "target"], rows))

        # 4. the interview at scale (in process: one decision = record an answer, pick the next)
        print(f"\ninterview at shipped knowledge + {interview_rules:,} rules (in process):")
        print(interview_line(work, interview_rules))
        print(f"  (the CPU loop now takes {seconds(cpu_yardstick())})")

        # 5. a team run
        team = work / "team"
        team.mkdir()
        examples = sorted((ROOT / "examples").glob("*.yaml"))
        files = []
        for index in range(team_files):
            target = team / f"athlete-{index:03d}.yaml"
            shutil.copyfile(examples[index % len(examples)], target)
            files.append(str(target))
        results = paired_runs({
            "json": (cmd + ["debrief", *files, "-f", "json"], warm_env),
            "terminal": (cmd + ["debrief", *files], warm_env),
        }, max(3, runs // 2), "json")
        r = results["terminal"]
        print(f"\nteam run, {team_files} answers files in one debrief (warm cache): json "
              f"{seconds(results['json']['median'])}, terminal {seconds(r['median'])}: "
              f"{r['ratio']:.2f}x ({_verdict(r['ratio'], TARGETS['team_terminal_vs_json'])})")


def interview_line(work: Path, size: int, decisions: int = 40) -> str:
    """Median and p90 of one interview decision (answer(), then next_step()) over the first
    `decisions` questions, answering from the overlay case's answers."""
    from crampdx.answers import load_answers
    from crampdx.engine import Reasoner
    from crampdx.interview import Interview
    from crampdx.knowledge.loader import load_knowledge as read_and_check

    overlay = synthkb.write_knowledge(work / f"interview-{size}", size)
    kb = read_and_check([ROOT / "knowledge", overlay])
    values = dict(load_answers(EXAMPLE, kb).values)
    values.update(synthkb.answer_sets(read_and_check([overlay]), 1)[0])
    reasoner = Reasoner(kb)
    gc.freeze()  # as `crampdx interview` does once the knowledge is built (cli.reasoner_for_run)
    start = time.perf_counter()
    flow = Interview(reasoner)
    step = flow.next_step()
    first = time.perf_counter() - start
    times = []
    while step is not None and len(times) < decisions:
        qid = step.question.id
        start = time.perf_counter()
        flow.answer(qid, values.get(qid))
        step = flow.next_step()
        times.append(time.perf_counter() - start)
    times.sort()
    p90 = times[min(len(times) - 1, int(0.9 * len(times)))] if times else float("nan")
    return (f"  {len(times)} decisions: median {seconds(statistics.median(times))}, p90 "
            f"{seconds(p90)} ({_verdict(p90 * 1000, TARGETS['interview_p90_ms'])}, in ms); first "
            f"question {seconds(first)}")


# -- profile --------------------------------------------------------------------------------
def package_of(filename: str) -> str:
    for name in ("crampdx", "experta", "schema", "frozendict"):
        if f"{os.sep}{name}{os.sep}" in filename:
            return name
    return "python" if filename.startswith("~") or "lib/python" in filename else "other"


def profile_section(size: int, top: int) -> None:
    from crampdx.engine import Reasoner
    from crampdx.knowledge import load_knowledge

    with tempfile.TemporaryDirectory(prefix="crampdx-bench-kb-") as directory:
        kb = load_knowledge([synthkb.write_knowledge(Path(directory) / "kb", size)])
    answers = synthkb.answer_sets(kb, 1)[0]
    holder: dict[str, Any] = {}
    for title, action in (("build", lambda: holder.update(r=Reasoner(kb))),
                          ("inference", lambda: holder["r"].infer(answers))):
        profiler = cProfile.Profile()
        start = time.perf_counter()
        profiler.runcall(action)
        elapsed = time.perf_counter() - start
        stats = pstats.Stats(profiler)
        by_package: dict[str, float] = {}
        for (filename, _, _), (_, _, tottime, _, _) in stats.stats.items():  # type: ignore
            by_package[package_of(filename)] = by_package.get(package_of(filename), 0) + tottime
        total = sum(by_package.values()) or 1
        print(f"\n== Profile: {title} of {size:,} rules ({elapsed:.2f} s under cProfile) ==")
        print("own time by package: " + ", ".join(
            f"{name} {100 * value / total:.0f}%"
            for name, value in sorted(by_package.items(), key=lambda kv: -kv[1])))
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
        print("\n".join(line for line in out.getvalue().splitlines()[4:] if line.strip()))


# -- main -----------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="100 and 1,000 rules only, fewer repeats (well under a minute)")
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.replace(",", " ").split()],
                        help="rule counts, e.g. '100,1000,5000' (default: 100 1000 5000)")
    parser.add_argument("--repeat", type=int, help="timed repeats of each build and inference "
                                                   "(default 3, --quick 2)")
    parser.add_argument("--sets", type=int, help="synthetic answer sets per size (default 5, "
                                                 "--quick 3)")
    parser.add_argument("--startup-runs", type=int, help="subprocess runs per start-up command "
                                                         "(default 10, --quick 5)")
    parser.add_argument("--no-startup", action="store_true", help="skip the start-up timings")
    parser.add_argument("--no-engine", action="store_true", help="skip the engine timings")
    parser.add_argument("--no-clips", action="store_true", help="skip CLIPS even if installed")
    parser.add_argument("--no-shipped", action="store_true",
                        help="skip the row for the shipped knowledge/ and examples/")
    parser.add_argument("--profile", type=int, metavar="SIZE",
                        help="also profile the build and one inference at SIZE rules")
    parser.add_argument("--top", type=int, default=25, help="functions shown per profile")
    parser.add_argument("--e2e", action="store_true",
                        help="only the end-to-end section: whole processes against issue 12's "
                             "targets (start-up, an overlay against a CLIPS process, doubling, "
                             "the interview at scale, a team run)")
    parser.add_argument("--no-e2e", action="store_true", help="skip the end-to-end section")
    parser.add_argument("--overlay", type=int, default=4000,
                        help="overlay rules for the CLIPS comparison (default 4000)")
    parser.add_argument("--doubling", type=lambda s: [int(x) for x in s.replace(",", " ").split()],
                        help="overlay sizes for the doubling rows (default 1000 2000 4000 8000)")
    parser.add_argument("--interview-rules", type=int, default=5000,
                        help="overlay rules for the interview timing (default 5000)")
    parser.add_argument("--team", type=int, default=100, help="answers files in the team run")
    args = parser.parse_args(argv)
    sizes = args.sizes or ([100, 1000] if args.quick else [100, 1000, 5000])
    repeat = args.repeat or (2 if args.quick else 3)
    n_sets = args.sets or (3 if args.quick else 5)
    runs = args.startup_runs or (5 if args.quick else 10)

    import crampdx

    versions = [f"crampdx {crampdx.__version__}", f"Python {platform.python_version()}"]
    try:
        from importlib.metadata import version

        versions += [f"experta {version('experta')}"]
        versions += [f"clipspy {version('clipspy')}" if clipsrun.available()
                     else "clipspy not installed"]
    except Exception:  # pragma: no cover - metadata missing in odd installs
        pass
    print(f"crampdx benchmark: {', '.join(versions)}; {platform.machine()}, "
          f"{os.cpu_count()} cores, {platform.system()}")
    started = time.perf_counter()
    if args.e2e:
        args.no_startup = args.no_engine = True
    if not args.no_startup:
        startup_section(runs)
    if not args.no_e2e:
        e2e_section(runs, args.overlay, args.doubling or [1000, 2000, 4000, 8000],
                    args.interview_rules, args.team, clipsrun.available() and not args.no_clips)
    if not args.no_engine:
        engine_section(sizes, repeat, n_sets, clipsrun.available() and not args.no_clips,
                       shipped=not args.no_shipped)
    if args.profile:
        profile_section(args.profile, args.top)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
