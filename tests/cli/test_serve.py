"""`researchlog serve`: the site is served and rebuilt when log/ or playbook/ change."""

from __future__ import annotations

import os
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
