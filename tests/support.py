"""Helpers for tests: real git repositories with pinned dates, real builds, a static server."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

MINIMAL_MKDOCS = """\
site_name: Test log
docs_dir: playbook
theme:
  name: material
  font: false
plugins:
  - researchlog
"""


def front_matter(fields: Mapping[str, Any]) -> str:
    return "---\n" + yaml.safe_dump(dict(fields), sort_keys=False, allow_unicode=True) + "---\n"


def entry_text(body: str = "", **fields: Any) -> str:
    """A Markdown entry: front matter from keyword arguments, then the body."""
    fields.setdefault("title", "An experiment")
    fields.setdefault("status", "running")
    if fields["status"] != "planned":
        fields.setdefault("question", "Does it work?")
    if fields["status"] in ("success", "dead-end", "inconclusive", "superseded"):
        fields.setdefault("outcome", "It did what it did.")
    return front_matter(fields) + "\n" + (body or "Some notes.\n")


class Repo:
    """A real git repository in a temp dir, committing with pinned dates and authors."""

    def __init__(self, root: Path, *, init_git: bool = True) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        if init_git:
            self.git("init", "-q", "-b", "main")
            self.git("config", "user.name", "Test Author")
            self.git("config", "user.email", "test@example.org")
            self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str, env: Mapping[str, str] | None = None) -> str:
        result = subprocess.run(
            ["git", *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
            check=False,
        )
        if result.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {result.stderr}")
        return result.stdout

    def write(self, path: str, text: str | bytes) -> Path:
        full = self.root / path
        full.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            full.write_bytes(text)
        else:
            full.write_text(text, encoding="utf-8")
        return full

    def entry(self, path: str, body: str = "", **fields: Any) -> Path:
        return self.write(path, entry_text(body, **fields))

    def commit(
        self,
        message: str,
        *,
        date: str = "2025-03-02T10:00:00+00:00",
        author: tuple[str, str] = ("Ana Lima", "ana@example.org"),
        paths: tuple[str, ...] = (".",),
        allow_empty: bool = False,
    ) -> str:
        """Commit everything (or `paths`) with a pinned author, date and time zone."""
        self.git("add", "-A", *paths)
        env = {
            "GIT_AUTHOR_NAME": author[0],
            "GIT_AUTHOR_EMAIL": author[1],
            "GIT_COMMITTER_NAME": author[0],
            "GIT_COMMITTER_EMAIL": author[1],
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_DATE": date,
        }
        args = ["commit", "-q", "-m", message] + (["--allow-empty"] if allow_empty else [])
        self.git(*args, env=env)
        return self.git("rev-parse", "HEAD").strip()

    def site_config(self, text: str = MINIMAL_MKDOCS) -> None:
        self.write("mkdocs.yml", text)
        (self.root / "playbook").mkdir(exist_ok=True)
        (self.root / "log").mkdir(exist_ok=True)


def git_status(root: Path, *paths: str) -> list[str]:
    """`git status --porcelain` lines for `paths` (the log folders by default)."""
    result = subprocess.run(
        ["git", "status", "--porcelain", "--", *(paths or ("log", "playbook"))],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.splitlines()


def make_corpus(out: Path, *, entries: int, notebooks: int, seed: int = 1) -> Path:
    """The shared deterministic benchmark corpus: a research log with a realistic history."""
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "tests" / "corpus" / "make_corpus.py"),
            str(out),
            "--entries",
            str(entries),
            "--notebooks",
            str(notebooks),
            "--seed",
            str(seed),
            "--layout",
            "root",
            "--force",
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return out


def run_cli(
    *args: str,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
    module: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run the real `researchlog` command (or, with module=False, python ARGS) in a subprocess."""
    prefix = ["-m", "researchlog"] if module else []
    return subprocess.run(
        [sys.executable, *prefix, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
        input=stdin,
        check=False,
        timeout=600,
    )


def run_in_process(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`researchlog ARGS` run in this process, for tests where a new process is not the point:
    the exit code and what it printed, as run_cli gives them."""
    import contextlib
    import io

    from researchlog.cli import main

    out, err = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse: --help, usage errors
                code = exc.code if isinstance(exc.code, int) else 2
    finally:
        os.chdir(previous)
    return subprocess.CompletedProcess(["researchlog", *args], code, out.getvalue(), err.getvalue())


def start_serve(root: Path, port: int) -> subprocess.Popen[str]:
    """`researchlog serve` on 127.0.0.1:port, in its own process group (stop it with
    os.killpg, as a terminal's Ctrl-C would), its output on a pipe."""
    return subprocess.Popen(
        [sys.executable, "-m", "researchlog", "serve", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        start_new_session=True,
    )


def mkdocs_build(
    root: Path,
    *,
    strict: bool = False,
    site_dir: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """A real `mkdocs build` of the repository at `root` (with `env` added to the
    environment)."""
    command = [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "--site-dir",
        str(site_dir or root / "site"),
    ]
    if strict:
        command.append("--strict")
    return subprocess.run(
        command,
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
        timeout=900,
    )


def entries_json(site: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((site / "entries.json").read_text(encoding="utf-8"))
    return data


def by_slug(site: Path) -> dict[str, dict[str, Any]]:
    return {e["slug"]: e for e in entries_json(site)["entries"]}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve_site(site: Path, port: int | None = None) -> Iterator[str]:
    """Serve a built site on localhost (on `port`, or any free one); yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port or free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
