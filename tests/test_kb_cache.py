"""The compiled knowledge cache: reused while nothing changed, rebuilt after any change, and
never trusted when its file is damaged or was put there by someone else."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import msgspec
import pytest

from conftest import EXAMPLES, MINI_KB, ROOT
from crampdx.knowledge import cache
from crampdx.knowledge.loader import load_knowledge as validated
from crampdx.knowledge.loader import read_knowledge

SHIPPED = ROOT / "knowledge"
OVERLAY_RULE = """\
rules:
  - id: overlay-extra-rule
    when: {event_duration_h: {gt: 3}}
    then: {cause: %s}
    certainty: 0.3
    because: Added by the overlay.
    source: %s
"""


class Counting:
    """The build function, counting how often the YAML really had to be read."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, dirs: list[Path]) -> Any:
        self.calls += 1
        return validated(dirs)


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("CRAMPDX_CACHE_DIR", str(directory))
    monkeypatch.delenv("CRAMPDX_NO_CACHE", raising=False)
    return directory


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A private copy of the mini knowledge base, safe to edit."""
    target = tmp_path / "kb"
    shutil.copytree(MINI_KB, target)
    return target


def load(dirs: list[Path], build: Counting) -> Any:
    return cache.load(dirs, build)


def cache_file(directory: Path) -> Path:
    files = [p for p in directory.rglob("kb-*.bin")]
    assert len(files) == 1, files
    return files[0]


def test_second_load_is_a_hit_and_equal(cache_dir: Path, kb_copy: Path) -> None:
    """Touching nothing: the second load comes from the cache and equals the validated one."""
    build = Counting()
    first = load([kb_copy], build)
    second = load([kb_copy], build)
    assert build.calls == 1
    assert second == first == validated([kb_copy])
    assert second is not first


def test_editing_a_rule_invalidates(cache_dir: Path, kb_copy: Path) -> None:
    """Any edit to a knowledge file is seen at once, even one that keeps the file's size."""
    build = Counting()
    before = load([kb_copy], build)
    path = kb_copy / "kb.yaml"
    text = path.read_text(encoding="utf-8")
    rule = next(r for r in before.rules.values() if text.count(r.because) == 1)
    edited = text.replace(rule.because, rule.because.swapcase())
    assert len(edited) == len(text)
    stat = path.stat()
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same mtime
    after = load([kb_copy], build)
    assert build.calls == 2
    assert after.rules[rule.id].because != rule.because
    assert after == validated([kb_copy])


def test_adding_an_overlay_file_or_directory_invalidates(cache_dir: Path, kb_copy: Path,
                                                         tmp_path: Path) -> None:
    """A new file in a knowledge directory, or a new --kb directory, is a different build."""
    build = Counting()
    base = load([kb_copy], build)
    cause, source = next(iter(base.causes)), next(iter(base.sources))
    (kb_copy / "more.yaml").write_text(OVERLAY_RULE % (cause, source), encoding="utf-8")
    assert "overlay-extra-rule" in load([kb_copy], build).rules
    assert build.calls == 2
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "extra.yaml").write_text(
        (OVERLAY_RULE % (cause, source)).replace("overlay-extra-rule", "second-layer-rule"),
        encoding="utf-8")
    stacked = load([kb_copy, overlay], build)
    assert build.calls == 3 and "second-layer-rule" in stacked.rules
    load([kb_copy, overlay], build)
    assert build.calls == 3


