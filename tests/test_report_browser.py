"""The HTML report in a real browser: Debian's headless Chromium driven by selenium.

Renders (1) a report of SYNTHETIC records whose text holds scripts, markup, nested and
crossing spans, and (2) a report of the bundled corpus (``corpora/articles``) run through the
real pipeline (``cnie extract --with-text``); loads each page from a file and asserts on the DOM
Chromium built: one highlighted element per indicator, each span's text equal to the JSON
text, charts drawn, tooltips, sorting and filtering working, no script from the text run, no
network request. Screenshots go to ``outputs/`` for a person to look at.

Skipped only when ``chromium``/``chromedriver`` are not installed (``make browser-deps``).
"""
from __future__ import annotations

import json
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
from selenium import webdriver  # a test dependency (pip install -e '.[test]')
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from pipeline import report
from pipeline.cli import main as cli_main
from test_report import SYNTH, SYNTH_INDICATORS, synth_record, write_dir  # helpers of the unit tests

ROOT = Path(__file__).resolve().parents[1]
OUTPUTS = ROOT / "outputs"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--disable-default-apps", "--hide-scrollbars")

pytestmark = [
    pytest.mark.xdist_group("chromium"),
    pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                       reason="chromium and chromedriver not installed (run `make browser-deps`, "
                              "i.e. apt-get install chromium chromium-driver)"),
]


@contextmanager
def chromium(profile: Path, width: int = 1280, height: int = 1800):
    """A headless Chromium with an empty profile, quit on exit."""
    opts = Options()
    opts.binary_location = CHROMIUM
    for flag in FLAGS + (f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)
    try:
        yield driver
    finally:
        driver.quit()


# Collected inside the page: per article, the indicator spans as the browser sees them.
DOM_SPANS = """
return Array.from(document.querySelectorAll('article.doc')).map(function (art) {
  var joined = {};
  art.querySelectorAll('mark.ind').forEach(function (m) {
    var i = m.getAttribute('data-i');
    joined[i] = (joined[i] || '') + m.textContent;
  });
  var heads = art.querySelectorAll('mark.ind:not(.cont)');
  var orgs = {};
  art.querySelectorAll('.ent-ORG').forEach(function (e) {
    var n = (e.id || e.getAttribute('data-head')).split('-e')[1];
    orgs[n] = (orgs[n] || '') + e.textContent;
  });
  var text = art.querySelector('.text');
  return {doc: art.getAttribute('data-doc'), heads: heads.length, joined: joined,
          text: text ? text.textContent : null,
          headTypes: Object.fromEntries(Array.from(heads).map(function (m) { return [m.getAttribute('data-i'), m.className]; })),
          orgs: orgs};
});
"""

CHARTS = """
return Array.from(document.querySelectorAll('figure.chart')).map(function (f) {
  var svg = f.querySelector('svg'); var r = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
  return {caption: f.querySelector('figcaption').textContent, w: r.width, h: r.height,
          bars: svg ? svg.querySelectorAll('path[clip-path]').length : 0,
          texts: svg ? Array.from(svg.querySelectorAll('text')).map(function (t) { return t.textContent; }) : []};
});
"""


def check_page(driver, records: list[dict], texts: dict[str, str]) -> list[dict]:
    """Assertions every rendered report must pass; returns the per-article DOM facts."""
    assert driver.execute_script("return typeof window.__pwned") == "undefined"
    assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0
    arts = driver.execute_script(DOM_SPANS)
    by_doc = {r["doc_id"]: r for r in records}
    assert [a["doc"] for a in arts] == [r["doc_id"] for r in records]
    for art in arts:
        rec = by_doc[art["doc"]]
        inds = rec["indicators"]
        assert art["heads"] == len(inds), art["doc"]
        assert art["joined"] == {str(n): i["text"] for n, i in enumerate(inds)}, art["doc"]
        assert {n: c.split()[1] for n, c in art["headTypes"].items()} == {
            str(n): f"t-{i['type']}" for n, i in enumerate(inds)}
        assert art["orgs"] == {str(n): e["text"] for n, e in enumerate(rec["entities"]) if e["label"] == "ORG"}
        assert art["text"] == texts[art["doc"]]
    charts = driver.execute_script(CHARTS)
    assert [c["caption"].split(";")[0] for c in charts] == [
        "Indicators per type", "Indicators per outlet", "Indicators per publication month"]
    assert all(c["w"] > 200 and c["h"] > 100 for c in charts), charts
    return arts


def shot(driver, name: str) -> Path:
    OUTPUTS.mkdir(exist_ok=True)
    path = OUTPUTS / name
    assert driver.save_screenshot(str(path)) and path.stat().st_size > 10_000
    return path


