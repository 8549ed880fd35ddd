"""What the site search indexes: one small HTML document per entry and playbook page.

The documents are made from the log itself, not from the rendered pages, so the indexer can
start before MkDocs renders anything and run on the second core meanwhile. They hold what
readers search by (title, question, outcome, tags, project, dataset, authors and the text the
researcher wrote, which for a notebook is its markdown and code cells) and leave out what
would only add noise: navigation, history tables, related-entry lists, images and figures.
Status and project become pagefind filters; status, outcome, project, kind and date become
metadata, so results can show a badge and the one-line outcome without loading the page.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote

from ..core.cache import digest
from ..core.codekey import code_key
from ..log import Log, LogEntry
from ..pages.html import esc, status_badge
from ..pages.urls import Urls
from ..read.entry_cache import entry_digest
from ..read.playbook import PlaybookPage
from ..read.schema import STATUS_LABELS

SEARCH_SCRIPT = "assets/researchlog/search.js"
SEARCH_STYLESHEET = "assets/researchlog/search.css"
BUNDLE_DIR = "pagefind"  # where the index lands in the site; search.js looks for it there

# How much a match counts, by where it is (pagefind's scale: 1 is body text, h1 is 7).
TITLE_WEIGHT = 7
SUMMARY_WEIGHT = 5  # question and outcome
LABEL_WEIGHT = 3  # project, dataset and tags

# Inline Markdown, removed from the whole text at once.
_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)|!\[[^\]\n]*\]\[[^\]\n]*\]")
_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\n]*\)")
_TAG = re.compile(r"</?[A-Za-z][^>\n]*>|<!--.*?-->", re.DOTALL)
_ATTR_LIST = re.compile(r"\{:?\s*(?:[#.][\w-]|[\w-]+=)[^}\n]*\}")  # { #id .class key=value }
# Line by line (a loop over lines is several times faster than multiline regexes here).
_LIST_MARKER = re.compile(r"(?:>|[-+]|\d+[.)])\s+")
_REFERENCE_DEFINITION = re.compile(r"\[[^\]]+\]:\s*\S")
_RULE_CHARACTERS = frozenset(":- \t")  # table rules |---|:--| and thematic breaks ---


@dataclass(frozen=True)
class SearchDocument:
    path: str  # where the indexer reads it, mirroring the page's place in the site
    html: str

    @property
    def key(self) -> str:
        """What the document is made of: here, the document itself."""
        return hashlib.sha256(self.html.encode()).hexdigest()

    def make(self) -> SearchDocument:
        return self


@dataclass(frozen=True)
class DocumentSource:
    """A document to index, made when it is needed: the index makes only the documents of
    the parts it has not kept (build/search.py), and knows those by the documents' keys."""

    path: str
    key: str  # a digest of everything the document is made from, this module's code too
    made: Callable[[], SearchDocument] = field(compare=False)

    def make(self) -> SearchDocument:
        return self.made()


def search_documents(log: Log, urls: Urls, language: str = "en") -> tuple[SearchDocument, ...]:
    """The documents to index: every entry, then every playbook page."""
    return tuple(source.make() for source in search_sources(log, urls, language))


def search_sources(log: Log, urls: Urls, language: str = "en") -> tuple[DocumentSource, ...]:
    """search_documents, each to be made when the index needs it. An entry's document is
    keyed by the entry's digest (every field of it), its date and authors."""
    made_by = (code_key(__name__), str(urls.directory_urls), language)
    sources = [
        DocumentSource(
            _document_path(urls.page(item.entry.path)),
            digest(*made_by, entry_digest(item.entry), repr(item.date), repr(item.authors)),
            functools.partial(entry_document, item, urls, language),
        )
        for item in log.entries
    ]
    sources += [
        DocumentSource(
            _document_path(urls.page(page.path)),
            digest(*made_by, page.path, page.title, repr(page.summary), page.body),
            functools.partial(playbook_document, page, urls, language),
        )
        for page in log.playbook
    ]
    return tuple(sources)


