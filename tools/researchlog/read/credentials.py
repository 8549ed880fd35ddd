"""Credentials that should never be committed or published: found line by line.

A site built from the log is read by the whole team, often more; a pasted API key or private
key in an entry or a notebook output is an error. A false positive is silenced with the marker
`researchlog: allow-secret` on the same line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from ..core.problems import Problem, error

ALLOW_MARKER = "researchlog: allow-secret"

PATTERNS: tuple[tuple[str, str], ...] = (
    ("a private key block", r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY"),
    ("an AWS access key id", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    ("an AWS secret access key", r"aws_secret_access_key\W{1,4}[A-Za-z0-9/+=]{40}\b"),
    ("a Google Cloud service account key", r"\"private_key_id\"\s*:\s*\"[0-9a-f]{40}\""),
    ("a Google API key", r"\bAIza[0-9A-Za-z_\-]{35}\b"),
    ("a GitHub token", r"\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{60,})\b"),
    ("a GitLab token", r"\bglpat-[A-Za-z0-9_\-]{20,}\b"),
    ("a Slack token", r"\bxox[abprs]-[A-Za-z0-9\-]{10,}\b"),
    ("an Anthropic API key", r"\bsk-ant-[A-Za-z0-9_\-]{20,}"),
    ("an OpenAI API key", r"\bsk-(?:proj-)?[A-Za-z0-9_\-]{32,}"),
    ("a Stripe secret key", r"\b[sr]k_live_[A-Za-z0-9]{16,}\b"),
    ("a Hugging Face token", r"\bhf_[A-Za-z0-9]{30,}\b"),
    ("an Azure storage account key", r"AccountKey=[A-Za-z0-9+/=]{60,}"),
)
_COMBINED = re.compile("|".join(f"(?P<p{i}>{p})" for i, (_, p) in enumerate(PATTERNS)))
# Cheap test before the full scan: every pattern contains one of these.
_HINTS = (
    "PRIVATE KEY",
    "AKIA",
    "ASIA",
    "aws_secret",
    "private_key_id",
    "AIza",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "xox",
    "sk-",
    "k_live_",
    "hf_",
    "AccountKey=",
)


@dataclass(frozen=True)
class Finding:
    line: int
    kind: str


def find_secrets(text: str) -> Iterator[Finding]:
    """Each line that looks like it holds a credential, unless it carries the allow marker."""
    if not any(hint in text for hint in _HINTS):
        return
    for match in _COMBINED.finditer(text):
        start = text.rfind("\n", 0, match.start()) + 1
        end = text.find("\n", match.end())
        line_text = text[start : end if end >= 0 else len(text)]
        if ALLOW_MARKER in line_text:
            continue
        index = int(next(name for name, value in match.groupdict().items() if value)[1:])
        yield Finding(text.count("\n", 0, match.start()) + 1, PATTERNS[index][0])


def secret_problems(path: str, text: str) -> list[Problem]:
    """Errors for every credential-like line: the file is left out of the site until fixed."""
    return [
        error(
            path,
            finding.line,
            f"this line looks like it contains {finding.kind}; the file is left out of the site",
            "remove it (and revoke the credential: it is in the git history now); if it is not"
            f" a secret, add the comment `{ALLOW_MARKER}` to the line",
            code="secret",
        )
        for finding in find_secrets(text)
    ]


# ----------------------------------------------------------------------------- other files

_BLOCK = 8 << 20  # files are scanned in blocks of about this size, so memory stays bounded
_BINARY_SNIFF = 8192


def file_secret_problems(root: Path, path: str) -> list[Problem]:
    """Errors for every credential-like line in a text file the site would publish (a config,
    a CSV, a log). Binary files (a NUL byte near the start: images, archives) are skipped."""
    problems: list[Problem] = []
    try:
        with (root / path).open("rb") as stream:
            head = stream.read(_BINARY_SNIFF)
            if b"\0" in head:
                return []
            line = 1
            pending = head
            while True:
                block = stream.read(_BLOCK)
                data = pending + block
                cut = data.rfind(b"\n") + 1 if block else len(data)
                chunk, pending = data[:cut], data[cut:]
                text = chunk.decode("utf-8", errors="replace")
                for problem in secret_problems(path, text):
                    problems.append(replace(problem, line=(problem.line or 1) + line - 1))
                line += chunk.count(b"\n")
                if not block:
                    return problems
    except OSError:
        return []  # unreadable files are reported where they are read
