"""What a project page opens with: the bet's card (hypothesis, owners, status, budget used,
progress toward the target, kill criteria, people) and its decisions on a timeline with the
entries. The Portfolio shares the texts for budget, progress and decisions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from ..analysis.bets import Bet
from ..analysis.people import Crew
from ..core.problems import plural
from ..log import LogEntry
from ..pages.forge import forge_address
from ..pages.html import (
    bet_status_badge,
    date_text,
    days_text,
    decision_badge,
    due_badge,
    esc,
    format_number,
    link,
    status_badge,
)
from ..pages.paths import project_feed, project_page
from ..pages.urls import Urls
from ..read.links import link_target
from ..read.projects import Decision

DECISIONS_HEADING = "Decisions and entries"
DECISIONS_ANCHOR = "decisions-and-entries"  # the id Markdown gives that heading


def direction_text(bet: Bet) -> str:
    return "higher is better" if bet.higher_is_better else "lower is better"


def metric_text(bet: Bet) -> str:
    on = f" on {bet.dataset}" if bet.dataset else ""
    return f"{bet.metric}{on}"


def budget_text(bet: Bet) -> str:
    """'36 of 45 days (80%)', or the effort alone when the bet has no budget."""
    budget, used = bet.budget_days, bet.budget_used
    if budget is None or used is None:
        return days_text(bet.effort)
    share = f" ({used:.0%})" if budget else ""
    over = ", over budget" if bet.over_budget else ""
    return f"{format_number(bet.effort)} of {days_text(budget)}{share}{over}"


def progress_text(bet: Bet) -> str:
    """Where the main metric stands against the target."""
    best, target = bet.best, bet.target
    if bet.metric is None:
        return "no main metric"
    if best is None or best.best is None:
        return "no finished result yet" + (
            f"; target {format_number(target)}" if target is not None else ""
        )
    value = format_number(best.best)
    if target is None:
        return f"best {value}, no target set"
    if bet.target_reached:
        return f"best {value}, target {format_number(target)} reached"
    gap = abs(target - best.best)
    return f"best {value} against a target of {format_number(target)} ({format_number(gap)} to go)"


def decision_text(decision: Decision | None) -> str:
    if decision is None:
        return "none yet"
    return f"{decision.label} on {decision.date.isoformat()}: {decision.why}"


def _bar(share: float, label: str) -> str:
    """A bar drawn beside a number the text already gives: hidden from screen readers."""
    width = max(0.0, min(share, 1.0)) * 100
    return (
        f'<span class="rl-meter" aria-hidden="true" title="{esc(label)}">'
        f'<span class="rl-meter__fill" style="width:{width:.1f}%"></span></span>'
    )


def card_html(
    bet: Bet, crew: Crew | None, urls: Urls, isolation_days: int, config_file: str
) -> str:
    """The card at the top of a project page (without a card: what is known anyway)."""
    here = project_page(bet.project)
    card = bet.card.card if bet.card else None
    status_line = [bet_status_badge(bet.status)]
    if bet.due_for_decision:
        status_line.append(due_badge())
    facts: list[tuple[str, str]] = []
    if card is not None and card.hypothesis:
        facts.append(("Hypothesis", esc(card.hypothesis)))
    if card is not None and card.owners:
        facts.append(("Owner" if len(card.owners) == 1 else "Owners", esc(", ".join(card.owners))))
    if card is not None and card.started:
        facts.append(("Started", date_text(card.started)))
    if bet.metric:
        source = {"card": "", "configured": f" (set in {config_file})"}.get(
            bet.metric_from, " (the metric its entries list first most often)"
        )
        facts.append(
            ("Main metric", f"{esc(metric_text(bet))}, {esc(direction_text(bet))}{esc(source)}")
        )
        progress = esc(progress_text(bet))
        best, target = bet.best, bet.target
        if best is not None and best.best is not None and target is not None:
            progress += " " + _bar(_progress_share(bet), "progress toward the target")
        facts.append(("Progress", progress))
    budget = esc(budget_text(bet))
    if bet.budget_used is not None:
        budget += " " + _bar(bet.budget_used, "budget used")
    facts.append(("Budget used" if bet.budget_days is not None else "Effort", budget))
    if card is not None and card.kill_criteria:
        kill = esc(card.kill_criteria)
        if card.kill_if is not None:
            kill += " " + (
                '<strong class="rl-kill rl-kill--met">Met.</strong>'
                if bet.kill_met
                else '<span class="rl-kill">Not met.</span>'
            )
        facts.append(("Kill criteria", kill))
    if bet.decisions:
        last = bet.decisions[-1]
        facts.append(
            (
                "Last decision",
                f"{decision_badge(last.decision)} {date_text(last.date)} {esc(last.why)}",
            )
        )
    if crew is not None:
        facts.append(("People lately", _people_text(crew, isolation_days)))
    rows = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in facts)
    due = ""
    if bet.due:
        reasons = "".join(f"<li>{esc(d.text)} (since {date_text(d.since)})</li>" for d in bet.due)
        since = (
            f"the last decision was on {bet.decisions[-1].date.isoformat()}"
            if bet.decisions
            else "no decision has been recorded"
        )
        due = (
            f'<div class="rl-due-why"><p>This bet is due for a decision ({esc(since)}):</p>'
            f"<ul>{reasons}</ul><p>Record it in the card's <code>decisions</code>:"
            " continue, pivot, stop or ship, with why.</p></div>"
        )
    feed = urls.asset(here, project_feed(bet.project))
    follow = (
        f'<p class="rl-follow"><a href="{esc(feed)}" type="application/atom+xml">Follow this'
        " bet</a> (an Atom feed of its new entries, status changes and decisions)</p>"
    )
    kind = "Project card" if card is not None else "Project (no card)"
    return (
        f'<section class="rl-bet-card" aria-label="{esc(kind)}">'
        f'<p class="rl-bet-card__status">{" ".join(status_line)}</p>'
        f'<dl class="rl-facts">{rows}</dl>{due}{follow}</section>'
    )


def _progress_share(bet: Bet) -> float:
    """How far from the first finished result to the target the best has come."""
    best, target = bet.best, bet.target
    first = next((s.value for s in bet.curve if s.improved), None)
    if best is None or best.best is None or target is None or first is None:
        return 0.0
    if bet.target_reached:
        return 1.0
    span = target - first
    return (best.best - first) / span if span else 0.0


def _people_text(crew: Crew, isolation_days: int) -> str:
    if not crew.people:
        return '<span class="rl-empty">nobody wrote an entry in the last 90 days</span>'
    names = ", ".join(
        f"{esc(name)} ({plural(count, 'entry', 'entries')})" for name, count in crew.people
    )
    if crew.isolated and crew.alone and crew.alone_since:
        names += (
            f' <span class="rl-alone"><span class="rl-status__icon" aria-hidden="true">!</span>'
            f"Alone for {crew.alone_days} days</span> Only {esc(crew.alone)} has written its"
            f" entries since {date_text(crew.alone_since)} (more than {isolation_days} days):"
            " pair someone with them, or review the work together."
        )
    return names


def timeline_html(bet: Bet, urls: Urls) -> str:
    """The bet's decisions among its entries, by date, newest first."""
    here = project_page(bet.project)
    rows: list[tuple[tuple[dt.date, int, str], str]] = []
    for item in bet.items:
        rows.append(((item.date, 0, item.slug), _entry_row(item, here, urls)))
    for index, decision in enumerate(bet.decisions):
        rows.append(
            (
                (decision.date, 1, f"{index:06d}"),
                f'<li class="rl-timeline__decision">{date_text(decision.date)} '
                f"{decision_badge(decision.decision)} {esc(decision.why)}</li>",
            )
        )
    rows.sort(key=lambda pair: pair[0], reverse=True)
    return f'<ol class="rl-timeline" reversed>{"".join(row for _, row in rows)}</ol>'


