"""The export formats LearnLoop reads: one package per format, found by looking.

A package here (`x_api/`, `youtube_studio/`, ...) is one export format, or a family that
shares a reader (YouTube Studio's three files): `format.yml` declares its data (raw table,
columns, what the raw gate checks; spec.py reads it), `reader.py` holds its behaviour (the
detector and the DuckDB reader, one class per entry of format.yml), and its `stg_*.sql`
files are its dbt staging models (dbt reads them from here, see dbt_project.yml). Nothing
else lists the formats: the dbt sources, the staging YAML and the union lists are generated
from this registry (`make formats`), and the raw gate reads it. Detectors exclude each other
(tests/test_format_detection.py), so the order of FORMATS means nothing; it is sorted by name.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path
from types import ModuleType

from learnloop.ingest.formats.base import ExportFormat, FileSample
from learnloop.ingest.formats.spec import SPEC_FILE, FormatSpecError, load_specs


def formats_of(reader: ModuleType) -> list[ExportFormat]:
    """The formats a reader module reads, each made from its entry in the format.yml beside
    it; every ExportFormat class the module defines must have one."""
    path = Path(reader.__file__ or "").with_name(SPEC_FILE)
    specs = load_specs(path)
    classes = {
        name: member
        for name, member in vars(reader).items()
        if inspect.isclass(member)
        and issubclass(member, ExportFormat)
        and member.__module__ == reader.__name__
        and not inspect.isabstract(member)
    }
    for index, spec in enumerate(specs):
        if spec.reader not in classes:
            raise FormatSpecError(
                f"{path}: formats[{index}] ({spec.name}).reader: reader.py has no "
                f"ExportFormat class {spec.reader}"
            )
    unread = sorted(set(classes) - {spec.reader for spec in specs})
    if unread:
        raise FormatSpecError(f"{path}: formats: no entry names {', '.join(unread)} as reader")
    return [classes[spec.reader](spec) for spec in specs]


def _discover() -> tuple[ExportFormat, ...]:
    found: list[ExportFormat] = []
    for package in pkgutil.iter_modules(__path__):
        if package.ispkg:  # not a helper module shared by several formats
            found += formats_of(importlib.import_module(f"{__name__}.{package.name}.reader"))
    return tuple(sorted(found, key=lambda export_format: export_format.name))


FORMATS: tuple[ExportFormat, ...] = _discover()

__all__ = ["FORMATS", "ExportFormat", "FileSample"]
