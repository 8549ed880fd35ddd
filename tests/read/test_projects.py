"""Project cards: reading and validating them, and keeping them apart from entries."""

from __future__ import annotations

import json
import os
import time
from typing import Any

import jsonschema
import yaml

from researchlog.core.settings import load_settings
from researchlog.log.join import build_log
from researchlog.read.entry_cache import CACHE_NAME, EntryCache
from researchlog.read.schema import json_schema
from support import ROOT, Repo, front_matter, run_cli

CARD: dict[str, Any] = {
    "title": "Ticket routing",
    "kind": "project",
    "status": "active",
    "hypothesis": "A classifier can route most tickets, halving first-response time.",
    "owners": ["Tomás Ortega"],
    "started": "2025-01-20",
    "metric": "val_macro_f1",
    "dataset": "tickets-v4",
    "direction": "higher",
    "target": 0.85,
    "budget_days": 30,
    "kill_criteria": "Stop if macro F1 has not reached 0.80 after 20 days of effort.",
    "kill_if": {"not_reached": 0.80, "after_effort_days": 20},
    "decisions": [
        {"date": "2025-03-10", "decision": "continue", "why": "DistilBERT beat the baseline."},
        {"date": "2025-04-20", "decision": "pivot", "why": "Labels, not models, are the limit."},
    ],
}


def card_text(**changes: Any) -> str:
    fields = {**CARD, **changes}
    return front_matter({k: v for k, v in fields.items() if v is not None}) + "\nWhy we bet.\n"


def with_entry(repo: Repo, **fields: Any) -> None:
    repo.entry(
        "log/2025/2025-02-01-baseline.md",
        title="Baseline",
        status="success",
        project="ticket-routing",
        metrics={"val_macro_f1": 0.71, "latency_ms": 2},
        dataset="tickets-v4",
        **fields,
    )


def check(repo: Repo, *args: str) -> tuple[int, str]:
    result = run_cli("check", *args, cwd=repo.root)
    return result.returncode, result.stdout + result.stderr


def line_of(repo: Repo, path: str, start: str, after: int = 0) -> int:
    """The line of the first line starting with `start`, after line `after`."""
    lines = (repo.root / path).read_text(encoding="utf-8").splitlines()
    return next(n for n, text in enumerate(lines, 1) if n > after and text.startswith(start))


def test_a_valid_card_passes_and_is_not_counted_as_an_entry(repo: Repo) -> None:
    with_entry(repo)
    repo.write("log/projects/ticket-routing.md", card_text())
    code, out = check(repo)
    assert code == 0, out
    assert "checked 1 entry, 1 project card and 0 playbook pages: no problems" in out


def test_a_card_is_read_as_the_card_of_its_project_not_as_an_entry(repo: Repo) -> None:
    with_entry(repo)
    repo.write("log/projects/ticket-routing.md", card_text())
    repo.write("log/projects/data-platform.md", card_text(title="Data platform", metric=None,
                                                          dataset=None, direction=None,
                                                          target=None, kill_if=None))  # fmt: skip
    log = build_log(load_settings(repo.root), history=False)
    assert [item.slug for item in log.entries] == ["2025-02-01-baseline"]
    assert log.entry_files == ("log/2025/2025-02-01-baseline.md",)
    assert sorted(log.cards) == ["data-platform", "ticket-routing"]
    card = log.cards["ticket-routing"].card
    assert card.path == "log/projects/ticket-routing.md"
    assert (card.metric, card.target, card.budget_days) == ("val_macro_f1", 0.85, 30)
    assert card.kill_if is not None and card.kill_if.not_reached == 0.80
    assert [(d.decision, d.date.isoformat()) for d in card.decisions] == [
        ("continue", "2025-03-10"),
        ("pivot", "2025-04-20"),
    ]
    assert log.projects == ("data-platform", "ticket-routing")  # a bet with only a card too
    assert log.items_of("data-platform") == ()
    found = run_cli("find", "halving", "first-response", "--json", cwd=repo.root)
    assert json.loads(found.stdout) == []  # the card's text is no entry to find


