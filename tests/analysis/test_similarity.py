"""Ranking for `find` and `new`, and related entries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from researchlog.analysis import similarity
from researchlog.analysis.similarity import prefix_count, rank, related, related_to
from researchlog.read.entries import Entry


def entry(slug: str, title: str, **fields: Any) -> Entry:
    path = f"log/{slug}.md"
    return Entry(slug=slug, path=path, kind="markdown", title=title, status="running", **fields)


def test_a_query_word_matches_where_a_word_starts() -> None:
    assert prefix_count("focal losses; loss-aware loss", "loss") == 3
    assert prefix_count("a gloss on floss", "loss") == 0
    assert prefix_count("val_f1 went up", "f1") == 1


def test_title_and_question_outrank_the_body() -> None:
    entries = [
        entry("body", "Bigger batch", body="We also looked at calibration in passing."),
        entry("question", "Temperature scaling", question="Does it fix calibration?"),
        entry("none", "Label smoothing", question="Does it help?"),
    ]
    ranked = [e.slug for e, _ in rank("calibration", entries)]
    assert ranked == ["question", "body"]


def test_stopwords_alone_find_nothing() -> None:
    assert rank("the of and", [entry("a", "The best of both")]) == []


def test_related_entries_share_project_dataset_and_tags() -> None:
    entries = [
        entry("a", "Focal loss", project="defects", dataset="d3", tags=("loss",)),
        entry("b", "Class-balanced sampling", project="defects", dataset="d3"),
        entry("c", "Ticket router", project="tickets"),
        entry("d", "Focal loss for tickets", project="tickets", tags=("loss",)),
    ]
    found = related(entries, limit=2)
    assert found["a"][0] == "b"
    assert set(found["a"]) == {"b", "d"}
    assert found["c"] == ("d",)


def test_related_to_some_entries_is_related_for_them() -> None:
    entries = [
        entry(
            f"e{n}",
            f"{['Focal', 'Tiled', 'Sparse'][n % 3]} loss run {n % 7}",
            project=["defects", "tickets"][n % 2],
            tags=(["loss", "vision", "nlp"][n % 3],),
        )
        for n in range(120)
    ]
    everything = related(entries)
    some = {"e0", "e17", "e64", "e119"}
    expected = {slug: everything[slug] for slug in some}
    assert related_to(entries, some) == expected  # from the answer remembered
    related(entries[:7])  # another answer remembered: this one is worked out
    assert related_to(entries, some) == expected


def test_related_entries_are_kept_for_a_later_build_with_the_same_features(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = tmp_path / "related.json"
    entries = [
        entry("a", "Focal loss on fraud", tags=("loss",)),
        entry("b", "Focal loss again", tags=("loss",)),
        entry("c", "Tokenizer speed"),
    ]
    assert related(entries, kept=kept)["a"] == ("b",)
    # A later process: nothing in memory. Mark what the file holds to see it is what is used.
    monkeypatch.setattr(similarity, "_last_related", None)
    stored = json.loads(kept.read_text())
    stored["related"]["a"] = ["c"]
    kept.write_text(json.dumps(stored))
    assert related(entries, kept=kept)["a"] == ("c",)
    # A body edit keeps the features; a new title does not, and the file is not trusted.
    monkeypatch.setattr(similarity, "_last_related", None)
    retitled = [entries[0], entries[1], entry("c", "Focal loss tokenizer")]
    assert related(retitled, kept=kept)["a"] == related(retitled)["a"] != ("c",)
    monkeypatch.setattr(similarity, "_last_related", None)
    kept.write_text("{not json")
    assert related(entries, kept=kept)["a"] == ("b",)
