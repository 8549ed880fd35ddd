"""Which entries are alike: `find` ranking, the similar work `new` shows, related entries.

Pure Python and fast enough for thousands of entries: `find` searches lower-cased text with
str.find (C speed, no tokenising of megabytes of bodies) and counts a query word where it
starts a word (a prefix match, so "loss" finds "losses" but not "gloss"); related entries are
scored through postings of rare features only.
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import heapq
import json
import math
import re
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..core.cache import write_atomic
from ..core.codekey import code_key
from ..read.entries import Entry

_WORD = re.compile(r"[^\W_]+(?:[.'’][^\W_]+)*", re.UNICODE)
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself just
    me more most my no nor not now of off on once only or other our ours out over own same she
    should so some such than that the their them then there these they this those through to too
    under until up very was we were what when where which while who whom why will with would you
    your yours vs via using use used""".split()
)

# Weights of each field in `find`: a title or question match says more than one in the body.
FIELD_WEIGHTS = {
    "title": 3.0,
    "question": 2.0,
    "outcome": 2.0,
    "tags": 2.0,
    "project": 1.5,
    "dataset": 1.0,
    "body": 1.0,
}


def words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS and len(w) > 1]


def prefix_count(text: str, term: str) -> int:
    """How often `term` starts a word in lower-cased `text`."""
    count = 0
    start = text.find(term)
    while start != -1:
        if start == 0 or not text[start - 1].isalnum():
            count += 1
        start = text.find(term, start + len(term))
    return count


@dataclass(frozen=True)
class Document:
    """An entry's text, prepared once for searching."""

    fields: dict[str, str]  # field -> lower-cased text
    lengths: dict[str, int]  # field -> about how many words

    @classmethod
    def of(cls, entry: Entry) -> Document:
        raw = {
            "title": entry.title,
            "question": entry.question or "",
            "outcome": entry.outcome or "",
            "tags": " ".join(entry.tags),
            "project": (entry.project or "").replace("-", " "),
            "dataset": (entry.dataset or "").replace("-", " "),
            "body": entry.body,
        }
        fields = {name: text.lower() for name, text in raw.items()}
        lengths = {
            name: text.count(" ") + text.count("\n") + 1 if text else 0
            for name, text in fields.items()
        }
        return cls(fields, lengths)


def rank(
    query: str,
    entries: Sequence[Entry],
    documents: Sequence[Document] | None = None,
) -> list[tuple[Entry, float]]:
    """Entries matching the query, best first (BM25 over weighted fields)."""
    terms = list(dict.fromkeys(words(query)))
    if not terms or not entries:
        return []
    docs = list(documents) if documents is not None else [Document.of(e) for e in entries]
    averages = {
        name: max(1.0, sum(d.lengths[name] for d in docs) / len(docs)) for name in FIELD_WEIGHTS
    }
    scores = [0.0] * len(docs)
    for term in terms:
        # Only fields that contain the term at all are counted: `in` is a fast C scan.
        counts: list[tuple[int, str, int]] = []
        matching = 0
        for index, doc in enumerate(docs):
            found = False
            for name, text in doc.fields.items():
                if term in text:
                    tf = prefix_count(text, term)
                    if tf:
                        counts.append((index, name, tf))
                        found = True
            matching += found
        if not matching:
            continue
        idf = math.log(1 + (len(docs) - matching + 0.5) / (matching + 0.5))
        for index, name, tf in counts:
            norm = 0.25 + 0.75 * docs[index].lengths[name] / averages[name]
            scores[index] += idf * FIELD_WEIGHTS[name] * tf / (tf + 1.2 * norm)
    ranked = [(entries[i], s) for i, s in enumerate(scores) if s > 0]
    ranked.sort(key=lambda pair: (-pair[1], pair[0].slug))
    return ranked


# ----------------------------------------------------------------------------- related entries

_PROJECT_WEIGHT = 2.0
_DATASET_WEIGHT = 1.5
_FEATURES_USED = 10  # the rarest features of an entry are the ones that find its relatives
_WINDOW = 40  # per feature, only the entries nearest in time are considered


def features(entry: Entry) -> dict[str, float]:
    """What two entries can have in common, each with a base weight."""
    found: dict[str, float] = {}
    if entry.project:
        found["p:" + entry.project] = _PROJECT_WEIGHT
    if entry.dataset:
        found["d:" + entry.dataset] = _DATASET_WEIGHT
    for tag in entry.tags:
        found["t:" + tag] = 1.0
    text = " ".join(filter(None, (entry.title, entry.question, entry.outcome)))
    for word in words(text):
        found.setdefault("w:" + word, 0.5)
    return found


