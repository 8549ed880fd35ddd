"""Project cards: a Markdown file in log/ with `kind: project` describes one bet (its
hypothesis, owners, main metric and target, budget, kill criteria and the decisions taken on
it). A card is not an experiment: it is read here into a ProjectCard, never into an Entry, so
it stays out of entry lists, counts, search and similarity.

Entries name their project by slug; the card of a project is the file of that slug
(log/projects/ticket-routing.md for `project: ticket-routing`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.problems import Problem, Severity, error, warning
from . import schema
from .frontmatter import FrontMatter
from .links import LinkRef

_KEY = re.compile(r"[\W_]+")


def project_key(name: str) -> str:
    """How a project name and a card's slug are matched: case, spaces and punctuation aside
    ("Ticket routing", "ticket_routing" and "ticket-routing" are one project)."""
    return _KEY.sub("-", name.lower()).strip("-")


@dataclass(frozen=True)
class Decision:
    """One decision taken on a bet."""

    date: dt.date
    decision: str  # continue | pivot | stop | ship
    why: str
    line: int = 1  # where it is in the card

    @property
    def label(self) -> str:
        return schema.DECISION_LABELS.get(self.decision, self.decision)


@dataclass(frozen=True)
class KillIf:
    """The measurable part of the kill criteria: the main metric has not reached
    `not_reached` (when given) after `after_effort_days` of effort."""

    after_effort_days: float
    not_reached: float | None = None


@dataclass(frozen=True)
class ProjectCard:
    """A bet as its card describes it."""

    slug: str  # the file name without extension: the project's slug
    path: str  # repo-relative, forward slashes
    title: str
    status: str  # active | paused | stopped | shipped
    hypothesis: str | None = None
    owners: tuple[str, ...] = ()
    started: dt.date | None = None
    metric: str | None = None
    dataset: str | None = None
    direction: str | None = None  # higher | lower, as the card says
    target: float | None = None
    budget_days: float | None = None
    kill_criteria: str | None = None
    kill_if: KillIf | None = None
    decisions: tuple[Decision, ...] = ()  # oldest first
    extra: Mapping[str, Any] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1
    lines: Mapping[str, int] = field(default_factory=dict)
    body_links: tuple[LinkRef, ...] = ()
    blob_sha: str = ""
    mtime: float = 0.0

    @property
    def key(self) -> str:
        return project_key(self.slug)

    @property
    def last_decision(self) -> Decision | None:
        return self.decisions[-1] if self.decisions else None

    def line_of(self, key: str) -> int:
        return self.lines.get(key, 1)


def is_card(front: FrontMatter) -> bool:
    """Whether front matter is a project card's (`kind: project`)."""
    kind = front.data.get("kind")
    return isinstance(kind, str) and kind.strip() == schema.PROJECT_KIND


def card_from_front_matter(
    path: str, front: FrontMatter, body: str, file_kind: str
) -> tuple[ProjectCard | None, list[Problem]]:
    """Validate a card's front matter; None when it cannot be used (no title or status)."""
    problems = list(front.problems)
    if file_kind == "notebook":
        problems.append(
            error(
                path,
                front.line_of("kind"),
                "a notebook cannot be a project card",
                "write project cards as Markdown: researchlog new --project-card NAME",
                code="entry-kind",
            )
        )
        return None, problems
    checked = schema.validate(front.data, schema.PROJECT_FIELDS)
    values = checked.values
    for name, issue in checked.issues:
        severity = Severity.WARNING if issue.warning else Severity.ERROR
        line = front.line_of(name)
        if name == "decisions" and issue.key is not None:
            line = front.lines.get(f"decisions[{issue.key}]", line)
        problems.append(
            Problem(
                path,
                line,
                schema.field_message(name, issue, as_is=("decision",)),
                issue.hint,
                severity,
                issue.code,
            )
        )
    problems.extend(_consistency(path, front, values))
    if "status" not in values or "title" not in values:
        return None, problems
    decisions = sorted(
        (
            Decision(day, decision, why, front.lines.get(f"decisions[{index}]", front.line))
            for day, decision, why, index in values.get("decisions", ())
        ),
        key=lambda d: (d.date, d.line),
    )
    kill = values.get("kill_if")
    card = ProjectCard(
        slug=Path(path).stem,
        path=path,
        title=values["title"],
        status=values["status"],
        hypothesis=values.get("hypothesis"),
        owners=values.get("owners", ()),
        started=values.get("started"),
        metric=values.get("metric"),
        dataset=values.get("dataset"),
        direction=values.get("direction"),
        target=values.get("target"),
        budget_days=values.get("budget_days"),
        kill_criteria=values.get("kill_criteria"),
        kill_if=KillIf(kill["after_effort_days"], kill.get("not_reached")) if kill else None,
        decisions=tuple(decisions),
        extra={k: schema.plain_value(v) for k, v in checked.unknown.items()},
        body=body,
        body_line=front.body_line,
        lines=dict(front.lines),
    )
    return card, problems


def _consistency(path: str, front: FrontMatter, values: Mapping[str, Any]) -> list[Problem]:
    """What each field allows but the card as a whole does not."""
    problems: list[Problem] = []
    has_metric = "metric" in values
    for name in ("target", "direction", "dataset"):
        if name in values and not has_metric:
            problems.append(
                error(
                    path,
                    front.line_of(name),
                    f'"{name}" is about the main metric, but the card names none',
                    "add the metric the bet is judged by, e.g. metric: val_f1",
                    code="project-card",
                )
            )
    kill = values.get("kill_if")
    if kill and "not_reached" in kill and not has_metric:
        problems.append(
            error(
                path,
                front.line_of("kill_if"),
                "kill_if.not_reached is a value of the main metric, but the card names none",
                "add the metric the bet is judged by, e.g. metric: val_f1",
                code="project-card",
            )
        )
    if kill and "kill_criteria" not in values:
        problems.append(
            warning(
                path,
                front.line_of("kill_if"),
                "kill_if is set but the kill criteria are not written out",
                "add kill_criteria: the same rule in a sentence, for readers",
                code="project-card",
            )
        )
    decisions = sorted(values.get("decisions", ()), key=lambda d: (d[0], d[3]))
    status = values.get("status")
    if decisions and status:
        day, last, _, index = decisions[-1]
        expected = {"stop": "stopped", "ship": "shipped"}.get(last)
        if expected and status != expected:
            problems.append(
                warning(
                    path,
                    front.lines.get(f"decisions[{index}]", front.line_of("status")),
                    f'the last decision ({day.isoformat()}) is "{last}", but the status is'
                    f' "{status}"',
                    f"set status: {expected}, or record the decision that followed",
                    code="project-card",
                )
            )
        elif last in ("continue", "pivot") and status in ("stopped", "shipped"):
            problems.append(
                warning(
                    path,
                    front.line_of("status"),
                    f'the status is "{status}", but the last decision ({day.isoformat()}) is'
                    f' "{last}"',
                    f"record the decision to {'stop' if status == 'stopped' else 'ship'},"
                    " with its date and why",
                    code="project-card",
                )
            )
    return problems
