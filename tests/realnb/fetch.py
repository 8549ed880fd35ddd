"""Download the real notebooks named in manifest.json, check them, and keep them in a cache.

Each archive (a PyPI sdist) is downloaded once into `<cache>/archives/`, its sha256 checked,
and only the manifest's member is read out of it, checked against its own sha256 and written
to `<cache>/notebooks/<id>.ipynb`. The licence file named in the manifest is kept beside it,
as `<cache>/licences/<id>.txt`. Any failure raises FetchError with what to do about it: the
tests that use these notebooks fail, they never skip.

    python tests/realnb/fetch.py [CACHE_DIR]    # fill the cache ahead of a test run
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tarfile
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MANIFEST = Path(__file__).with_name("manifest.json")
TIMEOUT = 60  # seconds, for each attempt to download an archive
RETRIES = 2  # attempts after the first


class FetchError(Exception):
    """A real notebook could not be downloaded, or its bytes are not the ones in the manifest."""


@dataclass(frozen=True)
class RealNotebook:
    id: str
    path: Path  # the extracted .ipynb, byte for byte as in the archive
    record: dict[str, Any]  # its entry in manifest.json


def default_cache() -> Path:
    configured = os.environ.get("RESEARCHLOG_TEST_CACHE")
    if configured:
        return Path(configured)
    return Path.home() / ".cache" / "researchlog-tests" / "realnb"


def manifest() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return records


def real_notebooks(cache_dir: Path | None = None) -> list[RealNotebook]:
    """Every notebook in the manifest, in its order, downloaded and checked if need be."""
    cache = cache_dir or default_cache()
    notebooks = []
    for record in manifest():
        target = cache / "notebooks" / f"{record['id']}.ipynb"
        licence = cache / "licences" / f"{record['id']}.txt"
        if not (_sha256_of(target) == record["notebook_sha256"] and licence.exists()):
            archive = _archive(record, cache / "archives")
            data = _member(archive, record["member"])
            if _sha256(data) != record["notebook_sha256"]:
                raise FetchError(
                    f"{record['id']}: {record['member']} in {archive} has sha256"
                    f" {_sha256(data)}, not {record['notebook_sha256']} as manifest.json says"
                )
            _write(licence, _member(archive, record["licence_member"]))
            _write(target, data)
        notebooks.append(RealNotebook(record["id"], target, record))
    return notebooks


def _archive(record: dict[str, Any], folder: Path) -> Path:
    """The archive, downloaded unless a copy with the right sha256 is already there."""
    url = record["archive_url"]
    path = folder / url.rsplit("/", 1)[-1]
    if _sha256_of(path) == record["archive_sha256"]:
        return path
    data = _download(url)
    if _sha256(data) != record["archive_sha256"]:
        raise FetchError(
            f"{record['id']}: {url} downloaded with sha256 {_sha256(data)}, not"
            f" {record['archive_sha256']} as manifest.json says; the file on PyPI changed or"
            " the download was cut short"
        )
    _write(path, data)
    return path


def _download(url: str) -> bytes:
    problem: Exception | None = None
    for attempt in range(1 + RETRIES):
        if attempt:
            time.sleep(2 * attempt)
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
                data: bytes = response.read()
                return data
        except urllib.error.HTTPError as exc:
            problem = exc
            if exc.code < 500:  # not there: asking again will not help
                break
        except (urllib.error.URLError, OSError) as exc:
            problem = exc
    raise FetchError(
        f"could not download {url}: {problem}. These tests need"
        " https://files.pythonhosted.org; or fill the cache ahead with"
        " `python tests/realnb/fetch.py` and point RESEARCHLOG_TEST_CACHE at it"
    )


def _member(archive: Path, member: str) -> bytes:
    try:
        if archive.name.endswith((".zip", ".whl")):
            with zipfile.ZipFile(archive) as opened_zip:
                return opened_zip.read(member)
        with tarfile.open(archive) as opened_tar:
            file = opened_tar.extractfile(member)
            if file is None:
                raise KeyError(member)
            return file.read()
    except (KeyError, tarfile.TarError, zipfile.BadZipFile) as exc:
        raise FetchError(f"{archive} has no readable member {member!r}: {exc}") from exc


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + f".{os.getpid()}.part")
    partial.write_bytes(data)
    partial.replace(path)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sha256_of(path: Path) -> str | None:
    return _sha256(path.read_bytes()) if path.is_file() else None


if __name__ == "__main__":
    found = real_notebooks(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    print(f"{len(found)} notebooks in {found[0].path.parent}")