def test_a_crampdx_or_python_change_invalidates(cache_dir: Path, kb_copy: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The key holds crampdx's version and Python's: an upgrade never reads an old cache."""
    build = Counting()
    load([kb_copy], build)
    monkeypatch.setattr(cache, "__version__", "0.0.0-other")
    load([kb_copy], build)
    assert build.calls == 2
    monkeypatch.setattr(cache.sys, "version", sys.version + " (another build)")
    load([kb_copy], build)
    assert build.calls == 3


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty", "garbage"])
def test_a_damaged_cache_file_is_rebuilt(cache_dir: Path, kb_copy: Path, damage: str) -> None:
    """A corrupted or truncated file is ignored, rebuilt and replaced; never an error."""
    build = Counting()
    expected = load([kb_copy], build)
    path = cache_file(cache_dir)
    blob = bytearray(path.read_bytes())
    if damage == "flip":
        blob[len(blob) // 2] ^= 0x40
    elif damage == "truncate":
        blob = blob[:len(blob) // 2]
    elif damage == "empty":
        blob = bytearray()
    else:
        blob = bytearray(b"\x00\xff not a cache at all" * 100)
    path.write_bytes(bytes(blob))
    assert load([kb_copy], build) == expected
    assert build.calls == 2
    assert load([kb_copy], build) == expected  # and the rebuilt file is good again
    assert build.calls == 2


def planted_payload(kb_dirs: list[Path], text: str) -> bytes:
    """What an attacker would write: a well-formed payload whose rules say `text`."""
    kb = validated(kb_dirs)
    rule = next(iter(kb.rules.values()))
    kb.rules[rule.id] = msgspec.structs.replace(rule, because=text)
    return cache._fingerprint(kb_dirs) + cache.dumps(kb)


def test_a_planted_cache_file_is_not_trusted(cache_dir: Path, kb_copy: Path) -> None:
    """A well-formed file written without the user's key (another user, a tampered copy) fails
    the MAC and is never decoded: the report is built from the YAML."""
    build = Counting()
    load([kb_copy], build)
    path = cache_file(cache_dir)
    payload = planted_payload([kb_copy], "PLANTED")
    forged_mac = cache._mac(b"x" * cache.KEY_BYTES, payload)
    path.write_bytes(cache.MAGIC + forged_mac + payload)
    kb = load([kb_copy], build)
    assert build.calls == 2
    assert all(rule.because != "PLANTED" for rule in kb.rules.values())


def test_a_key_others_can_read_or_that_is_planted_is_not_used(cache_dir: Path, kb_copy: Path) \
        -> None:
    """A key file readable by others (or put there by someone else) could have signed a planted
    cache: crampdx then uses no cache at all."""
    (cache_dir / "knowledge").mkdir(mode=0o700, parents=True)
    secret = b"k" * cache.KEY_BYTES
    key = cache_dir / "knowledge" / cache.KEY_NAME
    key.write_bytes(secret)
    key.chmod(0o644)
    build = Counting()
    payload = planted_payload([kb_copy], "PLANTED")
    # the file name crampdx would use for these directories: found by letting it write once
    other = cache_dir.parent / "probe"
    os.environ["CRAMPDX_CACHE_DIR"] = str(other)
    load([kb_copy], Counting())
    name = cache_file(other).name
    os.environ["CRAMPDX_CACHE_DIR"] = str(cache_dir)
    (cache_dir / "knowledge" / name).write_bytes(cache.MAGIC + cache._mac(secret, payload)
                                                 + payload)
    kb = load([kb_copy], build)
    load([kb_copy], build)
    assert build.calls == 2  # no cache used, none written
    assert all(rule.because != "PLANTED" for rule in kb.rules.values())
    assert key.read_bytes() == secret


def test_unwritable_cache_dir_works_silently(tmp_path: Path, kb_copy: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache directory that cannot be created or written: same knowledge, no error."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("CRAMPDX_CACHE_DIR", str(blocker / "cache"))
    build = Counting()
    assert load([kb_copy], build) == validated([kb_copy])
    assert load([kb_copy], build) == validated([kb_copy])
    assert build.calls == 2


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() == 0,
                    reason="root writes to read-only directories")
def test_read_only_cache_dir_works_silently(cache_dir: Path, kb_copy: Path) -> None:
    """A read-only cache directory: no cache, no error, the same knowledge."""
    cache_dir.mkdir()
    cache_dir.chmod(0o500)
    try:
        build = Counting()
        assert load([kb_copy], build) == validated([kb_copy])
        assert list(cache_dir.iterdir()) == []
    finally:
        cache_dir.chmod(0o700)


def test_no_cache_variable_bypasses_it(cache_dir: Path, kb_copy: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """CRAMPDX_NO_CACHE=1 reads the YAML every time and writes nothing."""
    monkeypatch.setenv("CRAMPDX_NO_CACHE", "1")
    build = Counting()
    load([kb_copy], build)
    load([kb_copy], build)
    assert build.calls == 2 and not cache_dir.exists()


def test_kb_check_reads_the_yaml_not_the_cache(cache_dir: Path, kb_copy: Path, run_cli,
                                               monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """`kb check` validates the files themselves: a problem shows even with a warm cache."""
    monkeypatch.setenv("CRAMPDX_SHIPPED_KB", str(kb_copy))
    monkeypatch.delenv("CRAMPDX_KB", raising=False)
    from crampdx.knowledge import load_knowledge

    load_knowledge([kb_copy])
    assert any(cache_dir.rglob("kb-*.bin"))
    path = kb_copy / "kb.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\nbogus_kind: []\n", encoding="utf-8")
    status, _, _ = run_cli("kb", "check")
    assert status != 0


def deep_equal(a: Any, b: Any, where: str = "kb") -> None:
    """Equal values of the very same types, field by field (a tuple is no list)."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, msgspec.Struct):
        for name in a.__struct_fields__:
            deep_equal(getattr(a, name), getattr(b, name), f"{where}.{name}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for index, (x, y) in enumerate(zip(a, b)):
            deep_equal(x, y, f"{where}[{index}]")
    elif isinstance(a, dict):
        assert list(a) == list(b), where  # same keys in the same order
        for key in a:
            deep_equal(key, next(k for k in b if k == key), f"{where} key {key!r}")
            deep_equal(a[key], b[key], f"{where}[{key!r}]")
    else:
        assert a == b or (a != a and b != b), where


def test_every_model_field_round_trips() -> None:
    """Every field of every item of the shipped knowledge comes back with its value and type, so
    a field someone adds to the model is cached without any change to the cache."""
    kb = validated([SHIPPED])
    kb.rules_for("finding", next(iter(kb.findings)))  # an index built on use is not stored
    back = cache.loads(cache.dumps(kb))
    deep_equal(kb, back)
    assert "_rules_by_target" not in vars(back)
    # every record class the items are made of is one the cache knows
    used: set[type] = set()

    def collect(value: Any) -> None:
        if isinstance(value, msgspec.Struct):
            used.add(type(value))
            for name in value.__struct_fields__:
                collect(getattr(value, name))
        elif isinstance(value, (list, tuple)):
            for item in value:
                collect(item)
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)

    collect(kb)
    assert used <= set(cache.model_classes().values())
    assert {"Rule", "Question", "FactTest", "PlanTemplate"} <= {c.__name__ for c in used}


def test_a_field_added_to_the_model_round_trips(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new model field (as other work adds them) is stored and read back with no change to
    the cache: the cache goes by each class's own fields, not by a list of its own."""
    from crampdx.knowledge import model

    extended = msgspec.defstruct(
        "Cause", [(name, Any, None) for name in model.Cause.__struct_fields__]
        + [("new_field", Any, None)], frozen=True, module=model.__name__)
    monkeypatch.setattr(model, "Cause", extended)
    kb = validated([MINI_KB])
    kb.causes = {k: extended(*(getattr(c, name) for name in c.__struct_fields__),
                             new_field=("a", 1.5, {"k": [True]}))
                 for k, c in kb.causes.items()}
    back = cache.loads(cache.dumps(kb))
    deep_equal(kb, back)
    assert all(c.new_field == ("a", 1.5, {"k": [True]}) for c in back.causes.values())


def test_a_changed_model_shape_is_rebuilt_not_misread(cache_dir: Path, kb_copy: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache written when a class had other fields is rebuilt, never decoded into the wrong
    fields."""
    build = Counting()
    load([kb_copy], build)
    real = cache.model_classes

    def renamed() -> dict[str, type]:
        classes = dict(real())
        classes["Rule"] = msgspec.defstruct(
            "Rule", [(name, Any) for name in classes["Rule"].__struct_fields__] + [("new", Any)],
            frozen=True)
        return classes

    data = cache.dumps(validated([kb_copy]))
    monkeypatch.setattr(cache, "model_classes", renamed)
    with pytest.raises(cache._Invalid):
        cache.loads(data)
    assert load([kb_copy], build) == validated([kb_copy])
    assert build.calls == 2


def test_cases_give_the_same_outcomes_from_the_cache(cache_dir: Path) -> None:
    """Every shipped case gets the same causes, triage and fired rules from the cached model as
    from the YAML."""
    from crampdx.casework import run_cases
    from crampdx.engine import Reasoner

    result = read_knowledge([SHIPPED])
    load([SHIPPED], Counting())
    build = Counting()
    cached = load([SHIPPED], build)
    assert build.calls == 0
    fresh = run_cases(Reasoner(result.kb), result.cases)
    again = run_cases(Reasoner(cached), result.cases)
    assert [(o.case.id, o.causes, o.ruled_out, o.triage, o.fired, o.failures)
            for o in fresh.outcomes] == \
        [(o.case.id, o.causes, o.ruled_out, o.triage, o.fired, o.failures)
         for o in again.outcomes]
    assert len(fresh.outcomes) == len(result.cases) > 0


def crampdx(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "crampdx", *args], capture_output=True,
                          env=env, cwd=ROOT)


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "json", "html"])
def test_reports_are_byte_identical_with_and_without_the_cache(tmp_path: Path, fmt: str) -> None:
    """All examples, in one batch per format: the warm cache changes no byte of any report."""
    examples = [str(p) for p in sorted(EXAMPLES.glob("*.yaml"))]
    env = dict(os.environ, CRAMPDX_CACHE_DIR=str(tmp_path / "cache"), COLUMNS="100")
    env.pop("CRAMPDX_KB", None)
    env.pop("CRAMPDX_SHIPPED_KB", None)
    crampdx("debrief", examples[0], "-f", "json", env=env)  # warms the cache
    assert any((tmp_path / "cache").rglob("kb-*.bin"))
    warm = crampdx("debrief", *examples, "-f", fmt, env=env)
    cold = crampdx("debrief", *examples, "-f", fmt, env=dict(env, CRAMPDX_NO_CACHE="1"))
    assert warm.returncode == cold.returncode
    assert warm.stderr == cold.stderr
    assert warm.stdout == cold.stdout and len(warm.stdout) > 1000


def test_warm_knowledge_load_imports_neither_yaml_nor_the_loader(tmp_path: Path) -> None:
    """With a warm cache, loading the knowledge reads no YAML: neither yaml nor the loader and
    schema are imported, and a whole JSON debrief never imports the loader, rich, or the
    history's sqlite3 (nothing recorded)."""
    env = dict(os.environ, CRAMPDX_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("CRAMPDX_KB", None)
    env.pop("CRAMPDX_SHIPPED_KB", None)
    probe = ("import sys\n"
             "from crampdx.knowledge import default_knowledge_dirs, load_knowledge\n"
             "kb = load_knowledge(default_knowledge_dirs())\n"
             "assert kb.rules\n"
             "print(sorted(m for m in sys.modules if m == 'yaml' or m.startswith(("
             "'crampdx.knowledge.loader', 'crampdx.knowledge.schema', 'experta'))))\n")
    first = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
    assert "crampdx.knowledge.loader" in first.stdout  # cold: read and validated
    warm = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
    assert warm.stdout.strip() == "[]", warm.stderr
    debrief = ("import sys, io, contextlib\n"
               "from crampdx.cli import main\n"
               "with contextlib.redirect_stdout(io.StringIO()):\n"
               f"    status = main(['debrief', {str(EXAMPLES / 'seed-150k-mountain.yaml')!r},"
               " '-f', 'json'])\n"
               "print(status, sorted(m for m in sys.modules if m.startswith(("
               "'crampdx.knowledge.loader', 'crampdx.knowledge.schema', 'crampdx.knowledge.cases',"
               " 'rich', 'crampdx.history', 'sqlite3'))))\n")
    done = subprocess.run([sys.executable, "-c", debrief], capture_output=True, text=True, env=env)
    assert done.stdout.strip() == "0 []", done.stderr


def test_knowledge_package_imports_nothing_above_it() -> None:
    """The knowledge package (model, loader, conditions, schema, cases, lint) depends on nothing
    above it: importing all of it loads neither the engine, the diagnosis nor experta."""
    probe = ("import sys\n"
             "import crampdx.knowledge.loader, crampdx.knowledge.lint, crampdx.knowledge.cases\n"
             "import crampdx.knowledge.reference, crampdx.knowledge.cache\n"
             "print(sorted(m for m in sys.modules if m.startswith(('crampdx.engine', "
             "'crampdx.diagnosis', 'crampdx.questioning', 'crampdx.plan', 'crampdx.casework', "
             "'crampdx.render', 'experta'))))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.stdout.strip() == "[]", done.stderr


def test_cases_directory_is_not_read_by_a_debrief(tmp_path: Path, run_cli,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """debrief never parses cases/: a broken case does not stop a report (kb check finds it),
    and kb check says when a file under cases/ holds anything but cases."""
    kb = tmp_path / "kb"
    shutil.copytree(MINI_KB, kb)
    (kb / "cases").mkdir()
    (kb / "cases" / "broken.yaml").write_text("cases:\n  - id: [not, text\n", encoding="utf-8")
    monkeypatch.setenv("CRAMPDX_SHIPPED_KB", str(kb))
    monkeypatch.setenv("CRAMPDX_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("CRAMPDX_KB", raising=False)
    answers = tmp_path / "answers.yaml"
    answers.write_text("event_duration_h: 5\n", encoding="utf-8")
    status, out, err = run_cli("debrief", str(answers), "-f", "json")
    assert status == 0, err
    status, out, _ = run_cli("kb", "check")
    assert status != 0 and "broken.yaml" in out
    (kb / "cases" / "broken.yaml").write_text(
        "sections:\n  - id: stray\n    title: Stray\n", encoding="utf-8")
    status, out, _ = run_cli("kb", "check")
    assert status != 0 and "holds cases only" in out


def test_the_unpickler_resolves_nothing_but_the_model(tmp_path: Path) -> None:
    """Even an authenticated file could name no function to call: only model classes load."""
    import pickle

    marker = tmp_path / "ran"
    payload = pickle.dumps((cache.shapes(), (os.system, f"touch {marker}")))

    class Evil:
        def __reduce__(self) -> Any:
            return (os.system, (f"touch {marker}",))

    for data in (payload, pickle.dumps(Evil())):
        with pytest.raises(cache._Invalid):
            cache.loads(data)
    assert not marker.exists()
