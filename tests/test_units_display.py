"""--units imperial: miles, feet, °F, fl oz and lb in the reports, each the metric report's own
rounded number converted, so the two never disagree; the default follows the answers file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from crampdx.units import units_in
from crampdx.units_display import convert, imperial_html, imperial_text

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
NUMBER = r"(?<![\w.,])(\d+(?:\.\d+)?)"
METRIC = {"km": "mi", "m": "ft", "°C": "°F", "ml/h": "fl oz/h", "kg": "lb"}


def quantities(text: str, unit: str) -> list[float]:
    return [float(n) for n in re.findall(rf"{NUMBER} {re.escape(unit)}(?![\w/])", text)]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_imperial_numbers_are_the_metric_ones_converted(run_cli, example: Path) -> None:  # type: ignore[no-untyped-def]
    """Every km, m, °C, ml/h and kg of the metric Markdown report appears, in the same order,
    as its rounded imperial equivalent in the imperial report; nothing metric is left."""
    _, metric, _ = run_cli("debrief", str(example), "-f", "markdown", "--units", "metric")
    _, imperial, _ = run_cli("debrief", str(example), "-f", "markdown", "--units", "imperial")
    # flat repetitions ("4 × 500 m at marathon pace") are yards or miles: checked on their own
    reps = re.findall(r"(\d+) × (\d+) m(?= at | into )", metric)
    shown = re.findall(r"(\d+) × (\d+(?:\.\d+)?) (yd|mi)(?= at | into )", imperial)
    assert [(n, float(d), u) for n, d, u in shown] == [
        (n, round(int(d) / 0.9144, -1), "yd") if int(d) < 1000
        else (n, round(int(d) / 1609.344, 1), "mi") for n, d in reps]
    metric = re.sub(r"\d+ × \d+ m(?= at | into )", "", metric)
    imperial = re.sub(r"\d+ × \d+(?:\.\d+)? (?:yd|mi)(?= at | into )", "", imperial)
    imperial = imperial.replace("per kg (2.2 lb)", "per kg")  # dosing: checked on its own
    converted_any = False
    for unit, label in METRIC.items():
        expected = [convert(value, unit)[0] for value in quantities(metric, unit)]
        assert quantities(imperial, label) == expected, unit
        assert quantities(imperial, unit) == [], f"{unit} left in the imperial report"
        converted_any = converted_any or bool(expected)
    # volumes in ml and in litres both read in fl oz, in the order the metric report has them
    volumes = re.findall(rf"{NUMBER} (ml|litres|litre)(?![\w/])", metric)
    assert quantities(imperial, "fl oz") == [convert(float(n), u)[0] for n, u in volumes]
    assert re.findall(rf"{NUMBER} (?:ml|litres|litre)(?![\w/])", imperial) == []
    assert converted_any


def test_known_conversions() -> None:
    """Worked numbers: the plan's 35 km long run, 900 m descent, 28 °C, 500 ml/h, 3 kg."""
    assert imperial_text("35 km, 30–35 km, 900 m down, 28 °C, 500 ml/h, 3 kg") == \
        "21.7 mi, 18.6–21.7 mi, 2953 ft down, 82 °F, 16.9 fl oz/h, 6.6 lb"
    assert imperial_text("10 min, 400 mg/h, 60 g/h, 3.9 h") == "10 min, 400 mg/h, 60 g/h, 3.9 h"


def test_html_converts_text_never_markup_or_style() -> None:
    page = '<style>a { margin: 2 m }</style><p title="5 km">42.2 km</p>'
    assert imperial_html(page) == '<style>a { margin: 2 m }</style><p title="5 km">26.2 mi</p>'


def test_the_default_follows_the_answers_file(run_cli, write) -> None:  # type: ignore[no-untyped-def]
    """Miles in the answers: an imperial report; --units metric overrides; no units: metric.
    JSON stays metric (the contract) and says the report's units."""
    lena = (ROOT / "examples" / "marathon-longest-run-24k.yaml").read_text(encoding="utf-8")
    miles = write("miles.yaml", lena.replace("event_distance_km: 42.2", "event_distance_km: 26.2 mi")
                  .replace("onset_km: 32", "onset_km: 20 mi"))
    plain = write("plain.yaml", lena)
    assert units_in({"onset_km": "20 mi"}) == "imperial" and units_in({"x": 3}) == "metric"
    _, out, _ = run_cli("debrief", str(miles))
    assert "Sized for: 26.2 mi · 3.9 h · road · 394 ft up" in out and " km" not in out
    _, out, _ = run_cli("debrief", str(miles), "--units", "metric")
    assert "Sized for: 42.2 km · 3.9 h · road · 120 m up" in out and " mi " not in out
    _, out, _ = run_cli("debrief", str(plain))
    assert "Sized for: 42.2 km" in out
    _, out, _ = run_cli("debrief", str(miles), "-f", "json")
    report = json.loads(out)
    assert report["answers"]["onset_km"] == 32.2 and report["units"] == "imperial"


