"""Benchmark: researchlog against plain mkdocs-material on the same corpus.

    python -m benchmarks.bench CORPUS_DIR [--runs 3] [--json results.json] [--no-browser]

CORPUS_DIR is a research log made by tests/corpus/make_corpus.py (`--layout root`) with
`researchlog init` run in it. Every figure is the median of --runs runs of a fresh process, the
runs of all steps interleaved; peak RSS is the largest resident set of the build process and
anything it started, shown beside that of MkDocs' own process. Search and explorer are then
measured in headless Chromium.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from researchlog.core.settings import load_settings

# Runs a command and reports its wall time and the peak RSS of it and its children.
_TIMED = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"code": code, "seconds": seconds, "rss_kb": peak}))
"""

# Runs MkDocs in this very process, to report its own peak RSS apart from its helpers'.
_MKDOCS = """
import atexit, resource, sys
if __name__ == "__main__":
    report = sys.argv.pop(1)
    def own_peak():
        with open(report, "w") as stream:
            stream.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
    atexit.register(own_peak)
    from mkdocs.__main__ import cli
    cli(sys.argv[1:], prog_name="mkdocs")
"""

TARGETS = {  # ratio name -> upper bound
    "cold/plain": 1.3,
    "nochange/plain": 0.10,
    "ci/plain": 0.15,
    "warm/plain": 1.15,
    "history/floor": 3.0,
    "cold rss/plain rss": 1.5,
}
ABSOLUTE_TARGETS = {"check": 3.0, "find": 1.0}  # seconds, at N=5000


@dataclass
class Result:
    name: str
    seconds: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)  # of the largest process
    own_rss_kb: list[int] = field(default_factory=list)  # of MkDocs' own process (builds)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else float("nan")

    @property
    def peak_mb(self) -> float:
        return max(self.rss_kb) / 1024 if self.rss_kb else float("nan")

    @property
    def own_peak_mb(self) -> float:
        return max(self.own_rss_kb) / 1024 if self.own_rss_kb else float("nan")


@dataclass
class Report:
    corpus: str
    entries: int
    notebooks: int
    commits: int
    runs: int
    results: dict[str, Result] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def ratio(self, top: str, bottom: str) -> float:
        return self.results[top].median / self.results[bottom].median

    def ratios(self) -> dict[str, float]:
        """Each ratio whose two steps were measured (--only may leave some out)."""
        pairs = {
            "cold/plain": ("cold", "plain"),
            "warm/plain": ("warm", "plain"),
            "nochange/plain": ("nochange", "plain"),
            "ci/plain": ("ci", "plain"),
            "history/floor": ("history", "floor"),
        }
        found = {
            name: self.ratio(top, bottom)
            for name, (top, bottom) in pairs.items()
            if top in self.results and bottom in self.results
        }
        if "plain" in self.results:
            plain_rss = self.results["plain"].peak_mb
            for step in ("cold", "warm"):
                if step in self.results:
                    found[f"{step} rss/plain rss"] = self.results[step].peak_mb / plain_rss
        return found


def _env() -> dict[str, str]:
    # Python as an installed tool runs: from bytecode compiled once (pip writes it), not from
    # its source compiled again on every run, as PYTHONDONTWRITEBYTECODE would have it.
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONHASHSEED": "0"}


def timed(command: Sequence[str], cwd: Path, ok: tuple[int, ...] = (0,)) -> tuple[float, int]:
    """Wall seconds and peak RSS (kB) of a command run in a fresh process."""
    output = subprocess.run(
        [sys.executable, "-c", _TIMED, *command],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=_env(),
        check=True,
    ).stdout
    result = json.loads(output)
    if result["code"] not in ok:
        raise RuntimeError(f"{' '.join(command)} failed in {cwd} (exit {result['code']})")
    return float(result["seconds"]), int(result["rss_kb"])


def build(site: Path, cwd: Path) -> tuple[float, int, int]:
    """Wall seconds of `mkdocs build`, the peak RSS (kB) of its largest process (MkDocs or
    a helper it started) and that of MkDocs' own process."""
    with tempfile.TemporaryDirectory(prefix="researchlog-bench-rss-") as folder:
        own = Path(folder) / "own"
        command = [sys.executable, "-c", _MKDOCS, str(own), "build", "--site-dir", str(site)]
        seconds, largest = timed(command, cwd)
        return seconds, largest, int(own.read_text())


