"""Zensical: the site researchlog makes, staged as plain Markdown and files, built by Zensical.

Zensical reads mkdocs.yml and renders Python-Markdown with a Material-compatible theme, but
runs no third-party MkDocs plugin. So the build makes the whole site itself (the same
BuildSession as with MkDocs), writes every page and file into a staging folder with a config
derived from the user's, and runs Zensical's own command on it. A staged file is rewritten
only when its content changes, so Zensical's differential rebuilds pay off. The search index
(pagefind) is built from the log, as with MkDocs, and added to the output.

What differs from MkDocs is said in the build's output and in the README: Zensical builds
every page it finds, warns about links of its own accord, and knows no other plugin.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import yaml

from ..build.session import BuildSession, Output
from ..build.sitefolder import MARKER
from ..core.collector import collection_paused
from ..core.problems import Problem
from ..core.settings import read_config, settings_of, with_usable_cache
from ..pages.model import NavItem, Site, StaticFile
from ..read.links import link_spans, link_target
from ..views import NOTEBOOK_STYLESHEET, REQUIRED_EXTENSIONS, SCRIPT, STYLESHEET
from ..views.search import BUNDLE_DIR, SEARCH_SCRIPT, SEARCH_STYLESHEET, status_filters
from .base import BuildFailed, installed

STAGE = "zensical"  # below the cache folder
# Zensical's theme has no styles for Material's search box, which researchlog's search uses:
# they are taken from the installed mkdocs-material, rule by rule.
SEARCH_BOX_STYLESHEET = "assets/researchlog/search-box.css"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class _Counting:
    """The build's output on the terminal, counting problems for --strict."""

    problems: list[Problem] = field(default_factory=list)

    def info(self, message: str) -> None:
        print(f"INFO    -  researchlog: {message}", file=sys.stderr)

    def problem(self, problem: Problem) -> None:
        self.problems.append(problem)
        level = "ERROR" if problem.is_error else "WARNING"
        print(f"{level:<8}-  researchlog: {problem.format()}", file=sys.stderr)

    def error(self, message: str) -> None:
        self.problems.append(Problem(".", None, message))
        print(f"ERROR   -  researchlog: {message}", file=sys.stderr)