def test_synthetic_report_in_chromium(tmp_path):
    nasty = synth_record(doc_id="synthetic/nasty.txt", outlet="<script>window.__pwned=3</script>乙网",
                         published="2020-11-02", title='<img src=x onerror="window.__pwned=4">标题')
    # a stress article: crossing indicators and an ORG crossing both
    stress_text = "合成:ABCDEFGHIJ<script>window.__pwned=5</script>KLMNOP"
    stress = synth_record(doc_id="synthetic/stress.txt")
    stress.text_sha256 = report.text_sha256(stress_text)
    stress.meta.editor_note = None
    for ind, (s, e) in zip(stress.indicators, [(3, 8), (6, 11), (4, 5), (10, 30), (30, 50), (3, 8)]):
        ind.start, ind.end, ind.text = s, e, stress_text[s:e]
    for ent, (s, e) in zip(stress.entities, [(7, 12), (2, 4), (45, 52), (0, 1)]):
        ent.start, ent.end, ent.text = s, e, stress_text[s:e]
    items = [(synth_record(), SYNTH), (nasty, SYNTH), (stress, stress_text)]
    d = write_dir(tmp_path / "out", items, errors=[
        {"doc": "<script>window.__pwned=6</script>", "stage": "read", "error": "ReadError", "message": "x"}])
    out = report.write_report(d, tmp_path / "report.html").path
    records = [r.to_dict() for r, _ in items]
    with chromium(tmp_path / "profile") as driver:
        driver.get(out.as_uri())
        check_page(driver, records, {r.doc_id: t for r, t in items})
        assert driver.execute_script("return document.querySelector('#a1 h2').textContent") == \
            '<img src=x onerror="window.__pwned=4">标题'

        # focusing an indicator shows its resolved fields in the tooltip
        driver.execute_script("document.getElementById('a0-i0').focus()")
        tip = driver.execute_script("var t = document.getElementById('tip'); "
                                    "return [getComputedStyle(t).display, t.textContent]")
        assert tip[0] == "block"
        for field in ("count", "45,600", "宗", "刑事立案", "前三季度", "全市"):
            assert field in tip[1]
        assert driver.execute_script("return document.getElementById('a0-r0').classList.contains('hit')")
        shot(driver, "report-synthetic-tooltip.png")

        # hovering a span nested in an ORG shows the indicator, not the organisation
        ActionChains(driver).move_to_element(driver.find_element(By.ID, "a0-i5")).perform()
        tip = driver.find_element(By.ID, "tip")
        assert tip.is_displayed() and "ranking" in tip.text and "第一" in tip.text
        ActionChains(driver).move_to_element(driver.find_element(By.ID, "a0-e0")).perform()
        assert "ORG" in tip.text and "东莞市公安局" in tip.text

        # sorting by value (click the header), then filtering by type
        driver.find_element(By.CSS_SELECTOR, "#a0-t th[data-key=value]").click()
        values = driver.execute_script(
            "return Array.from(document.querySelectorAll('#a0-t tbody tr')).map(r => r.cells[3].textContent)")
        assert values == ["1", "2", "12.5", "98.01", "45,600", "2,885,000"]
        Select(driver.find_element(By.CSS_SELECTOR, "select[data-table=a0-t]")).select_by_value("percentage")
        shown = driver.execute_script(
            "return Array.from(document.querySelectorAll('#a0-t tbody tr')).filter(r => !r.hidden)"
            ".map(r => r.cells[2].textContent)")
        assert shown == [s for t, s, *_ in SYNTH_INDICATORS if t == "percentage"]


def test_bundled_corpus_report_in_chromium(tmp_path):
    corpus = ROOT / "corpora" / "articles"
    out = tmp_path / "extract"
    assert cli_main(["extract", str(corpus), "-o", str(out), "--with-text", "--workers", "1", "--quiet"]) == 0
    records = [json.loads(line) for line in (out / "indicators.jsonl").read_text(encoding="utf-8").splitlines()]
    texts = {t["doc_id"]: t["text"] for t in map(json.loads, (out / "texts.jsonl").read_text(encoding="utf-8").splitlines())}
    assert len(records) == len(list(corpus.glob("*.txt"))) and set(texts) == {r["doc_id"] for r in records}
    page = report.write_report(out, tmp_path / "report.html").path
    with chromium(tmp_path / "profile", height=2600) as driver:
        driver.get(page.as_uri())
        arts = check_page(driver, records, texts)
        assert sum(a["heads"] for a in arts) == sum(len(r["indicators"]) for r in records)
        charts = driver.execute_script(CHARTS)
        n_types = len({i["type"] for r in records for i in r["indicators"]})
        assert charts[0]["bars"] == n_types
        shot(driver, "report-screenshot.png")
        # the article with the most indicators, its first indicator focused (tooltip open)
        best = max(range(len(arts)), key=lambda k: (arts[k]["heads"], -k))
        if arts[best]["heads"]:
            driver.execute_script(
                "var a = document.querySelectorAll('article.doc')[arguments[0]]; a.scrollIntoView();"
                "a.querySelector('mark.ind:not(.cont)').focus({preventScroll: true});", best)
            tip, n = driver.execute_script("return [document.getElementById('tip').textContent,"
                                           "document.activeElement.getAttribute('data-i')]")
            first = records[best]["indicators"][int(n)]
            assert f"type{first['type']}" in tip and f"text{first['text']}" in tip
            shot(driver, "report-article-screenshot.png")
