"""Building and serving the site through MkDocs, with a build that never half-replaces a site."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from .settings import CONFIG_NAMES, find_config


class BuildFailed(Exception):
    pass


def _config_path(config_file: str | None) -> Path:
    if config_file:
        path = Path(config_file)
        if not path.is_file():
            raise BuildFailed(f"{config_file} does not exist")
        return path.resolve()
    found = find_config(Path.cwd())
    if found is None:
        raise BuildFailed(
            f"no {' or '.join(CONFIG_NAMES)} here or above; run `researchlog init` to create one"
        )
    return found


def _configured_site_dir(config: Path) -> Path:
    try:
        data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError:
        data = {}  # MkDocs will report the real problem
    except OSError as exc:
        raise BuildFailed(f"cannot read {config}: {exc.strerror}") from exc
    site_dir = data.get("site_dir", "site") if isinstance(data, dict) else "site"
    return (config.parent / str(site_dir)).resolve()


def _environment() -> dict[str, str]:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def build_site_atomically(
    config_file: str | None, *, strict: bool = False, site_dir: str | None = None
) -> Path:
    """Build into a temporary folder and swap it in only when the build succeeded."""
    config = _config_path(config_file)
    target = Path(site_dir).resolve() if site_dir else _configured_site_dir(config)
    target.parent.mkdir(parents=True, exist_ok=True)
    building = target.with_name(f".{target.name}.building-{os.getpid()}")
    retired = target.with_name(f".{target.name}.old-{os.getpid()}")
    command = [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "--config-file",
        str(config),
        "--site-dir",
        str(building),
    ]
    if strict:
        command.append("--strict")
    try:
        result = subprocess.run(command, env=_environment(), check=False)
        if result.returncode != 0:
            raise BuildFailed(
                f"the build failed (exit {result.returncode}); the previous site in"
                f" {target} was left as it was"
            )
        if target.exists():
            target.rename(retired)
        building.rename(target)
    finally:
        shutil.rmtree(building, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)
    return target


def serve(config_file: str | None, dev_addr: str) -> None:
    config = _config_path(config_file)
    command = [
        sys.executable,
        "-m",
        "mkdocs",
        "serve",
        "--config-file",
        str(config),
        "--dev-addr",
        dev_addr,
        "--livereload",
    ]
    with contextlib.suppress(KeyboardInterrupt):
        subprocess.run(command, env=_environment(), check=False)
