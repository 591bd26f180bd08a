"""--article-timeout: a runaway article is abandoned, reported, and the run goes on.

The slow article comes from the documented extractor hook (``RunOptions.extractor``) for the
runner mechanics, and from a genuinely long article through the real pipeline for the CLI.
"""
from __future__ import annotations

import json
import signal
import threading
import time
from pathlib import Path

import pytest

from pipeline import cli, run_budget
from pipeline.run_budget import ArticleTimeout, call_with_budget, mechanism
from pipeline.runner import DEFAULT_ARTICLE_TIMEOUT, RunConfig, RunOptions, run

from test_runner import SEED, cheap_extract


def slow_extract(text, doc_id, source, meta, **kw):
    """cheap_extract, except that an article containing SLOW spins (in short sleeps) for 20 s."""
    if "SLOW" in text:
        end = time.monotonic() + 20
        while time.monotonic() < end:
            time.sleep(0.01)
    return cheap_extract(text, doc_id, source, meta)


def _lines(p: Path) -> list[dict]:
    return [json.loads(x) for x in p.read_text(encoding="utf-8").splitlines()]


def _archive(root: Path) -> Path:
    root.mkdir()
    for i in range(7):
        body = f"第{i}篇 {i * 5}件" + ("，这篇很慢 SLOW" if i == 2 else "")
        (root / f"{i:02d}.txt").write_text(body, encoding="utf-8")
    return root


SLOW_BODY = "第2篇 10件，这篇很慢 SLOW"


def test_slow_article_is_reported_and_outputs_identical_across_workers(tmp_path):
    arch = _archive(tmp_path / "arch")
    opts = RunOptions(extractor=slow_extract, article_timeout=0.5, with_text=True)
    t0 = time.monotonic()
    s1 = run(RunConfig(paths=[str(arch)], out=tmp_path / "w1", options=opts, workers=1, quiet=True))
    assert time.monotonic() - t0 < 10  # the 20 s article was abandoned
    # chunks of 2: 02 (slow) and 03 go to the same pool worker, which extracts 03 after the timeout
    s2 = run(RunConfig(paths=[str(arch)], out=tmp_path / "w2", options=opts, workers=2, chunk_size=2, quiet=True))
    for s in (s1, s2):
        assert s["articles"] == {"seen": 7, "ok": 6, "failed": 1}
        assert s["failures"] == {"extract/Timeout": 1}
    errs = _lines(tmp_path / "w1" / "errors.jsonl")
    assert errs == [{"doc_id": "02.txt", "source": {"path": str(arch / "02.txt"), "record": None, "encoding": "utf-8"},
                     "stage": "extract", "error": "Timeout",
                     "message": f"abandoned after --article-timeout 0.5 s (article of {len(SLOW_BODY)} characters)"}]
    recs = _lines(tmp_path / "w1" / "indicators.jsonl")
    assert [r["doc_id"] for r in recs] == ["00.txt", "01.txt", "03.txt", "04.txt", "05.txt", "06.txt"]
    assert [r["indicators"][0]["value"] for r in recs] == [0, 5, 15, 20, 25, 30]
    for name in ("indicators.jsonl", "errors.jsonl", "texts.jsonl"):
        assert (tmp_path / "w1" / name).read_bytes() == (tmp_path / "w2" / name).read_bytes()


def test_zero_disables_the_budget(tmp_path):
    arch = tmp_path / "arch"
    arch.mkdir()
    (arch / "a.txt").write_text("一篇 3件 SLOW", encoding="utf-8")
    opts = RunOptions(extractor=_a_bit_slow, article_timeout=0)
    s = run(RunConfig(paths=[str(arch)], out=tmp_path / "o", options=opts, quiet=True))
    assert s["articles"] == {"seen": 1, "ok": 1, "failed": 0}


def _a_bit_slow(text, doc_id, source, meta, **kw):
    time.sleep(0.3)
    return cheap_extract(text, doc_id, source, meta)


def test_cli_real_pipeline_long_article_times_out(tmp_path, capsys, seed_record):
    seed = SEED.read_text(encoding="utf-8")
    big = seed * 250  # ~0.86 M characters (under --max-chars): > 1 s of real extraction even
    # with every phrase cache warm (repeated text); the 0.2 s budget leaves a wide margin
    arch = tmp_path / "arch"
    arch.mkdir()
    (arch / "a_big.txt").write_text(big, encoding="utf-8")
    (arch / "b_seed.txt").write_text(seed, encoding="utf-8")
    out = tmp_path / "out"
    base = ["extract", str(arch), "-o", str(out), "--workers", "1", "--quiet"]
    assert cli.main(base + ["--article-timeout", "0.2"]) == 0
    errs = _lines(out / "errors.jsonl")
    assert [(e["doc_id"], e["stage"], e["error"]) for e in errs] == [("a_big.txt", "extract", "Timeout")]
    assert errs[0]["message"] == f"abandoned after --article-timeout 0.2 s (article of {len(big):,} characters)"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["articles"] == {"seen": 2, "ok": 1, "failed": 1}
    # the worker that abandoned an article mid-way extracts the next one exactly as a fresh one
    rec = _lines(out / "indicators.jsonl")[0]
    assert rec["doc_id"] == "b_seed.txt"
    assert rec["indicators"] == seed_record["indicators"] and rec["entities"] == seed_record["entities"]
    # --strict: the timeout is a failure (the complete run is reused, nothing re-extracted)
    assert cli.main(base + ["--article-timeout", "0.2", "--resume", "--strict"]) == 1
    # the budget is one of the options a resume must match
    capsys.readouterr()
    assert cli.main(base + ["--article-timeout", "5", "--resume"]) == 2
    assert "article_timeout was 0.2" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["-1", "abc", "nan", "inf"])