def _entry_row(item: LogEntry, here: str, urls: Urls) -> str:
    effort = (
        f' <span class="rl-item__meta">{esc(days_text(item.entry.effort_days))}</span>'
        if item.entry.effort_days
        else ""
    )
    return (
        f'<li class="rl-timeline__entry">{date_text(item.date)} {status_badge(item.status)} '
        f"{link(urls.rel(here, item.entry.path), item.title)}{effort}</li>"
    )


def card_body(bet: Bet, urls: Urls, code_links: Mapping[str, str]) -> str:
    """The card's own Markdown, its relative links made to work from the project page (and
    links to code made to go to the forge, as on every page)."""
    if bet.card is None:
        return ""
    card = bet.card.card
    here = project_page(bet.project)
    body = card.body
    for found in sorted({ref.href for ref in card.body_links}, key=len, reverse=True):
        target = link_target(card.path, found)
        if target is None:
            continue
        anchor = found.split("#", 1)[1] if "#" in found else ""
        moved = forge_address(card.path, found, code_links) or (
            urls.source(here, target) + (f"#{anchor}" if anchor else "")
        )
        body = body.replace(f"]({found})", f"]({moved})").replace(f"]: {found}", f"]: {moved}")
    return _without_title(body, card.title)


def _without_title(body: str, title: str) -> str:
    """The body without a first heading that repeats the card's title (the page has it)."""
    lines = body.lstrip("\n").split("\n", 1)
    if lines and lines[0].startswith("# ") and lines[0][2:].strip() == title:
        return lines[1] if len(lines) > 1 else ""
    return body