# The last answer, by what it was computed from: a preview's rebuild after an edit to an
# entry's body asks again with the same features.
_last_related: tuple[object, dict[str, tuple[str, ...]]] | None = None


def related(
    entries: Sequence[Entry], limit: int = 5, kept: Path | None = None
) -> dict[str, tuple[str, ...]]:
    """Up to `limit` related entries per entry (_related), remembered for the same input: in
    this process, and in the file `kept` (a build after an edit to entries' bodies only)."""
    global _last_related
    key = _related_key(entries, limit)
    if _last_related is None or _last_related[0] != key:
        found = _kept_related(key, kept)
        if found is None:
            found = _related(entries, limit)
            if kept is not None:
                with contextlib.suppress(OSError):  # unwritable: computed again next time
                    write_atomic(
                        kept, json.dumps({"key": _kept_digest(key), "related": found}).encode()
                    )
        _last_related = (key, found)
    return dict(_last_related[1])


def _kept_digest(key: object) -> str:
    hasher = hashlib.sha256(code_key(__name__).encode())
    hasher.update(repr(key).encode())  # strings, numbers, None and tuples: repr is exact
    return hasher.hexdigest()


def _kept_related(key: object, kept: Path | None) -> dict[str, tuple[str, ...]] | None:
    if kept is None:
        return None
    try:
        stored = json.loads(kept.read_text(encoding="utf-8"))
        if stored["key"] != _kept_digest(key):
            return None
        return {slug: tuple(others) for slug, others in stored["related"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # missing or damaged: computed again


# The last call's features, by what they are made of: a preview asks again with one entry
# changed. Only the last call's are held.
_last_features: dict[tuple[object, ...], dict[str, float]] = {}


def _feature_input(entry: Entry) -> tuple[object, ...]:
    return (entry.project, entry.dataset, entry.tags, entry.title, entry.question, entry.outcome)


def _features_of(entries: Sequence[Entry]) -> list[dict[str, float]]:
    global _last_features
    known: dict[tuple[object, ...], dict[str, float]] = {}
    found = []
    for entry in entries:
        key = _feature_input(entry)
        features_here = known.get(key) or _last_features.get(key) or features(entry)
        known[key] = features_here
        found.append(features_here)
    _last_features = known
    return found


def related_to(
    entries: Sequence[Entry], slugs: Collection[str], limit: int = 5
) -> dict[str, tuple[str, ...]]:
    """related(entries), for the entries named `slugs` only: the same answer for them, at a
    fraction of the cost (a preview's new entry, whose words change every word's rarity)."""
    if _last_related is not None and _last_related[0] == _related_key(entries, limit):
        return {slug: _last_related[1][slug] for slug in slugs if slug in _last_related[1]}
    return _related(entries, limit, {i for i, e in enumerate(entries) if e.slug in slugs})


def _related_key(entries: Sequence[Entry], limit: int) -> object:
    return (limit, tuple((e.slug, *_feature_input(e)) for e in entries))


def _related(
    entries: Sequence[Entry], limit: int, targets: Collection[int] | None = None
) -> dict[str, tuple[str, ...]]:
    """Up to `limit` related entries per entry: shared project, dataset, tags and words.

    `entries` must be in time order. Each shared feature adds its base weight times its rarity
    (idf). Scores are accumulated through postings, and only through an entry's rarest
    features and, per feature, its neighbours in time: the cost stays linear in the number
    of entries instead of growing with every pair.
    """
    feature_sets = _features_of(entries)
    postings: dict[str, list[int]] = defaultdict(list)
    for index, found in enumerate(feature_sets):
        for name in found:
            postings[name].append(index)
    total = len(entries)
    rarity = {name: math.log(1 + total / len(posting)) for name, posting in postings.items()}
    half = _WINDOW // 2
    result: dict[str, tuple[str, ...]] = {}
    for index, found in enumerate(feature_sets):
        if targets is not None and index not in targets:
            continue
        weighted = sorted(
            ((base * rarity[name], name) for name, base in found.items()), reverse=True
        )[:_FEATURES_USED]
        scores: dict[int, float] = {}
        get = scores.get
        for value, name in weighted:
            posting = postings[name]
            if len(posting) > _WINDOW:
                position = bisect.bisect_left(posting, index)
                posting = posting[max(0, position - half) : position + half]
            for other in posting:
                scores[other] = get(other, 0.0) + value
        scores.pop(index, None)
        best = heapq.nsmallest(limit, scores.items(), key=lambda kv: (-kv[1], kv[0]))
        result[entries[index].slug] = tuple(entries[i].slug for i, _ in best)
    return result
