"""A DVCLive output folder as an entry, read from the files DVCLive writes (no DVC needed).

`metrics.json` holds the last value of each metric (nested by "/"), `params.yaml` the
parameters, `plots/metrics/**.tsv` each metric by step, `plots/images/` images and
`plots/sklearn/`, `plots/custom/` plot data. `report.html` is not copied: it loads its
charts' scripts from other hosts, and its images are the ones in plots/images/.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from .common import (
    NOT_RECORDED,
    Asset,
    Draft,
    ImportFailed,
    Skip,
    file_day,
    finite_metrics,
    metric_summary,
    table,
)

NOUN = "DVCLive folder"
SOURCE = "DVCLive's files"
FILES = ("metrics.json", "params.yaml")
IMAGES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")
MAX_ROWS = 20  # steps shown per metric; the whole series is in its .tsv beside the entry


def drafts(
    path: Path,
    root: Path,
    *,
    title: str | None = None,
    day: dt.date | None = None,
    project: str | None = None,
) -> Iterator[Draft | Skip]:
    folder = output_folder(path)
    where = _identity(folder, root)
    label = f"DVCLive folder {os.path.relpath(folder)}"
    try:
        yield _draft(folder, f"{where}#{_results(folder)}", label, title, day, project)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        yield Skip(label, f"cannot be read ({exc})")


def output_folder(path: Path) -> Path:
    """The folder DVCLive wrote: PATH itself, or PATH/dvclive (DVCLive's default)."""
    if not path.exists():
        raise ImportFailed(f"{path} does not exist", "give the folder DVCLive wrote (dvclive/)")
    for folder in (path, path / "dvclive"):
        if any((folder / name).is_file() for name in FILES) or (folder / "plots").is_dir():
            return folder
    raise ImportFailed(
        f"no DVCLive output in {path} (no metrics.json, params.yaml or plots/)",
        "give the folder DVCLive wrote: dvclive/ by default, or the dir= given to Live()",
    )


def _results(folder: Path) -> str:
    """A short digest of the folder's results. DVCLive empties its folder at each training
    run, so the path alone names every run made there; with the digest, the next run's
    results are new, and the same results are already imported."""
    digest = hashlib.sha256()
    for name in FILES:
        file = folder / name
        digest.update(name.encode() + b"\0" + (file.read_bytes() if file.is_file() else b""))
    return digest.hexdigest()[:12]


def _identity(folder: Path, root: Path) -> str:
    """The folder relative to the log's repository when it is inside, else its full path."""
    resolved = folder.resolve()
    try:
        return resolved.relative_to(root.resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def _draft(
    folder: Path,
    where: str,
    label: str,
    title: str | None,
    day: dt.date | None,
    project: str | None,
) -> Draft:
    dated: list[Path] = []
    metrics_file, params_file = folder / "metrics.json", folder / "params.yaml"
    raw_metrics: dict[str, Any] = {}
    if metrics_file.is_file():
        raw_metrics = _flat(json.loads(metrics_file.read_text(encoding="utf-8")))
        raw_metrics.pop("step", None)  # DVCLive's own step counter
        dated.append(metrics_file)
    params: dict[str, Any] = {}
    if params_file.is_file():
        params = _flat(yaml.safe_load(params_file.read_text(encoding="utf-8")) or {})
        dated.append(params_file)
    metrics, odd = finite_metrics(raw_metrics)
    assets: dict[str, Asset] = {}
    body: list[str] = []
    if odd:
        rows = [(name, str(value)) for name, value in odd.items()]
        body.append("## Other metrics\n\n" + table(rows, ("metric", "last value")))
    if params:
        rows = [(name, _shown(value)) for name, value in params.items()]
        body.append("## Parameters\n\n" + table(rows, ("name", "value")))
    series = sorted((folder / "plots/metrics").rglob("*.tsv"))
    if series:
        parts = ["## Metrics by step"]
        for file in series:
            name = file.relative_to(folder / "plots/metrics").with_suffix("").as_posix()
            key = file.relative_to(folder).as_posix()
            assets[key] = Asset(key, file)
            parts.append(f"### {name}\n\n{_steps(file)}\n\nAll steps: [{file.name}]({key})")
            dated.append(file)
        body.append("\n\n".join(parts))
    plots = sorted(p for p in (folder / "plots").rglob("*") if p.is_file())
    images = [p for p in plots if p.suffix.lower() in IMAGES]
    data = [p for p in plots if p.suffix == ".json"]
    if images or data:
        parts = ["## Plots"]
        for file in images:
            key = file.relative_to(folder).as_posix()
            assets[key] = Asset(key, file)
            parts.append(f"![{file.stem}]({key})")
        for file in data:
            key = file.relative_to(folder).as_posix()
            assets[key] = Asset(key, file)
            parts.append(f"- [{key.removeprefix('plots/')}]({key}) (plot data)")
        body.append("\n\n".join(parts))
    if not dated and not assets:
        raise ValueError("it has no metrics, parameters or plots")
    name = folder.parent.name if folder.name == "dvclive" else folder.name
    summary = f"Final values: {metric_summary(metrics)}." if metrics else None
    return Draft(
        source=f"dvclive:{where}",
        label=label,
        title=title or f"{name} (DVCLive)",
        day=day or max(file_day(p) for p in dated or [folder]),
        question=NOT_RECORDED.format(source=SOURCE),
        outcome=summary or NOT_RECORDED.format(source=SOURCE),
        project=project,
        metrics=metrics,
        body="\n\n".join(body) + "\n" if body else "",
        assets=assets,
    )


def _flat(data: Any, prefix: str = "") -> dict[str, Any]:
    """{"train": {"acc": 0.75}} -> {"train/acc": 0.75}, as DVCLive names nested metrics."""
    if not isinstance(data, dict):
        return {prefix.rstrip("/") or "value": data}
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict) and value:
            flat.update(_flat(value, f"{prefix}{key}/"))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _steps(file: Path) -> str:
    """A metric's values by step, as a table (the first and last steps when there are many)."""
    with file.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream, delimiter="\t"))
    if not rows:
        return "(no steps)"
    header, values = rows[0], rows[1:]
    if len(values) > MAX_ROWS:
        half = MAX_ROWS // 2
        values = [*values[:half], ["…"] * len(header), *values[-half:]]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in values]
    return "\n".join(lines)
