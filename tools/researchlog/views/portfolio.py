"""Projects as bets: the returns curve on each project page, and the Portfolio page that
compares them (their status, budget and progress, where the effort went lately, bets that
stopped improving or are due for a decision, and who is on which bet)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ..analysis.bets import EFFORT_WINDOW_DAYS, Bet, Step, as_of, effort_window, is_attempt
from ..analysis.people import Team
from ..core.problems import plural
from ..log import Log
from ..pages.figures import figure_html
from ..pages.html import (
    PageWriter,
    bet_status_badge,
    date_text,
    days_text,
    decision_badge,
    due_badge,
    empty_page,
    esc,
    format_number,
    link,
    status_counts,
    status_mix,
)
from ..pages.model import Page
from ..pages.paths import PORTFOLIO, project_page
from ..pages.urls import Urls
from .bet_card import budget_text, direction_text, metric_text, progress_text
from .charts import ChartPoint, best_line, figure, layout, status_traces
from .indexes import ACTIVE, last_activity

HERE = PORTFOLIO


def _direction(bet: Bet) -> str:
    return direction_text(bet)


def _metric_text(bet: Bet) -> str:
    return metric_text(bet)


def is_active(bet: Bet) -> bool:
    """Active by its card, or (without one) with running or planned work."""
    if bet.status is not None:
        return bet.status == "active"
    return any(i.status in ACTIVE for i in bet.items)


def _stall_text(bet: Bet) -> str:
    if bet.since_improvement is None:
        return "no values yet"
    if bet.since_improvement == 0:
        return "improved by its latest attempt"
    return f"no improvement in its last {plural(bet.since_improvement, 'attempt')}"


# ----------------------------------------------------------------------------- project pages


def returns_sections(bets: Sequence[Bet], urls: Urls) -> dict[str, list[tuple[str, str]]]:
    """The 'Returns' section of each project page, by project name."""
    return {bet.project: [("Returns", returns_html(bet, urls))] for bet in bets}


def returns_html(bet: Bet, urls: Urls) -> str:
    """What the bet returned: its main metric, best result so far, and the returns curve."""
    here = project_page(bet.project)
    best = bet.best
    if bet.metric is None or best is None:
        return (
            '<p class="rl-empty">No entry of this project reports a metric yet, so there is'
            " no returns curve.</p>"
        )
    facts = (
        '<dl class="rl-facts rl-bet">'
        f"<dt>Main metric</dt><dd>{esc(_metric_text(bet))} ({esc(_direction(bet))})</dd>"
        f"<dt>Best so far</dt><dd>{esc(format_number(best.best or 0))}, "
        f"{link(urls.rel(here, best.item.entry.path), best.item.title)}</dd>"
        + (
            f"<dt>Target</dt><dd>{esc(format_number(bet.target))}"
            f"{' (reached)' if bet.target_reached else ''}</dd>"
            if bet.target is not None
            else ""
        )
        + f"<dt>Since then</dt><dd>{_stall_badge(bet)}{esc(_stall_text(bet))}</dd>"
        "</dl>"
    )
    values = [step for step in bet.curve if step.value is not None]
    if len(values) < 2:
        return facts  # one value is not a curve
    return facts + _returns_chart(bet, best, here, urls)


def _returns_chart(bet: Bet, best: Step, here: str, urls: Urls) -> str:
    # Without any effort_days the curve counts attempts instead, so it still shows the shape.
    by_effort = bet.effort > 0
    xs: list[str | float] = []
    attempts = 0
    for step in bet.curve:
        attempts += is_attempt(step.item)
        xs.append(step.effort if by_effort else attempts)
    points = [
        ChartPoint(step.item, x, step.value)
        for step, x in zip(bet.curve, xs, strict=True)
        if step.value is not None
    ]
    metric = bet.metric or ""
    data = [
        best_line(xs, [s.best for s in bet.curve]),
        *status_traces(points, here, urls, value_name=metric),
    ]
    x_title = "Cumulative effort (days)" if by_effort else "Attempts (no effort_days recorded)"
    y_title = f"{metric} ({_direction(bet)})"
    spec = figure(data, layout(x_title=x_title, y_title=y_title, x_is_date=False))
    at_best = next(x for x, step in zip(xs, bet.curve, strict=True) if step is best)
    spent = days_text(best.effort) if by_effort else plural(int(at_best), "attempt")
    description = (
        f"Best {_metric_text(bet)} so far: {format_number(best.best or 0)}, reached by"
        f" {best.item.title} after {spent}; total effort {days_text(bet.effort)};"
        f" {_stall_text(bet)}. Click a point to open its entry."
    )
    return figure_html(
        spec,
        here,
        urls,
        label=f"Returns curve of {bet.project}: best {metric} against cumulative effort",
        description=description,
        height=380,
    )


def _stall_badge(bet: Bet) -> str:
    """Stale bets are marked with a word, not only a colour."""
    return '<span class="rl-stale">Stale</span> ' if bet.stale else ""


# ----------------------------------------------------------------------------- portfolio


def portfolio_page(log: Log, bets: Sequence[Bet], urls: Urls, team: Team) -> Page:
    intro = (
        "Each project is a bet the team placed. Compare them: where each stands against its"
        " budget and target, which stopped paying off or are due for a decision, and who is"
        " on which."
    )
    if not bets:
        return empty_page(HERE, "Portfolio", intro, "No entry names a project yet.")
    page = PageWriter(HERE, "Portfolio", description=intro)
    page.heading(1, "Portfolio")
    active = [b for b in bets if is_active(b)]
    stale = [b for b in bets if b.stale]
    due = [b for b in bets if b.due_for_decision]
    end = as_of(log) or dt.date.today()
    start, end = effort_window(end)
    recent = sorted(
        ((b, b.effort_between(start, end)) for b in bets),
        key=lambda pair: (-pair[1], pair[0].project.lower()),
    )
    recent_total = sum(effort for _, effort in recent)
    page.html(
        f'<p class="rl-lead">{esc(intro)}</p>'
        '<ul class="rl-cards" aria-label="The portfolio at a glance">'
        f'<li class="rl-card"><span class="rl-card__count">{len(bets):,}</span> bets</li>'
        f'<li class="rl-card"><span class="rl-card__count">{len(active):,}</span> active'
        f" ({'active on their card, or ' if any(b.card for b in bets) else ''}running or"
        " planned work)</li>"
        f'<li class="rl-card"><span class="rl-card__count">{esc(format_number(recent_total))}'
        f"</span> days of effort in the last {EFFORT_WINDOW_DAYS} days</li>"
        f'<li class="rl-card"><span class="rl-card__count">{len(stale):,}</span> stale'
        f" (no improvement in {plural(log.settings.stale_after, 'attempt')})</li>"
        f'<li class="rl-card"><a href="#due"><span class="rl-card__count">{len(due):,}</span>'
        " due for a decision</a></li></ul>"
    )

    page.heading(2, "Due for a decision", anchor="due")
    page.html(_due_html(due, urls))

    page.heading(2, "All bets", anchor="bets")
    page.html(_bets_table(bets, urls))

    page.heading(2, f"Effort in the last {EFFORT_WINDOW_DAYS} days", anchor="recent-effort")
    window = (
        f"Effort of entries dated {start.isoformat()} to {end.isoformat()} (the newest date"
        " in the log), by project."
    )
    spent = [(b, e) for b, e in recent if e > 0]
    if not spent:
        page.html(f'<p>{esc(window)}</p><p class="rl-empty">No effort was logged then.</p>')
    else:
        rows = "".join(
            "<tr>"
            f"<td>{link(urls.rel(HERE, project_page(b.project)), b.project)}</td>"
            f'<td class="rl-num">{esc(days_text(effort))}</td>'
            f'<td class="rl-num">{effort / recent_total:.0%}</td>'
            f'<td><span class="rl-bar" style="width:{effort / spent[0][1] * 100:.1f}%"'
            ' aria-hidden="true"></span></td>'
            "</tr>"
            for b, effort in spent
        )
        page.html(
            f"<p>{esc(window)}</p>"
            '<div class="rl-table-scroll"><table class="rl-table rl-effort"><thead><tr>'
            '<th scope="col">Project</th><th scope="col">Effort</th>'
            '<th scope="col">Share</th><th scope="col"><span class="rl-sr-only">Share as a'
            " bar</span></th></tr></thead><tbody>" + rows + "</tbody></table></div>"
        )

    page.heading(2, "Stale bets", anchor="stale")
    if stale:
        items = "".join(
            f"<li>{link(urls.rel(HERE, project_page(b.project)), b.project)}: best"
            f" {esc(_metric_text(b))} {esc(format_number(b.best.best or 0) if b.best else '')},"
            f" {esc(_stall_text(b))}.</li>"
            for b in stale
        )
        page.html(
            f"<p>Bets whose main metric did not improve in their last"
            f" {esc(plural(log.settings.stale_after, 'attempt'))} (set with"
            " <code>stale_after</code>): time to rethink or stop?</p>"
            f'<ul class="rl-stale-list">{items}</ul>'
        )
    else:
        page.html(
            f'<p class="rl-empty">Every bet with a metric improved within its last'
            f" {esc(plural(log.settings.stale_after, 'attempt'))}.</p>"
        )

    page.heading(2, "Keep the team together", anchor="team")
    page.html(_team_html(team, urls))
    return page.page()


def _due_html(due: Sequence[Bet], urls: Urls) -> str:
    if not due:
        return (
            '<p class="rl-empty">No bet is due for a decision: none is over its budget, stale'
            " or past its kill criteria without a decision since.</p>"
        )
    items = []
    for bet in due:
        reasons = "; ".join(f"{d.text} (since {d.since.isoformat()})" for d in bet.due)
        last = bet.last_decision
        decided = (
            f"last decision: {last.label.lower()} on {last.date.isoformat()}"
            if last
            else "no decision recorded"
        )
        items.append(
            f"<li>{due_badge()} {link(urls.rel(HERE, project_page(bet.project)), bet.title)}:"
            f" {esc(reasons)}; {esc(decided)}.</li>"
        )
    return (
        "<p>Bets over their budget, stale, or past the measurable part of their kill"
        " criteria, with no decision recorded since. Decide: continue, pivot, stop or ship,"
        " and write it in the project card's <code>decisions</code>.</p>"
        f'<ul class="rl-due-list">{"".join(items)}</ul>'
    )


def _team_html(team: Team, urls: Urls) -> str:
    window = (
        f"Who wrote entries for which bet from {team.start.isoformat()} to"
        f" {team.end.isoformat()}, from entry authors and dates. A bet one person carries"
        f" alone for more than {team.isolation_days} days is flagged (isolation is where"
        " bugs hide), and so is anyone on more than"
        f" {plural(team.max_bets, 'bet')}."
    )
    rows = []
    for crew in team.crews:
        people = ", ".join(f"{esc(name)} ({count})" for name, count in crew.people)
        flag = ""
        if crew.isolated and crew.alone and crew.alone_since:
            flag = (
                '<span class="rl-alone"><span class="rl-status__icon" aria-hidden="true">!'
                f"</span>Alone for {crew.alone_days} days</span> {esc(crew.alone)} since"
                f" {date_text(crew.alone_since)}"
            )
        nobody = '<span class="rl-empty">nobody lately</span>'
        rows.append(
            "<tr>"
            f"<td>{link(urls.rel(HERE, project_page(crew.project)), crew.project)}</td>"
            f"<td>{people or nobody}</td>"
            f"<td>{flag}</td>"
            "</tr>"
        )
    table = (
        '<div class="rl-table-scroll"><table class="rl-table rl-team"><thead><tr>'
        '<th scope="col">Project</th><th scope="col">People (entries)</th>'
        '<th scope="col">Isolation</th></tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table></div>"
    )
    spread = team.spread
    if spread:
        items = "".join(
            f'<li><span class="rl-alone"><span class="rl-status__icon" aria-hidden="true">!'
            f"</span>Spread</span> {esc(m.name)} is on {len(m.projects)} bets: "
            + ", ".join(link(urls.rel(HERE, project_page(p)), p) for p in m.projects)
            + "</li>"
            for m in spread
        )
        people = f'<ul class="rl-spread-list">{items}</ul>'
    else:
        people = (
            f'<p class="rl-empty">Nobody is on more than {esc(plural(team.max_bets, "bet"))}.</p>'
        )
    return f"<p>{esc(window)}</p>{table}{people}"


def _bets_table(bets: Sequence[Bet], urls: Urls) -> str:
    rows = []
    ordered = sorted(bets, key=lambda b: last_activity(b.items) or dt.date.min, reverse=True)
    for bet in ordered:
        best = bet.best
        best_cell = (
            f"{esc(format_number(best.best or 0))} "
            f'<span class="rl-item__meta">{esc(_metric_text(bet))}</span>'
            if best and bet.metric
            else '<span class="rl-empty">no metric</span>'
        )
        if bet.target is not None and bet.metric:
            best_cell += f'<span class="rl-item__outcome">{esc(progress_text(bet))}</span>'
        status = bet_status_badge(bet.status)
        if bet.status is None and any(i.status in ACTIVE for i in bet.items):
            status += ' <span class="rl-item__meta">active work</span>'
        if bet.due_for_decision:
            status += f" {due_badge()}"
        last = bet.last_decision
        decided = (
            f"{decision_badge(last.decision)} {date_text(last.date)}"
            if last
            else '<span class="rl-empty">none</span>'
        )
        rows.append(
            "<tr>"
            f"<td>{link(urls.rel(HERE, project_page(bet.project)), bet.project)}</td>"
            f"<td>{status}</td>"
            f'<td class="rl-num">{len(bet.items):,}</td>'
            f"<td>{status_mix(status_counts(bet.items))}</td>"
            f'<td class="rl-num">{esc(budget_text(bet))}</td>'
            f"<td>{best_cell}</td>"
            f"<td>{_stall_badge(bet)}{esc(_stall_text(bet))}</td>"
            f"<td>{decided}</td>"
            f"<td>{date_text(last_activity(bet.items))}</td>"
            "</tr>"
        )
    return (
        '<div class="rl-table-scroll"><table class="rl-table rl-bets"><thead><tr>'
        '<th scope="col">Project</th><th scope="col">Bet</th>'
        '<th scope="col">Entries</th><th scope="col">Entries by status</th>'
        '<th scope="col">Budget burn</th><th scope="col">Best against target</th>'
        '<th scope="col">Since the best</th><th scope="col">Last decision</th>'
        '<th scope="col">Last activity</th>'
        "</tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>"
    )