def test_a_card_matches_its_project_whatever_the_case_or_punctuation(repo: Repo) -> None:
    repo.entry("log/a.md", title="A", project="Ticket Routing")
    repo.write("log/projects/ticket-routing.md", card_text(metric=None, dataset=None,
                                                           direction=None, target=None,
                                                           kill_if=None))  # fmt: skip
    log = build_log(load_settings(repo.root), history=False)
    assert list(log.cards) == ["Ticket Routing"]
    assert log.projects == ("Ticket Routing",)


def test_a_bad_card_status_names_its_line_and_the_fix(repo: Repo) -> None:
    with_entry(repo)
    repo.write("log/projects/ticket-routing.md", card_text(status="activ"))
    code, out = check(repo)
    assert code == 1
    line = line_of(repo, "log/projects/ticket-routing.md", "status:")
    assert (
        f'log/projects/ticket-routing.md:{line}: error: unknown status "activ";'
        ' did you mean "active"?'
    ) in out
    assert "fix: use one of: active, paused, stopped, shipped" in out
    # An entry's statuses are not a card's, nor the other way round.
    repo.write("log/projects/ticket-routing.md", card_text(status="success"))
    code, out = check(repo)
    assert code == 1 and 'unknown status "success"' in out


def test_a_bad_decision_is_reported_on_its_own_line(repo: Repo) -> None:
    with_entry(repo)
    decisions = [
        {"date": "2025-03-10", "decision": "continue", "why": "Beat the baseline."},
        {"date": "2025-04-20", "decision": "kill", "why": "Flat for a month."},
        {"date": "2025-05-02", "decision": "stop"},
    ]
    path = "log/projects/ticket-routing.md"
    repo.write(path, card_text(decisions=decisions))
    code, out = check(repo)
    assert code == 1
    first = line_of(repo, path, "decisions:")
    second = line_of(repo, path, "- date: '2025-04-20'", first)
    third = line_of(repo, path, "- date: '2025-05-02'", first)
    assert (
        f'{path}:{second}: error: decision 2 is an unknown decision "kill"'
        " (not one of continue, pivot, stop, ship)"
    ) in out
    assert "fix: use one of: continue, pivot, stop, ship" in out
    assert f'{path}:{third}: error: decision 3 is missing "why"' in out
    assert "fix: add why, in a sentence" in out
    assert f"{path}:{first + 1}:" not in out  # the good decision is kept
    log = build_log(load_settings(repo.root), history=False)
    assert [d.decision for d in log.cards["ticket-routing"].card.decisions] == ["continue"]
    as_json = json.loads(run_cli("check", "--json", cwd=repo.root).stdout)
    assert {p["code"] for p in as_json} == {"field-choice", "field-missing"}


def test_a_main_metric_no_entry_reports_is_an_error_with_a_guess(repo: Repo) -> None:
    with_entry(repo)
    path = "log/projects/ticket-routing.md"
    repo.write(path, card_text(metric="val_f1_macro"))
    code, out = check(repo)
    assert code == 1
    line = line_of(repo, path, "metric:")
    assert (
        f'{path}:{line}: error: the main metric "val_f1_macro" is not reported by any entry'
        " of the project"
    ) in out
    assert 'fix: did you mean "val_macro_f1"?' in out
    repo.write(path, card_text(metric="throughput", kill_if=None))
    code, out = check(repo)
    assert code == 1
    assert "fix: name a metric the project's entries report: latency_ms, val_macro_f1" in out


def test_fields_about_the_main_metric_need_one(repo: Repo) -> None:
    with_entry(repo)
    path = "log/projects/ticket-routing.md"
    repo.write(path, card_text(metric=None))
    code, out = check(repo)
    assert code == 1
    line = line_of(repo, path, "target:")
    assert (
        f'{path}:{line}: error: "target" is about the main metric, but the card names none'
    ) in out


def test_missing_card_fields_and_a_status_that_contradicts_the_last_decision(
    repo: Repo,
) -> None:
    with_entry(repo)
    path = "log/projects/ticket-routing.md"
    decisions = [{"date": "2025-05-02", "decision": "stop", "why": "Flat for a month."}]
    repo.write(path, card_text(hypothesis=None, owners=None, decisions=decisions))
    code, out = check(repo)
    assert code == 1
    assert f'{path}:1: error: missing required field "hypothesis"' in out
    assert f'{path}:1: error: missing required field "owners"' in out
    line = line_of(repo, path, "- date: '2025-05-02'")
    assert (
        f'{path}:{line}: warning: the last decision (2025-05-02) is "stop", but the status'
        ' is "active"'
    ) in out
    assert "fix: set status: stopped, or record the decision that followed" in out