def researchlog_build(site: Path, cwd: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (kB) of `researchlog build`."""
    return timed([sys.executable, "-m", "researchlog", "build", "--site-dir", str(site)], cwd)


def git(corpus: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=corpus, check=True, capture_output=True, env=_env())


def floor_once(corpus: Path, log_dir: str, playbook_dir: str) -> tuple[float, int]:
    """A bare git log over the log folders, plus reading every file: the least any tool does."""
    start = time.perf_counter()
    subprocess.run(
        ["git", "log", "--name-status", "-M", "--", log_dir, playbook_dir],
        cwd=corpus,
        stdout=subprocess.DEVNULL,
        check=True,
    )
    for folder in (log_dir, playbook_dir):
        for path in (corpus / folder).rglob("*"):
            if path.is_file():
                path.read_bytes()
    return time.perf_counter() - start, 0


_HISTORY = """
import sys, time
from pathlib import Path
from researchlog.read.frontmatter import quick_status
from researchlog.history.gitlog import read_history
start = time.perf_counter()
read_history(Path(sys.argv[1]), [sys.argv[2], sys.argv[3]], quick_status, sys.argv[2])
print(time.perf_counter() - start)
"""


def history_once(corpus: Path, log_dir: str, playbook_dir: str) -> tuple[float, int]:
    """History extraction alone, uncached, timed inside a fresh process."""
    output = subprocess.run(
        [sys.executable, "-c", _HISTORY, str(corpus), log_dir, playbook_dir],
        capture_output=True,
        text=True,
        env=_env(),
        check=True,
    ).stdout
    return float(output.strip().splitlines()[-1]), 0


def plain_site(corpus: Path, work: Path, log_dir: str, playbook_dir: str) -> Path:
    """The same Markdown pages as a plain mkdocs-material site: entries out of the nav, the same
    theme and Markdown extensions, Material's default search, and no researchlog plugin."""
    project = work / "plain"
    docs = project / "docs"
    for folder in (log_dir, playbook_dir):
        shutil.copytree(
            corpus / folder, docs / folder, ignore=shutil.ignore_patterns("*.ipynb", ".*")
        )
    config = yaml.load((corpus / "mkdocs.yml").read_text(), Loader=_Loader) or {}
    pages = sorted(p.relative_to(docs).as_posix() for p in (docs / playbook_dir).rglob("*.md"))
    plain = {
        "site_name": config.get("site_name", "plain"),
        "docs_dir": "docs",
        "theme": config.get("theme", {"name": "material"}),
        "markdown_extensions": config.get("markdown_extensions", []),
        "plugins": ["search"],
        "nav": pages,
        "not_in_nav": f"/{log_dir}/\n",
        "validation": {"links": {"not_found": "info", "unrecognized_links": "info"}},
    }
    (project / "mkdocs.yml").write_text(yaml.safe_dump(plain, sort_keys=False))
    return project


class _Loader(yaml.SafeLoader):
    """mkdocs.yml may carry !!python/name tags; keep them as plain strings."""


_Loader.add_multi_constructor(
    "",
    lambda loader, suffix, node: (
        loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else None
    ),
)


def edit_one_entry(corpus: Path, log_dir: str) -> tuple[Path, bytes]:
    """Append a paragraph to one Markdown entry; returns what to restore."""
    candidates = sorted((corpus / log_dir).rglob("*.md"))
    path = candidates[len(candidates) // 2]
    original = path.read_bytes()
    path.write_bytes(original + b"\nA note added by the benchmark.\n")
    return path, original


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def search_index_size(site: Path) -> int:
    for candidate in (site / "pagefind", site / "search"):
        if candidate.exists():
            return folder_size(candidate)
    return 0


STEPS = ("floor", "history", "plain", "cold", "warm", "nochange", "ci", "check", "find")


def run(
    corpus: Path,
    runs: int,
    log: Callable[[str], None],
    browser: bool = True,
    only: Collection[str] = (),
) -> Report:
    settings = load_settings(corpus)
    log_dir, playbook_dir = settings.log_dir, settings.playbook_dir
    entries = list((corpus / log_dir).rglob("*.md"))
    notebooks = list((corpus / log_dir).rglob("*.ipynb"))
    commits = int(
        subprocess.run(
            ["git", "rev-list", "--count", "HEAD"],
            cwd=corpus,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    report = Report(str(corpus), len(entries) + len(notebooks), len(notebooks), commits, runs)
    cache = settings.cache_path
    with tempfile.TemporaryDirectory(prefix="researchlog-bench-") as temporary:
        work = Path(temporary)
        plain = plain_site(corpus, work, log_dir, playbook_dir)

        def cold() -> tuple[float, int, int]:
            shutil.rmtree(cache, ignore_errors=True)
            return build(work / "site", corpus)

        def warm() -> tuple[float, int, int]:
            path, original = edit_one_entry(corpus, log_dir)
            try:
                return build(work / "site", corpus)
            finally:
                path.write_bytes(original)

        def nochange() -> tuple[float, int]:
            researchlog_build(work / "rl-site", corpus)  # whatever the last step changed
            return researchlog_build(work / "rl-site", corpus)

        def ci() -> tuple[float, int]:
            """A CI job with the cache restored: a fresh checkout (no site) after a commit
            that changes one entry."""
            path, original = edit_one_entry(corpus, log_dir)
            git(corpus, "add", str(path))
            git(
                corpus,
                "-c",
                "user.name=Bench",
                "-c",
                "user.email=bench@example.org",
                "commit",
                "-q",
                "-m",
                "One entry changed",
            )
            shutil.rmtree(work / "rl-site", ignore_errors=True)
            try:
                return researchlog_build(work / "rl-site", corpus)
            finally:
                git(corpus, "reset", "-q", "--soft", "HEAD~1")
                path.write_bytes(original)
                git(corpus, "add", str(path))

        steps: dict[str, tuple[str, Callable[[], tuple[float, int] | tuple[float, int, int]]]] = {
            "floor": (
                "git log --name-status -M + reading every file",
                lambda: floor_once(corpus, log_dir, playbook_dir),
            ),
            "history": (
                "history extraction alone (uncached)",
                lambda: history_once(corpus, log_dir, playbook_dir),
            ),
            "plain": (
                "plain mkdocs-material, same pages, entries out of the nav",
                lambda: build(work / "plain-site", plain),
            ),
            "cold": ("researchlog cold build (empty cache)", cold),
            "warm": ("researchlog warm rebuild after editing one entry", warm),
            "nochange": ("researchlog build with nothing changed", nochange),
            "ci": ("researchlog build in CI, cache restored, after a one-entry commit", ci),
            # The corpus has a few dangling superseded_by links on purpose: check exits 1.
            "check": (
                "researchlog check",
                lambda: timed([sys.executable, "-m", "researchlog", "check"], corpus, ok=(0, 1)),
            ),
            "find": (
                "researchlog find",
                lambda: timed(
                    [sys.executable, "-m", "researchlog", "find", "distillation latency"], corpus
                ),
            ),
        }
        if only:
            steps = {name: step for name, step in steps.items() if name in only}
        # Rounds interleave the steps, so a slow moment of the machine hits all of them alike.
        for name in steps:
            report.results[name] = Result(name)
        for round_number in range(1, runs + 1):
            for name, (label, once) in steps.items():
                log(f"round {round_number}/{runs}: {label}")
                seconds, rss, *own = once()
                report.results[name].seconds.append(seconds)
                report.results[name].rss_kb.append(rss)
                report.results[name].own_rss_kb.extend(own)
        report.sizes["plain site"] = folder_size(work / "plain-site")  # 0 if not built
        report.sizes["plain search index"] = search_index_size(work / "plain-site")
        report.sizes["site"] = folder_size(work / "site")
        report.sizes["search index"] = search_index_size(work / "site")
        if browser:
            log("search and explorer in headless Chromium")
            report.extra.update(browser_measurements(work / "site"))
    return report


def browser_measurements(site: Path) -> dict[str, Any]:
    """Search time-to-first-result and bytes, and explorer re-render times, in Chromium."""
    from .explorer import measure_explorer, summary
    from .search import measure_search

    found = measure_search(site, SEARCH_QUERIES)
    answered = [m for m in found if m.first_result_ms is not None]
    search = {
        "queries": len(found),
        "answered": len(answered),
        "first_result_ms_median": statistics.median(m.first_result_ms or 0 for m in answered)
        if answered
        else None,
        "first_result_ms_max": max((m.first_result_ms or 0 for m in answered), default=None),
        "mb_before_first_result_max": max(
            (m.bytes_before_result / 1e6 for m in answered), default=None
        ),
    }
    return {"search": search, "explorer": summary(measure_explorer(site))}


SEARCH_QUERIES = ("distillation", "latency regression", "label noise", "quantization")


def format_report(report: Report) -> str:
    rows = [
        ("floor", "(a) git log + read files"),
        ("history", "history extraction"),
        ("plain", "(b) plain mkdocs-material"),
        ("cold", "(c) researchlog cold build"),
        ("warm", "(d) researchlog warm rebuild"),
        ("nochange", "(e) researchlog build, nothing changed"),
        ("ci", "(f) CI build, cache restored, one-entry commit"),
        ("check", "researchlog check"),
        ("find", "researchlog find"),
    ]
    lines = [
        f"Corpus {report.corpus}: {report.entries} entries ({report.notebooks} notebooks),"
        f" {report.commits} commits; median of {report.runs} runs.",
        "",
        "| step | median s | runs (s) | peak RSS MB | MkDocs process MB |",
        "|---|---:|---|---:|---:|",
    ]
    for key, label in rows:
        result = report.results.get(key)
        if result is None:
            continue
        peak: int = max(result.rss_kb, default=0)
        rss = f"{result.peak_mb:.0f}" if peak else ""
        own = f"{result.own_peak_mb:.0f}" if result.own_rss_kb else ""
        runs = ", ".join(f"{s:.2f}" for s in result.seconds)
        lines.append(f"| {label} | {result.median:.2f} | {runs} | {rss} | {own} |")
    lines += ["", "| ratio | value | target |", "|---|---:|---:|"]
    for name, value in report.ratios().items():
        target = TARGETS.get(name)
        verdict = (
            "" if target is None else (f"<= {target} {'met' if value <= target else 'MISSED'}")
        )
        lines.append(f"| {name} | {value:.2f} | {verdict} |")
    lines += ["", "| size | MB |", "|---|---:|"]
    for name, size in report.sizes.items():
        lines.append(f"| {name} | {size / 1e6:.1f} |")
    search = report.extra.get("search")
    if search and search["answered"]:
        lines += [
            "",
            f"Search (cold page load, {search['answered']} of {search['queries']} queries"
            f" answered): first result after {search['first_result_ms_median']:.0f} ms"
            f" (median; at most {search['first_result_ms_max']:.0f} ms), at most"
            f" {search['mb_before_first_result_max']:.2f} MB transferred before it.",
        ]
    explorer = report.extra.get("explorer")
    if explorer:
        lines += [
            "",
            f"Explorer re-render after a filter change: {explorer['render_median_ms']:.0f} ms"
            f" median, {explorer['render_max_ms']:.0f} ms at most; until painted"
            f" {explorer['painted_median_ms']:.0f} ms median, {explorer['painted_max_ms']:.0f} ms"
            " at most.",
        ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench",
        description="Time researchlog against plain mkdocs-material on a corpus made by"
        " tests/corpus/make_corpus.py (then `researchlog init` in it).",
    )
    parser.add_argument("corpus", help="the corpus folder (a git repository with mkdocs.yml)")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (default 3)")
    parser.add_argument("--json", help="also write the raw results to this file")
    parser.add_argument(
        "--no-browser", action="store_true", help="skip the search and explorer measurements"
    )
    parser.add_argument(
        "--only",
        help="measure only these steps, comma-separated (e.g. plain,nochange,ci: the CI step"
        " after a build at the commit before, as in a full run)",
    )
    args = parser.parse_args(argv)
    corpus = Path(args.corpus).resolve()
    if not (corpus / "mkdocs.yml").exists():
        print(f"{corpus} has no mkdocs.yml: run `researchlog init` in it first", file=sys.stderr)
        return 2
    only = [name.strip() for name in args.only.split(",")] if args.only else []
    unknown = [name for name in only if name not in STEPS]
    if unknown:
        known = ", ".join(STEPS)
        print(f"--only: no step {', '.join(unknown)}; the steps: {known}", file=sys.stderr)
        return 2
    report = run(
        corpus,
        max(1, args.runs),
        lambda m: print(f"... {m}", file=sys.stderr),
        browser=not args.no_browser,
        only=only,
    )
    print(format_report(report))
    if args.json:
        payload = asdict(report)
        payload["ratios"] = report.ratios()
        Path(args.json).write_text(json.dumps(payload, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
