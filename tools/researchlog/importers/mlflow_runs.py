"""MLflow runs as entries, read through MLflow's own client (never its database directly).

MLflow is optional: `pip install 'researchlog[import]'` installs its client and what a SQLite
store needs. A run's name, start date, user, final metrics, parameters and note (the
`mlflow.note.content` tag, the UI's description) become the entry; tags `researchlog.status`,
`researchlog.question` and `researchlog.outcome` on a run set those fields.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..read.schema import STATUSES
from .common import (
    NOT_RECORDED,
    Draft,
    ImportFailed,
    Skip,
    finite_metrics,
    metric_summary,
    table,
)

NOUN = "run"
SOURCE = "the MLflow run"
INSTALL = (
    "pip install 'researchlog[import]' (or: pip install 'mlflow-skinny>=3.4,<4'"
    " 'sqlalchemy>=2,<2.1' 'alembic>=1.13,<2')"
)
NOTE = "mlflow.note.content"
TAG_PREFIX = "researchlog."
# How a run's status becomes an entry's, unless the run has a researchlog.status tag. A run
# that failed or was killed says nothing about the idea it tried, so it is not a dead end.
STATUS = {
    "RUNNING": "running",
    "SCHEDULED": "running",
    "FINISHED": "inconclusive",
    "FAILED": "inconclusive",
    "KILLED": "inconclusive",
}


def drafts(
    *,
    tracking_uri: str | None,
    experiment: str | None,
    run_ids: list[str],
    ui_url: str | None,
    project: str | None,
) -> Iterator[Draft | Skip]:
    client, uri = _client(tracking_uri)
    from mlflow.exceptions import MlflowException

    base = ui_url or (uri if uri.startswith(("http://", "https://")) else None)
    try:
        names = _experiments(client)
        if experiment is not None:
            found = client.get_experiment_by_name(experiment)
            if found is None:
                shown = ", ".join(sorted(names.values())) or "none"
                raise ImportFailed(
                    f"no experiment named {experiment!r} in {uri}",
                    f"give one of the experiments there: {shown}",
                )
            names = {found.experiment_id: found.name}
        runs = _runs(client, uri, list(names), run_ids)
        for run in runs:
            if run.info.experiment_id not in names:
                if experiment is not None:
                    raise ImportFailed(
                        f"run {run.info.run_id} is not in experiment {experiment!r}",
                        "leave out --experiment, or give a run of that experiment",
                    )
                names[run.info.experiment_id] = client.get_experiment(run.info.experiment_id).name
            yield _draft(run, names[run.info.experiment_id], base, project)
    except MlflowException as exc:
        raise ImportFailed(
            f"MLflow could not read {uri}: {_first_line(exc)}",
            "check the tracking URI (--tracking-uri) and that the store is reachable",
        ) from exc


def _client(tracking_uri: str | None) -> tuple[Any, str]:
    os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "WARNING")  # no INFO lines about tables
    try:
        import mlflow
        from mlflow.exceptions import MlflowException
        from mlflow.tracking import MlflowClient
    except ImportError as exc:
        raise ImportFailed(
            "importing MLflow runs needs MLflow's client, which is not installed", INSTALL
        ) from exc
    uri = tracking_uri or os.environ.get("MLFLOW_TRACKING_URI") or mlflow.get_tracking_uri()
    _refuse_to_create(uri)
    try:
        return MlflowClient(tracking_uri=uri), uri
    except ImportError as exc:  # a SQL store without sqlalchemy or alembic
        raise ImportFailed(
            f"reading {uri} needs {exc.name or exc}, not installed", INSTALL
        ) from exc
    except MlflowException as exc:
        raise ImportFailed(
            f"MLflow cannot open {uri}: {_first_line(exc)}",
            "check the tracking URI (--tracking-uri)",
        ) from exc


def _refuse_to_create(uri: str) -> None:
    """MLflow creates a store that is not there; an import only reads, so a missing
    database or folder is an error, not a new empty store in the user's repository."""
    parts = urlsplit(uri)
    if parts.scheme == "sqlite":
        name = unquote(uri.split("://", 1)[1].removeprefix("/")) if "://" in uri else ""
        if name != ":memory:" and not (name and Path(name).is_file()):
            raise ImportFailed(
                f"there is no MLflow database at {name}",
                "give the tracking URI of an existing store, e.g. --tracking-uri"
                " sqlite:///mlflow.db (a relative path is from the current folder)",
            )
    elif parts.scheme in ("", "file"):
        folder = Path(unquote(parts.path) if parts.scheme == "file" else uri)
        if not folder.is_dir():
            raise ImportFailed(
                f"there is no MLflow store at {uri}",
                "give the tracking URI of an existing store with --tracking-uri"
                " (sqlite:///mlflow.db, ./mlruns or http://host:5000)",
            )
        # A folder store is read-only here; MLflow 3 asks for this before reading one.
        os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")