def test_squad_csv_prose_is_converted_too(run_cli) -> None:  # type: ignore[no-untyped-def]
    """The squad table's change column in imperial, as the reports are."""
    lena = str(ROOT / "examples" / "marathon-longest-run-24k.yaml")
    _, metric, _ = run_cli("debrief", lena, "--summary", "-f", "csv")
    _, imperial, _ = run_cli("debrief", lena, "--summary", "-f", "csv", "--units", "imperial")
    assert "35 km" in metric and "21.7 mi" in imperial and " km" not in imperial


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "json", "html"])
def test_a_batch_keeps_each_files_own_units(run_cli, fmt: str) -> None:  # type: ignore[no-untyped-def]
    """Debriefing a miles file with a km file: without --units each report is in the units its
    own file used (a batch used to flip the miles file to km)."""
    miles = ROOT / "examples" / "mild-eah-charity-marathon.yaml"
    km = ROOT / "examples" / "marathon-hit-the-wall.yaml"
    _, out, _ = run_cli("debrief", str(miles), str(km), "-f", fmt)
    if fmt == "json":
        first, second = json.loads(out)
        assert first.get("units") == "imperial" and "units" not in second
        return
    # the km file's report starts at the first heading after the miles file's distance
    split = out.index("Cramp debrief", out.index("26.2 mi"))
    miles_report, km_report = out[:split], out[split:]
    assert "42.2 km" not in miles_report, "the miles file's report is not in miles"
    assert "42.2 km" in km_report and "26.2 mi" not in km_report, \
        "the km file's report is not in km"


@pytest.mark.parametrize("typed", ["4:50", "4:50:00"])
@pytest.mark.parametrize("fmt", ["terminal", "markdown", "html"])
def test_a_duration_typed_as_hours_and_minutes_reads_so(run_cli, write, typed: str, fmt: str) -> None:  # type: ignore[no-untyped-def]
    """A race of "4:50" showed as "4.83 h"; every text format shows "4 h 50 min" wherever the
    duration is quoted (evidence, "Sized for"), and JSON keeps the number."""
    text = (ROOT / "examples" / "marathon-hit-the-wall.yaml").read_text(encoding="utf-8")
    path = write("hm.yaml", re.sub(r"(?m)^event_duration_h:.*$", f'event_duration_h: "{typed}"',
                                   text))
    _, out, _ = run_cli("debrief", str(path), "-f", fmt)
    flat = " ".join(out.split())
    assert "4.83 h" not in flat and "4.83333 h" not in flat
    assert "Time on your feet: 4 h 50 min" in flat
    assert re.search(r"Sized for:(?:</strong>)?\W*42\.2 km · 4 h 50 min", flat)
    _, out, _ = run_cli("debrief", str(path), "-f", "json")
    assert abs(json.loads(out)["answers"]["event_duration_h"] - 29 / 6) < 0.01


def test_hours_read_as_runners_say_them() -> None:
    from crampdx.render.common import format_hours

    assert [format_hours(v) for v in (4.5, 4.3, 3.0, 29 / 6, 0.75, 5.2575)] == \
        ["4.5 h", "4.3 h", "3 h", "4 h 50 min", "45 min", "5 h 15 min"]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_imperial_paces_are_per_mile_and_labels_lose_their_metric_suffix(run_cli, example: Path) -> None:  # type: ignore[no-untyped-def]
    """--units imperial: every "m:ss /km" pace of the metric report comes back per mile (the
    same pace × 1.609344), "+20 s/km" as "+32 s/mi", and an answer quoted as evidence reads
    "temperature 88 °F", never "temperature_c = 88 °F"."""
    _, metric, _ = run_cli("debrief", str(example), "-f", "markdown", "--units", "metric")
    _, imperial, _ = run_cli("debrief", str(example), "-f", "markdown", "--units", "imperial")
    pace = r"(\d{1,2}):([0-5]\d)"
    metric_paces = []
    for match in re.finditer(pace + r"(?:( and | to |–)" + pace + r")? ?/km", metric):
        metric_paces.append(int(match[1]) * 60 + int(match[2]))
        if match[3]:
            metric_paces.append(int(match[4]) * 60 + int(match[5]))
    imperial_paces = []
    for match in re.finditer(pace + r"(?:( and | to |–)" + pace + r")? ?/mi", imperial):
        imperial_paces.append(int(match[1]) * 60 + int(match[2]))
        if match[3]:
            imperial_paces.append(int(match[4]) * 60 + int(match[5]))
    assert imperial_paces == [round(p * 1.609344) for p in metric_paces]
    assert "/km" not in imperial
    offsets = [int(n) for n in re.findall(r"\+(\d+) s/km", metric)]
    assert [int(n) for n in re.findall(r"\+(\d+) s/mi", imperial)] == \
        [round(n * 1.609344) for n in offsets]
    assert not re.search(r"\w_(?:c|km|m|kg) = ", imperial)
    if "temperature_c = " in metric:
        assert re.search(r"temperature \d+ °F", imperial)


