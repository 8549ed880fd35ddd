"""`researchlog import`: past work from real files as entries, never overwriting, idempotent.

knowledge-repo posts are written by hand from its documented format (headers verbatim from
its repository); MLflow runs and DVCLive outputs are made by MLflow and DVCLive themselves.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import os
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from support import Repo, mkdocs_build, run_cli

QUIET = {
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
    "MLFLOW_LOGGING_LEVEL": "WARNING",
    "DVC_NO_ANALYTICS": "1",
    "ITERATIVE_DO_NOT_TRACK": "1",
}


def needs(module: str) -> None:
    """The real tool is a test dependency: missing, the test fails loudly, never skips."""
    if importlib.util.find_spec(module) is None:
        pytest.fail(f"{module} is not installed: pip install -e '.[test]'")


def png(seed: int = 0) -> bytes:
    """A real 2x2 PNG, different for each seed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes([seed % 256, 80, 160] * 2) for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def importing(repo: Repo, *args: str, env: dict[str, str] | None = None) -> Any:
    return run_cli("import", *args, cwd=repo.root, env={**QUIET, **(env or {})})


def front(path: Path) -> dict[str, Any]:
    if path.suffix == ".ipynb":
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["metadata"][
            "researchlog"
        ]
        return data
    text = path.read_text(encoding="utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text.split("---\n")[1])
    return loaded


def files_under(folder: Path) -> dict[str, str]:
    """Every file under `folder` with a hash of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".researchlog-cache" not in p.parts
    }


def check_strict(repo: Repo) -> None:
    result = run_cli("check", "--strict", cwd=repo.root)
    assert result.returncode == 0, result.stdout + result.stderr


def imported_twice(repo: Repo, *args: str, noun: str, env: dict[str, str] | None = None) -> Any:
    """The second run writes nothing, says each source was already imported, and says so."""
    before = files_under(repo.root / "log")
    again = importing(repo, *args, env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert files_under(repo.root / "log") == before
    lines = again.stdout.splitlines()
    assert all(" already imported as log/" in line for line in lines[:-1]), again.stdout
    count = len(lines) - 1
    assert lines[-1] == f"nothing new: {count} {noun}{'s' if count > 1 else ''} already imported"
    return again


# ----------------------------------------------------------------------------- knowledge-repo

# The header of a post after `knowledge_repo add` (verbatim, from a folder repository).
LEMURS = """\
---
title: I Found that Lemurs Do Funny Dances
authors:
- sally_smarts
- wesley_wisdom
tags:
- knowledge
- '2017'
created_at: 2016-06-29 00:00:00
updated_at: 2026-12-01 18:58:56.454480
tldr: This is short description of the content and findings of the post.
thumbnail: images/figure.png
---

## Motivation

Some text.

![Dance frequency](images/figure.png)

<img src="images/figure.png" width="200"/>

![remote](https://example.com/x.png)
"""

# knowledge_repo/templates/knowledge_template.md (verbatim header).
TEMPLATE = """\
---
title: This is a Knowledge Template Header
authors:
- sally_smarts
- wesly_wisdom
tags:
- knowledge
- example
created_at: 2016-06-29
updated_at: 2016-06-30
tldr: This is short description of the content and findings of the post.
---

## Motivation

What the template says.
"""

# knowledge-repo's tests/test_posts/unicode.md (verbatim header): 4-space lists, block tldr.
UNICODE = """\
---
title: 我能说普通话
authors:
    - 吴文浩
created_at: 2017-07-03
updated_at: 2017-07-03
tags:
    - 标签
tldr: |
    书到用时方恨少
---

正文。
"""

LEMURS_UUID = "951bb3d8-98ae-4f1b-8aac-eaf180f55d72"


def knowledge_repository(folder: Path) -> Path:
    """A folder knowledge repository as `knowledge_repo init` and `add` leave it: one .kp
    folder, one zipped .kp post, and a Markdown post not yet added."""
    (folder / "projects/lemurs.kp/images").mkdir(parents=True)
    (folder / ".knowledge_repo_config.yml").write_text("# config\n")
    (folder / "README.md").write_text("# Our knowledge repository\n")
    post = folder / "projects/lemurs.kp"
    (post / "knowledge.md").write_text(LEMURS, encoding="utf-8")
    (post / "knowledge.html").write_text("<h2>Motivation</h2>\n")
    (post / "images/figure.png").write_bytes(png(1))
    (post / "UUID").write_text(LEMURS_UUID)
    (post / "REVISION").write_text("1")
    with zipfile.ZipFile(folder / "projects/template.kp", "w") as portable:
        portable.writestr("knowledge.md", TEMPLATE)
        portable.writestr("knowledge.html", "<p>x</p>")
        portable.writestr("images/output_4_0.png", png(2))
        portable.writestr("UUID", "0b1e4c1d-3f0a-4a55-9a49-1c1d2b2f5e11")
        portable.writestr("REVISION", "3")
    (folder / "drafts").mkdir()
    (folder / "drafts/unicode.md").write_text(UNICODE, encoding="utf-8")
    return folder


def test_knowledge_repo_posts_become_entries_with_their_dates(repo: Repo, tmp_path: Path) -> None:
    source = knowledge_repository(tmp_path / "knowledge")
    original = files_under(source)
    result = importing(repo, "knowledge-repo", str(source))
    assert result.returncode == 0, result.stdout + result.stderr
    lemurs = "log/2016/2016-06-29-i-found-that-lemurs-do-funny-dances"
    assert result.stdout.splitlines() == [
        "wrote   log/2017/2017-07-03-entry.md from post drafts/unicode.md",
        f"wrote   {lemurs}.md (and 1 file in {lemurs}/) from post projects/lemurs.kp",
        "wrote   log/2016/2016-06-29-this-is-a-knowledge-template-header.md (and 1 file in"
        " log/2016/2016-06-29-this-is-a-knowledge-template-header/) from post"
        " projects/template.kp",
        "imported 3 posts",
    ]
    assert files_under(source) == original  # the source is only read

    entry = repo.root / f"{lemurs}.md"
    data = front(entry)
    assert data == {
        "title": "I Found that Lemurs Do Funny Dances",
        "status": "inconclusive",
        "question": "Not recorded in the knowledge-repo post.",
        "outcome": "This is short description of the content and findings of the post.",
        "tags": ["knowledge", "2017"],
        "authors": ["sally_smarts", "wesley_wisdom"],
        "date": dt.date(2016, 6, 29),
        "imported_from": f"knowledge-repo:{LEMURS_UUID}",
    }
    text = entry.read_text(encoding="utf-8")
    folder = "2016-06-29-i-found-that-lemurs-do-funny-dances"
    assert f"![Dance frequency]({folder}/images/figure.png)" in text
    assert f"![]({folder}/images/figure.png)" in text  # raw HTML is not rewritten by MkDocs
    assert "![remote](https://example.com/x.png)" in text
    assert "## Motivation\n\nSome text." in text
    assert (repo.root / lemurs / "images/figure.png").read_bytes() == png(1)

    template = repo.root / "log/2016/2016-06-29-this-is-a-knowledge-template-header"
    assert (template / "images/output_4_0.png").read_bytes() == png(2)  # from the zip
    assert front(template.with_suffix(".md"))["imported_from"] == (
        "knowledge-repo:0b1e4c1d-3f0a-4a55-9a49-1c1d2b2f5e11"
    )
    unicode = front(repo.root / "log/2017/2017-07-03-entry.md")
    assert unicode["title"] == "我能说普通话"
    assert unicode["authors"] == ["吴文浩"] and unicode["tags"] == ["标签"]
    assert unicode["outcome"] == "书到用时方恨少"
    assert unicode["imported_from"] == "knowledge-repo:drafts/unicode.md"
    check_strict(repo)
    repo.commit("Import the knowledge repository")
    site = repo.root / "site"
    built = mkdocs_build(repo.root, strict=True, site_dir=site)
    assert built.returncode == 0, built.stderr
    page = (site / lemurs.removesuffix(".md") / "index.html").read_text(encoding="utf-8")
    assert page.count('src="images/figure.png"') == 2  # both images, relative to the page
    assert (site / lemurs / "images/figure.png").read_bytes() == png(1)

    imported_twice(repo, "knowledge-repo", str(source), noun="post")
    # The identity is the post's, not the folder it was named by: one post, named directly.
    one = importing(repo, "knowledge-repo", str(source / "projects/lemurs.kp"))
    assert one.stdout.splitlines() == [
        f"skipped post projects/lemurs.kp: already imported as {lemurs}.md",
        "nothing new: 1 post already imported",
    ]


def test_knowledge_repo_import_never_overwrites_and_reports_bad_posts(
    repo: Repo, tmp_path: Path
) -> None:
    source = tmp_path / "posts"
    source.mkdir()
    (source / "template.md").write_text(TEMPLATE + "\n![fig](images/fig.png)\n")
    (source / "images").mkdir()
    (source / "images/fig.png").write_bytes(png(3))
    (source / "broken.md").write_text("---\ntitle: [unclosed\ncreated_at: 2016-01-01\n---\nx\n")
    taken = repo.entry(
        "log/2016/2016-06-29-this-is-a-knowledge-template-header.md",
        title="Something else",
        status="running",
    )
    mine = taken.read_bytes()
    folder = repo.root / "log/2016/2016-06-29-this-is-a-knowledge-template-header-2"
    folder.mkdir()  # a folder of that name is there too
    result = importing(repo, "knowledge-repo", str(source))
    assert result.returncode == 1, result.stdout + result.stderr  # one post could not be read
    assert result.stdout.splitlines() == [
        "skipped post broken.md: its header is not valid YAML at line 3",
        "wrote   log/2016/2016-06-29-this-is-a-knowledge-template-header-2.md (and 1 file in"
        " log/2016/2016-06-29-this-is-a-knowledge-template-header-2-files/) from post"
        " template.md",
        "imported 1 post, skipped 1: could not be imported",
    ]
    assert taken.read_bytes() == mine
    assert list(folder.iterdir()) == []
    written = folder.with_suffix(".md").read_text(encoding="utf-8")
    assert "![fig](2016-06-29-this-is-a-knowledge-template-header-2-files/images/fig.png)" in (
        written
    )
    check_strict(repo)


def test_imported_entries_are_recognised_even_when_broken_and_secrets_stay_out(
    repo: Repo, tmp_path: Path
) -> None:
    source = tmp_path / "posts"
    source.mkdir()
    (source / "template.md").write_text(TEMPLATE, encoding="utf-8")
    key = "AKIA" + "Q3EGRO5HXWYS7TLM"  # an AWS access key id, as a pasted one looks
    (source / "leaky.md").write_text(TEMPLATE.replace("What the template says.", key))
    first = importing(repo, "knowledge-repo", str(source / "template.md"))
    assert first.returncode == 0, first.stdout
    (entry,) = (repo.root / "log").rglob("*.md")
    # Someone breaks the entry's front matter by hand: it still counts as imported.
    entry.write_text(entry.read_text().replace("status: inconclusive\n", "status: [\n"))
    again = importing(repo, "knowledge-repo", str(source))
    assert again.returncode == 1
    assert again.stdout.splitlines() == [
        "skipped post leaky.md: it contains what looks like an AWS access key id; remove it"
        " at the source, or copy the rest by hand",
        f"skipped post template.md: already imported as {entry.relative_to(repo.root)}",
        "imported 0 posts, skipped 2: 1 could not be imported, 1 already imported",
    ]
    assert len(list((repo.root / "log").rglob("*.md"))) == 1


def test_import_errors_say_the_fix_without_a_traceback(repo: Repo, tmp_path: Path) -> None:
    missing = importing(repo, "knowledge-repo", str(tmp_path / "nowhere"))
    assert missing.returncode == 2
    assert missing.stdout == ""
    assert missing.stderr.startswith("researchlog: error: ")
    assert "does not exist" in missing.stderr and "fix: " in missing.stderr
    assert "Traceback" not in missing.stderr
    (tmp_path / "empty").mkdir()
    empty = importing(repo, "knowledge-repo", str(tmp_path / "empty"))
    assert empty.returncode == 2
    assert "no knowledge-repo posts in" in empty.stderr


# ----------------------------------------------------------------------------- MLflow

# Runs made by MLflow's own client in a SQLite store, as a training script would leave them.
MAKE_MLFLOW_STORE = r"""
import json, sys
from mlflow.entities import Metric, Param, RunTag
from mlflow.tracking import MlflowClient

folder = sys.argv[1]
client = MlflowClient(tracking_uri=f"sqlite:///{folder}/mlflow.db")
experiment = client.create_experiment(
    "churn-model", artifact_location=f"file://{folder}/artifacts", tags={"team": "growth"}
)
start = 1743501600000  # 2025-04-01T10:00:00Z
runs = {}
specs = [
    ("xgb-depth4", "FINISHED", {"max_depth": "4", "eta": "0.1"}, [0.81, 0.84], {}),
    ("xgb-depth6", "FAILED", {"max_depth": "6", "eta": "0.3"}, [0.78, 0.8], {}),
    ("xgb-depth8", "KILLED", {"max_depth": "8"}, [0.7], {}),
    ("logreg-baseline", "FINISHED", {"C": "1.0"}, [0.77],
     {"researchlog.status": "success", "researchlog.outcome": "A fair baseline: AUC 0.77."}),
]
for index, (name, status, params, aucs, extra) in enumerate(specs):
    when = start + index * 86_400_000
    tags = {
        "mlflow.user": "alice",
        "mlflow.note.content": f"# {name}\n\nTried {params}. See the AUC.",
        "mlflow.source.name": "train.py",
        "stage": "exploration",
        **extra,
    }
    run = client.create_run(experiment, start_time=when, tags=tags, run_name=name)
    run_id = run.info.run_id
    client.log_batch(
        run_id,
        params=[Param(k, v) for k, v in params.items()],
        metrics=[
            Metric("auc", auc, when + step * 1000, step) for step, auc in enumerate(aucs)
        ] + [Metric("loss", 1 - aucs[-1], when, 0)],
    )
    client.set_terminated(run_id, status=status, end_time=when + 600_000)
    runs[name] = run_id
other = client.create_experiment("ranking", artifact_location=f"file://{folder}/artifacts2")
running = client.create_run(other, start_time=start + 10 * 86_400_000, run_name="still-going",
                            tags={"mlflow.user": "bob"})
client.log_metric(running.info.run_id, "ndcg", float("nan"), step=0)
runs["still-going"] = running.info.run_id
print(json.dumps({"experiment": experiment, "ranking": other, "runs": runs}))
"""


@pytest.fixture(scope="session")
def mlflow_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """One SQLite store made by MLflow for the whole session (creating one takes seconds)."""
    needs("mlflow")
    folder = tmp_path_factory.mktemp("mlflow")
    made = subprocess.run(
        [sys.executable, "-c", MAKE_MLFLOW_STORE, str(folder)],
        capture_output=True,
        text=True,
        env={**os.environ, **QUIET},
        check=False,
        timeout=300,
    )
    assert made.returncode == 0, made.stderr
    return folder / "mlflow.db", json.loads(made.stdout.splitlines()[-1])


@pytest.fixture
def mlflow_db(mlflow_store: tuple[Path, dict[str, Any]], tmp_path: Path) -> Iterator[str]:
    """A copy of the session's store for one test, as a tracking URI."""
    copy = tmp_path / "store" / "mlflow.db"
    copy.parent.mkdir()
    shutil.copyfile(mlflow_store[0], copy)
    yield f"sqlite:///{copy}"


def local_day(ms: int) -> dt.date:
    return dt.datetime.fromtimestamp(ms / 1000).date()


def test_mlflow_runs_become_entries(
    repo: Repo, mlflow_db: str, mlflow_store: tuple[Path, dict[str, Any]]
) -> None:
    runs = mlflow_store[1]["runs"]
    args = ("mlflow", "--tracking-uri", mlflow_db, "--ui-url", "http://mlflow.example:5000/")
    result = importing(repo, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "imported 5 runs"
    start = 1743501600000
    day = local_day(start)
    depth4 = repo.root / f"log/{day.year}/{day.isoformat()}-xgb-depth4.md"
    assert (
        lines[0]
        == f'wrote   {depth4.relative_to(repo.root)} from run {runs["xgb-depth4"][:8]} "xgb-depth4"'
    )
    data = front(depth4)
    experiment = mlflow_store[1]["experiment"]
    assert data == {
        "title": "xgb-depth4",
        "status": "inconclusive",
        "question": "Not recorded in the MLflow run.",
        "outcome": "Final values: auc 0.84, loss 0.16.",
        "project": "churn-model",
        "authors": ["alice"],
        "date": day,
        "metrics": {"auc": 0.84, "loss": pytest.approx(0.16)},
        "links": [
            f"http://mlflow.example:5000/#/experiments/{experiment}/runs/{runs['xgb-depth4']}"
        ],
        "imported_from": f"mlflow:{runs['xgb-depth4']}",
    }
    text = depth4.read_text(encoding="utf-8")
    body = text.split("---\n", 2)[2]
    assert body.startswith(
        "\n# xgb-depth4\n\nTried {'max_depth': '4', 'eta': '0.1'}. See the AUC.\n"
    )
    assert "## Parameters\n\n| name | value |\n|---|---|\n| eta | 0.1 |\n| max_depth | 4 |" in text
    assert "| status | FINISHED |" in text and "| source | train.py |" in text
    assert "## Tags\n\n| tag | value |\n|---|---|\n| stage | exploration |" in text

    by_title = {front(p)["title"]: front(p) for p in (repo.root / "log").rglob("*.md")}
    failed = by_title["xgb-depth6"]
    assert failed["status"] == "inconclusive"  # a failed run is not a dead end
    assert failed["outcome"] == "The run failed: auc 0.8, loss 0.2."
    assert failed["date"] == local_day(start + 86_400_000)
    assert by_title["xgb-depth8"]["outcome"] == "The run was killed: auc 0.7, loss 0.3."
    baseline = by_title["logreg-baseline"]  # the researchlog.* tags decide
    assert baseline["status"] == "success"
    assert baseline["outcome"] == "A fair baseline: AUC 0.77."
    going = by_title["still-going"]
    assert going["status"] == "running" and "outcome" not in going
    assert going["project"] == "ranking" and going["authors"] == ["bob"]
    assert "metrics" not in going  # NaN cannot be charted: it is listed in the body
    check_strict(repo)

    imported_twice(repo, *args, noun="run")


def test_mlflow_import_one_experiment_or_run(
    repo: Repo, mlflow_db: str, mlflow_store: tuple[Path, dict[str, Any]]
) -> None:
    runs = mlflow_store[1]["runs"]
    one = importing(repo, "mlflow", "--tracking-uri", mlflow_db, "--run", runs["xgb-depth6"])
    assert one.returncode == 0, one.stderr
    assert one.stdout.splitlines()[-1] == "imported 1 run"
    ranking = importing(repo, "mlflow", "--tracking-uri", mlflow_db, "--experiment", "ranking")
    assert ranking.stdout.splitlines()[-1] == "imported 1 run"
    rest = importing(repo, "mlflow", "--tracking-uri", mlflow_db, "-x", "churn-model")
    assert rest.stdout.splitlines()[-1] == "imported 3 runs, skipped 1: already imported"
    assert f'skipped run {runs["xgb-depth6"][:8]} "xgb-depth6": already imported as log/' in (
        rest.stdout
    )
    assert len(list((repo.root / "log").rglob("*.md"))) == 5


def test_mlflow_errors_exit_2_with_the_fix(repo: Repo, mlflow_db: str, tmp_path: Path) -> None:
    unknown = importing(repo, "mlflow", "--tracking-uri", mlflow_db, "--experiment", "nope")
    assert unknown.returncode == 2
    assert unknown.stderr.splitlines() == [
        f"researchlog: error: no experiment named 'nope' in {mlflow_db}",
        "    fix: give one of the experiments there: Default, churn-model, ranking",
    ]
    no_run = importing(repo, "mlflow", "--tracking-uri", mlflow_db, "--run", "0" * 32)
    assert no_run.returncode == 2 and "no run 000" in no_run.stderr
    missing = tmp_path / "nowhere.db"
    absent = importing(repo, "mlflow", "--tracking-uri", f"sqlite:///{missing}")
    assert absent.returncode == 2
    assert f"there is no MLflow database at {missing}" in absent.stderr
    assert not missing.exists()  # MLflow would have made an empty store
    for result in (unknown, no_run, absent):
        assert "Traceback" not in result.stderr and result.stdout == ""
    assert list((repo.root / "log").rglob("*.md")) == []


def test_mlflow_reads_an_old_folder_store(repo: Repo, tmp_path: Path) -> None:
    """MLflow 3 reads ./mlruns only when asked to; an import asks, since it only reads."""
    needs("mlflow")
    make = (
        "from mlflow.tracking import MlflowClient\n"
        "client = MlflowClient(tracking_uri='mlruns')\n"
        "run = client.create_run(client.create_experiment('old'), run_name='from-2023',"
        " start_time=1680000000000)\n"
        "client.set_terminated(run.info.run_id)\n"
    )
    made = subprocess.run(
        [sys.executable, "-c", make],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, **QUIET, "MLFLOW_ALLOW_FILE_STORE": "true"},
        check=False,
    )
    assert made.returncode == 0, made.stderr
    env = {k: v for k, v in os.environ.items() if k != "MLFLOW_ALLOW_FILE_STORE"}
    result = run_cli(
        "import", "mlflow", "--tracking-uri", str(tmp_path / "mlruns"), cwd=repo.root, env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "imported 1 run"
    (entry,) = (repo.root / "log").rglob("*.md")
    assert front(entry)["date"] == local_day(1680000000000)
    assert front(entry)["project"] == "old"


def test_mlflow_missing_says_what_to_install(repo: Repo) -> None:
    """Without MLflow (an import of it fails, as where it is not installed)."""
    code = (
        "import sys; sys.modules['mlflow'] = None\n"
        "from researchlog.cli import main\n"
        "sys.exit(main(['import', 'mlflow', '--tracking-uri', 'sqlite:///x.db']))"
    )
    result = run_cli("-c", code, cwd=repo.root, module=False)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "researchlog: error: importing MLflow runs needs MLflow's client, which is not installed",
        "    fix: pip install 'researchlog[import]' (or: pip install 'mlflow-skinny>=3.4,<4'"
        " 'sqlalchemy>=2,<2.1' 'alembic>=1.13,<2')",
    ]


# ----------------------------------------------------------------------------- DVCLive

# A training script as DVCLive's documentation shows it, without DVC side effects (no
# experiment saved, no dvc.yaml) so it runs anywhere.
TRAIN_WITH_DVCLIVE = r"""
import sys
from dvclive import Live

with Live(sys.argv[1], save_dvc_exp=False, dvcyaml=None, report=None) as live:
    live.log_params({"lr": 0.01, "model": {"name": "logreg", "C": 1.0}, "tags": ["a", "b"]})
    live.log_param("seed", 42)
    for acc, loss in [(0.61, 0.9), (0.72, 0.7), (0.75, 0.6)]:
        live.log_metric("train/acc", acc)
        live.log_metric("loss", loss)
        live.next_step()
    live.log_metric("test_acc", 0.74, plot=False)
    live.log_sklearn_plot("confusion_matrix", [0, 0, 1, 1], [0, 1, 1, 1], name="cm.json")
    live.log_image("roc.png", sys.argv[2])
"""


@pytest.fixture(scope="session")
def dvclive_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DVCLive folder written by DVCLive itself, in a project folder outside any git repo."""
    needs("dvclive")
    project = tmp_path_factory.mktemp("churn-training")
    (project / "roc-source.png").write_bytes(png(7))
    made = subprocess.run(
        [sys.executable, "-c", TRAIN_WITH_DVCLIVE, "dvclive", "roc-source.png"],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, **QUIET},
        check=False,
        timeout=300,
    )
    assert made.returncode == 0, made.stderr
    return project


def results_digest(output: Path) -> str:
    """The results part of a DVCLive folder's identity: its metrics and parameters."""
    digest = hashlib.sha256()
    for name in ("metrics.json", "params.yaml"):
        digest.update(name.encode() + b"\0" + (output / name).read_bytes())
    return digest.hexdigest()[:12]


def test_dvclive_output_becomes_an_entry(repo: Repo, dvclive_output: Path, tmp_path: Path) -> None:
    project = tmp_path / "churn-training"
    shutil.copytree(dvclive_output, project)
    output = project / "dvclive"
    before = files_under(project)
    stamp = dt.datetime(2024, 5, 6, 12, 0).timestamp()
    for file in output.rglob("*"):
        os.utime(file, (stamp, stamp))  # the files' date is the entry's
    result = importing(repo, "dvclive", str(project))
    assert result.returncode == 0, result.stdout + result.stderr
    entry = "log/2024/2024-05-06-churn-training-dvclive"
    assert result.stdout.splitlines() == [
        f"wrote   {entry}.md (and 4 files in {entry}/) from DVCLive folder"
        " ../churn-training/dvclive",
        "imported 1 DVCLive folder",
    ]
    assert files_under(project) == before
    path = repo.root / f"{entry}.md"
    data = front(path)
    assert data == {
        "title": "churn-training (DVCLive)",
        "status": "inconclusive",
        "question": "Not recorded in DVCLive's files.",
        "outcome": "Final values: train/acc 0.75, loss 0.6, test_acc 0.74.",
        "date": dt.date(2024, 5, 6),
        "metrics": {"train/acc": 0.75, "loss": 0.6, "test_acc": 0.74},
        "imported_from": f"dvclive:{output.resolve()}#{results_digest(output)}",
    }
    text = path.read_text(encoding="utf-8")
    folder = "2024-05-06-churn-training-dvclive"
    assert "| model/name | logreg |" in text and '| tags | ["a", "b"] |' in text
    assert "| seed | 42 |" in text
    assert "### train/acc\n\n| step | acc |\n|---|---|\n| 0 | 0.61 |\n| 1 | 0.72 |" in text
    assert f"All steps: [loss.tsv]({folder}/plots/metrics/loss.tsv)" in text
    assert f"![roc]({folder}/plots/images/roc.png)" in text
    assert f"[sklearn/cm.json]({folder}/plots/sklearn/cm.json)" in text
    copied = repo.root / entry
    for name in ("plots/images/roc.png", "plots/metrics/train/acc.tsv", "plots/sklearn/cm.json"):
        assert (copied / name).read_bytes() == (output / name).read_bytes()
    check_strict(repo)
    imported_twice(repo, "dvclive", str(output), noun="DVCLive folder")


def test_dvclive_title_date_and_project_options(repo: Repo, dvclive_output: Path) -> None:
    inside = repo.root / "experiments/churn"
    shutil.copytree(dvclive_output / "dvclive", inside / "dvclive")
    result = importing(
        repo,
        "dvclive",
        "experiments/churn/dvclive",
        "--title",
        "Logistic regression on churn",
        "--date",
        "2023-02-01",
        "--project",
        "churn",
    )
    assert result.returncode == 0, result.stderr
    data = front(repo.root / "log/2023/2023-02-01-logistic-regression-on-churn.md")
    assert data["date"] == dt.date(2023, 2, 1) and data["project"] == "churn"
    output = inside / "dvclive"  # inside the repository: named from its root
    assert data["imported_from"] == f"dvclive:experiments/churn/dvclive#{results_digest(output)}"
    # DVCLive empties its folder for each training run: new results are a new entry.
    metrics = json.loads((output / "metrics.json").read_text())
    (output / "metrics.json").write_text(json.dumps({**metrics, "test_acc": 0.8}, indent=4))
    again = importing(repo, "dvclive", "experiments/churn", "--title", "Stronger regularisation")
    assert again.stdout.splitlines()[-1] == "imported 1 DVCLive folder", again.stdout
    bad = importing(repo, "dvclive", "experiments", "--date", "1st of May")
    assert bad.returncode == 2 and "fix: write it as YYYY-MM-DD" in bad.stderr
    empty = importing(repo, "dvclive", "playbook")
    assert empty.returncode == 2
    assert "no DVCLive output in playbook" in empty.stderr and "Traceback" not in empty.stderr


# ----------------------------------------------------------------------------- notebooks

# knowledge-repo's tests/test_posts/numerical_tags.ipynb keeps its header in a raw first cell.
KR_NOTEBOOK_HEADER = """\
---
title: "Numerical tags automatically get upgraded to strings!"
authors:
 - resident_father
created_at: 2017-03-22 00:00:00
updated_at: 2017-03-23 00:00:00
tags:
 - 2017
 - awesome
tldr: |
    In the past, numerical tags not encapsulated in quotes broke the knowledge repository\
... but no longer!
---"""


def notebook_folder(root: Path) -> Repo:
    """A team's analysis folder in git: notebooks saved by nbformat, one with an image."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell

    analysis = Repo(root)
    eda = new_notebook(
        cells=[
            new_markdown_cell("Notes first.\n\n## Churn: a first look"),
            new_code_cell("print(41 + 1)", execution_count=1),
            new_markdown_cell("![distribution](figures/dist.png)"),
        ],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    eda.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="42\n")]
    nbformat.write(eda, root / "01_churn-eda.ipynb")
    analysis.write("figures/dist.png", png(5))
    analysis.commit("EDA", date="2024-03-04T09:00:00+00:00", author=("Ana Lima", "ana@x.org"))
    post = new_notebook(cells=[new_raw_cell(KR_NOTEBOOK_HEADER), new_code_cell("1 + 1")])
    (root / "posts").mkdir()
    (root / "scratch").mkdir()
    nbformat.write(post, root / "posts/numerical_tags.ipynb")
    notes = new_notebook(cells=[new_code_cell("x = 1")])
    nbformat.write(notes, root / "scratch/untitled_notes.ipynb")
    stamp = dt.datetime(2024, 7, 8, 12, 0).timestamp()
    os.utime(root / "scratch/untitled_notes.ipynb", (stamp, stamp))
    (root / ".ipynb_checkpoints").mkdir()
    nbformat.write(notes, root / ".ipynb_checkpoints/01_churn-eda-checkpoint.ipynb")
    return analysis


def test_notebooks_become_entries_and_stay_untouched(repo: Repo, tmp_path: Path) -> None:
    folder = tmp_path / "analysis"
    notebook_folder(folder)
    originals = {
        p: p.read_bytes() for p in folder.rglob("*") if p.is_file() and ".git" not in p.parts
    }
    result = importing(repo, "notebooks", str(folder), "--project", "churn")
    assert result.returncode == 0, result.stdout + result.stderr
    eda = "log/2024/2024-03-04-churn-a-first-look"
    assert result.stdout.splitlines() == [
        f"wrote   {eda}.ipynb (and 1 file in {eda}/) from notebook ../analysis/01_churn-eda.ipynb",
        "wrote   log/2017/2017-03-22-numerical-tags-automatically-get-upgraded-to-strings.ipynb"
        " from notebook ../analysis/posts/numerical_tags.ipynb",
        "wrote   log/2024/2024-07-08-untitled-notes.ipynb from notebook"
        " ../analysis/scratch/untitled_notes.ipynb",
        "imported 3 notebooks",
    ]
    for path, data in originals.items():
        assert path.read_bytes() == data, f"{path} was changed"

    written = json.loads((repo.root / f"{eda}.ipynb").read_text(encoding="utf-8"))
    assert written["metadata"]["researchlog"] == {
        "title": "Churn: a first look",
        "status": "inconclusive",
        "question": "Not recorded in the notebook.",
        "outcome": "Not recorded in the notebook.",
        "project": "churn",
        "authors": ["Ana Lima"],
        "date": "2024-03-04",
        "imported_from": f"notebook:{folder / '01_churn-eda.ipynb'}",
    }
    original = json.loads(originals[folder / "01_churn-eda.ipynb"])
    assert written["metadata"]["kernelspec"] == original["metadata"]["kernelspec"]
    assert written["cells"][:2] == original["cells"][:2]  # outputs and ids kept
    assert "".join(written["cells"][2]["source"]) == (
        "![distribution](2024-03-04-churn-a-first-look/figures/dist.png)"
    )
    assert (repo.root / eda / "figures/dist.png").read_bytes() == png(5)

    post = front(
        repo.root / "log/2017/2017-03-22-numerical-tags-automatically-get-upgraded-to-strings.ipynb"
    )
    assert post["title"] == "Numerical tags automatically get upgraded to strings!"
    assert post["authors"] == ["resident_father"] and post["tags"] == ["2017", "awesome"]
    assert post["outcome"].startswith("In the past, numerical tags not encapsulated")
    post_cells = json.loads(
        (
            repo.root
            / "log/2017/2017-03-22-numerical-tags-automatically-get-upgraded-to-strings.ipynb"
        ).read_text()
    )["cells"]
    assert [c["cell_type"] for c in post_cells] == ["code"]  # the header is in the metadata now
    assert (
        front(repo.root / "log/2024/2024-07-08-untitled-notes.ipynb")["title"] == "untitled notes"
    )
    check_strict(repo)

    imported_twice(repo, "notebooks", str(folder), noun="notebook")


def test_notebooks_that_cannot_be_read_are_skipped_with_the_reason(
    repo: Repo, tmp_path: Path
) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "broken.ipynb").write_text('{"cells": [\n')
    (folder / "not-a-notebook.ipynb").write_text('{"hello": 1}')
    result = importing(repo, "notebooks", str(folder))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "skipped notebook ../mixed/broken.ipynb: is not valid JSON (line 2: Expecting value)",
        "skipped notebook ../mixed/not-a-notebook.ipynb: is not a Jupyter notebook (no cells)",
        "imported 0 notebooks, skipped 2: could not be imported",
    ]
    assert list((repo.root / "log").rglob("*.ipynb")) == []
    empty = importing(repo, "notebooks", "playbook")
    assert empty.returncode == 2 and "no notebooks (.ipynb) in playbook" in empty.stderr
    repo.write("log/2025/own.ipynb", (folder / "broken.ipynb").read_text())
    inside = importing(repo, "notebooks", "log")
    assert (
        inside.stdout.splitlines()[0] == "skipped notebook log/2025/own.ipynb: is in log/ already"
    )
