"""Which source module reads what, for the command."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..core.settings import Settings
from .common import Draft, ImportFailed, Report, Say, Skip, write

SOURCES = ("knowledge-repo", "mlflow", "dvclive", "notebooks")


def run(source: str, settings: Settings, options: dict[str, Any], say: Say = print) -> Report:
    """Import from `source` with the command's options; ImportFailed when it cannot start."""
    items: Iterable[Draft | Skip]
    project = options.get("project")
    if source == "knowledge-repo":
        from . import knowledge_repo

        items, noun = knowledge_repo.drafts(Path(options["path"]), project), knowledge_repo.NOUN
    elif source == "mlflow":
        from . import mlflow_runs

        items, noun = (
            mlflow_runs.drafts(
                tracking_uri=options.get("tracking_uri"),
                experiment=options.get("experiment"),
                run_ids=options.get("run") or [],
                ui_url=options.get("ui_url"),
                project=project,
            ),
            mlflow_runs.NOUN,
        )
    elif source == "dvclive":
        from . import dvclive_files

        items, noun = (
            dvclive_files.drafts(
                Path(options["path"]),
                settings.root,
                title=options.get("title"),
                day=options.get("date"),
                project=project,
            ),
            dvclive_files.NOUN,
        )
    elif source == "notebooks":
        from . import notebooks

        items, noun = (
            notebooks.drafts(Path(options["path"]), settings, project=project),
            notebooks.NOUN,
        )
    else:  # pragma: no cover - the parser offers only SOURCES
        raise ImportFailed(f"unknown source {source!r}", "use one of: " + ", ".join(SOURCES))
    return write(settings, _started(items), noun, say)


def _started(items: Iterable[Draft | Skip]) -> list[Draft | Skip]:
    """Read every source before writing anything: a source that cannot be read at all
    (ImportFailed) then stops the import before it has written a file."""
    return list(items)
