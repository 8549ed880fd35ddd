"""The numbers behind the Metrics, Portfolio and project pages, without a browser."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from researchlog.analysis.bets import as_of, effort_window, main_metric, project_bet
from researchlog.analysis.metrics import best_so_far, metric_series
from researchlog.core.settings import Settings, settings_from
from researchlog.log import EntryHistory, LogCard, LogEntry
from researchlog.read.entries import Entry
from researchlog.read.projects import Decision
from support import Repo, run_cli

SETTINGS = Settings(root=Path(), metrics={"latency_ms": "lower"}, stale_after=3)


def item(slug: str, day: int, status: str = "success", **fields: Any) -> LogEntry:
    """An entry dated 2025-03-`day`."""
    path = f"log/{slug}.md"
    entry = Entry(slug=slug, path=path, kind="markdown", title=slug, status=status, **fields)
    return LogEntry(entry, EntryHistory(), dt.date(2025, 3, day), ())


def test_best_so_far_follows_the_metric_direction() -> None:
    values = [0.5, None, 0.7, 0.6, 0.9]
    assert best_so_far(values, higher_is_better=True) == [0.5, 0.5, 0.7, 0.7, 0.9]
    assert best_so_far(values, higher_is_better=False) == [0.5, 0.5, 0.5, 0.5, 0.5]
    assert best_so_far([None, 3.0, 2.0], higher_is_better=False) == [None, 3.0, 2.0]


def test_metric_direction_defaults_to_higher() -> None:
    assert SETTINGS.higher_is_better("val_f1")
    assert not SETTINGS.higher_is_better("latency_ms")
    options = {"metrics": {"val_loss": "lower", "val_auc": "higher"}}
    settings = settings_from(Path(), {}, options)
    assert not settings.higher_is_better("val_loss")
    assert settings.higher_is_better("val_auc")


def test_a_misspelt_direction_is_reported_with_its_line(repo: Repo) -> None:
    repo.write(
        "mkdocs.yml",
        "site_name: T\ndocs_dir: playbook\nplugins:\n  - researchlog:\n"
        "      metrics:\n        latency_ms: lowr\n",
    )
    result = run_cli("check", cwd=repo.root)
    assert result.returncode == 1
    assert 'mkdocs.yml:6: error: metric "latency_ms" has direction "lowr"' in result.stdout
    assert "fix: write latency_ms: higher or latency_ms: lower" in result.stdout


def test_series_per_metric_and_dataset_oldest_first() -> None:
    entries = [
        item("c", 3, metrics={"val_f1": 0.8, "latency_ms": 40}, dataset="v3"),
        item("b", 2, metrics={"val_f1": 0.7}, dataset="v2"),
        item("a", 1, metrics={"val_f1": 0.6, "latency_ms": 50}, dataset="v3"),
        item("n", 4, metrics={"val_f1": 0.9}),
    ]
    series = metric_series(entries, SETTINGS)
    keys = [(s.metric, s.dataset, [p.item.slug for p in s.points]) for s in series]
    assert keys == [
        ("latency_ms", "v3", ["a", "c"]),
        ("val_f1", "v2", ["b"]),
        ("val_f1", "v3", ["a", "c"]),
        ("val_f1", None, ["n"]),
    ]
    latency = series[0]
    assert not latency.higher_is_better
    assert latency.best.item.slug == "c"  # 40 ms beats 50 ms
    assert latency.best_so_far() == [50, 40]


def test_leaderboard_ties_go_to_the_earlier_entry() -> None:
    entries = [item("late", 5, metrics={"acc": 0.9}), item("early", 1, metrics={"acc": 0.9})]
    (series,) = metric_series(entries, SETTINGS)
    assert [p.item.slug for p in series.ranked()] == ["early", "late"]


def test_main_metric_is_configured_or_the_most_reported() -> None:
    entries = [
        item("a", 1, metrics={"val_f1": 0.6, "latency_ms": 50}),
        item("b", 2, metrics={"latency_ms": 40}),
    ]
    assert main_metric("p", entries, SETTINGS) == "latency_ms"
    configured = Settings(root=Path(), project_metrics={"p": "val_f1"})
    assert main_metric("p", entries, configured) == "val_f1"
    assert main_metric("p", [item("x", 1)], SETTINGS) is None


def test_returns_curve_accumulates_effort_against_the_best_so_far() -> None:
    entries = [  # newest first, as the Log keeps them
        item("e", 5, metrics={"val_f1": 0.84}, effort_days=1, dataset="v3"),
        item("d", 4, metrics={"val_f1": 0.79}, effort_days=4, dataset="v2"),
        item("c", 3, "dead-end", metrics={"val_f1": 0.70}, effort_days=3, dataset="v3"),
        item("b", 2, effort_days=0.5, dataset="v3"),
        item("a", 1, metrics={"val_f1": 0.80}, effort_days=2, dataset="v3"),
    ]
    bet = project_bet("p", entries, SETTINGS)
    assert bet.metric == "val_f1" and bet.dataset == "v3"
    assert bet.effort == 10.5
    assert [(s.item.slug, s.effort, s.value, s.best, s.improved) for s in bet.curve] == [
        ("a", 2, 0.80, 0.80, True),
        ("b", 2.5, None, 0.80, False),
        ("c", 5.5, 0.70, 0.80, False),
        ("d", 9.5, None, 0.80, False),  # another dataset: not comparable
        ("e", 10.5, 0.84, 0.84, True),
    ]
    assert bet.best is not None and bet.best.item.slug == "e"
    assert bet.since_improvement == 0 and not bet.stale


def test_lower_is_better_on_the_returns_curve() -> None:
    entries = [item("b", 2, metrics={"latency_ms": 30}), item("a", 1, metrics={"latency_ms": 40})]
    bet = project_bet("p", entries, SETTINGS)
    assert [s.best for s in bet.curve] == [40, 30]


def test_a_bet_is_stale_after_n_attempts_without_improvement() -> None:
    entries = [
        item("f", 6, "planned"),  # not tried yet: does not count
        item("e", 5, "dead-end"),
        item("d", 4, "dead-end", metrics={"acc": 0.5}),
        item("c", 3, "inconclusive", metrics={"acc": 0.9}),  # equal is no improvement
        item("b", 2, metrics={"acc": 0.9}),
        item("a", 1, metrics={"acc": 0.6}),
    ]
    bet = project_bet("p", entries, SETTINGS)
    assert bet.since_improvement == 3
    assert bet.stale  # stale_after is 3
    assert not project_bet("p", entries[2:], SETTINGS).stale  # only 1 attempt since


def test_a_bet_without_values_is_never_called_stale() -> None:
    entries = [item(slug, day, "dead-end") for day, slug in enumerate("abcdef", 1)]
    bet = project_bet("p", entries, SETTINGS)
    assert bet.metric is None and bet.since_improvement is None and not bet.stale
    assert [s.effort for s in bet.curve] == [0] * 6


def test_effort_window_counts_the_last_90_days_up_to_the_newest_entry() -> None:
    bet = project_bet(
        "p",
        [item("b", 20, effort_days=2), item("a", 1, effort_days=5)],
        SETTINGS,
    )
    start, end = effort_window(dt.date(2025, 3, 20), days=10)
    assert (start, end) == (dt.date(2025, 3, 11), dt.date(2025, 3, 20))
    assert bet.effort_between(start, end) == 2
    assert bet.effort_between(*effort_window(dt.date(2025, 3, 20))) == 7


def test_as_of_is_the_newest_date_in_the_log(repo: Repo) -> None:
    from researchlog.core.settings import load_settings
    from researchlog.log.join import build_log

    repo.entry("log/a.md", title="A", date="2025-01-05")
    repo.commit("a", date="2025-02-01T10:00:00+00:00")
    log = build_log(load_settings(repo.root))
    assert as_of(log) == dt.date(2025, 2, 1)


def test_without_effort_the_returns_curve_counts_attempts() -> None:
    from researchlog.pages.urls import Urls
    from researchlog.views.portfolio import returns_html

    entries = [
        item("c", 3, metrics={"acc": 0.7}),
        item("b", 2, "dead-end"),
        item("a", 1, metrics={"acc": 0.6}),
    ]
    markup = returns_html(project_bet("p", entries, SETTINGS), Urls())
    assert "Attempts (no effort_days recorded)" in markup
    assert "reached by c after 3 attempts; total effort 0 days" in markup
    single = returns_html(project_bet("p", entries[1:], SETTINGS), Urls())
    assert "rl-figure" not in single and "Best so far" in single


def test_metrics_whose_names_slugify_alike_get_their_own_pages() -> None:
    from researchlog.pages.paths import unique_slugs

    assert unique_slugs(["val-f1", "val_f1", "val f1"], "") == {
        "val-f1": "val-f1",
        "val_f1": "val-f1-2",
        "val f1": "val-f1-3",
    }
    assert unique_slugs([None, "none"], "dataset-") == {
        None: "dataset-none",
        "none": "dataset-none-2",
    }


# ----------------------------------------------------------------------------- defaults


def test_the_main_metric_is_the_one_entries_list_first_most_often() -> None:
    entries = [
        item("c", 3, metrics={"val_macro_f1": 0.83, "latency_ms": 17}),
        item("b", 2, metrics={"val_macro_f1": 0.79, "latency_ms": 41}),
        item("a", 1, metrics={"latency_ms": 2.1, "val_macro_f1": 0.71}),
    ]
    # Both metrics are reported three times; val_macro_f1 comes first in two entries.
    assert main_metric("p", entries, SETTINGS) == "val_macro_f1"
    bet = project_bet("p", entries, SETTINGS)
    assert bet.metric == "val_macro_f1" and bet.metric_from == "entries"
    assert bet.best is not None and bet.best.best == 0.83


def test_only_finished_entries_set_a_best() -> None:
    entries = [
        item("d", 4, "planned", metrics={"val_f1": 0.99}),
        item("c", 3, "running", metrics={"val_f1": 0.95}),
        item("b", 2, "dead-end", metrics={"val_f1": 0.70}),
        item("a", 1, metrics={"val_f1": 0.80}),
    ]
    bet = project_bet("p", entries, SETTINGS)
    assert [(s.item.slug, s.value, s.best, s.improved) for s in bet.curve] == [
        ("a", 0.80, 0.80, True),
        ("b", 0.70, 0.80, False),
        ("c", 0.95, 0.80, False),  # still running: its number may change
        ("d", 0.99, 0.80, False),  # not even started
    ]
    assert bet.best is not None and bet.best.item.slug == "a"
    assert bet.since_improvement == 2  # the dead end and the running attempt
    (series,) = metric_series(entries, SETTINGS)
    assert series.best is not None and series.best.item.slug == "a"
    assert [p.item.slug for p in series.ranked()] == ["a", "b"]
    assert series.best_so_far() == [0.80, 0.80, 0.80, 0.80]
    (unfinished,) = metric_series(entries[:2], SETTINGS)
    assert unfinished.best is None and unfinished.ranked() == []


def test_a_direction_not_configured_is_inferred_from_the_metric_name() -> None:
    lower = ["train_loss", "val_loss", "iter_time_ms", "latency_ms", "p95_ms", "error_rate",
             "runtime", "cost_usd", "wape", "sMAPE", "val_rmse", "mse", "val_mae",
             "perplexity", "trainLoss"]  # fmt: skip
    higher = ["val_f1", "val_macro_f1", "accuracy", "auc", "mAP", "recall", "sentiment_acc"]
    settings = Settings(root=Path())
    assert [m for m in lower if settings.direction(m) != "lower"] == []
    assert [m for m in higher if settings.direction(m) != "higher"] == []
    assert all(settings.is_inferred(m) for m in lower + higher)
    configured = Settings(root=Path(), metrics={"train_loss": "higher"})
    assert configured.direction("train_loss") == "higher"
    assert not configured.is_inferred("train_loss")
    # A dead end's high loss is not the best loss.
    entries = [
        item("b", 2, "dead-end", metrics={"train_loss": 2.5}),
        item("a", 1, metrics={"train_loss": 0.4}),
    ]
    (series,) = metric_series(entries, settings)
    assert series.best is not None and series.best.item.slug == "a"
    bet = project_bet("p", entries, settings)
    assert not bet.higher_is_better and bet.direction_inferred


def test_check_says_which_directions_were_inferred(repo: Repo) -> None:
    repo.write(
        "mkdocs.yml",
        "site_name: T\ndocs_dir: playbook\nplugins:\n  - researchlog:\n"
        "      metrics:\n        val_f1: higher\n",
    )
    repo.entry("log/a.md", metrics={"val_f1": 0.8, "train_loss": 0.3, "iter_time_ms": 41})
    result = run_cli("check", cwd=repo.root)
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines()[-1] == (
        "metric directions inferred from their names (confirm them under metrics: in"
        " mkdocs.yml): iter_time_ms lower, train_loss lower"
    )


# ----------------------------------------------------------------------------- cards


def card(**fields: Any) -> LogCard:
    from researchlog.read.projects import ProjectCard

    fields.setdefault("status", "active")
    made = ProjectCard(slug="p", path="log/projects/p.md", title="P", **fields)
    return LogCard(made, EntryHistory(), "p")


def decision(day: int, what: str = "continue") -> Decision:
    return Decision(dt.date(2025, 3, day), what, "because")


def test_a_bet_over_budget_is_due_for_a_decision_until_one_is_taken() -> None:
    entries = [
        item("c", 9, metrics={"val_f1": 0.9}, effort_days=3),
        item("b", 5, metrics={"val_f1": 0.8}, effort_days=6),  # 11 > 10 days: over budget
        item("a", 1, metrics={"val_f1": 0.7}, effort_days=5),
    ]
    bet = project_bet("p", entries, SETTINGS, card(budget_days=10, decisions=(decision(2),)))
    assert bet.over_budget and bet.budget_used == 1.4
    assert [(d.reason, d.since, d.text) for d in bet.due] == [
        ("over-budget", dt.date(2025, 3, 5), "over budget: 14 days of 10 days")
    ]
    assert bet.due_for_decision
    decided = card(budget_days=10, decisions=(decision(2), decision(6, "continue")))
    assert not project_bet("p", entries, SETTINGS, decided).due_for_decision
    stopped = card(budget_days=10, status="stopped")
    assert not project_bet("p", entries, SETTINGS, stopped).due_for_decision


def test_a_stale_bet_is_due_for_a_decision_from_the_day_it_went_stale() -> None:
    entries = [
        item("e", 5, "dead-end", metrics={"acc": 0.5}),  # the third attempt since the best
        item("d", 4, "dead-end", metrics={"acc": 0.5}),
        item("c", 3, "dead-end", metrics={"acc": 0.5}),
        item("b", 2, metrics={"acc": 0.9}),
        item("a", 1, metrics={"acc": 0.6}),
    ]
    bet = project_bet("p", entries, SETTINGS)  # no card: nobody ever decided
    assert bet.stale and [(d.reason, d.since) for d in bet.due] == [("stale", dt.date(2025, 3, 5))]
    pivoted = project_bet("p", entries, SETTINGS, card(decisions=(decision(5, "pivot"),)))
    assert not pivoted.due_for_decision
    earlier = project_bet("p", entries, SETTINGS, card(decisions=(decision(4),)))
    assert earlier.due_for_decision


def test_kill_criteria_are_met_when_the_metric_has_not_reached_the_bar_in_time() -> None:
    from researchlog.read.projects import KillIf

    entries = [
        item("c", 3, metrics={"wape": 0.30}, effort_days=10),
        item("b", 2, metrics={"wape": 0.27}, effort_days=10),  # 20 days of effort here
        item("a", 1, metrics={"wape": 0.32}, effort_days=10),
    ]
    fields: dict[str, Any] = {"metric": "wape", "direction": "lower", "target": 0.2}
    kill = card(kill_if=KillIf(after_effort_days=20, not_reached=0.25), **fields)
    bet = project_bet("p", entries, SETTINGS, kill)
    assert not bet.higher_is_better and bet.metric_from == "card" and not bet.direction_inferred
    assert bet.kill_met and not bet.target_reached
    assert [(d.reason, d.since, d.text) for d in bet.due] == [
        (
            "kill-criteria",
            dt.date(2025, 3, 2),
            "kill criteria met: wape has not reached 0.25 after 20 days of effort",
        )
    ]
    safe = card(kill_if=KillIf(after_effort_days=20, not_reached=0.28), **fields)
    assert not project_bet("p", entries, SETTINGS, safe).kill_met  # 0.27 is under 0.28
    later = card(kill_if=KillIf(after_effort_days=40, not_reached=0.25), **fields)
    assert not project_bet("p", entries, SETTINGS, later).kill_met  # only 30 days so far
    reached = card(kill_if=KillIf(after_effort_days=20), target=0.27, metric="wape")
    assert project_bet("p", entries, SETTINGS, reached).target_reached


def test_the_card_names_the_main_metric_dataset_and_direction() -> None:
    entries = [
        item("b", 2, metrics={"latency_ms": 40, "score": 3.0}, dataset="v2"),
        item("a", 1, metrics={"latency_ms": 50, "score": 2.0}, dataset="v1"),
    ]
    bet = project_bet("p", entries, SETTINGS, card(metric="score", dataset="v1"))
    assert (bet.metric, bet.dataset, bet.higher_is_better) == ("score", "v1", True)
    assert bet.best is not None and bet.best.item.slug == "a"
    lower = project_bet("p", entries, SETTINGS, card(metric="score", direction="lower"))
    assert not lower.higher_is_better


# ----------------------------------------------------------------------------- people


def test_who_is_on_which_bet_lately_and_who_carries_one_alone(repo: Repo) -> None:
    from researchlog.analysis.bets import bets
    from researchlog.analysis.people import team
    from researchlog.core.settings import load_settings
    from researchlog.log.join import build_log

    def entry(slug: str, day: str, project: str, *authors: str) -> None:
        repo.entry(f"log/{slug}.md", title=slug, date=day, project=project, authors=list(authors))

    entry("old", "2025-01-10", "alpha", "Ana", "Wei")
    entry("a1", "2025-05-01", "alpha", "Kofi")
    entry("a2", "2025-06-20", "alpha", "Kofi")  # Kofi alone since 05-01: 60 days
    entry("b1", "2025-06-01", "beta", "Ana", "Sara")
    entry("b2", "2025-06-25", "beta", "Sara")  # alone since 06-25: 5 days, fine
    entry("c1", "2025-06-10", "gamma", "Sara")
    entry("d1", "2025-06-12", "delta", "Sara")  # Sara is on four bets
    entry("e1", "2025-06-30", "epsilon", "Ana")
    repo.write(
        "log/projects/epsilon.md",
        "---\ntitle: E\nkind: project\nstatus: paused\nhypothesis: h\nowners: [Ana]\n---\n",
    )
    repo.commit("entries", date="2025-06-30T10:00:00+00:00")
    log = build_log(load_settings(repo.root))
    crew = team(log, bets(log))
    assert (crew.start, crew.end) == (dt.date(2025, 4, 2), dt.date(2025, 6, 30))
    alpha = crew.crew_of("alpha")
    assert alpha is not None and alpha.people == (("Kofi", 2),)  # the old entry is too old
    assert (alpha.alone, alpha.alone_since, alpha.alone_days, alpha.isolated) == (
        "Kofi",
        dt.date(2025, 5, 1),
        60,
        True,
    )
    beta = crew.crew_of("beta")
    assert beta is not None and beta.names == ("Sara", "Ana")
    assert beta.alone == "Sara" and not beta.isolated
    epsilon = crew.crew_of("epsilon")
    assert epsilon is not None and epsilon.alone == "Ana" and not epsilon.isolated  # paused
    assert [c.project for c in crew.isolated] == ["alpha"]
    assert [(m.name, m.projects) for m in crew.spread] == [("Sara", ("beta", "delta", "gamma"))]
    assert [m.name for m in crew.members] == ["Ana", "Kofi", "Sara"]
