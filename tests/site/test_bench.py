"""The benchmark runs end to end on a small corpus, so it never rots."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support import ROOT, git_status, make_corpus, run_cli


@pytest.mark.slow
def test_benchmark_smoke_run(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "c50", entries=50, notebooks=5)
    assert run_cli("init", cwd=corpus).returncode == 0
    result = run_cli(
        "-m",
        "benchmarks.bench",
        str(corpus),
        "--runs",
        "1",
        "--json",
        str(tmp_path / "bench.json"),
        cwd=ROOT,  # the benchmarks live in the repository, not in the package
        module=False,
    )
    assert result.returncode == 0, result.stderr
    assert "| (c) researchlog cold build |" in result.stdout
    assert "| cold/plain |" in result.stdout
    assert "Search (cold page load, 4 of 4 queries answered)" in result.stdout
    assert "Explorer re-render after a filter change" in result.stdout
    data = json.loads((tmp_path / "bench.json").read_text())
    assert data["entries"] == 50 and data["notebooks"] == 5
    for step in ("floor", "history", "plain", "cold", "warm", "check", "find"):
        assert data["results"][step]["seconds"][0] > 0, step
    assert data["ratios"]["cold/plain"] > 0
    for step in ("plain", "cold", "warm"):  # MkDocs' own process, within the largest one
        own, largest = data["results"][step]["own_rss_kb"][0], data["results"][step]["rss_kb"][0]
        assert 0 < own <= largest, step
    assert "| peak RSS MB | MkDocs process MB |" in result.stdout
    assert data["extra"]["search"]["mb_before_first_result_max"] < 3
    assert data["extra"]["explorer"]["render_median_ms"] > 0
    assert data["sizes"]["site"] > data["sizes"]["plain site"] * 0.5
    # The benchmark restores the entry it edits for the warm rebuild.
    assert git_status(corpus) == ["?? log/entry.schema.json"]  # added by init, nothing else


@pytest.mark.slow
def test_benchmark_measures_only_the_steps_asked_for(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "c20", entries=20, notebooks=2)
    assert run_cli("init", cwd=corpus).returncode == 0
    bench = ["-m", "benchmarks.bench", str(corpus), "--runs", "1", "--no-browser"]
    result = run_cli(
        *bench,
        "--only",
        "nochange,ci",
        "--json",
        str(tmp_path / "bench.json"),
        cwd=ROOT,
        module=False,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "bench.json").read_text())
    assert sorted(data["results"]) == ["ci", "nochange"]
    assert data["results"]["ci"]["seconds"][0] > 0
    assert data["ratios"] == {}  # no plain build to compare with
    assert "| (f) CI build, cache restored, one-entry commit |" in result.stdout
    assert git_status(corpus) == ["?? log/entry.schema.json"]

    wrong = run_cli(*bench, "--only", "ci,coffee", cwd=ROOT, module=False)
    assert wrong.returncode == 2
    assert "--only: no step coffee" in wrong.stderr
