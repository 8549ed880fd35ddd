"""`researchlog init`: add a research log to an existing repository, never overwriting.

A repository without a MkDocs site gets mkdocs.yml. One with its own (mkdocs.yml and docs/,
as many ML repositories have) keeps it untouched: the log gets researchlog.yml, a whole MkDocs
configuration of its own that every researchlog command finds first, building into a site
folder of its own.
"""

from __future__ import annotations

import json
import os
import re
import string
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ..core.settings import CONFIG_NAMES, OWN_CONFIG, PLUGIN, read_config
from ..read.files import ENTRY_SUFFIXES
from ..read.frontmatter import quick_status
from ..read.schema import json_schema

SITE_DIR = "site"
OWN_SITE_DIR = "research-site"  # beside a repository's own site/, never in its place
SHOWN_FILES = 5  # files named in a warning; the rest are counted
REPO_URL_HINT = "# repo_url: https://github.com/your-team/your-repo   # commits and code link here"


@dataclass
class InitReport:
    config: str = "mkdocs.yml"  # the config file written
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class InitRefused(Exception):
    """init would have to overwrite something, or take over a folder that is not a log."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def _template(name: str) -> str:
    return (resources.files("researchlog") / "templates" / "init" / name).read_text(
        encoding="utf-8"
    )


def site_name(folder: str) -> str:
    """A readable name for the site from the repository's folder: "nanoGPT" keeps its
    casing ("nanoGPT research log"); an all-lowercase name gets a capital and spaces
    ("my_repo" -> "My repo research log")."""
    words = " ".join(re.split(r"[-_\s]+", folder)).strip()
    if not words:
        return "Research log"
    if words == words.lower():
        words = words[0].upper() + words[1:]
    if words.lower().endswith(("research log", "research-log")) or words.lower() == "log":
        return words
    return f"{words} research log"


def init(
    target: Path,
    log_dir: str = "log",
    playbook_dir: str = "playbook",
    *,
    log_dir_chosen: bool = False,
) -> InitReport:
    """Create the config file and starters for the log and playbook folders in `target`.
    `log_dir_chosen`: the folder was named by the user, who knows what is in it."""
    target = target.resolve()
    if not target.is_dir():
        raise InitRefused(f"{target} is not a folder", "create it first, or pick another one")
    own = next((name for name in CONFIG_NAMES[:2] if (target / name).is_file()), None)
    theirs = next((name for name in CONFIG_NAMES[2:] if (target / name).is_file()), None)
    configured = own or (theirs if theirs and _has_plugin(target / theirs) else None)
    if configured:
        raise InitRefused(
            f"{configured} already exists in {target} and configures a research log, so"
            " nothing was changed",
            f"edit {configured}, or run `researchlog check` to see where the log stands",
        )
    report = InitReport(config=OWN_CONFIG if theirs else "mkdocs.yml")
    report.warnings = _log_folder_warnings(target, log_dir, log_dir_chosen)
    values = {
        "site_name": json.dumps(site_name(target.name), ensure_ascii=False),
        "log_dir": log_dir,
        "playbook_dir": playbook_dir,
        "beside": "",
    }
    site_dir = SITE_DIR
    if theirs:
        data = read_config(target / theirs)
        site_dir = OWN_SITE_DIR
        if str(data.get("site_dir") or SITE_DIR).strip("/") == site_dir:
            site_dir = f"{OWN_SITE_DIR}-log"
        repo_url = data.get("repo_url")
        values["beside"] = _beside(theirs, site_dir, repo_url if isinstance(repo_url, str) else "")
        report.notes.append(
            f"{theirs} and the docs it builds are left as they are: `mkdocs build` builds them"
            f" as before; the research log is {OWN_CONFIG}, built into {site_dir}/"
        )
    else:
        values["beside"] = REPO_URL_HINT + "\n"
    files = {
        report.config: string.Template(_template("mkdocs.yml")).substitute(values),
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
    ignored = (f"{site_dir}/", ".researchlog-cache/")
    gitignore = target / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text("\n".join(ignored) + "\n", encoding="utf-8")
        report.created.append(".gitignore")
    else:
        present = gitignore.read_text(encoding="utf-8", errors="replace").splitlines()
        missing = [line for line in ignored if line not in present]
        if missing:
            report.notes.append(
                f".gitignore exists and was left alone; consider adding: {' '.join(missing)}"
            )
    return report


def _has_plugin(config: Path) -> bool:
    plugins = read_config(config).get("plugins") or []
    if isinstance(plugins, dict):
        return PLUGIN in plugins
    return isinstance(plugins, list) and any(
        item == PLUGIN or (isinstance(item, dict) and PLUGIN in item) for item in plugins
    )


def _beside(theirs: str, site_dir: str, repo_url: str) -> str:
    """The lines that keep the log apart from the repository's own MkDocs site."""
    lines = [
        f"# This repository's own site is {theirs} (with its docs); this file is the research",
        "# log's, found first by every researchlog command. `mkdocs build -f researchlog.yml`",
        "# builds it too.",
        f"site_dir: {site_dir}",
    ]
    if repo_url:
        lines.append(f"repo_url: {json.dumps(repo_url)}   # commits and code link to the forge")
    else:
        lines.append(REPO_URL_HINT)
    return "\n".join(lines) + "\n"


def _log_folder_warnings(target: Path, log_dir: str, chosen: bool) -> list[str]:
    """What init says about files already in the log folder. A folder holding files but no
    entry is someone else's (training logs, often): init stops, unless it was chosen."""
    folder = target / log_dir
    if not folder.is_dir():
        return []
    entries: list[str] = []
    pages: list[str] = []  # Markdown or notebooks without front matter: reported as errors
    others: list[str] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or name == "entry.schema.json":
                continue
            path = Path(dirpath, name)
            rel = path.relative_to(target).as_posix()
            if name.endswith(ENTRY_SUFFIXES):
                (entries if _is_entry(path) else pages).append(rel)
            else:
                others.append(rel)
    if not pages and not others:
        return []
    if not entries and not chosen:
        found = [*pages, *others]
        raise InitRefused(
            f"{log_dir}/ already holds {_count(found, 'file')} and no research log entry"
            f" ({_names(found)}): a log there would publish them with its site, and report"
            " Markdown without front matter as broken entries; nothing was changed",
            "keep the research log in a folder of its own: researchlog init --log-dir research"
            f" (or, to use {log_dir}/ anyway: researchlog init --log-dir {log_dir})",
        )
    warnings = []
    if pages:
        one = len(pages) == 1
        warnings.append(
            f"{_count(pages, 'file')} in {log_dir}/ {'has' if one else 'have'} no front matter"
            f" and will be reported as {'a broken entry' if one else 'broken entries'}"
            f" ({_names(pages)}); add front matter, or move {'it' if one else 'them'} out of"
            f" {log_dir}/"
        )
    if others and not entries:
        warnings.append(
            f"{_count(others, 'file')} in {log_dir}/ will be published with the site"
            f" ({_names(others)}); move out of {log_dir}/ what should not be"
        )
    return warnings


def _is_entry(path: Path) -> bool:
    try:
        data = path.read_bytes()
    except OSError:
        return False
    return quick_status(path.name, data) is not None


def _count(paths: list[str], noun: str) -> str:
    return f"{len(paths)} {noun}{'' if len(paths) == 1 else 's'}"


def _names(paths: list[str]) -> str:
    shown = ", ".join(paths[:SHOWN_FILES])
    return shown + (f" and {len(paths) - SHOWN_FILES} more" if len(paths) > SHOWN_FILES else "")
