"""How fast search answers on a built site, measured in a real browser.

A cold page load in headless Chromium (empty cache), then the reader presses / and types a
query; we measure the time from that first key to the first result on screen, and the bytes
the site served from the start of the page load until then (HTML, styles, scripts and the
search index fragments alike). The site is served from localhost by a small static server
that counts every byte it sends, including what pagefind's web worker fetches. It does not
compress, so the byte counts are an upper bound for a static host that does. A listing is
measured the same way: the reader presses / and then a status filter, with nothing typed.

    python -m benchmarks.search site/ "focal loss" churn --status dead-end --json

Needs Playwright (a test dependency) and a Chromium; nothing is downloaded.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
import shutil
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

RESULT_SELECTOR = ".rl-search__item"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]

# Runs in the page before anything else: note when the first key goes down and when the first
# result appears, in the page's clock and as wall-clock time (to compare with the server's log).
PROBE = """
window.__rlBench = {key: null, result: null, resultEpoch: null};
document.addEventListener("keydown", function () {
  if (window.__rlBench.key === null) window.__rlBench.key = performance.now();
}, true);
new MutationObserver(function () {
  if (window.__rlBench.result === null && document.querySelector(SELECTOR)) {
    window.__rlBench.result = performance.now();
    window.__rlBench.resultEpoch = Date.now();
  }
}).observe(document, {childList: true, subtree: true});
"""


@dataclass(frozen=True)
class Served:
    path: str
    size: int  # bytes sent, headers included
    finished: float  # wall-clock time, seconds since the epoch


@dataclass(frozen=True)
class SearchMeasurement:
    query: str  # what was typed, or "status:NAME" for the listing of a status filter
    first_result_ms: float | None  # first key down to first result on screen (None: none came)
    bytes_before_result: int  # everything served from the page load to the first result
    requests_before_result: int
    index_bytes_before_result: int  # the part of it that was the search index (pagefind/)
    results_shown: int
    first_result: str


class _CountingWriter:
    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.count = 0

    def write(self, data: bytes) -> int:
        self.count += len(data)
        written: int = self.stream.write(data)
        return written

    def __getattr__(self, name: str) -> Any:  # closed, flush, ...: the socket writer's own
        return getattr(self.stream, name)


class _CountingHandler(http.server.SimpleHTTPRequestHandler):
    served: list[Served]

    def setup(self) -> None:
        super().setup()
        self.wfile = _CountingWriter(self.wfile)  # type: ignore[assignment]

    def do_GET(self) -> None:
        writer: _CountingWriter = self.wfile  # type: ignore[assignment]
        before = writer.count
        super().do_GET()
        self.served.append(Served(self.path, writer.count - before, time.time()))

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve_counting(site: Path) -> Iterator[tuple[str, list[Served]]]:
    """Serve `site` on a free localhost port; yields its URL and the growing request log."""
    served: list[Served] = []
    handler = type("Handler", (_CountingHandler,), {"served": served})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(site))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", served
    finally:
        server.shutdown()
        server.server_close()


def default_chromium() -> str | None:
    """A system Chromium if there is one; otherwise Playwright's own."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def measure_search(
    site: Path,
    queries: Sequence[str],
    *,
    chromium: str | None = None,
    browser: Any = None,
    timeout_s: float = 10.0,
    result_selector: str = RESULT_SELECTOR,
) -> list[SearchMeasurement]:
    """Measure each query on its own cold page load of the site's home page, in `browser`
    (a Playwright Chromium) or in a headless Chromium started here. A query "status:NAME"
    presses that status filter instead of typing (measure_listing).
    `result_selector` finds a result on screen (another search UI can be measured too)."""
    if not queries:
        return []
    with serve_counting(site) as (url, served):
        if browser is not None:
            return [_measure(browser, url, served, q, result_selector, timeout_s) for q in queries]
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            own = playwright.chromium.launch(
                executable_path=chromium or default_chromium(), args=CHROMIUM_ARGS
            )
            try:
                return [_measure(own, url, served, q, result_selector, timeout_s) for q in queries]
            finally:
                own.close()


def measure_listing(
    site: Path,
    statuses: Sequence[str],
    *,
    chromium: str | None = None,
    browser: Any = None,
    timeout_s: float = 10.0,
) -> list[SearchMeasurement]:
    """Like measure_search, for the listing of each status filter with nothing typed: from
    the / that opens the search to the first entry listed, the filter pressed at once."""
    return measure_search(
        site,
        [f"status:{status}" for status in statuses],
        chromium=chromium,
        browser=browser,
        timeout_s=timeout_s,
    )


def _measure(
    browser: Any, url: str, served: list[Served], query: str, selector: str, timeout_s: float
) -> SearchMeasurement:
    from playwright.sync_api import TimeoutError as Timeout

    context = browser.new_context(viewport={"width": 1280, "height": 900})  # a cold cache
    try:
        served.clear()
        page = context.new_page()
        page.add_init_script(PROBE.replace("SELECTOR", json.dumps(selector)))
        page.goto(url, wait_until="load")
        page.keyboard.press("/")
        if query.startswith("status:"):
            page.click(f'[data-rl-status="{query.removeprefix("status:")}"]')
        else:
            page.keyboard.type(query)
        try:
            page.wait_for_selector(selector, timeout=timeout_s * 1000)
        except Timeout:
            return SearchMeasurement(
                query, None, *_traffic(served, time.time() * 1000), results_shown=0, first_result=""
            )
        probe = page.evaluate("window.__rlBench")
        shown = page.locator(selector)
        return SearchMeasurement(
            query,
            round(probe["result"] - probe["key"], 1),
            *_traffic(served, probe["resultEpoch"]),
            results_shown=shown.count(),
            first_result=" ".join(shown.first.inner_text().split()),
        )
    finally:
        context.close()


def _traffic(served: list[Served], until_ms: float) -> tuple[int, int, int]:
    """Bytes and requests served until a moment, and the bytes of the index among them."""
    before = [s for s in served if s.finished * 1000 <= until_ms]
    index = [s for s in before if s.path.lstrip("/").startswith("pagefind/")]
    return sum(s.size for s in before), len(before), sum(s.size for s in index)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.search",
        description="Time-to-first-result and bytes transferred for searches on a built site.",
    )
    parser.add_argument("site", type=Path, help="the built site (the folder with index.html)")
    parser.add_argument("queries", nargs="*", help="what to type into the search box")
    parser.add_argument(
        "--status",
        action="append",
        default=[],
        help="also measure this status filter's listing, with nothing typed (repeatable)",
    )
    parser.add_argument("--chromium", help="the Chromium executable (default: from PATH)")
    parser.add_argument(
        "--result-selector",
        default=RESULT_SELECTOR,
        help="CSS selector of one result (default: researchlog's search results)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        parser.error(f"{args.site} has no index.html; build the site first")
    if not args.queries and not args.status:
        parser.error("name a query or a --status to measure")
    results = measure_search(
        args.site, args.queries, chromium=args.chromium, result_selector=args.result_selector
    )
    results += measure_listing(args.site, args.status, chromium=args.chromium)
    if args.json:
        print(json.dumps([asdict(r) for r in results], indent=2))
    else:
        for r in results:
            if r.first_result_ms is None:
                print(f"{r.query!r}: no result within the time limit")
                continue
            print(
                f"{r.query!r}: first result after {r.first_result_ms:.0f} ms,"
                f" {r.bytes_before_result / 1e6:.2f} MB in {r.requests_before_result} requests"
                f" ({r.index_bytes_before_result / 1e3:.0f} kB of index);"
                f" {r.results_shown} shown, first: {r.first_result[:60]}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
