"""MkDocs and ProperDocs: the researchlog plugin renders through them, in this process.

ProperDocs is a maintained continuation of MkDocs 1.6: it loads the same plugins and themes,
and answers every `mkdocs.*` import once `properdocs.replacement` is imported, which must come
before anything imports MkDocs. Worker processes are told to do the same (core/workers.py).
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from .base import BuildFailed, installed

ENGINE_VARIABLE = "RESEARCHLOG_ENGINE"  # read by worker processes (core/workers.py)


@dataclass(frozen=True)
class MkDocsEngine:
    name: str  # mkdocs | properdocs
    title: str
    package: str  # the import name

    def available(self) -> bool:
        return installed(self.package, "material")

    def version(self) -> str:
        return f"{self.title} {metadata.version(self.package)}"

    def activate(self) -> None:
        """Make `mkdocs` this engine in this process and in the workers it starts."""
        os.environ[ENGINE_VARIABLE] = self.name
        os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
        if self.package == "properdocs":
            import properdocs.replacement  # noqa: F401 - it aliases every mkdocs import

    def build(self, config: Path, site_dir: Path, *, strict: bool) -> None:
        """`mkdocs build`, in this process: an interrupt or a failure is handled here, with
        the plugins' resources (worker processes, the search indexer) released either way."""
        self.activate()
        from mkdocs import exceptions
        from mkdocs.commands.build import build
        from mkdocs.config import load_config

        with self._logging():
            try:
                loaded = load_config(str(config), site_dir=str(site_dir), strict=strict or None)
            except exceptions.MkDocsException as exc:
                raise BuildFailed(
                    f"the build failed: {config.name} is not valid ({exc.format_message()});"
                    " the previous site was left as it was"
                ) from None
            # The site folder is new and empty: a "dirty" build only means that pages kept
            # from earlier builds (build/outputs.py) are not rendered again.
            loaded.plugins.on_startup(command="build", dirty=True)
            try:
                build(loaded, dirty=True)
            except exceptions.MkDocsException as exc:
                raise BuildFailed(
                    f"the build failed ({exc.format_message()}); the previous site was left"
                    " as it was"
                ) from None
            except KeyboardInterrupt:
                # MkDocs tells plugins of a failed build, but not of an interrupted one.
                with contextlib.suppress(Exception):
                    loaded.plugins.on_build_error(error=InterruptedError("interrupted"))
                raise
            finally:
                loaded.plugins.on_shutdown()

    def serve(self, config: Path, host: str, port: int) -> None:
        """`mkdocs serve`, in this process, with live reload."""
        self.activate()
        from mkdocs.commands.serve import serve

        with self._logging(), contextlib.suppress(KeyboardInterrupt):
            serve(
                config_file=str(config),
                dev_addr=f"{host}:{port}",
                livereload=True,
                build_type="dirty",  # pages whose inputs are unchanged are not rendered again
            )

    @contextlib.contextmanager
    def _logging(self) -> Iterator[None]:
        """The engine's own console output, as its command line sets it up."""
        from mkdocs.__main__ import ColorFormatter

        logger = logging.getLogger(self.package)
        handler = logging.StreamHandler()
        handler.setFormatter(ColorFormatter())
        # Filtered at the logger, so that --strict does not count it either.
        build_logger = logging.getLogger(f"{self.package}.commands.build")
        build_logger.addFilter(_no_dirty_notice)
        saved = logger.level, logger.propagate
        logger.setLevel(logging.INFO)
        logger.propagate = False
        logger.addHandler(handler)
        # Plugins that log on `mkdocs.*` (as researchlog's own modules do, by name) are heard,
        # and counted by --strict, under ProperDocs too.
        mkdocs_logger = logging.getLogger("mkdocs")
        parent = mkdocs_logger.parent
        if self.package != "mkdocs":
            mkdocs_logger.parent = logger
        try:
            yield
        finally:
            build_logger.removeFilter(_no_dirty_notice)
            mkdocs_logger.parent = parent
            logger.removeHandler(handler)
            logger.setLevel(saved[0])
            logger.propagate = saved[1]


def _no_dirty_notice(record: logging.LogRecord) -> bool:
    """MkDocs warns that a dirty build may leave stale navigation; researchlog's builds start
    from an empty folder and reuse only pages whose every input is unchanged."""
    return not record.getMessage().startswith(
        ("A 'dirty' build is being performed", "The directory contains stale files")
    )


MKDOCS = MkDocsEngine("mkdocs", "MkDocs", "mkdocs")
PROPERDOCS = MkDocsEngine("properdocs", "ProperDocs", "properdocs")
