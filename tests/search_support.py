"""Sites to search in tests, and a reader's hands on the search box: type, read, filter.

Any repository can become a search test site: `add_words` gives it one word only in one
notebook's code cell and one only in one entry's outcome, so tests hold by construction.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import yaml
from nbformat import v4

from researchlog.authoring.init import init
from support import Repo, entries_json, mkdocs_build

RESULTS = ".rl-search__item"
COUNT = ".rl-search__count"


@dataclass(frozen=True)
class SearchSite:
    repo: Path
    site: Path
    url: str
    entries: list[dict[str, Any]]
    code_word: str  # only in one notebook's code cell
    notebook: dict[str, Any]
    outcome_word: str  # only in one entry's outcome
    outcome_entry: dict[str, Any]

    def entry_url(self, entry: dict[str, Any]) -> str:
        return self.url + entry["url"]


# ---- making the sites -------------------------------------------------------------------


def small_log(root: Path) -> Repo:
    """A few entries of every kind: Markdown, a notebook, dead ends in two projects."""
    repo = Repo(root)
    init(root)  # the configuration `researchlog init` writes, with light and dark schemes
    repo.write("playbook/index.md", "---\ntitle: Start here\n---\n# Start here\n\nRead on.\n")
    repo.write(
        "playbook/baselines.md",
        "---\ntitle: Baselines first\norder: 1\n---\n# Baselines first\n\n"
        "Always run a weighted baseline before anything clever.\n",
    )
    repo.entry(
        "log/2025/2025-01-10-focal-loss.md",
        "## Setup\n\nWe swapped the weighted baseline loss for focal loss, gamma 2.\n",
        title="Focal loss for the defect detector",
        status="dead-end",
        project="defect-detector",
        tags=["loss-functions"],
        dataset="defects-v3",
        question="Does focal loss beat the weighted baseline?",
        outcome="No gain (F1 0.81 vs 0.82) and 3x slower to converge.",
    )
    repo.entry(
        "log/2025/2025-01-20-balanced-sampling.md",
        title="Class-balanced sampling",
        status="success",
        project="defect-detector",
        question="Does balanced sampling beat the weighted baseline?",
        outcome="F1 0.86, shipped.",
    )
    repo.entry(
        "log/2025/2025-02-01-label-smoothing.md",
        title="Label smoothing for the ticket router",
        status="dead-end",
        project="ticket-routing",
        question="Does label smoothing help the router baseline?",
        outcome="Within noise; dropped.",
    )
    repo.entry(
        "log/2025/2025-02-10-router-baseline.md",
        title="Ticket router baseline",
        status="running",
        project="ticket-routing",
    )
    repo.entry(
        "log/2025/2025-02-15-unk-tokens.md",
        title='Tokenizer <img src=x onerror="alert(1)"> & <unk> handling',
        status="inconclusive",
        outcome="Unclear <b>either</b> way.",
    )
    notebook = v4.new_notebook()
    notebook.cells = [
        v4.new_raw_cell(
            "---\ntitle: Augmentation sweep\nstatus: success\nproject: defect-detector\n"
            "question: Which augmentations help?\noutcome: Flips and crops, +2 points.\n---"
        ),
        v4.new_markdown_cell("We sweep augmentations on the defect detector."),
        v4.new_code_cell("import pandas as pd\nresults = pd.read_csv('sweep.csv')"),
    ]
    repo.write("log/2025/2025-03-01-augmentation-sweep.ipynb", nbformat.writes(notebook))
    repo.commit("a small log")
    return repo


def corpus_text(root: Path) -> str:
    parts = []
    for folder in ("log", "playbook"):
        for path in (root / folder).rglob("*"):
            if path.suffix in (".md", ".ipynb"):
                parts.append(path.read_text(encoding="utf-8", errors="replace").lower())
    return "\n".join(parts)


def fresh_words(text: str, count: int) -> list[str]:
    """Made-up words that occur nowhere in `text`."""
    words = []
    for stem in ("quillfen", "marrowlux", "vintrabe", "ospelkin", "durnwick", "felquor"):
        if stem not in text:
            words.append(stem)
        if len(words) == count:
            return words
    raise AssertionError("no unused word left to inject")


def add_words(root: Path) -> tuple[str, str, str, str]:
    """Put one fresh word in a notebook's code cell and another in a Markdown entry's
    outcome; returns (code word, notebook path, outcome word, entry path)."""
    code_word, outcome_word = fresh_words(corpus_text(root), 2)
    notebook_path = next(p for p in sorted((root / "log").rglob("*.ipynb")))
    notebook = nbformat.read(notebook_path, as_version=4)
    cell = next(c for c in notebook.cells if c.cell_type == "code")
    cell.source += f"\nscores = {code_word}(results)"
    nbformat.write(notebook, notebook_path)
    for path in sorted((root / "log").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        match = re.match(r"---\n(.*?)\n---\n", text, re.S)
        fields = yaml.safe_load(match.group(1)) if match else None
        if isinstance(fields, dict) and fields.get("outcome"):
            fields["outcome"] = f"{fields['outcome']} Also {outcome_word}."
            front = yaml.safe_dump(fields, sort_keys=False, allow_unicode=True)
            path.write_text(f"---\n{front}---\n{text[match.end() :]}", encoding="utf-8")
            return (
                code_word,
                notebook_path.relative_to(root).as_posix(),
                outcome_word,
                path.relative_to(root).as_posix(),
            )
    raise AssertionError("no Markdown entry with an outcome")


def build_search_site(
    repo: Path, site: Path, url: str, *, strict: bool, env: Mapping[str, str] | None = None
) -> SearchSite:
    """Give `repo` its two words, build it into `site` (served at `url`; `env` added to the
    build's environment)."""
    code_word, notebook, outcome_word, outcome_entry = add_words(repo)
    result = mkdocs_build(repo, strict=strict, site_dir=site, env=env)
    assert result.returncode == 0, result.stderr
    entries = entries_json(site)["entries"]
    by_path = {e["path"]: e for e in entries}
    return SearchSite(
        repo=repo,
        site=site,
        url=url,
        entries=entries,
        code_word=code_word,
        notebook=by_path[notebook],
        outcome_word=outcome_word,
        outcome_entry=by_path[outcome_entry],
    )


def type_query(page: Any, query: str, timeout: float = 30_000) -> None:
    """Open the search from the keyboard, type, and wait for this query's results."""
    page.keyboard.press("/")
    page.keyboard.type(query)
    page.wait_for_function(
        "([selector, query]) => document.querySelector(selector).textContent.includes(query)",
        arg=[COUNT, f"\u201c{query}\u201d"],
        timeout=timeout,
    )


def shown(page: Any) -> list[dict[str, Any]]:
    """The results on screen, as a reader sees them."""
    return page.eval_on_selector_all(
        RESULTS,
        """items => items.map(item => ({
            href: item.querySelector("a").href,
            status: (item.querySelector(".rl-status") || {}).textContent || null,
            deadEnd: item.classList.contains("rl-search__item--dead-end"),
            title: item.querySelector(".rl-search__title").textContent,
            outcome: (item.querySelector(".rl-search__outcome") || {}).textContent || "",
            details: (item.querySelector(".rl-search__details") || {}).textContent || "",
            excerpt: (item.querySelector(".rl-search__excerpt") || {}).textContent || "",
        }))""",
    )


def total(page: Any) -> int:
    text = page.inner_text(COUNT)
    if text.startswith("No matching"):
        return 0
    match = re.match(r"(\d+) matching", text)
    assert match, text
    return int(match.group(1))


def press_status(page: Any, status: str) -> None:
    before = page.inner_text(COUNT)
    page.click(f'[data-rl-status="{status}"]')
    page.wait_for_function(
        "([selector, before]) => document.querySelector(selector).textContent !== before",
        arg=[COUNT, before],
    )


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]{5,}", text.lower()))
