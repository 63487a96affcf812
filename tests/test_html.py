"""`--format html`: one self-contained, printable page. The browser tests render it in a real
headless Chromium and assert what a reader sees (the page's visible text, the drawn width of the
certainty bars, no sideways scrolling, a printable PDF), not just the HTML source.

Without Chromium the browser tests skip, saying how to install it; under CI (CI=true) they fail
instead, so a CI machine without the browser cannot pass silently.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from crampdx import api
from crampdx.render import html as html_report

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
MARATHON = EXAMPLES / "marathon-longest-run-24k.yaml"
MOUNTAIN = EXAMPLES / "mountain-ultra-300m-hills.yaml"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--disable-extensions", "--mute-audio"]
BROWSER_TIMEOUT_S = 120  # a hang guard, not a speed requirement

# The harness loads the report in an 800 px wide frame and, once it has loaded, writes what the
# frame shows into <pre id="seen"> for --dump-dom: the visible text (innerText: hidden elements
# and markup excluded), the drawn width of each certainty bar, and whether the page scrolls
# sideways.
HARNESS = """<!DOCTYPE html><html><body>
<iframe id="report" src="report.html" style="width: 800px; height: 600px; border: 0"></iframe>
<pre id="seen"></pre>
<script>
window.addEventListener("load", function () {
  var doc = document.getElementById("report").contentDocument;
  var bars = Array.prototype.map.call(doc.querySelectorAll(".bar"), function (bar) {
    var fill = bar.querySelector(".fill");
    return {value: Number(bar.getAttribute("aria-valuenow")),
            drawn: fill.getBoundingClientRect().width / bar.clientWidth};
  });
  document.getElementById("seen").textContent = JSON.stringify({
    title: doc.title, text: doc.body.innerText, bars: bars,
    scrollWidth: doc.documentElement.scrollWidth,
    clientWidth: doc.documentElement.clientWidth});
});
</script></body></html>
"""


def chromium() -> str:
    """The browser, or a skip (a failure under CI) saying what is missing."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        reason = "Chromium is not installed (apt-get install chromium); the HTML report's " \
                 "browser tests need it"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason + " and CI=true, so this cannot be skipped")
        pytest.skip(reason)
    return path


def run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                           *args], capture_output=True, text=True, timeout=BROWSER_TIMEOUT_S,
                          cwd=tmp_path)


def seen_in_browser(tmp_path: Path, page: str) -> dict:
    (tmp_path / "report.html").write_text(page, encoding="utf-8")
    (tmp_path / "harness.html").write_text(HARNESS, encoding="utf-8")
    proc = run_chromium(tmp_path, "--allow-file-access-from-files", "--dump-dom",
                        (tmp_path / "harness.html").as_uri())
    found = re.search(r'<pre id="seen">(.*?)</pre>', proc.stdout, re.S)
    assert found and found.group(1), f"nothing rendered:\n{proc.stderr[-2000:]}"
    return json.loads(html.unescape(found.group(1)))


def page_for(*paths: Path, **options) -> str:  # type: ignore[no-untyped-def]
    kb = api.knowledge()
    return html_report.render([api.diagnose_file(p, **options) for p in paths], kb)


# -- what the page holds (no browser) --------------------------------------------------------

def test_the_page_needs_no_network() -> None:
    """No scripts, no external stylesheets, fonts or images; a CSP forbids requests anyway."""
    page = page_for(MARATHON, MOUNTAIN)
    assert page.startswith("<!DOCTYPE html>")
    assert "default-src 'none'" in page
    assert "<script" not in page.lower() and "<link" not in page.lower()
    assert not re.search(r"""(src|href)\s*=|url\(|@import""", page, re.I)


def test_answers_are_escaped(tmp_path: Path) -> None:
    """An athlete's name is text, never markup."""
    answers = tmp_path / "a.yaml"
    answers.write_text('athlete: "<img src=x onerror=alert(1)>"\ncramp_pattern: localized\n',
                       encoding="utf-8")
    page = page_for(answers)
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


# -- what a reader sees (Chromium) -----------------------------------------------------------

def test_a_reader_sees_triage_causes_and_the_sized_plan(tmp_path: Path) -> None:
    """Lena's page: no red flags, the leading cause with its bar, and the plan's long runs
    week by week, each with its source and evidence label."""
    seen = seen_in_browser(tmp_path, page_for(MARATHON))
    text = seen["text"]
    assert seen["title"] == "Cramp debrief: Lena, 34 · City marathon"
    order = [text.index(s) for s in ("No red flags in your answers", "Likely causes",
                                     "Not enough long-run training for the distance",
                                     "Your plan", "Right now, when a cramp comes",
                                     "Training: what to change",
                                     "Next race: fuelling and drinking", "Sources")]
    assert order == sorted(order)
    assert "strong evidence" in text  # the runner's view: words, not percentages
    assert "One long run every weekend, 35 km and more" in text
    assert "Long runs, week by week" in text
    assert re.search(r"Week 5\s+35 km: the first at full length", text)  # 30-day rule
    assert re.search(r"Weeks 6–10\s+35 km", text)
    assert "take 300 to 500 mg of sodium an hour" in text
    assert "coaching experience" in text and "consensus statement" in text
    assert "Extras (the coach's, anecdotal and untested)" in text
    assert "{" not in text  # no template left unfilled


def test_certainty_bars_are_drawn_to_scale(tmp_path: Path) -> None:
    seen = seen_in_browser(tmp_path, page_for(MOUNTAIN))
    # eccentric overload, then lack of specificity: changeable causes rank above the mechanism
    assert [bar["value"] for bar in seen["bars"]][:2] == [94, 56]
    for bar in seen["bars"]:
        assert bar["drawn"] == pytest.approx(bar["value"] / 100, abs=0.02)


def test_the_mountain_plan_reads_in_a_narrow_window(tmp_path: Path) -> None:
    """At 800 px nothing scrolls sideways, and the downhill sessions show their sizes."""
    seen = seen_in_browser(tmp_path, page_for(MOUNTAIN, weeks=10))
    assert seen["scrollWidth"] <= seen["clientWidth"]
    text = seen["text"]
    assert "A plan for the 10 weeks to a race like 80 km mountain ultra." in text
    assert "train on descents of 1100 to 2100 m" in text
    assert re.search(r"Week 8\s+hard: 1 × 1100 m, fast down and back up", text)
    assert "no time to build to the full 2200 m: the hard sessions stop at 1100 m" in text
    assert re.search(r"Weeks 9–10\s+no hard descents", text)
    assert "Deep walking lunges, week by week" in text


def test_the_page_prints(tmp_path: Path) -> None:
    """Print to PDF works and gives more than one page for a full report."""
    (tmp_path / "report.html").write_text(page_for(MARATHON), encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    proc = run_chromium(tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer",
                        (tmp_path / "report.html").as_uri())
    assert pdf.is_file(), proc.stderr[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", data)) > 1
