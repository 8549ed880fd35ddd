"""Links between entries and the playbook that must hold: unique slugs, superseded_by and
lessons that point somewhere, no circles."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from ..core.problems import Problem, error, warning
from ..core.settings import Settings
from ..read import schema
from ..read.entries import Entry
from ..read.links import link_target
from ..read.playbook import Playbook
from ..read.projects import ProjectCard, project_key
from .model import LogEntry


def unique_slugs(entries: list[Entry]) -> tuple[list[Entry], list[Problem]]:
    """Slugs name entries in links; two files with one slug cannot both be published."""
    by_slug: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_slug[entry.slug].append(entry)
    kept: list[Entry] = []
    problems: list[Problem] = []
    for slug, group in by_slug.items():
        kept.append(group[0])
        if len(group) == 1:
            continue
        paths = [e.path for e in group]
        for entry in group:
            others = ", ".join(p for p in paths if p != entry.path)
            left_out = "" if entry is group[0] else "; this one is left out of the site"
            problems.append(
                error(
                    entry.path,
                    None,
                    f'the slug "{slug}" is also used by {others}{left_out}',
                    "rename one of the files: the slug is the file name without its extension"
                    " and must be unique across log/",
                    code="slug-duplicate",
                )
            )
    return kept, problems


def check_links(entries: list[Entry], playbook: Playbook, settings: Settings) -> list[Problem]:
    """superseded_by and lessons must point somewhere; playbook links must stay current."""
    problems: list[Problem] = []
    by_slug = {e.slug: e for e in entries}
    pages = playbook.by_slug()
    for entry in entries:
        target = entry.superseded_by
        if target is not None:
            if target not in by_slug:
                guess = _likely_slug(target, by_slug)
                hint = (
                    f'did you mean "{guess}"?'
                    if guess
                    else "use the slug (file name without extension) of an existing entry"
                )
                problems.append(
                    error(
                        entry.path,
                        entry.line_of("superseded_by"),
                        f'superseded_by names "{target}", which is not an entry',
                        hint,
                        code="superseded-by-missing",
                    )
                )
            elif entry.status != "superseded":
                problems.append(
                    warning(
                        entry.path,
                        entry.line_of("superseded_by"),
                        f'superseded_by is set but the status is "{entry.status}"',
                        "set status: superseded, or remove superseded_by",
                        code="superseded-by-status",
                    )
                )
        for lesson in entry.lessons:
            if lesson not in pages:
                guess = schema.closest(lesson, sorted(pages))
                hint = (
                    f'did you mean "{guess}"?'
                    if guess
                    else f"name a page in {settings.playbook_dir}/ (its file name without .md)"
                )
                problems.append(
                    warning(
                        entry.path,
                        entry.line_of("lessons"),
                        f'lessons names "{lesson}", which has no playbook page',
                        hint,
                        code="lesson-missing",
                    )
                )
    problems.extend(_supersede_cycles(entries, by_slug))
    by_path = {e.path: e for e in entries}
    log_prefix = settings.log_dir + "/"
    for page in playbook.pages:
        for link in page.links:
            target = link_target(page.path, link.href)
            if target is None or not target.startswith(log_prefix):
                continue
            linked = by_path.get(target)  # a missing one is reported by the link check
            if linked is not None and linked.status == "superseded":
                successor = by_slug.get(linked.superseded_by or "")
                instead = f" link {successor.path} instead" if successor else ""
                problems.append(
                    warning(
                        page.path,
                        link.line,
                        f"links to {target}, which is superseded",
                        f"point readers at the current answer:{instead}"
                        if instead
                        else "link the entry that replaced it",
                        code="link-superseded",
                    )
                )
    return problems


def _likely_slug(target: str, slugs: Mapping[str, Entry]) -> str | None:
    """The slug a dangling reference probably meant: the same file renamed, or a typo."""
    renamed = sorted(s for s in slugs if s.startswith(target + "-"))
    if renamed:
        return renamed[0]
    # Compare only with slugs of the same date prefix: difflib over thousands is slow.
    prefix = target[:7]
    candidates = [s for s in slugs if s.startswith(prefix)] or list(slugs)[:2000]
    return schema.closest(target, candidates)


def _supersede_cycles(entries: list[Entry], by_slug: Mapping[str, Entry]) -> list[Problem]:
    problems = []
    reported: set[str] = set()
    for entry in entries:
        chain = [entry.slug]
        current = entry
        while current.superseded_by and current.superseded_by in by_slug:
            nxt = current.superseded_by
            if nxt in chain:
                cycle = [*chain[chain.index(nxt) :], nxt]
                if entry.slug in cycle and entry.slug not in reported:
                    reported.update(cycle)
                    problems.append(
                        error(
                            entry.path,
                            entry.line_of("superseded_by"),
                            "superseded_by goes round in a circle: " + " → ".join(cycle),
                            "the newest entry in the chain must not be superseded;"
                            " remove its superseded_by",
                            code="supersede-cycle",
                        )
                    )
                break
            chain.append(nxt)
            current = by_slug[nxt]
    return problems


def check_cards(
    cards: Iterable[ProjectCard],
    by_project: Mapping[str, tuple[LogEntry, ...]],
    settings: Settings,
) -> tuple[dict[str, ProjectCard], list[Problem]]:
    """Each card joined to the project whose slug it has (by project name), and what is wrong
    between a card and its project's entries: a second card, a main metric no entry reports,
    a direction mkdocs.yml contradicts."""
    names: dict[str, str] = {}
    for name in by_project:
        names.setdefault(project_key(name), name)
    joined: dict[str, ProjectCard] = {}
    problems: list[Problem] = []
    for card in sorted(cards, key=lambda c: c.path):
        name = names.get(card.key, card.slug)
        if name in joined:
            problems.append(
                error(
                    card.path,
                    None,
                    f'{joined[name].path} is already the card of "{name}"; this one is left out',
                    "keep one card per project: merge the two, or rename this file to the"
                    " slug of another project",
                    code="project-card-duplicate",
                )
            )
            continue
        joined[name] = card
        if card.key not in names:
            guess = schema.closest(card.slug, sorted(by_project))
            if guess is not None and guess != card.slug:
                problems.append(
                    warning(
                        card.path,
                        None,
                        f'no entry names the project "{card.slug}", the slug of this card',
                        f'did you mean "{guess}"? A card belongs to the project of its file name;'
                        f" rename the file to {guess}.md",
                        code="project-card-unused",
                    )
                )
        problems.extend(_card_metric_problems(card, by_project.get(name, ()), settings))
    return joined, problems


def _card_metric_problems(
    card: ProjectCard, items: tuple[LogEntry, ...], settings: Settings
) -> list[Problem]:
    problems: list[Problem] = []
    metric = card.metric
    if metric is None:
        return problems
    reported = sorted({m for item in items for m in item.entry.metrics})
    if reported and metric not in reported:
        guess = schema.closest(metric, reported)
        hint = (
            f'did you mean "{guess}"?'
            if guess
            else f"name a metric the project's entries report: {', '.join(reported)}"
        )
        problems.append(
            error(
                card.path,
                card.line_of("metric"),
                f'the main metric "{metric}" is not reported by any entry of the project',
                hint,
                code="project-metric-unknown",
            )
        )
    elif card.dataset and reported:
        datasets = sorted({i.entry.dataset or "" for i in items if metric in i.entry.metrics})
        if card.dataset not in datasets:
            shown = ", ".join(d for d in datasets if d) or "no dataset"
            problems.append(
                warning(
                    card.path,
                    card.line_of("dataset"),
                    f'no entry reports {metric} on the dataset "{card.dataset}"',
                    f"entries report it on: {shown}",
                    code="project-metric-unknown",
                )
            )
    configured = settings.metrics.get(metric)
    if card.direction and configured and configured != card.direction:
        problems.append(
            warning(
                card.path,
                card.line_of("direction"),
                f"the card says {metric} is better {card.direction}, but {settings.config_file}"
                f" says {configured}",
                f"make them agree: {settings.config_file} is used for every page",
                code="project-direction",
            )
        )
    return problems
