"""The format registry is the one place a format is listed; what dbt needs follows from it.

Regenerating the dbt files changes nothing (so nobody edited them by hand and nobody forgot
`make formats`); every staging model a format package holds is documented; every format has
its fixtures, its test module and its entry in docs/formats.md; the known platforms are the
ones the formats declare.
"""

from __future__ import annotations

import re

from learnloop.config import PLATFORMS
from learnloop.ingest.formats import FORMATS
from learnloop.ingest.formats.canonical import SHAPES
from learnloop.ingest.formats.dbt_files import main, platforms, staging_models, stale_files
from learnloop.paths import FORMATS_DIR, PROJECT_ROOT
from tests.conftest import FIXTURES

PACKAGES = sorted({f.__module__.split(".")[-2] for f in FORMATS})


def test_regenerating_the_dbt_files_changes_nothing(capsys):
    assert stale_files() == []
    assert main(["--check"]) == 0
    assert capsys.readouterr().out == ""


def test_every_staging_model_is_documented_by_its_package():
    """A staging model that feeds a shape is described by the doc block of its name (the
    generated YAML points there); any other staging model has an entry in its package's YAML."""
    conformed = {model for models in staging_models().values() for model in models}
    undocumented = []
    for sql in sorted(FORMATS_DIR.glob("*/stg_*.sql")):
        package = sql.parent
        docs = "".join(p.read_text(encoding="utf-8") for p in package.glob("*.md"))
        yaml = "".join(p.read_text(encoding="utf-8") for p in package.glob("_*.yml"))
        if sql.stem in conformed:
            documented = re.search(rf"{{%\s*docs\s+{sql.stem}\s*%}}", docs)
        else:
            documented = re.search(rf"^\s*- name: {sql.stem}$", yaml, re.MULTILINE)
        if not documented:
            undocumented.append(sql.stem)
    assert undocumented == []


def test_every_shape_is_fed_by_a_staging_model():
    assert {
        shape.name: bool(models)
        for shape, models in zip(SHAPES, staging_models().values(), strict=True)
    } == {
        "interactions": True,
        "posts": True,
        "followers": True,
        "backlog_items": True,
    }


# Formats whose fixtures and tests live elsewhere than tests/fixtures/<package>/ and
# tests/test_format_<package>.py: the first two formats (tested with the loader itself) and
# the learning sources, which share one folder and one module (docs/formats.md §3).
ELSEWHERE = {
    "inbox_csv": ("inbox_csv", "test_ingest.py"),
    "youtube_api": ("youtube_api", "test_ingest.py"),
    **{
        package: ("insights", "test_format_insights.py")
        for package in ("github_issues", "insight_register", "jira", "linear")
    },
}


def test_every_format_has_fixtures_a_test_module_and_a_description():
    formats_doc = (PROJECT_ROOT / "docs/formats.md").read_text(encoding="utf-8")
    missing = []
    for package in PACKAGES:
        folder, module = ELSEWHERE.get(package, (package, f"test_format_{package}.py"))
        if not (FIXTURES / folder).is_dir():
            missing.append(f"{package}: tests/fixtures/{folder}/")
        if not (PROJECT_ROOT / "tests" / module).exists():
            missing.append(f"{package}: tests/{module}")
    missing += [f"{f.name}: docs/formats.md" for f in FORMATS if f"`{f.name}`" not in formats_doc]
    assert missing == []


def test_the_known_platforms_are_the_ones_the_formats_declare():
    # The config, the CLI and dbt's accepted_values read the generated list (kept fresh by
    # the regeneration test above); Bluesky and Discord are known because their formats are.
    assert PLATFORMS == (
        "bluesky", "discord", "facebook", "instagram", "linkedin", "mastodon", "x", "youtube",
    )  # fmt: skip
    assert list(PLATFORMS) == platforms()
    declared = {f.name: f.platform for f in FORMATS}
    assert declared["bluesky_api"] == "bluesky"
    assert declared["discord_export"] == "discord"
    # Rows that name their platform, or no platform's rows: none declared.
    assert sorted(name for name, platform in declared.items() if platform is None) == [
        "curated_labels",
        "github_issues",
        "inbox_csv",
        "insight_register",
        "jira",
        "linear",
        "meta_business_posts",
        "meta_daily_insights",
        "meta_dyi_messages",
    ]


_PLATFORM_LITERAL = re.compile(r"'platform':\s*\"'(\w+)'\"")


def test_a_package_s_staging_models_write_the_platform_its_formats_declare():
    """The staging SQL's `'platform': "'x'"` and the reader's `platform = "x"` say the same."""
    declared: dict[str, set[str]] = {}
    for export_format in FORMATS:
        package = export_format.__module__.split(".")[-2]
        declared.setdefault(package, set())
        if export_format.platform is not None:
            declared[package].add(export_format.platform)
    written = {
        package: {
            literal
            for sql in (FORMATS_DIR / package).glob("stg_*.sql")
            for literal in _PLATFORM_LITERAL.findall(sql.read_text(encoding="utf-8"))
        }
        for package in declared
    }
    assert written == declared
