"""Building and serving the site through MkDocs, with a build that never half-replaces a site
and never deletes anything it did not make."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..build.sitefolder import (
    SiteFolderRefused,
    check_replaceable,
    check_site_folder,
    mark,
    remove_leftovers,
    sources,
    temporary_names,
)
from ..core.settings import CONFIG_NAMES, find_config, plugin_options, read_config, settings_from


class BuildFailed(Exception):
    pass


class BuildInterrupted(Exception):
    """Ctrl-C: the build stopped, the last good site is in place."""


BuildRefused = SiteFolderRefused  # the site folder, or the address to serve on, is refused


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


def site_target(config: Path, site_dir: str | None) -> tuple[Path, str]:
    """The site folder and the setting that chose it, checked against every source folder.
    Raises SiteFolderRefused before anything is written or deleted."""
    data = read_config(config)
    root = config.parent
    if site_dir:
        target, setting = Path(site_dir).resolve(), f"--site-dir {site_dir}"
    else:
        value = str(data.get("site_dir") or "site")
        target, setting = (root / value).resolve(), f"site_dir: {value} in {config.name}"
    settings = settings_from(root, data, plugin_options(data))
    theme = data.get("theme")
    theme = theme if isinstance(theme, dict) else {}
    folders = sources(
        root,
        log_dir=settings.log_dir,
        playbook_dir=settings.playbook_dir,
        docs_dir=str(data.get("docs_dir") or "docs"),
        custom_dir=str(theme.get("custom_dir") or "") or None,
        cache_dir=settings.cache_dir,
    )
    check_site_folder(target, setting, folders)
    check_replaceable(target, setting)
    return target, setting


def build_site_atomically(
    config_file: str | None, *, strict: bool = False, site_dir: str | None = None
) -> Path:
    """Build into a temporary folder and swap it in only when the build succeeded."""
    config = _config_path(config_file)
    target, _ = site_target(config, site_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(target)
    building, retired = temporary_names(target, os.getpid())
    building.mkdir()
    mark(building)  # a killed build's folder is recognised, and removed, by the next one
    try:
        _mkdocs_build(config, building, strict=strict)
        if target.exists():
            target.rename(retired)
        building.rename(target)
    except KeyboardInterrupt:
        raise BuildInterrupted(
            f"interrupted: the site in {os.path.relpath(target)} was left as it was"
        ) from None
    finally:
        shutil.rmtree(building, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)
    return target


def _mkdocs_build(config: Path, site_dir: Path, *, strict: bool) -> None:
    """`mkdocs build`, in this process: an interrupt or a failure is handled here, with the
    plugins' resources (worker processes, the search indexer) released either way."""
    from mkdocs import exceptions
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    with _mkdocs_logging():
        try:
            loaded = load_config(str(config), site_dir=str(site_dir), strict=strict or None)
        except exceptions.MkDocsException as exc:
            raise BuildFailed(
                f"the build failed: {config.name} is not valid ({exc.format_message()});"
                " the previous site was left as it was"
            ) from None
        loaded.plugins.on_startup(command="build", dirty=False)
        try:
            build(loaded)
        except exceptions.MkDocsException as exc:
            raise BuildFailed(
                f"the build failed ({exc.format_message()}); the previous site was left as it was"
            ) from None
        except KeyboardInterrupt:
            # MkDocs tells plugins of a failed build, but not of an interrupted one.
            with contextlib.suppress(Exception):
                loaded.plugins.on_build_error(error=InterruptedError("interrupted"))
            raise
        finally:
            loaded.plugins.on_shutdown()


@contextlib.contextmanager
def _mkdocs_logging() -> Iterator[None]:
    """MkDocs' own console output, as its command line sets it up."""
    from mkdocs.__main__ import ColorFormatter

    logger = logging.getLogger("mkdocs")
    handler = logging.StreamHandler()
    handler.setFormatter(ColorFormatter())
    saved = logger.level, logger.propagate
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


def check_address(dev_addr: str) -> tuple[str, int]:
    """The host and port to serve on, refused before any build if it is malformed or taken."""
    host, _, port_text = dev_addr.rpartition(":")
    if not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise SiteFolderRefused(
            f"--dev-addr {dev_addr} is not an address: write IP:PORT",
            "for example --dev-addr 127.0.0.1:8000",
        )
    port = int(port_text)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise SiteFolderRefused(
            f"--dev-addr {dev_addr}: {host} is not a known host ({exc.strerror})",
            "for example --dev-addr 127.0.0.1:8000",
        ) from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise SiteFolderRefused(
                    f"{host}:{port} is already in use (another `researchlog serve`?)",
                    f"stop it, or serve on another port: --dev-addr {host}:{port + 1}",
                ) from None
            raise SiteFolderRefused(
                f"cannot serve on {host}:{port}: {exc.strerror}",
                "choose another address with --dev-addr IP:PORT",
            ) from None
    return host, port


def serve(config_file: str | None, dev_addr: str) -> None:
    config = _config_path(config_file)
    check_address(dev_addr)
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


def _environment() -> dict[str, Any]:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
