"""`researchlog init`: add a research log to an existing repository, never overwriting."""

from __future__ import annotations

import json
import string
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ..read.schema import json_schema

GITIGNORE_LINES = ("site/", ".researchlog-cache/")


@dataclass
class InitReport:
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class InitRefused(Exception):
    """init would have to overwrite something."""


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def _template(name: str) -> str:
    return (resources.files("researchlog") / "templates" / "init" / name).read_text(
        encoding="utf-8"
    )


def init(target: Path, log_dir: str = "log", playbook_dir: str = "playbook") -> InitReport:
    """Create mkdocs.yml and starters for log/ and playbook/ in `target`."""
    target = target.resolve()
    if not target.is_dir():
        raise InitRefused(f"{target} is not a folder; create it first or pick another one")
    report = InitReport()
    config = target / "mkdocs.yml"
    if config.exists() or (target / "mkdocs.yaml").exists():
        raise InitRefused(
            f"{config.name} already exists in {target}, so nothing was changed; add the plugin"
            " to it by hand: plugins: [researchlog] and docs_dir: playbook"
        )
    files = {
        "mkdocs.yml": string.Template(_template("mkdocs.yml")).substitute(
            site_name=target.name.replace("-", " ").replace("_", " ").title() + " research log",
            log_dir=log_dir,
            playbook_dir=playbook_dir,
        ),
        f"{log_dir}/entry.schema.json": schema_text(),
        f"{playbook_dir}/index.md": _template("index.md"),
    }
    for relative, text in files.items():
        path = target / relative
        if path.exists():
            report.kept.append(relative)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as stream:
            stream.write(text)
        report.created.append(relative)
    gitignore = target / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text("\n".join(GITIGNORE_LINES) + "\n", encoding="utf-8")
        report.created.append(".gitignore")
    else:
        present = gitignore.read_text(encoding="utf-8", errors="replace").splitlines()
        missing = [line for line in GITIGNORE_LINES if line not in present]
        if missing:
            report.notes.append(
                f".gitignore exists and was left alone; consider adding: {' '.join(missing)}"
            )
    return report
