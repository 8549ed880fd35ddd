"""Cache keys made from the code itself.

A cache is valid only as long as the code that filled it is unchanged. Listing that code by
file name goes stale as soon as a module moves or a new one is imported; here the sources are
found by following the imports of the module that does the work, so every module it can run
is part of the key, wherever it lives.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.util
from pathlib import Path

PACKAGE = "researchlog"


def code_key(*modules: str) -> str:
    """A digest of the source of `modules` and of every researchlog module they import,
    directly or not, at any depth (imports inside functions included)."""
    hasher = hashlib.sha256()
    for name in sorted(source_modules(*modules)):
        hasher.update(name.encode())
        hasher.update(b"\0")
        hasher.update(_source(name))
        hasher.update(b"\0")
    return hasher.hexdigest()


def source_modules(*modules: str) -> set[str]:
    """The researchlog modules that `modules` can run: themselves and their imports."""
    found: set[str] = set()
    pending = list(modules)
    while pending:
        name = pending.pop()
        if name in found:
            continue
        found.add(name)
        pending.extend(_imports(name))
    return found


@functools.cache
def _imports(name: str) -> tuple[str, ...]:
    path = _path(name)
    tree = ast.parse(path.read_bytes(), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, package)
            found.append(base)
            # `from . import schema` and `from .views import pages` name modules too.
            found.extend(f"{base}.{alias.name}" for alias in node.names)
    # A submodule runs its packages' __init__ first.
    parents = [name.rsplit(".", depth)[0] for depth in range(1, name.count(".") + 1)]
    return tuple(sorted({m for m in [*found, *parents] if _is_ours(m) and _exists(m)} - {name}))


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    parts = package.split(".")
    base = ".".join(parts[: len(parts) - node.level + 1])
    return f"{base}.{node.module}" if node.module else base


def _is_ours(name: str) -> bool:
    return name == PACKAGE or name.startswith(PACKAGE + ".")


def _exists(name: str) -> bool:
    return _file(name) is not None


def _path(name: str) -> Path:
    path = _file(name)
    if path is None:
        raise ImportError(f"no source for {name}")
    return path


@functools.cache
def _file(name: str) -> Path | None:
    """The source file of a researchlog module, found on disk: nothing is imported (finding
    a spec would import the parent modules, and with them nbconvert and MkDocs)."""
    folder = _package_folder().joinpath(*name.split(".")[1:])
    for candidate in (folder / "__init__.py", folder.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


@functools.cache
def _package_folder() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        raise ImportError(f"{PACKAGE} is not importable")
    return Path(spec.origin).parent


@functools.cache
def _source(name: str) -> bytes:
    return _path(name).read_bytes()
