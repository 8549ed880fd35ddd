"""Writing imported work as entries: one writer for every source.

A source module turns what it reads into Drafts (or Skips, for what it cannot use); `write`
turns drafts into files under the log folder. It never overwrites anything: entry files and
their files are created exclusively, and a source already imported (its `imported_from`
value is in an entry of the log) is skipped, so a second run writes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import yaml

from ..authoring.new import entry_path
from ..core.settings import Settings, with_usable_cache
from ..read import schema
from ..read.credentials import find_secrets
from ..read.entries import Entry
from ..read.entry_cache import CACHE_NAME, EntryCache
from ..read.files import ENTRY_SUFFIXES, discover
from ..read.frontmatter import cell_source
from ..read.links import link_spans, prose

# What is written where a source has no question or outcome: true, and easy to find later.
NOT_RECORDED = "Not recorded in {source}."
TEXT_LIMITS = {"title": 300, "question": 1000, "outcome": 1000, "project": 100, "dataset": 100}


class ImportFailed(Exception):
    """The import cannot start (unreadable source, missing dependency): what, and the fix."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.fix = fix


@dataclass(frozen=True)
class Asset:
    """A file that comes along with an entry, into the entry's own folder."""

    name: str  # path inside the entry's folder, forward slashes
    data: Path | bytes


@dataclass
class Draft:
    """One entry to write, as a source describes it."""

    source: str  # the imported_from value: "mlflow:<run id>", …
    label: str  # the source as messages name it: 'run 3f5dd738 "xgb-depth6"'
    title: str
    day: dt.date
    status: str = "inconclusive"
    question: str | None = None
    outcome: str | None = None
    project: str | None = None
    tags: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    dataset: str | None = None
    links: list[str] = field(default_factory=list)
    body: str = ""  # Markdown; for a notebook, unused
    notebook: dict[str, Any] | None = None  # a notebook entry: the copy to write
    # Relative links (as resolved paths, relative to the source's folder) to the asset that
    # replaces them; the writer points them into the entry's folder.
    assets: dict[str, Asset] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # said after the entry's line


@dataclass(frozen=True)
class Skip:
    """A source that is not imported, and why."""

    label: str
    reason: str
    problem: bool = True  # False when there is nothing wrong (already imported)


@dataclass
class Report:
    noun: str  # what one source is: "run", "post", "notebook", "DVCLive folder"
    written: list[Path] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)

    @property
    def problems(self) -> int:
        return sum(1 for skip in self.skipped if skip.problem)

    def summary(self) -> str:
        done = len(self.written)
        if not done and self.skipped and not self.problems:
            return f"nothing new: {_count(len(self.skipped), self.noun)} already imported"
        text = f"imported {_count(done, self.noun)}"
        if self.skipped:
            reasons: dict[str, int] = {}
            for skip in self.skipped:
                key = "already imported" if not skip.problem else "could not be imported"
                reasons[key] = reasons.get(key, 0) + 1
            parts = [
                reason if len(reasons) == 1 else f"{count} {reason}"
                for reason, count in reasons.items()
            ]
            text += f", skipped {len(self.skipped)}: " + ", ".join(parts)
        return text


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


Say = Callable[[str], None]


def write(settings: Settings, items: Iterable[Draft | Skip], noun: str, say: Say = print) -> Report:
    """Write each draft as an entry (skipping sources already imported) and say, one line
    each, what was written and what was skipped and why."""
    report = Report(noun)
    log_dir = settings.root / settings.log_dir
    imported = imported_sources(settings)
    for item in items:
        if isinstance(item, Draft) and item.source in imported:
            item = Skip(item.label, f"already imported as {_shown(imported[item.source])}", False)
        if isinstance(item, Skip):
            report.skipped.append(item)
            say(f"skipped {item.label}: {item.reason}")
            continue
        try:
            path, folder = _write_one(item, settings, log_dir)
        except (_Refused, OSError) as exc:
            reason = str(exc) if isinstance(exc, _Refused) else f"cannot write it: {exc}"
            skip = Skip(item.label, reason)
            report.skipped.append(skip)
            say(f"skipped {skip.label}: {skip.reason}")
            continue
        imported[item.source] = path
        report.written.append(path)
        files = f" (and {_count(len(item.assets), 'file')} in {_shown(folder)}/)" if folder else ""
        say(f"wrote   {_shown(path)}{files} from {item.label}")
        for note in item.notes:
            say(f"        note: {note}")
    say(report.summary())
    return report


