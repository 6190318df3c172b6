"""The export formats LearnLoop reads: one package per format, found by looking.

A package here (`x_api/`, `youtube_studio/`, ...) is one export format, or a family that
shares a reader (YouTube Studio's three files): `reader.py` holds its detector, its DuckDB
reader and its raw columns; its `stg_*.sql` files are its dbt staging models (dbt reads them
from here, see dbt_project.yml). Nothing else lists the formats: the dbt sources, the
staging YAML and the union lists are generated from this registry (`make formats`), and the
raw gate reads it. Detectors exclude each other (tests/test_format_detection.py), so the
order of FORMATS means nothing; it is sorted by name.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from learnloop.ingest.formats.base import ExportFormat, FileSample


def _discover() -> tuple[ExportFormat, ...]:
    found: list[ExportFormat] = []
    for package in pkgutil.iter_modules(__path__):
        if not package.ispkg:
            continue  # a helper module shared by several formats
        reader = importlib.import_module(f"{__name__}.{package.name}.reader")
        found.extend(
            member()
            for member in vars(reader).values()
            if inspect.isclass(member)
            and issubclass(member, ExportFormat)
            and member.__module__ == reader.__name__
            and not inspect.isabstract(member)
        )
    return tuple(sorted(found, key=lambda export_format: export_format.name))


FORMATS: tuple[ExportFormat, ...] = _discover()

__all__ = ["FORMATS", "ExportFormat", "FileSample"]