def test_cli_rejects_bad_timeout(tmp_path, capsys, value):
    with pytest.raises(SystemExit) as e:
        cli.main(["extract", str(tmp_path), "-o", str(tmp_path / "o"), "--article-timeout", value])
    assert e.value.code == 2
    assert "is not a number of seconds" in capsys.readouterr().err


def test_default_budget_in_options_and_help():
    assert RunOptions().article_timeout == DEFAULT_ARTICLE_TIMEOUT > 0
    ns = cli.build_parser().parse_args(["extract", "x", "-o", "y"])
    assert ns.article_timeout == DEFAULT_ARTICLE_TIMEOUT


# --- pipeline.run_budget ----------------------------------------------------------------------


def _spin(seconds: float) -> str:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            time.sleep(0.005)
        except Exception:  # the pipeline's stages catch Exception: the budget must get through
            pass
    return "finished"


def _in_thread(fn):
    box = {}

    def target():
        try:
            box["value"] = fn()
        except BaseException as e:  # noqa: BLE001 - handed back to the test
            box["error"] = e

    t = threading.Thread(target=target)
    t.start()
    t.join(30)
    return box


def test_signal_budget_in_main_thread_restores_the_handler():
    before = signal.getsignal(signal.SIGALRM)
    assert mechanism() == "signal"
    t0 = time.monotonic()
    with pytest.raises(ArticleTimeout):
        call_with_budget(0.1, _spin, 10)
    assert time.monotonic() - t0 < 5
    assert call_with_budget(0.5, _spin, 0.01) == "finished"
    assert signal.getsignal(signal.SIGALRM) == before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_thread_budget_outside_the_main_thread():
    box = _in_thread(lambda: (mechanism(), call_with_budget(0.5, _spin, 0.01)))
    assert box["value"] == ("thread", "finished")
    box = _in_thread(lambda: call_with_budget(0.1, _spin, 10))
    assert isinstance(box.get("error"), ArticleTimeout)
    # nothing is left pending in a thread after many calls that end right at their deadline
    box = _in_thread(lambda: [_safe(lambda: call_with_budget(0.002, _spin, 0.002)) for _ in range(50)]
                     and _spin(0.05))
    assert box == {"value": "finished"}


def _safe(fn):
    try:
        return fn()
    except ArticleTimeout:
        return None


def test_without_sigalrm_the_thread_watchdog_is_used(monkeypatch):
    monkeypatch.delattr(signal, "setitimer")
    assert mechanism() == "thread"
    with pytest.raises(ArticleTimeout):
        call_with_budget(0.1, _spin, 10)


def test_no_mechanism_means_no_budget(monkeypatch):
    monkeypatch.delattr(signal, "setitimer")
    monkeypatch.setattr(run_budget, "_SET_ASYNC_EXC", None)
    assert mechanism() is None
    assert call_with_budget(0.05, _spin, 0.2) == "finished"


def test_signal_budget_cuts_a_backtracking_re_search():
    import re

    t0 = time.monotonic()
    with pytest.raises(ArticleTimeout):  # (a+)+$ on 40 a's and a b: 2**40 steps without the budget
        call_with_budget(0.2, re.match, r"(a+)+$", "a" * 40 + "b")
    assert time.monotonic() - t0 < 5


def test_a_lost_alarm_is_followed_by_another():
    """An alarm that lands where Python drops the exception (a finaliser: "unraisable") must not
    lose the timeout: the alarm repeats until the budget is stopped."""
    if mechanism() != "signal":
        pytest.skip("SIGALRM budget only in a POSIX main thread")
    lost = []

    def fn():
        t0 = time.monotonic()
        while time.monotonic() - t0 < 3:
            try:
                time.sleep(0.005)
            except ArticleTimeout:
                if not lost:
                    lost.append(time.monotonic() - t0)  # the first alarm is swallowed
                    continue
                raise
        return "ran to the end"

    with pytest.raises(ArticleTimeout):
        call_with_budget(0.1, fn)
    assert len(lost) == 1
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # nothing left running
