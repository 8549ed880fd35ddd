"""One option table: the CLI and the build read mkdocs.yml the same way, validate every option
the same way, and report a bad value as the same problem, with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import MINIMAL_MKDOCS, Repo, mkdocs_build, run_cli

EMOJI_CONFIG = """\
site_name: Emoji log
docs_dir: playbook
site_dir: public
theme:
  name: material
  font: false
plugins:
  - researchlog
markdown_extensions:
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
      emoji_generator: !!python/name:material.extensions.emoji.to_svg
"""


def _with_options(repo: Repo, options: str) -> None:
    repo.write("mkdocs.yml", MINIMAL_MKDOCS.replace("  - researchlog\n", options))
    repo.entry("log/a.md", title="A", status="success", outcome="Fine.")
    repo.commit("one entry")


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (
            "  - researchlog:\n      stale_after: many\n",
            'mkdocs.yml:8: error: stale_after is the text "many"\n    fix: use a whole number,'
            " 1 or more (the default is 5)",
        ),
        (
            '  - researchlog:\n      git_history: "no"\n',
            'mkdocs.yml:8: error: git_history must be true or false, not the text "no"\n'
            "    fix: write git_history: true or git_history: false, without quotes",
        ),
        (
            "  - researchlog:\n      notebook_max_mb: -1\n",
            "mkdocs.yml:8: error: notebook_max_mb must be a number above 0, not -1",
        ),
        (
            "  - researchlog:\n      metrics:\n        val_loss: lower\n        wape: down\n",
            'mkdocs.yml:10: error: metric "wape" has direction "down"\n    fix: write wape:'
            " higher or wape: lower (higher is the default)",
        ),
        (
            "  - researchlog:\n      log_dir: ../elsewhere\n",
            'mkdocs.yml:8: error: log_dir is "../elsewhere", outside the repository',
        ),
    ],
)
def test_a_bad_option_is_one_problem_for_check_and_build(
    repo: Repo, tmp_path: Path, options: str, expected: str
) -> None:
    _with_options(repo, options)
    check = run_cli("check", cwd=repo.root)
    assert "Traceback" not in check.stderr
    assert check.returncode == 1
    assert expected in check.stdout
    build = mkdocs_build(repo.root, site_dir=tmp_path / "site")
    assert build.returncode == 0, build.stderr  # the default is used, the rest builds
    assert expected in build.stderr
    strict = mkdocs_build(repo.root, strict=True, site_dir=tmp_path / "strict")
    assert strict.returncode == 1


def test_options_keep_their_defaults_where_values_are_bad(repo: Repo) -> None:
    from researchlog.core.settings import load_settings

    _with_options(repo, '  - researchlog:\n      git_history: "no"\n      stale_after: many\n')
    settings = load_settings(repo.root)
    assert settings.git_history is True and settings.stale_after == 5
    assert sorted(p.line or 0 for p in settings.problems) == [8, 9]


def test_an_unknown_option_is_a_warning_with_a_suggestion(repo: Repo) -> None:
    _with_options(repo, "  - researchlog:\n      stale_afer: 3\n")
    check = run_cli("check", cwd=repo.root)
    assert (
        'mkdocs.yml:8: warning: the researchlog plugin has no option "stale_afer"; it is'
        ' ignored\n    fix: did you mean "stale_after"?'
    ) in check.stdout


def test_metric_directions_are_read_from_metrics(repo: Repo) -> None:
    from researchlog.core.settings import load_settings

    _with_options(repo, "  - researchlog:\n      metrics:\n        val_loss: lower\n")
    settings = load_settings(repo.root)
    assert settings.metrics == {"val_loss": "lower"}
    assert not settings.higher_is_better("val_loss")


def test_build_reads_site_dir_from_a_config_with_python_tags(repo: Repo) -> None:
    """Material's standard emoji configuration uses !!python/name: tags; the one reader of
    mkdocs.yml keeps them as text, so `site_dir: public` is honoured."""
    repo.write("mkdocs.yml", EMOJI_CONFIG)
    repo.entry("log/a.md", "Done :rocket:\n", title="A", status="success", outcome="Fine.")
    repo.commit("one entry")
    result = run_cli("build", cwd=repo.root)
    assert result.returncode == 0, result.stderr
    assert (repo.root / "public/log/a/index.html").is_file()
    assert not (repo.root / "site").exists()
    assert run_cli("check", cwd=repo.root).returncode == 0