def _experiments(client: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    token = None
    while True:
        page = client.search_experiments(max_results=1000, page_token=token)
        found.update((e.experiment_id, e.name) for e in page)
        token = page.token
        if not token:
            return found


def _runs(client: Any, uri: str, experiment_ids: list[str], run_ids: list[str]) -> list[Any]:
    from mlflow.exceptions import MlflowException

    if run_ids:
        runs = []
        for run_id in run_ids:
            try:
                runs.append(client.get_run(run_id))
            except MlflowException as exc:
                raise ImportFailed(
                    f"no run {run_id} in {uri} ({_first_line(exc)})",
                    "give the id of a run there (the MLflow UI shows it on the run's page)",
                ) from exc
        return runs
    if not experiment_ids:
        return []
    runs, token = [], None
    while True:
        page = client.search_runs(
            experiment_ids,
            order_by=["attributes.start_time ASC"],
            max_results=1000,
            page_token=token,
        )
        runs.extend(page)
        token = page.token
        if not token:
            return runs


def _first_line(exc: Exception) -> str:
    text = str(getattr(exc, "message", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _when(ms: int | None) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(ms / 1000).astimezone() if ms else None


def _draft(run: Any, experiment: str, base: str | None, project: str | None) -> Draft | Skip:
    info, data = run.info, run.data
    tags: dict[str, str] = dict(data.tags)
    name = info.run_name or tags.get("mlflow.runName") or info.run_id[:8]
    label = f'run {info.run_id[:8]} "{name}"'
    started = _when(info.start_time)
    if started is None:
        return Skip(label, "has no start time in MLflow")
    metrics, odd = finite_metrics(dict(data.metrics))
    wanted = tags.get(TAG_PREFIX + "status", "").strip()
    status = wanted if wanted in STATUSES else STATUS.get(info.status, "inconclusive")
    outcome = tags.get(TAG_PREFIX + "outcome") or _outcome(info.status, metrics, status)
    user = tags.get("mlflow.user") or info.user_id
    page = f"/#/experiments/{info.experiment_id}/runs/{info.run_id}"
    links = [base.rstrip("/") + page] if base else []
    body = [tags.get(NOTE, "").strip()]
    if info.status in ("FAILED", "KILLED"):
        ended = "failed" if info.status == "FAILED" else "was killed"
        body.append(
            f"The run {ended} in MLflow (status {info.status}); its metrics are the last"
            " values it logged."
        )
    body.append("## Run\n\n" + table(_facts(run, experiment, started), ("field", "value")))
    if data.params:
        body.append("## Parameters\n\n" + table(sorted(data.params.items()), ("name", "value")))
    if odd:
        rows = [(key, str(value)) for key, value in sorted(odd.items())]
        body.append("## Other metrics\n\n" + table(rows, ("metric", "last value")))
    own = {k: v for k, v in tags.items() if not k.startswith(("mlflow.", TAG_PREFIX)) and k != NOTE}
    if own:
        body.append("## Tags\n\n" + table(sorted(own.items()), ("tag", "value")))
    return Draft(
        source=f"mlflow:{info.run_id}",
        label=label,
        title=name,
        day=started.date(),
        status=status,
        question=tags.get(TAG_PREFIX + "question") or NOT_RECORDED.format(source=SOURCE),
        outcome=outcome,
        project=project or (experiment if experiment != "Default" else None),
        authors=[user] if user else [],
        metrics=metrics,
        dataset=_dataset(run),
        links=links,
        body="\n\n".join(part for part in body if part) + "\n",
    )


def _outcome(run_status: str, metrics: dict[str, float], status: str) -> str | None:
    if status in ("planned", "running"):
        return None
    values = f": {metric_summary(metrics)}" if metrics else ""
    if run_status == "FAILED":
        return f"The run failed{values}."
    if run_status == "KILLED":
        return f"The run was killed{values}."
    if metrics:
        return f"Final values{values}."
    return NOT_RECORDED.format(source=SOURCE)


def _facts(run: Any, experiment: str, started: dt.datetime) -> list[tuple[str, str]]:
    info, tags = run.info, run.data.tags
    rows = [
        ("experiment", f"{experiment} (id {info.experiment_id})"),
        ("run id", info.run_id),
        ("status", info.status),
        ("started", started.isoformat(timespec="seconds")),
    ]
    ended = _when(info.end_time)
    if ended is not None:
        minutes = (ended - started).total_seconds() / 60
        rows.append(("ended", f"{ended.isoformat(timespec='seconds')} ({minutes:.1f} min)"))
    for key, label in (
        ("mlflow.user", "user"),
        ("mlflow.source.name", "source"),
        ("mlflow.source.git.commit", "git commit"),
        ("mlflow.parentRunId", "parent run"),
    ):
        if tags.get(key):
            rows.append((label, tags[key]))
    return rows


def _dataset(run: Any) -> str | None:
    """The dataset's name when the run logged exactly one input dataset."""
    inputs = getattr(run, "inputs", None)
    datasets = getattr(inputs, "dataset_inputs", None) or []
    names = {d.dataset.name for d in datasets if getattr(d, "dataset", None)}
    return names.pop() if len(names) == 1 else None
