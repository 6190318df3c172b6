"""The weekly learning report: one self-contained HTML page per ISO week, with its data.

queries.py (all SQL) -> content.py (what the page says) -> html.py + charts.py (how it
looks) -> writer.py (where it goes); texts.py holds the English and German words.
"""

from learnloop.report.summary import summary_table
from learnloop.report.weeks import iso_week_label, parse_iso_week
from learnloop.report.writer import latest_week, write_report

__all__ = ["iso_week_label", "latest_week", "parse_iso_week", "summary_table", "write_report"]
