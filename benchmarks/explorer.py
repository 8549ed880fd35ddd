"""How fast the explorer re-renders after a filter change, measured in a real browser.

The explorer times each re-render with performance.measure("researchlog:explorer-render");
this opens it in headless Chromium, changes filters the way a reader would, and reports those
times together with the time until the next frame is painted.

    python -m benchmarks.explorer site/
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .search import CHROMIUM_ARGS, default_chromium, serve_counting

# A change made from the page itself, timed until two animation frames later (painted).
_CHANGE = """async ([selector, value]) => {
  performance.clearMeasures("researchlog:explorer-render");
  const start = performance.now();
  const field = document.querySelector(selector);
  field.value = value;
  field.dispatchEvent(new Event(field.tagName === "SELECT" ? "change" : "input",
                                {bubbles: true}));
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const painted = performance.now() - start;
  const render = performance.getEntriesByName("researchlog:explorer-render")
    .reduce((sum, m) => sum + m.duration, 0);
  const count = document.querySelector(".rl-explorer__count").textContent;
  return {render, painted, count};
}"""


@dataclass(frozen=True)
class FilterChange:
    what: str
    render_ms: float  # the explorer's own re-render
    painted_ms: float  # until the next frame is on screen
    count: str  # what the page then says, e.g. "1,752 of 5,000 entries."


def changes_for(entries: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """Realistic filter changes for this log: (description, selector, value)."""
    projects = sorted({e["project"] for e in entries if e.get("project")})
    found = [
        ("status dead-end", "#rl-x-status", "dead-end"),
        ("status: any", "#rl-x-status", ""),
        ("free text 'latency'", "#rl-x-q", "latency"),
        ("free text cleared", "#rl-x-q", ""),
    ]
    if projects:
        found += [
            (f"project {projects[0]}", "#rl-x-project", projects[0]),
            ("project: any", "#rl-x-project", ""),
        ]
    return found


def measure_explorer(
    site: Path, *, browser: Any = None, chromium: str | None = None, rounds: int = 3
) -> list[FilterChange]:
    entries = json.loads((site / "entries.json").read_text(encoding="utf-8"))["entries"]
    with serve_counting(site) as (url, _served):
        if browser is not None:
            return _measure(browser, url, entries, rounds)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            own = playwright.chromium.launch(
                executable_path=chromium or default_chromium(), args=CHROMIUM_ARGS
            )
            try:
                return _measure(own, url, entries, rounds)
            finally:
                own.close()


def _measure(
    browser: Any, url: str, entries: list[dict[str, Any]], rounds: int
) -> list[FilterChange]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(url + "explorer/", wait_until="load")
        page.wait_for_selector(".rl-explorer__table tbody tr", timeout=30000)
        found: list[FilterChange] = []
        for _ in range(rounds):
            for what, selector, value in changes_for(entries):
                result = page.evaluate(_CHANGE, [selector, value])
                found.append(
                    FilterChange(
                        what,
                        round(result["render"], 1),
                        round(result["painted"], 1),
                        " ".join(result["count"].split()),
                    )
                )
        return found
    finally:
        context.close()


def summary(changes: Sequence[FilterChange]) -> dict[str, float]:
    renders = [c.render_ms for c in changes]
    painted = [c.painted_ms for c in changes]
    return {
        "render_median_ms": statistics.median(renders),
        "render_max_ms": max(renders),
        "painted_median_ms": statistics.median(painted),
        "painted_max_ms": max(painted),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.explorer",
        description="Explorer re-render times after filter changes, in headless Chromium.",
    )
    parser.add_argument("site", type=Path, help="the built site (the folder with explorer/)")
    parser.add_argument("--rounds", type=int, default=3, help="times to repeat each change")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    if not (args.site / "explorer" / "index.html").is_file():
        parser.error(f"{args.site} has no explorer page; build the site first")
    changes = measure_explorer(args.site, rounds=args.rounds)
    if args.json:
        print(
            json.dumps(
                {"changes": [asdict(c) for c in changes], "summary": summary(changes)}, indent=2
            )
        )
        return 0
    for change in changes:
        print(
            f"{change.what:<28} render {change.render_ms:7.1f} ms   painted"
            f" {change.painted_ms:7.1f} ms   {change.count}"
        )
    print(json.dumps(summary(changes)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
