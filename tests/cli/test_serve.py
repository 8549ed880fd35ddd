"""`researchlog serve`: the site is served and rebuilt when log/ or playbook/ change."""

from __future__ import annotations

import os
import re
import signal
import time
import urllib.error
import urllib.request

from support import Repo, free_port, start_serve


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode("utf-8"))
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_for(url: str, needle: str, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body = fetch(url)
        if body is not None and needle in body:
            return body
        time.sleep(0.3)
    raise AssertionError(f"{needle!r} never appeared at {url}")


def test_serve_rebuilds_when_an_entry_or_the_playbook_changes(repo: Repo) -> None:
    repo.entry("log/2025/a.md", title="First title")
    repo.write("playbook/index.md", "# Start here\n\nWelcome.\n")
    repo.commit("add")
    port = free_port()
    server = start_serve(repo.root, port)
    try:
        base = f"http://127.0.0.1:{port}/"
        wait_for(base + "log/2025/a/", "First title")
        repo.entry("log/2025/a.md", title="Second title")
        wait_for(base + "log/2025/a/", "Second title")
        repo.write("playbook/index.md", "# Start here\n\nWelcome aboard.\n")
        wait_for(base + "playbook/", "Welcome aboard.")
        repo.entry("log/2025/b.md", title="A new entry")
        wait_for(base, "A new entry")
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=30)
    # Serving wrote nothing of its own into the repository: only the edits made above show.
    assert repo.git("status", "--porcelain").splitlines() == [
        " M log/2025/a.md",
        " M playbook/index.md",
        "?? log/2025/b.md",
    ]


# Holds every rebuild at its start while the file `slow` exists: what a preview shows before
# the rebuild ends can only come from the page made at once.
SLOW_REBUILDS = """\
import time
from pathlib import Path

def on_pre_build(config):
    while (Path(config.config_file_path).parent / "slow").exists():
        time.sleep(0.1)
"""


def _page(html: str) -> str:
    """The page without the request's number, which the server writes into each page."""
    return re.sub(r"livereload\((\d+), \d+\)", r"livereload(\1)", html)


def test_serve_shows_an_edited_entry_before_the_rebuild_ends(repo: Repo) -> None:
    repo.write("mkdocs.yml", (repo.root / "mkdocs.yml").read_text() + "hooks:\n  - slow.py\n")
    repo.write("slow.py", SLOW_REBUILDS)
    repo.entry("log/2025/a.md", "Original text.\n", title="First title", tags=["nlp"])
    repo.entry("log/2025/b.md", title="Another entry", tags=["nlp"])
    repo.commit("add")
    port = free_port()
    server = start_serve(repo.root, port)
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_for(base + "log/2025/a/", "First title")
        (repo.root / "slow").write_text("")
        repo.entry("log/2025/a.md", "Edited text.\n", title="Second title", tags=["nlp"])
        shown = wait_for(base + "log/2025/a/", "Edited text.", seconds=20)
        # The rebuild is held, and the pages it alone makes are as they were...
        home = fetch(base)
        assert home is not None and "First title" in home and "Second title" not in home
        (repo.root / "slow").unlink()
        wait_for(base, "Second title")
        again = fetch(base + "log/2025/a/")
        assert again is not None and _page(again) == _page(shown), "the rebuild made the same"

        # A new entry: its page, and the pages that list it, before the rebuild.
        (repo.root / "slow").write_text("")
        repo.entry(
            "log/2025/c.md", "Third.\n", title="A new entry", project="speech", tags=["audio"]
        )
        new_page = wait_for(base + "log/2025/c/", "Third.", seconds=20)
        listings = {
            url: wait_for(url, "A new entry", seconds=1)
            for url in (base, base + "projects/speech/", base + "entries.json")
        }
        assert "audio" not in (fetch(base + "tags/") or ""), "the rebuild is held"
        (repo.root / "slow").unlink()
        wait_for(base + "tags/", "audio")
        for url, before in {base + "log/2025/c/": new_page, **listings}.items():
            after = fetch(url)
            assert after is not None and _page(after) == _page(before), url

        # A credential saved is never shown ahead of the rebuild, which leaves the entry out.
        (repo.root / "slow").write_text("")
        repo.entry("log/2025/a.md", "key: AKIAIOSFODNN7EXAMPLE\n", title="Second title")
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:
            assert "AKIAIOSFODNN7EXAMPLE" not in (fetch(base + "log/2025/a/") or "")
            time.sleep(0.3)
        (repo.root / "slow").unlink()
    finally:
        os.killpg(server.pid, signal.SIGINT)
        output, _ = server.communicate(timeout=30)
    assert "log/2025/a.md: shown in" in output
    assert "Traceback" not in output
    # One rebuild per save: reading the files, as every build does, is no change.
    assert output.count("Detected file changes") == 3, output