@dataclass(frozen=True)
class ZensicalEngine:
    name: str = "zensical"
    title: str = "Zensical"

    def available(self) -> bool:
        return installed("zensical")

    def version(self) -> str:
        return f"{self.title} {metadata.version('zensical')}"

    def build(self, config: Path, site_dir: Path, *, strict: bool) -> None:
        counting = _Counting()
        stage = prepare(config, site_dir, counting)
        _run_zensical(["build", "-f", str(stage.config), *(["--strict"] if strict else [])])
        _copy_tree(stage.root / "site", site_dir)
        if strict and counting.problems:
            raise BuildFailed(
                f"the build failed: {len(counting.problems)} problems in strict mode; the"
                " previous site was left as it was"
            )

    def serve(self, config: Path, host: str, port: int) -> None:
        """Zensical serves the staged site and rebuilds what changes in it; researchlog
        stages the log again whenever a file of the log, the playbook or the config changes."""
        from watchdog.events import FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer

        counting = _Counting()
        stage = prepare(config, None, counting)
        settings = settings_of(config)
        lock = threading.Lock()
        pending = threading.Event()

        class Restage(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                path = str(event.src_path)
                if "/." not in path.replace(str(settings.root), ""):
                    pending.set()

        def restage_when_asked() -> None:
            while True:
                pending.wait()
                time.sleep(0.3)  # a save is often several writes
                pending.clear()
                with lock:
                    counting.info("the log changed: staging it again")
                    prepare(config, None, counting)

        observer = Observer()
        for folder in (settings.log_dir, settings.playbook_dir):
            if (settings.root / folder).is_dir():
                observer.schedule(Restage(), str(settings.root / folder), recursive=True)
        observer.schedule(Restage(), str(config.parent), recursive=False)
        observer.start()
        threading.Thread(target=restage_when_asked, daemon=True).start()
        try:
            _run_zensical(["serve", "-f", str(stage.config), "-a", f"{host}:{port}"], live=True)
        finally:
            observer.stop()


def prepare(config: Path, site_dir: Path | None, counting: _Counting) -> Stage:
    """The site made by researchlog, staged for Zensical. The search index goes to
    `site_dir`, or, when Zensical serves the stage, into the staged files."""
    out = Output(info=counting.info, problem=counting.problem, error=counting.error)
    settings, cache_problems = with_usable_cache(settings_of(config))
    stage = Stage(settings.cache_path / STAGE)
    session = BuildSession.start(settings, out, warm_workers=True)
    try:
        for problem in cache_problems:
            out.problem(problem)
        data = read_config(config)
        with collection_paused():
            session.read()
            site = session.make_site(
                directory_urls=bool(data.get("use_directory_urls", True)),
                language=_theme(data).get("language") or "en",
                site_dir=site_dir if site_dir is not None else stage.docs,
            )
        stage.write_site(site, session)
        stage.write_files([StaticFile(SEARCH_BOX_STYLESHEET, material_search_css())])
        stage.write_files(session.finish_notebooks())
        for note in stage.write_config(config, site.nav):
            counting.info(note)
        if site_dir is None:
            session.finish(stage.docs)  # the index is part of what Zensical serves
            stage.keep(stage.docs / BUNDLE_DIR)
            (stage.docs / MARKER).unlink(missing_ok=True)
        stage.remove_stale()
        counting.info(f"Zensical renders {len(site.pages)} pages staged in {stage.root}")
        if site_dir is not None:
            session.finish(site_dir)
    except BaseException:
        session.abort()
        raise
    return stage


class Stage:
    """The folder Zensical builds from: docs/ (every page and file of the site), its config,
    and its output and cache, kept between builds."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.docs = root / "docs"
        self.config = root / "mkdocs.yml"
        self.written: set[Path] = set()

    def write_site(self, site: Site, session: BuildSession) -> None:
        notebooks = {p.src_uri for p in site.pages if p.src_uri.endswith(".ipynb")}
        for source in site.pages:
            page = source.make()
            text = _notebook_links(page.src_uri, page.inline_markdown(), notebooks)
            self._write(self.docs / _staged(page.src_uri), text.encode("utf-8"))
            self.write_files(session.notebook_files(page.src_uri))
        self.write_files(site.files)

    def write_files(self, files: Iterable[StaticFile]) -> None:
        for static in files:
            target = self.docs / static.src_uri
            if static.source is not None:
                self._copy(static.source, target)
            else:
                self._write(target, static.content or b"")

    def write_config(self, config: Path, nav: tuple[NavItem, ...]) -> list[str]:
        """The user's config, with what the site needs and Zensical understands; returns
        notes on what was left out."""
        derived, notes = derive_config(config, nav, overrides=self._overrides(config))
        self._write(self.config, derived.encode("utf-8"))
        return notes

    def keep(self, folder: Path) -> None:
        """Files written into the stage by something else (the search index) stay."""
        self.written.update(p for p in folder.rglob("*") if p.is_file())

    def remove_stale(self) -> None:
        """Files a page or file of an earlier build left that this build did not write."""
        if not self.docs.is_dir():
            return
        for path in sorted(self.docs.rglob("*"), reverse=True):
            if path.is_file() and path not in self.written:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()

    def _overrides(self, config: Path) -> Path:
        """researchlog's template overrides, under the user's own (theirs win)."""
        folder = self.root / "overrides"
        ours = Path(str(resources.files("researchlog") / "overrides"))
        theme = _theme(read_config(config))
        layers = [ours]
        if theme.get("custom_dir"):
            layers.append(config.parent / str(theme["custom_dir"]))
        for layer in layers:
            for path in sorted(layer.rglob("*")):
                if path.is_file():
                    self._copy(path, folder / path.relative_to(layer), record=False)
        return folder

    def _write(self, target: Path, content: bytes, *, record: bool = True) -> None:
        if record:
            self.written.add(target)
        with contextlib.suppress(OSError):
            if target.read_bytes() == content:
                return  # unchanged: Zensical's cache keeps its rendering
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)

    def _copy(self, source: Path, target: Path, *, record: bool = True) -> None:
        if record:
            self.written.add(target)
        with contextlib.suppress(OSError):
            there, here = target.stat(), source.stat()
            if there.st_size == here.st_size and there.st_mtime_ns == here.st_mtime_ns:
                return
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def derive_config(
    config: Path, nav: tuple[NavItem, ...], *, overrides: Path
) -> tuple[str, list[str]]:
    """The user's config as YAML nodes (tags such as !!python/name: kept as written), with
    the staged docs and site folders, the site's navigation, styles, scripts and Markdown
    extensions, researchlog's templates, and Zensical's own search off (pagefind serves it)."""
    root = yaml.compose(config.read_text(encoding="utf-8"))
    if not isinstance(root, yaml.MappingNode):
        root = yaml.MappingNode("tag:yaml.org,2002:map", [])
    notes = []
    _set(root, "docs_dir", "docs")
    _set(root, "site_dir", "site")
    if _get(root, "nav") is None:
        _set(root, "nav", _nav(nav))
    theme = _get(root, "theme")
    if not isinstance(theme, yaml.MappingNode):
        name = theme.value if isinstance(theme, yaml.ScalarNode) else "material"
        theme = _node({"name": name})
        _set(root, "theme", theme)
    _set(theme, "custom_dir", str(overrides))
    if _get(theme, "variant") is None:
        _set(theme, "variant", "classic")  # Material's look, not Zensical's new one
    _append(
        root,
        "extra_css",
        [SEARCH_BOX_STYLESHEET, STYLESHEET, NOTEBOOK_STYLESHEET, SEARCH_STYLESHEET],
    )
    _append(root, "extra_javascript", [SCRIPT, SEARCH_SCRIPT])
    _extensions(root)
    plugins = _get(root, "plugins")
    if isinstance(plugins, yaml.SequenceNode):
        names = [_plugin_name(item) for item in plugins.value]
        dropped = [n for n in names if n is not None and n not in ("researchlog", "search")]
        if dropped:
            notes.append(
                "Zensical runs no MkDocs plugin; left out of this build: " + ", ".join(dropped)
            )
    _set(root, "plugins", _node([{"search": {"enabled": False}}]))
    extra = _get(root, "extra")
    if not isinstance(extra, yaml.MappingNode):
        extra = _node({})
        _set(root, "extra", extra)
    _set(extra, "researchlog_status_filters", _node([list(f) for f in status_filters()]))
    _set(extra, "generator", False)  # no "Made with" link to another host in the footer
    return yaml.serialize(root), notes


def material_search_css() -> bytes:
    """The rules of mkdocs-material's stylesheet that style its search box (MIT licence, as
    the package ships it), with the media queries they sit in."""
    import tinycss2

    folder = Path(str(resources.files("material"))) / "templates/assets/stylesheets"
    found = sorted(folder.glob("main.*.min.css"))
    if not found:
        return b""
    rules = tinycss2.parse_stylesheet(
        found[0].read_text(encoding="utf-8"), skip_comments=True, skip_whitespace=True
    )
    kept = []
    for rule in rules:
        if _search_rule(rule):
            kept.append(tinycss2.serialize([rule]))
        elif rule.type == "at-rule" and rule.lower_at_keyword == "media" and rule.content:
            inner = [
                r
                for r in tinycss2.parse_rule_list(
                    rule.content, skip_comments=True, skip_whitespace=True
                )
                if _search_rule(r)
            ]
            if inner:
                body = "".join(tinycss2.serialize([r]) for r in inner)
                kept.append(f"@media{tinycss2.serialize(rule.prelude)}{{{body}}}")
    header = "/* From mkdocs-material's stylesheet (MIT licence): its search box. */\n"
    return (header + "\n".join(kept) + "\n").encode("utf-8")


def _search_rule(rule: Any) -> bool:
    if rule.type != "qualified-rule":
        return False
    import tinycss2

    selector = tinycss2.serialize(rule.prelude).replace(" ", "")
    return "md-search" in selector or "data-md-toggle=search" in selector


def _node(value: Any) -> yaml.Node:
    node: yaml.Node = yaml.SafeDumper(None).represent_data(value)  # type: ignore[arg-type]
    return node


def _get(mapping: yaml.MappingNode, key: str) -> Any:
    for name, value in mapping.value:
        if isinstance(name, yaml.ScalarNode) and name.value == key:
            return value
    return None


def _set(mapping: yaml.MappingNode, key: str, value: Any) -> None:
    node = value if isinstance(value, yaml.Node) else _node(value)
    for index, (name, _) in enumerate(mapping.value):
        if isinstance(name, yaml.ScalarNode) and name.value == key:
            mapping.value[index] = (name, node)
            return
    mapping.value.append((_node(key), node))


def _append(mapping: yaml.MappingNode, key: str, items: list[str]) -> None:
    current = _get(mapping, key)
    if not isinstance(current, yaml.SequenceNode):
        current = _node([])
        _set(mapping, key, current)
    have = {n.value for n in current.value if isinstance(n, yaml.ScalarNode)}
    current.value.extend(_node(item) for item in items if item not in have)


def _extensions(root: yaml.MappingNode) -> None:
    current = _get(root, "markdown_extensions")
    if not isinstance(current, yaml.SequenceNode):
        current = _node([])
        _set(root, "markdown_extensions", current)
    names = {_plugin_name(item) for item in current.value}
    for name in REQUIRED_EXTENSIONS:
        if name not in names:
            value: Any = {name: {"custom_checkbox": True}} if name == "pymdownx.tasklist" else name
            current.value.append(_node(value))


def _plugin_name(node: Any) -> str | None:
    if isinstance(node, yaml.ScalarNode):
        return str(node.value)
    if isinstance(node, yaml.MappingNode) and node.value:
        first = node.value[0][0]
        return str(first.value) if isinstance(first, yaml.ScalarNode) else None
    return None


def _nav(items: tuple[NavItem, ...]) -> list[Any]:
    nav: list[Any] = []
    for item in items:
        if item.children:
            nav.append({item.title: _nav(item.children)})
        else:
            nav.append({item.title: _staged(item.src_uri or "")})
    return nav


def _theme(data: Mapping[str, Any]) -> Mapping[str, Any]:
    theme = data.get("theme")
    return theme if isinstance(theme, Mapping) else {}


def _staged(src_uri: str) -> str:
    """Where a page is staged: a notebook entry becomes Markdown at the same place."""
    return src_uri[: -len(".ipynb")] + ".md" if src_uri.endswith(".ipynb") else src_uri


def _notebook_links(src_uri: str, text: str, notebooks: set[str]) -> str:
    """Links to notebook entries point at their staged Markdown, as MkDocs resolves them."""
    if ".ipynb" not in text:
        return text
    pieces = []
    last = 0
    for start, end in link_spans(text):
        href = text[start:end]
        target = link_target(src_uri, href)
        if target in notebooks:
            pieces.append(text[last:start] + href.replace(".ipynb", ".md", 1))
            last = end
    return "".join(pieces) + text[last:]


def _run_zensical(arguments: list[str], *, live: bool = False) -> None:
    """Zensical's own command, its output shown as the build's (without its colours)."""
    command = [sys.executable, "-m", "zensical", *arguments]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    assert process.stdout is not None
    try:
        for raw in process.stdout:
            line = _ANSI.sub("", raw.rstrip())
            if line.strip() and not line.startswith(("Traceback", "  File ")):
                shown = f"          {line}" if line[0].isspace() else f"INFO    -  zensical: {line}"
                print(shown, file=sys.stderr, flush=live)
    except KeyboardInterrupt:
        process.terminate()
        process.wait()
        raise
    if process.wait() != 0 and not live:
        raise BuildFailed(
            f"the build failed: Zensical exited with {process.returncode}; the previous site"
            " was left as it was"
        )


def _copy_tree(source: Path, target: Path) -> None:
    """Zensical's output into the site folder (files it did not make stay, e.g. the index)."""
    for path in source.rglob("*"):
        if path.is_file():
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)


ZENSICAL = ZensicalEngine()