def _shown(path: Path) -> str:
    return os.path.relpath(path)


# ----------------------------------------------------------------------------- what is there


_IMPORTED_LINE = re.compile(r"""["']?imported_from["']?\s*:\s*["']?([^"'\n,}]+)""")


def imported_sources(settings: Settings) -> dict[str, Path]:
    """Every imported_from value in the log, with the entry that carries it. Entries whose
    front matter cannot be read still count, from the raw line."""
    settings, _ = with_usable_cache(settings)
    root = settings.root
    cache = EntryCache.open(settings.cache_path / CACHE_NAME)
    found: dict[str, Path] = {}
    for path in discover(root, settings.log_dir).entries:
        entry, _ = cache.read(root, path)
        if isinstance(entry, Entry):
            if entry.imported_from:
                found.setdefault(entry.imported_from, root / path)
            continue
        try:
            text = (root / path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for match in _IMPORTED_LINE.finditer(text):
            found.setdefault(match.group(1).strip(), root / path)
    cache.save()
    return found


# ----------------------------------------------------------------------------- writing


class _Refused(Exception):
    """This draft cannot be written so that `check --strict` passes; the message says why."""


def _write_one(draft: Draft, settings: Settings, log_dir: Path) -> tuple[Path, Path | None]:
    suffix = ".ipynb" if draft.notebook is not None else ".md"
    title = _one_line(draft.title, TEXT_LIMITS["title"]) or "Imported entry"
    path = entry_path(log_dir, title, draft.day, suffix)
    folder = _free_folder(path) if draft.assets else None
    front = front_matter(draft, title)
    problems = [i for _, i in schema.validate(front).issues]
    if problems:
        raise _Refused(f"its front matter would not pass check: {problems[0].message}")
    if draft.notebook is not None:
        text = _notebook_text(draft.notebook, front, folder, draft.assets)
    else:
        text = _markdown_text(front, draft.body, folder, draft.assets, path, log_dir)
    for finding in find_secrets(text):
        raise _Refused(
            f"it contains what looks like {finding.kind}; remove it at the source, or copy"
            " the rest by hand"
        )
    # The files first, the entry last: an entry is only ever written complete, so one that
    # failed half-way is imported again next time (into a free folder).
    if folder is not None:
        for asset in draft.assets.values():
            target = folder / asset.name
            target.parent.mkdir(parents=True, exist_ok=True)
            data = asset.data if isinstance(asset.data, bytes) else asset.data.read_bytes()
            with target.open("xb") as stream:  # never overwrites, even in a race
                stream.write(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as stream:
        stream.write(text)
    return path, folder


def _folder_names(path: Path) -> Iterable[Path]:
    yield path.with_suffix("")
    yield path.with_name(path.stem + "-files")
    number = 2
    while True:
        yield path.with_name(f"{path.stem}-files-{number}")
        number += 1


def _free_folder(path: Path) -> Path:
    """The entry's own folder for its files: log/YYYY/<slug>/, or <slug>-files/ when a
    folder of that name is already there."""
    return next(folder for folder in _folder_names(path) if not os.path.lexists(folder))


def _one_line(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    line = " ".join(str(text).split())
    if len(line) > limit:
        line = line[: limit - 1].rstrip() + "…"
    return line or None


def front_matter(draft: Draft, title: str) -> dict[str, Any]:
    """The entry's front matter, in the order `researchlog new` writes it."""
    data: dict[str, Any] = {"title": title, "status": draft.status}
    data["question"] = _one_line(draft.question, TEXT_LIMITS["question"])
    data["outcome"] = _one_line(draft.outcome, TEXT_LIMITS["outcome"])
    data["project"] = _one_line(draft.project, TEXT_LIMITS["project"])
    data["tags"] = [t for t in (_one_line(t, 200) for t in draft.tags) if t]
    data["authors"] = [a for a in (_one_line(a, 200) for a in draft.authors) if a]
    data["date"] = draft.day
    data["dataset"] = _one_line(draft.dataset, TEXT_LIMITS["dataset"])
    data["metrics"] = finite_metrics(draft.metrics)[0]
    data["links"] = list(draft.links)
    data["imported_from"] = draft.source
    return {key: value for key, value in data.items() if value not in (None, [], {})}


def finite_metrics(metrics: dict[str, Any]) -> tuple[dict[str, float], dict[str, Any]]:
    """The numbers the front matter can hold, and the rest (NaN, infinity, text)."""
    kept: dict[str, float] = {}
    left: dict[str, Any] = {}
    for name, value in metrics.items():
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if number and math.isfinite(value):
            kept[str(name)] = value
        else:
            left[str(name)] = value
    return kept, left


def _markdown_text(
    front: dict[str, Any],
    body: str,
    folder: Path | None,
    assets: dict[str, Asset],
    path: Path,
    log_dir: Path,
) -> str:
    schema_path = Path(os.path.relpath(log_dir / "entry.schema.json", path.parent)).as_posix()
    yaml_text = yaml.safe_dump(
        front, sort_keys=False, allow_unicode=True, default_flow_style=None, width=1000
    )
    if folder is not None:
        body = rewrite_links(body, _mover(folder.name, assets))
    body = body.strip("\n")
    return f"---\n# yaml-language-server: $schema={schema_path}\n{yaml_text}---\n\n" + (
        body + "\n" if body else ""
    )


def _notebook_text(
    notebook: dict[str, Any],
    front: dict[str, Any],
    folder: Path | None,
    assets: dict[str, Asset],
) -> str:
    copy = json.loads(json.dumps(notebook))
    if folder is not None:
        move = _mover(folder.name, assets)
        for cell in copy.get("cells", []):
            if cell.get("cell_type") == "markdown":
                source = cell_source(cell)
                moved = rewrite_links(source, move)
                if moved != source:
                    cell["source"] = _lines(moved)
    metadata = copy.setdefault("metadata", {})
    metadata["researchlog"] = {
        key: value.isoformat() if isinstance(value, dt.date) else value
        for key, value in front.items()
    }
    # nbformat's own layout (indent 1, sorted keys), as Jupyter saves it.
    return json.dumps(copy, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _lines(text: str) -> list[str]:
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])


# ----------------------------------------------------------------------------- links


_HTML_ADDRESS = re.compile(
    r"""(<(?:img|a|source|video|audio)\b[^>]*?\s(?:src|href)\s*=\s*)(["'])([^"'\n]*)\2""",
    re.IGNORECASE,
)


def relative_target(href: str) -> str | None:
    """The path a relative link points at, relative to the text's folder (normalised);
    None for web addresses, absolute paths and anchors."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith(("/", "\\")) or not parts.path:
        return None
    return posixpath.normpath(unquote(parts.path))


def addresses(text: str) -> list[str]:
    """Every link and image address in Markdown `text`, HTML src and href included."""
    found = [text[start:end] for start, end in link_spans(text)]
    found += [m.group(3) for m in _HTML_ADDRESS.finditer(prose(text))]
    return found


_HTML_IMAGE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = r"""\s{name}\s*=\s*(["'])([^"'\n]*)\1"""


def rewrite_links(text: str, move: Callable[[str], str | None]) -> str:
    """`text` with each link address for which `move` gives a new one replaced by it
    (Markdown links, images and reference definitions, and HTML src and href). An HTML
    image of a moved file becomes a Markdown image: MkDocs rewrites those for the page's
    address, and leaves raw HTML as it is."""
    text = _markdown_images(text, move)
    edits = list(link_spans(text))
    edits += [(m.start(3), m.end(3)) for m in _HTML_ADDRESS.finditer(prose(text))]
    for start, end in sorted(set(edits), reverse=True):
        new = move(text[start:end])
        if new is not None:
            text = text[:start] + new + text[end:]
    return text


def _markdown_images(text: str, move: Callable[[str], str | None]) -> str:
    masked = prose(text)
    for match in reversed(list(_HTML_IMAGE.finditer(masked))):
        tag = text[match.start() : match.end()]
        src = re.search(_ATTRIBUTE.format(name="src"), tag, re.IGNORECASE)
        if src is None or move(src.group(2)) is None:
            continue
        alt = re.search(_ATTRIBUTE.format(name="alt"), tag, re.IGNORECASE)
        label = alt.group(2).replace("]", "\\]") if alt else ""
        text = text[: match.start()] + f"![{label}]({src.group(2)})" + text[match.end() :]
    return text


def _mover(folder: str, assets: dict[str, Asset]) -> Callable[[str], str | None]:
    def move(href: str) -> str | None:
        target = relative_target(href)
        asset = assets.get(target) if target is not None else None
        if asset is None:
            return None
        parts = urlsplit(href)
        new = quote(f"{folder}/{asset.name}")
        if parts.query:
            new += f"?{parts.query}"
        if parts.fragment:
            new += f"#{parts.fragment}"
        return new

    return move


def local_assets(text: str, folder: Path, within: Path) -> tuple[dict[str, Asset], list[str]]:
    """The files that relative links in `text` (written in `folder`) point at, as assets named
    by their path under `within`, and the addresses that point at no file there."""
    assets: dict[str, Asset] = {}
    missing: list[str] = []
    base = within.resolve()
    for href in addresses(text):
        target = relative_target(href)
        if target is None or not posixpath.splitext(target)[1] or target in assets:
            continue
        if target.endswith(ENTRY_SUFFIXES):  # copied into the log, it would be an entry
            missing.append(href)
            continue
        file = (folder / target).resolve()
        try:
            name = file.relative_to(base).as_posix()
        except ValueError:
            missing.append(href)
            continue
        if file.is_file():
            assets[target] = Asset(name, file)
        else:
            missing.append(href)
    return assets, missing


def missing_note(missing: list[str]) -> list[str]:
    if not missing:
        return []
    shown = ", ".join(missing[:3]) + (" …" if len(missing) > 3 else "")
    return [
        f"links to {shown}, which the source does not have; `researchlog check` will say"
        " where (fix or remove the link)"
    ]


# ----------------------------------------------------------------------------- values


def as_date(value: Any) -> dt.date | None:
    """A date from YAML's date or datetime, or from text such as 2016-06-29 00:00:00."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        except ValueError:
            try:
                return dt.date.fromisoformat(text[:10])
            except ValueError:
                return None
    return None


def as_list(value: Any) -> list[str]:
    """A YAML list (or one value) of names, as text: `- 2017` is the tag "2017"."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [str(item).strip() for item in items if item is not None and str(item).strip()]


def file_day(path: Path) -> dt.date:
    """The local date a file was last modified."""
    return dt.datetime.fromtimestamp(path.stat().st_mtime).date()


def metric_summary(metrics: dict[str, float], limit: int = 6) -> str:
    """ "auc 0.8, loss 0.2" for an outcome line."""
    items = [f"{name} {value:.4g}" for name, value in list(metrics.items())[:limit]]
    if len(metrics) > limit:
        items.append(f"and {len(metrics) - limit} more")
    return ", ".join(items)


def table(rows: Iterable[tuple[str, str]], header: tuple[str, str]) -> str:
    """A two-column Markdown table, with | and line breaks escaped."""

    def cell(text: str) -> str:
        return " ".join(str(text).split()).replace("|", "\\|") or " "

    lines = [f"| {header[0]} | {header[1]} |", "|---|---|"]
    lines += [f"| {cell(a)} | {cell(b)} |" for a, b in rows]
    return "\n".join(lines)
