"""Cache keys made from the code itself.

A cache is valid only as long as the code that filled it is unchanged. Listing that code by
file name goes stale as soon as a module moves or a new one is imported; here the sources are
found by following the imports of the module that does the work, so every module it can run
is part of the key, wherever it lives.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import re
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


# Import statements, found in the text rather than by parsing it (a tenth of the time, and
# this runs on every build): a statement inside a string counts too, which can only add a
# module to a key, never leave one out.
_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]*)"
    r"|import[ \t]+([^\n#;]*))",
    re.M,
)


@functools.cache
def _imports(name: str) -> tuple[str, ...]:
    path = _path(name)
    text = path.read_text(encoding="utf-8").replace("\\\n", " ")
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[str] = []
    for level, module, names, plain in _IMPORT.findall(text):
        if plain:
            found.extend(_names(plain))
            continue
        base = _absolute(len(level), module, package)
        found.append(base)
        # `from . import schema` and `from .views import pages` name modules too.
        found.extend(f"{base}.{alias}" for alias in _names(names.strip("()")))
    # A submodule runs its packages' __init__ first.
    parents = [name.rsplit(".", depth)[0] for depth in range(1, name.count(".") + 1)]
    return tuple(sorted({m for m in [*found, *parents] if _is_ours(m) and _exists(m)} - {name}))


def _names(listed: str) -> list[str]:
    """`a as b, c.d` -> [a, c.d]"""
    return [part.split()[0] for part in listed.replace("\n", " ").split(",") if part.split()]


def _absolute(level: int, module: str, package: str) -> str:
    if not level:
        return module
    parts = package.split(".")
    base = ".".join(parts[: len(parts) - level + 1])
    return f"{base}.{module}" if module else base


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
