"""What every engine shares: choosing one, the site folder it writes (checked before
anything is written, swapped in only when the build succeeded), and the address it serves on.
"""

from __future__ import annotations

import errno
import importlib.util
import os
import shutil
import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

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
from .unchanged import forget, inputs_digest, record, unchanged, warnings_printed


class Engine(Protocol):
    """An engine renders the site the log makes: MkDocs, ProperDocs or Zensical."""

    @property
    def name(self) -> str: ...

    @property
    def title(self) -> str:
        """The engine's name as users know it."""

    def available(self) -> bool: ...

    def version(self) -> str: ...

    def build(self, config: Path, site_dir: Path, *, strict: bool) -> None:
        """Build the whole site into `site_dir`; BuildFailed when it cannot."""

    def serve(self, config: Path, host: str, port: int) -> None:
        """Serve the site, rebuilding as the log changes, until interrupted."""


def installed(*packages: str) -> bool:
    """Whether these packages can be imported (present, and not broken)."""
    for package in packages:
        if importlib.util.find_spec(package) is None:
            return False
        try:
            importlib.import_module(package)
        except ImportError:
            return False
    return True


class BuildFailed(Exception):
    pass


class BuildInterrupted(Exception):
    """Ctrl-C: the build stopped, the last good site is in place."""


BuildRefused = SiteFolderRefused  # the site folder, or the address to serve on, is refused


def config_path(config_file: str | None) -> Path:
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


@dataclass(frozen=True)
class SiteTarget:
    path: Path  # the site folder
    setting: str  # what chose it, for messages
    cache: Path  # the build's cache folder
    custom_dir: Path | None  # the theme's own templates, if the config names a folder


def site_target(config: Path, site_dir: str | None) -> SiteTarget:
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
    custom_dir = str(theme.get("custom_dir") or "") or None
    folders = sources(
        root,
        log_dir=settings.log_dir,
        playbook_dir=settings.playbook_dir,
        docs_dir=str(data.get("docs_dir") or "docs"),
        custom_dir=custom_dir,
        cache_dir=settings.cache_dir,
    )
    check_site_folder(target, setting, folders)
    check_replaceable(target, setting)
    return SiteTarget(
        target, setting, settings.cache_path, root / custom_dir if custom_dir else None
    )


@dataclass(frozen=True)
class Built:
    site: Path
    unchanged: bool  # nothing the build reads had changed: the site was kept as it was


def build_site_atomically(
    engine: Engine, config: Path, *, strict: bool = False, site_dir: str | None = None
) -> Built:
    """Build into a temporary folder and swap it in only when the build succeeded; keep the
    site as it is when nothing it is made from changed since the last build (unchanged.py)."""
    chosen = site_target(config, site_dir)
    target, cache = chosen.path, chosen.cache
    inputs = inputs_digest(
        config.parent,
        config,
        engine.name,
        strict=strict,
        skip=(target, cache),
        folders=[chosen.custom_dir] if chosen.custom_dir else [],
    )
    last = unchanged(cache, inputs, target)
    if last is not None:
        remove_leftovers(target)
        for line in last.warnings:  # as the build that made the site printed them
            print(line, file=sys.stderr)
        return Built(target, unchanged=True)
    forget(cache)  # a build that fails or is stopped leaves no record behind
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(target)
    building, retired = temporary_names(target, os.getpid())
    building.mkdir()
    mark(building)  # a killed build's folder is recognised, and removed, by the next one
    try:
        with warnings_printed() as warnings:
            engine.build(config, building, strict=strict)
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
    record(cache, inputs, target, warnings)
    return Built(target, unchanged=False)


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
