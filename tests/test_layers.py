"""The direction of the pipeline stays true: each stage imports only the stages before it.

    core <- read, history <- log <- analysis <- pages <- views | notebooks <- build
         <- plugin | engines <- cli;  authoring and importers sit beside it, for cli

MkDocs is imported only by plugin/ and engines/; its private API only by
plugin/mkdocs_private/. An `__init__` only re-exports.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from support import ROOT

PACKAGE = ROOT / "tools" / "researchlog"

# Each stage, and the stages it may import (besides itself).
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "read": {"core"},
    "history": {"core"},
    "log": {"core", "read", "history"},
    "analysis": {"core", "read", "history", "log"},
    "pages": {"core", "read", "history", "log", "analysis"},
    "views": {"core", "read", "history", "log", "analysis", "pages"},
    "notebooks": {"core", "read", "history", "log", "analysis", "pages"},
    "build": {"core", "read", "history", "log", "analysis", "pages", "views", "notebooks"},
    "plugin": {
        "core",
        "read",
        "history",
        "log",
        "analysis",
        "pages",
        "views",
        "notebooks",
        "build",
    },
    "engines": {"core", "read", "history", "log", "analysis", "pages", "views", "build", "plugin"},
    "authoring": {"core", "read", "history", "log", "analysis"},
    "importers": {"core", "read", "authoring"},
    "cli": {
        "core",
        "read",
        "history",
        "log",
        "analysis",
        "pages",
        "authoring",
        "importers",
        "engines",
    },
    "mdext": set(),  # the Markdown extension, loaded by name from configuration
    "__main__": {"cli"},
}
MKDOCS_ALLOWED = {"plugin", "engines"}


def _stage(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return parts[0]


def _imports(path: Path) -> list[tuple[str, int]]:
    """(absolute module, line) for every import in the file, at any depth."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = path.relative_to(PACKAGE.parent).with_suffix("").parts
    package = list(rel if path.name == "__init__.py" else rel[:-1])
    if path.name == "__init__.py":
        package = list(rel[:-1])
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
                if not node.module:  # from . import x: x is a module of that package
                    found.extend((f"{module}.{alias.name}", node.lineno) for alias in node.names)
                    continue
            else:
                module = node.module or ""
            found.append((module, node.lineno))
    return found


FILES = sorted(p for p in PACKAGE.rglob("*.py"))


def test_every_stage_is_in_the_table() -> None:
    assert {_stage(p) for p in FILES} - {"__init__"} == set(ALLOWED)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_go_only_to_earlier_stages(path: Path) -> None:
    stage = _stage(path)
    if stage == "__init__":
        return
    wrong = []
    for module, line in _imports(path):
        parts = module.split(".")
        if parts[0] == "researchlog" and len(parts) > 1:
            target = parts[1]
            if target != stage and target not in ALLOWED[stage] and target != "__version__":
                wrong.append(f"line {line}: {module}")
        elif parts[0] in ("mkdocs", "properdocs", "material") and stage not in MKDOCS_ALLOWED:
            wrong.append(f"line {line}: {module} (only plugin/ and engines/ import MkDocs)")
    assert not wrong, f"{path.relative_to(PACKAGE)} imports against the direction: {wrong}"


def test_mkdocs_private_api_stays_in_one_folder() -> None:
    private = (
        "_RawHTMLPreprocessor",
        "_ExtractAnchorsTreeprocessor",
        "_populate_page",
        "_build_page",
        "_RelativePathTreeprocessor",
        "_ExtractTitleTreeprocessor",
    )
    users = {
        str(p.relative_to(PACKAGE))
        for p in FILES
        if any(name in p.read_text(encoding="utf-8") for name in private)
    }
    assert users and all(u.startswith("plugin/mkdocs_private/") for u in users), users


@pytest.mark.parametrize(
    "path", [p for p in FILES if p.name == "__init__.py"], ids=lambda p: str(p.parent.name)
)
def test_an_init_only_re_exports(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        allowed = (ast.ImportFrom, ast.Import, ast.Expr)  # imports and the docstring
        is_all = isinstance(node, ast.Assign) and [
            t.id
            for t in node.targets  # type: ignore[attr-defined]
        ] in (["__all__"], ["__version__"])
        assert isinstance(node, allowed) or is_all, f"{path}: line {node.lineno}"


def test_the_check_fails_on_a_wrong_import(tmp_path: Path) -> None:
    """The contract itself can fail: an import against the direction is found."""
    wrong = PACKAGE / "core" / "_wrong_direction_probe.py"
    wrong.write_text("from ..views import build_site\n", encoding="utf-8")
    try:
        with pytest.raises(AssertionError, match="imports against the direction"):
            test_imports_go_only_to_earlier_stages(wrong)
    finally:
        wrong.unlink()