def entry_document(item: LogEntry, urls: Urls, language: str = "en") -> SearchDocument:
    entry = item.entry
    labels = [entry.project or "", entry.dataset or "", *entry.tags]
    meta = {
        "status": entry.status,
        "outcome": entry.outcome or entry.question or "",
        "project": entry.project or "",
        "kind": entry.kind,
        "date": item.date.isoformat(),
    }
    filters = ["status", "project"] if entry.project else ["status"]
    blocks = [
        (SUMMARY_WEIGHT, entry.question or ""),
        (SUMMARY_WEIGHT, entry.outcome or ""),
        (LABEL_WEIGHT, " ".join(label for label in labels if label)),
        (1, ", ".join(item.authors)),
        *((1, paragraph) for paragraph in body_text(entry.body, entry.title)),
    ]
    return _document(urls.page(entry.path), language, entry.title, meta, filters, blocks)


def playbook_document(page: PlaybookPage, urls: Urls, language: str = "en") -> SearchDocument:
    meta = {"outcome": page.summary or "", "kind": "playbook"}
    blocks = [(SUMMARY_WEIGHT, page.summary or "")]
    blocks += [(1, paragraph) for paragraph in body_text(page.body, page.title)]
    return _document(urls.page(page.path), language, page.title, meta, [], blocks)


def markdown_text(markdown: str) -> list[str]:
    """The words of a Markdown text as plain paragraphs: link and image targets, HTML tags,
    attribute lists and markup characters go; code stays, since readers search it too."""
    text = _IMAGE.sub(" ", markdown)
    text = _LINK.sub(r"\1", text)
    text = _TAG.sub(" ", text)
    text = _ATTR_LIST.sub("", text).replace("*", " ").replace("|", " ")
    paragraphs: list[str] = []
    lines: list[str] = []
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped or stripped.startswith(("```", "~~~")):  # blank lines and fences
            if lines:
                paragraphs.append(" ".join(" ".join(lines).replace("`", " ").split()))
                lines = []
            continue
        first = stripped[0]
        if first in "-:" and set(stripped) <= _RULE_CHARACTERS and "-" in stripped:
            continue
        if first == "[" and _REFERENCE_DEFINITION.match(stripped):
            continue
        if first == "#":
            stripped = stripped.strip("#").strip()
        elif first in ">-+0123456789":
            marker = _LIST_MARKER.match(stripped)
            stripped = stripped[marker.end() :] if marker else stripped
        lines.append(stripped)
    if lines:
        paragraphs.append(" ".join(" ".join(lines).replace("`", " ").split()))
    return [paragraph for paragraph in paragraphs if paragraph]


# Kept across a preview's rebuilds, where most texts are those of the last one.
@functools.lru_cache(maxsize=32768)
def body_text(markdown: str, title: str) -> tuple[str, ...]:
    """The paragraphs of a page's own text, without a first heading that repeats its title."""
    paragraphs = markdown_text(markdown)
    return tuple(paragraphs[1:] if paragraphs and paragraphs[0] == title else paragraphs)


def status_filters() -> list[tuple[str, str]]:
    """Each status with its badge, in the canonical order, for the search's filter buttons."""
    return [(status, status_badge(status)) for status in STATUS_LABELS]


def _document(
    url: str,
    language: str,
    title: str,
    meta: Mapping[str, str],
    filters: Iterable[str],
    blocks: Iterable[tuple[int, str]],
) -> SearchDocument:
    # Values sit in attributes, so commas or colons in an outcome cannot break pagefind's
    # "key:value, key:value" syntax; "key[attribute]" reads them from there.
    values = "".join(f' data-rl-{key}="{esc(value)}"' for key, value in meta.items() if value)
    present = [key for key, value in meta.items() if value]
    specs = {
        "meta": present,
        "filter": [key for key in filters if key in present],
        "sort": [key for key in ("date",) if key in present],
    }
    attributes = "".join(
        f' data-pagefind-{name}="{", ".join(f"{key}[data-rl-{key}]" for key in keys)}"'
        for name, keys in specs.items()
        if keys
    )
    body = "".join(
        f'<p data-pagefind-weight="{weight}">{esc(text)}</p>'
        if weight != 1
        else f"<p>{esc(text)}</p>"
        for weight, text in blocks
        if text
    )
    html = (
        f'<!doctype html><html lang="{esc(language)}"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title></head>"
        f"<body data-pagefind-body{values}{attributes}>"
        f'<h1 data-pagefind-weight="{TITLE_WEIGHT}">{esc(title)}</h1>{body}</body></html>'
    )
    return SearchDocument(_document_path(url), html)


def _document_path(url: str) -> str:
    """The file pagefind reads for a page URL; pagefind turns the path back into the URL."""
    path = unquote(url)
    return f"{path}index.html" if not path or path.endswith("/") else path