def test_two_cards_for_one_project_and_a_card_with_a_misspelt_slug(repo: Repo) -> None:
    with_entry(repo)
    repo.write("log/projects/ticket-routing.md", card_text())
    repo.write("log/old/Ticket_Routing.md", card_text())
    repo.write("log/projects/ticket-routeing.md", card_text())
    code, out = check(repo)
    assert code == 1
    assert (
        "log/projects/ticket-routing.md: error: log/old/Ticket_Routing.md is already the card"
        ' of "ticket-routing"; this one is left out'
    ) in out
    assert (
        'log/projects/ticket-routeing.md: warning: no entry names the project "ticket-routeing"'
    ) in out
    assert 'did you mean "ticket-routing"?' in out


def test_a_notebook_cannot_be_a_card(repo: Repo) -> None:
    cell = {
        "cell_type": "raw",
        "id": "fm",
        "metadata": {},
        "source": ["---\n", "title: X\n", "kind: project\n", "status: active\n", "---"],
    }
    notebook = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    repo.write("log/x.ipynb", json.dumps(notebook, indent=1))
    code, out = check(repo)
    assert code == 1
    assert "error: a notebook cannot be a project card" in out
    assert "fix: write project cards as Markdown: researchlog new --project-card NAME" in out


def test_the_json_schema_tells_cards_from_entries() -> None:
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=None)

    def errors(data: dict[str, Any]) -> list[str]:
        plain = json.loads(json.dumps(data, default=str))  # YAML dates as JSON strings
        return [e.message for e in validator.iter_errors(plain)]

    assert errors(CARD) == []
    assert errors({**CARD, "status": "success"})  # an entry's status is not a card's
    bad = {**CARD, "decisions": [{"date": "2025-03-10", "decision": "kill", "why": "x"}]}
    assert errors(bad)
    entry = {"title": "A", "status": "running", "question": "Q?", "kind": "scope"}
    assert errors(entry) == []
    assert errors({**entry, "status": "active"})
    for path in sorted((ROOT / "log").rglob("*.md")):
        front = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
        assert errors(front) == [], path


def test_new_project_card_writes_a_card_that_passes_check(repo: Repo) -> None:
    with_entry(repo)
    result = run_cli("new", "--project-card", "ticket-routing", cwd=repo.root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "log/projects/ticket-routing.md"
    text = (repo.root / "log/projects/ticket-routing.md").read_text(encoding="utf-8")
    assert text.startswith("---\n# yaml-language-server: $schema=../entry.schema.json\n")
    assert 'title: "Ticket routing"' in text and 'owners: ["Test Author"]' in text
    code, out = check(repo)
    assert code == 0, out
    assert "1 entry, 1 project card" in out
    log = build_log(load_settings(repo.root), history=False)
    assert log.cards["ticket-routing"].card.status == "active"
    again = run_cli("new", "--project-card", "ticket-routing", cwd=repo.root)
    assert again.returncode == 1
    assert "already has a file log/projects/ticket-routing.md; edit it instead" in again.stderr


def test_the_parse_cache_returns_the_card_parsing_returns(repo: Repo) -> None:
    with_entry(repo)
    path = repo.write("log/projects/ticket-routing.md", card_text(extra_note="kept"))
    os.utime(path, (time.time() - 3600, time.time() - 3600))  # settled: it may be cached
    settings = load_settings(repo.root)
    fresh = build_log(settings, history=False)
    cached = build_log(settings, history=False)
    stored = EntryCache.open(settings.cache_path / CACHE_NAME).stored
    assert stored["log/projects/ticket-routing.md"]["card"]["title"] == CARD["title"]
    assert cached.cards["ticket-routing"].card == fresh.cards["ticket-routing"].card
    assert fresh.cards["ticket-routing"].card.extra == {"extra_note": "kept"}
    assert cached.problems == fresh.problems and fresh.problems  # the unknown field warning
