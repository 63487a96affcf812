"""Attacks on the input paths added with the plain YAML reader, the DNF questions, the
impossible-pace caution, picture alternatives with placeholders and the checklist's "None of
these" (docs/security.md). Each runs the real reader, CLI, engine or interview; the timings of
the large inputs are in benchmarks/yamlplain_hostile_bench.py, not here."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import pytest

from crampdx import yamlfull, yamlio, yamlplain
from crampdx.errors import CrampdxError
from crampdx.textsafe import unsafe_characters
from yamlshape import located_shape

ROOT = Path(__file__).resolve().parent.parent


def _outcome(parse: Any, text: str) -> Any:
    try:
        return located_shape(parse(text, "f.yaml"))
    except CrampdxError as exc:
        return ("error", str(exc))


# -- the plain reader: PyYAML's result or a decline, whatever the text ---------------------------
BIG = 200_000  # characters: large enough to walk every loop, small enough for the suite
PLAIN_ATTACKS = {
    "long line": "notes: " + "ab " * (BIG // 3) + "\n",
    "long line of ' #'": "notes: x" + " #" * (BIG // 2) + "\n",
    "long line of ':'": "notes: x" + ":" * BIG + "\n",
    "long line of ''": "notes: '" + "''" * (BIG // 2) + "'\n",
    "long key": "k" * BIG + ": 1\n",
    "long digits and underscores": "a: 1" + "_" * BIG + "x\n",
    "long 1:1:1": "a: 1" + ":1" * (BIG // 2) + "x\n",
    "many keys": "".join(f"key_{i}: {i}\n" for i in range(20_000)),
    "many items": "a:\n" + "- x\n" * 20_000,
    "wrapped flow list": "a: [" + ",\n  ".join(["x"] * 20_000) + "]\n",
    "wrapped flow list, unclosed": "a: [" + ",\n  ".join(["x"] * 2_000) + "\n",
    "deep flow lists": "a: " + "[" * 2_000 + "]" * 2_000 + "\n",
    "5000-digit int": "a: " + "9" * 5000 + "\n",
    "5000-digit float": "a: " + "9" * 5000 + ".5\n",
    "CRLF": "a: 1\r\nb: [x,\r\n  y]\r\n",
    "lone CR": "a: 1\rb: 2\n",
    "BOM in the middle": "a: 1\n\ufeffb: 2\n",
    "NUL": "a: 1\x00\n",
    "U+2028": "a: x\u2028y\n",
    "combining, RTL, zero-width": "a: e\u0301\u202e\u200bx\n",
    "full-width and Arabic-Indic digits": "a: ４２\nb: ٤٢\nc: [４２, ٤٢]\n",
    "non-breaking space": "a:\xa042\nb: 4\xa02\n",
    "numbers": "a: [1_000, 0o17, +.5, 1e400, -0, nan, inf, .inf, -.inf, .nan, 017, -0.0]\n",
    "booleans in every case": "".join(f"k{i}: {w}\n" for i, w in enumerate(
        ["yes", "Yes", "YES", "yEs", "no", "nO", "true", "tRue", "on", "oN", "off", "OfF",
         "y", "n", "Y", "N", "null", "nUll", "~"])),
    "keys colliding after normalisation": "finished: 1\nﬁnished: 2\nFinished: 3\n",
}


@pytest.mark.parametrize("name", sorted(PLAIN_ATTACKS))
def test_plain_reader_attacks_read_as_pyyaml_or_declined(name: str) -> None:
    text = PLAIN_ATTACKS[name]
    plain = yamlplain.read(text)
    theirs = _outcome(lambda t, p: yamlfull.parse_yaml(t, p, fast=True), text)
    if plain is not yamlplain.DECLINED:
        assert located_shape(plain) == theirs
    assert _outcome(yamlio.parse_yaml, text) == theirs


def test_zero_padded_numbers_are_decimal(run_cli, tmp_path: Path) -> None:
    """YAML 1.1 reads `042` as octal 34: a runner who pads with a zero meant 42, and a 34 km
    race with a cramp at 24 km would be a different diagnosis, silently."""
    path = tmp_path / "padded.yaml"
    path.write_text("event_distance_km: 042\nonset_km: 030\nlong_runs_12w: 012\n"
                    "event_duration_h: 04\n", encoding="utf-8")
    status, out, err = run_cli("debrief", str(path), "-f", "json")
    assert status == 0, err
    assert json.loads(out)["answers"] == {"event_distance_km": 42, "onset_km": 30,
                                          "long_runs_12w": 12, "event_duration_h": 4}


def test_minus_zero_km_reads_zero(run_cli, tmp_path: Path) -> None:
    path = tmp_path / "dnf.yaml"
    path.write_text('event_distance_km: 42.2\nfinished: false\ndistance_covered_km: "-0"\n',
                    encoding="utf-8")
    status, out, err = run_cli("debrief", str(path), "-f", "markdown")
    assert status == 0, err
    assert "You stopped at 0 km of the 42.2 km race" in out and "-0 km" not in out


# -- a race not finished: the caution says what the runner gave --------------------------------
def _cautions(run_cli, tmp_path: Path, text: str) -> tuple[dict[str, Any], list[str]]:
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    status, out, err = run_cli("debrief", str(path), "-f", "json")
    assert status == 0, err
    report = json.loads(out)
    return report, [c["text"] for c in report["cautions"]]


def test_dnf_with_a_time_never_asks_for_that_time(run_cli, tmp_path: Path) -> None:
    """Not finished, 3 h given, how far unknown: the plan estimates the full race, and the
    caution says why (the 3 h is for a distance not given), not 'give event_duration_h'."""
    report, texts = _cautions(run_cli, tmp_path, "event_distance_km: 42.2\nfinished: false\n"
                                                 "event_duration_h: 3\n")
    text = " ".join(texts)
    assert "give event_duration_h" not in text
    assert "your 3 h is for a distance not given; give how far you got (distance_covered_km)" in text


def test_dnf_at_zero_km_has_no_pace(run_cli, tmp_path: Path) -> None:
    _, texts = _cautions(run_cli, tmp_path, "event_distance_km: 42.2\nfinished: false\n"
                                            "distance_covered_km: 0\nevent_duration_h: 2\n")
    text = " ".join(texts)
    assert "0.0 km/h" not in text and "give event_duration_h" not in text
    assert "your 2 h is for no distance covered" in text


def test_dnf_over_the_full_distance_keeps_the_time(run_cli, tmp_path: Path) -> None:
    """'finished: false' with the full distance covered: the caution does not call the
    distance unknown, and the plan is sized from the 3 h given, not an estimate."""
    report, texts = _cautions(run_cli, tmp_path, "event_distance_km: 42.2\nfinished: false\n"
                                                 "distance_covered_km: 42.2\n"
                                                 "event_duration_h: 3\n")
    text = " ".join(texts)
    assert "not known" not in text
    assert "the distance you covered (42.2 km) is the full 42.2 km race" in text
    carbs = next(item for item in report["plan"] if item["id"] == "carbs-per-hour")
    assert carbs["numbers"]["duration_h"] == 3


# -- picture alternatives in an overlay --------------------------------------------------------
def _overlay(tmp_path: Path, picture: str) -> Path:
    overlay = tmp_path / "kb"
    overlay.mkdir(exist_ok=True)
    (overlay / "findings.yaml").write_text(
        "findings:\n  - id: late_onset\n    name: Cramps came late\n    description: d.\n"
        f"    picture:{picture}\n", encoding="utf-8")
    return overlay


LATE = "event_distance_km: 42.2\nonset_km: 40\nevent_duration_h: 4\n"


@pytest.mark.parametrize("placeholder, message", [
    ("{0.__class__}", "placeholder {0.__class__} must be a plain name"),
    ("{onset_km.__class__}", "must be a plain name"),
    ("{onset_km[0]}", "must be a plain name"),
    ("{onset_km!r}", "placeholder {onset_km} takes no format or conversion"),
    ("{onset_km:>99999999}", "takes no format or conversion"),
    ("{:>99999999}", "placeholder {} must be a plain name"),
    ("{}", "placeholder {} must be a plain name"),
    ("{0}", "placeholder {0} must be a plain name"),
    ("{athlete}", "unknown placeholder {athlete}"),
    ("{ｏnset_km}", "unknown placeholder {ｏnset_km} (did you mean 'onset_km'?)"),
    ("{onset_km", "broken braces"),
    ("x}", "broken braces"),
    ("{onset_km}\u202e", "text holds \\u202e"),
])
def test_picture_format_injection_is_refused(run_cli, tmp_path: Path, placeholder: str,
                                             message: str) -> None:
    overlay = _overlay(tmp_path, f'\n      - "At {placeholder} km"\n      - Late.')
    status, out, _ = run_cli("kb", "check", "--kb", str(overlay))
    assert status == 1 and message in out and "findings.yaml:" in out, out
    answers = tmp_path / "a.yaml"
    answers.write_text(LATE, encoding="utf-8")
    status, _, err = run_cli("debrief", str(answers), "--kb", str(overlay))
    assert status == 2 and "findings.yaml:" in one_line(err)


def one_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1 and not unsafe_characters(lines[0]), err[:500]
    return lines[0]


@pytest.mark.parametrize("picture", [' "Late {{b}} <b>x</b> [l](http://e) *em* =1+1|x"',
                                     '\n      - "At {distance_km} km"\n'
                                     '      - "Late {{b}} <b>x</b> [l](http://e) *em* =1+1|x"'])
def test_picture_braces_and_markup_are_shown_as_written(run_cli, tmp_path: Path,
                                                        picture: str) -> None:
    """`{{b}}` shows `{b}` whether the picture is one text (it used to show `{{b}}`) or the
    last of its alternatives (the first cannot be filled: no race distance), and the markup is
    text in every format."""
    overlay = _overlay(tmp_path, picture)
    answers = tmp_path / "a.yaml"
    answers.write_text("onset_km: 40\n", encoding="utf-8")
    status, out, err = run_cli("debrief", str(answers), "--kb", str(overlay))
    assert status == 0, err
    assert "• Late {b} <b>x</b> [l](http://e) *em* =1+1|x" in out
    status, out, _ = run_cli("debrief", str(answers), "--kb", str(overlay), "-f", "markdown")
    assert r"- Late \{b\} \<b\>x\</b\> \[l\](http://e) \*em\* =1+1\|x" in out
    status, out, _ = run_cli("debrief", str(answers), "--kb", str(overlay), "-f", "html")
    assert "<li>Late {b} &lt;b&gt;x&lt;/b&gt; [l](http://e) *em* =1+1|x</li>" in out
    status, out, _ = run_cli("debrief", str(answers), "--kb", str(overlay), "-f", "json")
    assert "Late {b} <b>x</b> [l](http://e) *em* =1+1|x" in \
        [k["text"] for k in json.loads(out)["kind"]]


def test_picture_filled_from_answers_with_braces_in_names(run_cli, tmp_path: Path) -> None:
    """Pictures take numbers only; an athlete and event full of braces, format fields and
    escapes are never read as a template, and come out escaped beside the filled picture."""
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps({
        "athlete": "{onset_km} {0.__class__} {x!r} {:>99999999}\x1b[2J",
        "event": "{{distance_km}} \u202e =HYPERLINK(\"http://e\")",
        "event_distance_km": 42.2, "onset_km": 40, "event_duration_h": 4, "finished": False,
        "distance_covered_km": 41}), encoding="utf-8")
    for fmt in ("terminal", "markdown", "html", "json"):
        status, out, err = run_cli("debrief", str(answers), "-f", fmt)
        assert status == 0, err
        assert not unsafe_characters(out)
        assert "40 km of 42.2 km" in out and "You stopped at 41 km of the 42.2 km race" in \
            " ".join(out.split())
        assert "99999999" in out and " " * 1000 not in out


# -- the checklist's "None of these" ------------------------------------------------------------
def test_held_enter_on_an_empty_checklist_asks_again_in_a_loop(monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    """Each Enter with nothing ticked asks again; it used to recurse, so about a thousand
    (a held key, a pasted text) ended the interview in a RecursionError. The stack is the same
    depth at every re-ask now; then the explicit None of these answers."""
    from test_interview_prompts import DOWN, ENTER, SPACE, Keyboard, step_for

    from crampdx import api
    from crampdx.cli_interview import NOTHING_TICKED, QuestionaryAsker
    from crampdx.interview import Interview, Reply

    monkeypatch.setenv("CRAMPDX_SHIPPED_KB", str(ROOT / "tests" / "fixtures" / "interview" / "kb"))
    monkeypatch.delenv("CRAMPDX_KB", raising=False)
    reasoner = api.reasoner()
    depths: list[int] = []
    say = QuestionaryAsker._say

    def counting_say(self: Any, text: str, *args: Any, **kwargs: Any) -> None:
        if NOTHING_TICKED in text:
            depths.append(len(inspect.stack(0)))
        return say(self, text, *args, **kwargs)

    monkeypatch.setattr(QuestionaryAsker, "_say", counting_say)
    step = step_for(Interview(reasoner), "symptoms")
    options = len(step.question.choices)
    assert Keyboard(reasoner).ask(step, ENTER * 5 + DOWN * options + SPACE + ENTER) == \
        Reply.answer(())
    assert len(depths) == 5 and len(set(depths)) == 1, depths


# -- keys: the new questions under other spellings, and in a next-race file ------------------------
def test_keys_that_are_the_question_in_other_characters_name_it(run_cli, tmp_path: Path
                                                                 ) -> None:
    """FINISHED, a ligature, full-width letters: each error names the question it spells, and
    does not suggest a knowledge directory for it (it is a slip, not the runner's own)."""
    path = tmp_path / "keys.yaml"
    path.write_text("FINISHED: yes\nﬁnished: no\nＥvent_distance_km: 3\n", encoding="utf-8")
    status, _, err = run_cli("debrief", str(path))
    assert status == 2
    lines = err.splitlines()
    assert len(lines) == 3 and not any(unsafe_characters(line) for line in lines)
    assert "keys.yaml:1:1: unknown question 'FINISHED' (did you mean 'finished'?);" in lines[0]
    assert "keys.yaml:2:1: unknown question 'ﬁnished' (did you mean 'finished'?);" in lines[1]
    assert "(did you mean 'event_distance_km'?);" in lines[2]
    assert "--kb" not in err


@pytest.mark.parametrize("key", ["finished: false", "distance_covered_km: 20"])
def test_a_next_race_file_says_a_dnf_answer_is_about_the_last_race(run_cli, tmp_path: Path,
                                                                   key: str) -> None:
    race = tmp_path / "next.yaml"
    race.write_text(f"event_distance_km: 50\n{key}\n", encoding="utf-8")
    status, _, err = run_cli("debrief", str(ROOT / "examples" / "seed-150k-mountain.yaml"),
                             "--next-race", str(race))
    assert status == 2
    assert f"next.yaml:2:1: '{key.split(':')[0]}' is about how your last race went, not a " \
           "race to come; a next-race file holds: event_distance_km" in one_line(err)


def test_a_huge_number_in_a_picture_is_not_converted_to_inf(run_cli, tmp_path: Path) -> None:
    """--units imperial converts the numbers in knowledge text; a 400-digit km in an overlay's
    picture used to read 'inf mi'. It stays as written; the ordinary ones still convert."""
    huge = "9" * 400
    overlay = _overlay(tmp_path, f' "Late {huge} km, or 40 km"')
    answers = tmp_path / "a.yaml"
    answers.write_text("onset_km: 40\n", encoding="utf-8")
    status, out, err = run_cli("debrief", str(answers), "--kb", str(overlay), "-f", "markdown",
                               "--units", "imperial")
    assert status == 0, err
    assert f"- Late {huge} km, or 24.9 mi" in out and "inf mi" not in out


def test_full_width_and_invisible_characters_in_answers(run_cli, tmp_path: Path) -> None:
    """Full-width letters read as their letters, as full-width digits already read as digits;
    a zero-width space, which nothing shows, is named in the message (it used to read
    "not yes", with no visible reason)."""
    path = tmp_path / "wide.json"
    path.write_text(json.dumps({"event_distance_km": "４２", "finished": "ｎｏ",
                                "distance_covered_km": "３０", "cramp_pattern": "ＦＵＬＬ_ＢＯＤＹ"}),
                    encoding="utf-8")
    status, out, err = run_cli("debrief", str(path), "-f", "json")
    assert status == 0, err
    assert json.loads(out)["answers"] == {"event_distance_km": 42, "finished": False,
                                          "distance_covered_km": 30,
                                          "cramp_pattern": "full_body"}
    path.write_text(json.dumps({"finished": "yes\u200b"}), encoding="utf-8")
    status, _, err = run_cli("debrief", str(path))
    assert status == 2
    assert "wide.json:1:2: finished: expected yes or no (true/false), not yes\\u200b" in \
        one_line(err)


# -- the interview refuses what the answers file would -------------------------------------------
def test_interview_asks_again_for_a_distance_beyond_the_race(tmp_path: Path) -> None:
    """Typed in the interview, a distance covered (or a first cramp) beyond the race's
    distance used to be saved, and `crampdx debrief` then refused the saved file. Now the
    interview says what is wrong and asks again; the file it saves reads back."""
    from crampdx import api
    from crampdx.answers import dump_answers, load_answers
    from crampdx.interview import SKIP, Interview, Reply, run

    typed = {"event_distance_km": [42.2], "finished": [False],
             "distance_covered_km": [50.0, 30.0], "onset_km": [45.0, 25.0]}
    notices: list[str] = []

    class Runner:
        def ask(self, step: Any) -> Reply:
            values = typed.get(step.question.id)
            return Reply.answer(values.pop(0)) if values else SKIP

        def explain(self, why: Any) -> None:
            pass

        def emergency(self, flags: Any) -> bool:
            return True

        def notice(self, message: str) -> None:
            notices.append(message)

    reasoner = api.reasoner()
    flow = Interview(reasoner)
    run(flow, Runner())
    assert notices == [
        "distance_covered_km: 50 km is more than event_distance_km (42.2 km); check the "
        "answers and their units; answer again",
        "onset_km: 45 km is more than event_distance_km (42.2 km); check the answers and "
        "their units; answer again"]
    saved = tmp_path / "saved.yaml"
    saved.write_text(dump_answers(flow.answers_for_saving(), reasoner.kb), encoding="utf-8")
    values = load_answers(saved, reasoner.kb).values
    assert (values["distance_covered_km"], values["onset_km"]) == (30, 25)


def test_a_watch_longer_than_a_race_not_finished(run_cli, tmp_path: Path) -> None:
    """A race file of 21 km for a 10 km race not finished: its distance is not taken as the
    distance covered, and its climb is left out with a reason that fits (it used to ask for
    event_distance_km, which was given)."""
    import datetime as dt

    from activity_gen import at, samples, write

    race = write(tmp_path / "run.gpx", samples(at(dt.date(2026, 5, 1)), 21.0, 2.0))
    answers = tmp_path / "a.yaml"
    answers.write_text("event_distance_km: 10\nfinished: false\n", encoding="utf-8")
    status, out, err = run_cli("debrief", str(answers), "--activity", str(race), "-f", "json")
    assert status == 0, err
    assert "distance_covered_km" not in json.loads(out)["answers"]
    assert "run.gpx: elevation_gain_m not used (it is for the part you ran, which the race " \
           "file makes no shorter than the 10 km race; give the course's own value)" in err
    assert "give event_distance_km" not in err


def test_keys_yaml_reads_as_other_values(run_cli, tmp_path: Path) -> None:
    """`on:`, `~:`, `2024-01-01:` are not names to YAML: each is named as what YAML reads (it
    used to say "unknown question 'True'" or 'datetime.date(2024, 1, 1)'); `yes:` and `1.0:`
    are one key to YAML, and the duplicate says why."""
    path = tmp_path / "keys.yaml"
    path.write_text("on: 1\n~: 3\n2024-01-01: 5\n1.5: 7\n", encoding="utf-8")
    status, _, err = run_cli("debrief", str(path))
    assert status == 2
    assert err.splitlines() == [
        f"crampdx: error: {path}:{n}:1: a key YAML reads as {shown}, not a question id such "
        "as event_distance_km; 'crampdx questions' lists them all"
        for n, shown in ((1, "true (true/false)"), (2, "null (nothing)"),
                         (3, "2024-01-01 (date)"), (4, "1.5 (a number)"))]
    path.write_text("yes: 1\n1.0: 2\n", encoding="utf-8")
    status, _, err = run_cli("debrief", str(path))
    assert status == 2
    assert f"{path}:2:1: duplicate key '1.0' (first given on line 1 as a key YAML reads as " \
           "true, which equals 1.0); YAML would silently keep only the last one" in one_line(err)


@pytest.mark.parametrize("question, kind, answers", [
    ("distance_covered_km", "choice\n    choices: {a: A, b: B}",
     "event_distance_km: 42\ndistance_covered_km: a\n"),
    ("finished", "number\n    unit: km\n    range: [0, 1000]",
     "event_distance_km: 42\nfinished: 0\nevent_duration_h: 0.5\n"),
    ("onset_km", "number\n    unit: h\n    range: [0, 100]", "event_distance_km: 42\nonset_km: 3\n"),
])
def test_an_overlay_cannot_change_the_type_of_a_question_the_code_reads(
        run_cli, tmp_path: Path, question: str, kind: str, answers: str) -> None:
    """distance_covered_km redefined as a choice passed kb check, and debrief then crashed in
    the duration estimate (a TypeError traceback). kb check and debrief now refuse it."""
    overlay = tmp_path / "kb"
    overlay.mkdir()
    (overlay / "questions.yaml").write_text(
        f"questions:\n  - id: {question}\n    section: event\n    ask: x?\n    help: h.\n"
        f"    type: {kind}\n", encoding="utf-8")
    status, out, _ = run_cli("kb", "check", "--kb", str(overlay))
    assert status == 1 and f"questions.yaml:6:5: question '{question}' must stay a " in out
    path = tmp_path / "a.yaml"
    path.write_text(answers, encoding="utf-8")
    status, _, err = run_cli("debrief", str(path), "--kb", str(overlay))
    assert status == 2 and "Traceback" not in err and question in one_line(err)