def _imperial_terminal(run_cli, monkeypatch, example: Path) -> str:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COLUMNS", "80")
    status, out, err = run_cli("debrief", str(example), "--units", "imperial")
    assert status in (0, 1), err
    return out


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_imperial_terminal_report_fits_80_columns_and_its_boxes_line_up(  # type: ignore[no-untyped-def]
        run_cli, monkeypatch, example: Path) -> None:
    """Issue 11: converted before rich lays it out, so rich wraps the converted words; a
    conversion after rendering overran 80 columns and pushed the right borders out."""
    out = _imperial_terminal(run_cli, monkeypatch, example)
    lines = out.splitlines()
    assert [line for line in lines if len(line) > 80] == []
    inside = False
    for line in lines:
        if line.startswith("╭"):
            assert line.endswith("╮") and len(line) == 80, line
            inside = True
        elif line.startswith("╰"):
            assert inside and line.endswith("╯") and len(line) == 80, line
            inside = False
        elif inside:
            assert line.startswith("│") and line.endswith("│") and len(line) == 80, line
    assert not inside


def test_imperial_terminal_converts_litres_and_keeps_per_kg_dosing(run_cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """'0.4 to 0.8 litres an hour' reads in fl oz; carbohydrate per kg of body weight stays
    per kg (how the guidance is written) with the pound equivalent beside it."""
    out = _imperial_terminal(run_cli, monkeypatch, ROOT / "examples/salty-sweater-hot-50k.yaml")
    flat = " ".join(out.split())
    assert "13.5 to 27.1 fl oz an hour" in flat
    assert "litres" not in flat
    assert "per kg (2.2 lb) of body weight" in flat
    assert imperial_text("more than 3 litres, 1 litre") == "more than 101.4 fl oz, 33.8 fl oz"
    assert imperial_text("per kg (2.2 lb) of") == "per kg (2.2 lb) of"  # only once


def test_a_typed_weight_in_pounds_comes_back_in_pounds(run_cli, monkeypatch, write) -> None:  # type: ignore[no-untyped-def]
    """'3 lb' is stored as 1.36 kg and printed 1.4 kg; converted back it is 3 lb, not 3.1."""
    text = (ROOT / "examples/weight-gain-feels-fine.yaml").read_text(encoding="utf-8")
    path = write("gain.yaml", text.replace("weight_change_kg: 1\n", 'weight_change_kg: "3 lb"\n'))
    out = _imperial_terminal(run_cli, monkeypatch, path)
    assert "finished 3 lb heavier" in " ".join(out.split())
    assert imperial_text("1.4 kg, 1 kg, 70 kg, 3 kg") == "3 lb, 2.2 lb, 154.3 lb, 6.6 lb"


def test_metric_terminal_report_is_unchanged_by_the_convert_hook() -> None:
    """render(convert=None) and the identity give the same bytes; the hook sees the text."""
    from crampdx import api
    from crampdx.render import terminal

    diagnosis = api.diagnose_file(ROOT / "examples/salty-sweater-hot-50k.yaml")
    kb = api.knowledge()
    seen: list[str] = []
    plain = terminal.render(diagnosis, kb)
    assert plain == terminal.render(diagnosis, kb, convert=lambda s: seen.append(s) or s)
    assert any("litres an hour" in piece for piece in seen)
    assert terminal.render(diagnosis, kb) == plain  # the hook does not outlive its render


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_imperial_fluid_figures_all_carry_a_converted_unit(run_cli, example: Path) -> None:  # type: ignore[no-untyped-def]
    """A runner reading fl oz never meets a litre figure: "1.3 l an hour" and "most runners
    need 0.4 to 0.8" (litres implied by the sentence before) were left metric."""
    _, imperial, _ = run_cli("debrief", str(example), "-f", "markdown", "--units", "imperial")
    flat = " ".join(imperial.split())
    assert re.findall(rf"{NUMBER} l\b", flat) == []
    assert re.findall(r"need \d+(?:\.\d+)? to \d+(?:\.\d+)?(?![\d.])(?! fl oz)", flat) == []
