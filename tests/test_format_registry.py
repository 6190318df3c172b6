"""The format registry is the one place a format is listed; what dbt needs follows from it.

Regenerating the dbt files changes nothing (so nobody edited them by hand and nobody forgot
`make formats`); a wrong format.yml stops with one line naming the file and the key; every
staging model a format package holds is documented; every format has
its fixtures, its test module and its entry in docs/formats.md; the known platforms are the
ones the formats declare.
"""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

import pytest

from learnloop.config import PLATFORMS
from learnloop.ingest.formats import FORMATS, formats_of
from learnloop.ingest.formats.canonical import SHAPES
from learnloop.ingest.formats.curated_labels.reader import CuratedLabels
from learnloop.ingest.formats.dbt_files import main, platforms, staging_models, stale_files
from learnloop.ingest.formats.spec import SPEC_FILE, FormatSpecError, load_specs
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
    """The staging SQL's `'platform': "'x'"` and format.yml's `platform: x` say the same."""
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


# A format.yml as the formats write it, to break one key at a time.
_SPEC = """\
formats:
  - name: notes
    reader: NotesCsv
    title: Notes CSV
    platform: null
    raw_table: notes__rows
    raw_description: One row per note.
    id_column: note_id
    time_column: written_at
    count_columns: [likes]
    columns:
      - name: note_id
        type: VARCHAR
        description: The note's id.
      - {name: written_at, type: TIMESTAMPTZ}
      - {name: likes, type: BIGINT}
"""


def _write_spec(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "notes" / SPEC_FILE
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_format_yml_becomes_the_attributes_of_its_format(tmp_path: Path):
    (spec,) = load_specs(_write_spec(tmp_path, _SPEC))
    assert (spec.name, spec.reader, spec.platform, spec.raw_table) == (
        "notes",
        "NotesCsv",
        None,
        "notes__rows",
    )
    assert spec.columns == (
        ("note_id", "VARCHAR"),
        ("written_at", "TIMESTAMPTZ"),
        ("likes", "BIGINT"),
    )
    assert spec.column_docs == (("note_id", "The note's id."),)
    assert (spec.count_columns, spec.author_columns) == (("likes",), ())
    assert (spec.time_required, spec.private_messages, spec.reads_utf16) == (True, False, False)


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        (
            "    id_column: note_id\n",
            "    id_column: note_key\n",
            "formats[0] (notes).id_column: 'note_key' is not one of the columns",
        ),
        (
            "    count_columns: [likes]\n",
            "    count_columns: [likes, shares]\n",
            "formats[0] (notes).count_columns: 'shares' is not one of the columns",
        ),
        (
            "    title: Notes CSV\n",
            "",
            "formats[0] (notes).title: is missing",
        ),
        (
            "    title: Notes CSV\n",
            "    title: Notes CSV\n    tilte: Notes\n",
            "formats[0] (notes).tilte: unknown key (known: name, reader, title, platform, "
            "raw_table, raw_description, id_column, time_column, columns, count_columns, "
            "author_columns, time_required, private_messages, platform_column, reads_utf16)",
        ),
        (
            "      - {name: likes, type: BIGINT}\n",
            "      - {name: likes, type: bigint}\n",
            "formats[0] (notes).columns[2].type: must be a DuckDB type like VARCHAR, not 'bigint'",
        ),
        (
            "      - {name: likes, type: BIGINT}\n",
            "      - {name: note_id, type: BIGINT}\n",
            "formats[0] (notes).columns[2].name: must be a column name given once, not 'note_id'",
        ),
        (
            "    platform: null\n",
            "    platform: null\n    time_required: no\n",
            # YAML's `no` is false; a quoted word is not.
            None,
        ),
        (
            "    platform: null\n",
            "    platform: null\n    time_required: 'no'\n",
            "formats[0] (notes).time_required: must be true or false, not 'no'",
        ),
        (
            "formats:\n",
            "format:\n",
            "formats: must be a list of one or more formats",
        ),
        (
            "    raw_table: notes__rows\n",
            "    raw_table: [notes__rows\n",
            "not valid YAML at line 7 (expected ',' or ']', but got ':')",
        ),
    ],
)
def test_a_wrong_format_yml_stops_with_one_line_naming_the_file_and_key(
    tmp_path: Path, old: str, new: str, error: str | None
):
    assert old in _SPEC
    path = _write_spec(tmp_path, _SPEC.replace(old, new))
    if error is None:
        assert load_specs(path)[0].time_required is False
        return
    with pytest.raises(FormatSpecError) as raised:
        load_specs(path)
    assert str(raised.value) == f"{path}: {error}"


_READER = """\
from learnloop.ingest.formats.base import ExportFormat


class NotesCsv(ExportFormat):
    def detect(self, sample, config):
        return False

    def select_sql(self, path, sample, config):
        return "SELECT 1"
"""


def _reader_module(tmp_path: Path, spec_text: str, extra: str = ""):
    path = _write_spec(tmp_path, spec_text).with_name("reader.py")
    path.write_text(_READER + extra, encoding="utf-8")
    module_spec = importlib.util.spec_from_file_location("notes_reader", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def test_the_registry_makes_each_entry_with_the_class_it_names(tmp_path: Path):
    (notes,) = formats_of(_reader_module(tmp_path, _SPEC))
    assert (type(notes).__name__, notes.name, notes.raw_table) == (
        "NotesCsv",
        "notes",
        "notes__rows",
    )
    assert notes.create_table_sql() == (
        "CREATE TABLE IF NOT EXISTS raw.notes__rows (note_id VARCHAR, written_at TIMESTAMPTZ, "
        "likes BIGINT, _source_file VARCHAR, _source_checksum VARCHAR, _source_row BIGINT, "
        "_run_key VARCHAR, _loaded_at TIMESTAMPTZ)"
    )


def test_a_reader_class_without_an_entry_or_an_entry_without_a_class_stops(tmp_path: Path):
    module = _reader_module(tmp_path, _SPEC, "\n\nclass DraftsCsv(NotesCsv):\n    pass\n")
    path = tmp_path / "notes" / SPEC_FILE
    with pytest.raises(FormatSpecError) as raised:
        formats_of(module)
    assert str(raised.value) == f"{path}: formats: no entry names DraftsCsv as reader"
    load_specs.cache_clear()  # the same path, written anew
    module = _reader_module(tmp_path, _SPEC.replace("reader: NotesCsv", "reader: NoteCsv"))
    with pytest.raises(FormatSpecError) as raised:
        formats_of(module)
    assert str(raised.value) == (
        f"{path}: formats[0] (notes).reader: reader.py has no ExportFormat class NoteCsv"
    )


def test_each_format_is_read_from_the_format_yml_in_its_package():
    for export_format in FORMATS:
        package = FORMATS_DIR / export_format.__module__.split(".")[-2]
        assert export_format.spec in load_specs(package / SPEC_FILE), export_format.name
    # A reader made without the registry finds its own entry (tests build readers directly).
    assert CuratedLabels().spec == next(f.spec for f in FORMATS if f.name == "curated_labels")
    assert CuratedLabels().time_column == "_loaded_at"  # a lineage column: labels have no time


def test_the_wheel_ships_every_format_yml():
    """pyproject's package-data names the files; a wheel without them has no formats."""
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["learnloop.ingest.formats"]
    shipped = [
        path.parent.name
        for path in FORMATS_DIR.glob(f"*/{SPEC_FILE}")
        if any(path.relative_to(FORMATS_DIR).match(pattern) for pattern in patterns)
    ]
    assert sorted(shipped) == PACKAGES
    assert len(PACKAGES) == 26
