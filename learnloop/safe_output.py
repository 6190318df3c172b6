"""Escaping for outputs people open: CSV cells that start a formula, bidi controls, Markdown.

Excel, LibreOffice and Google Sheets run a cell that starts with `=`, `+`, `-` or `@` (and,
in some versions, a tab or carriage return) as a formula: `=HYPERLINK(...)` in a community
member's message would become a live link in the report (OWASP "CSV injection"). Such cells
get a leading apostrophe, which spreadsheets show as text and do not display. The warehouse
keeps the value as it was written; only CSV outputs escape it.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_csv_cell(value: str) -> str:
    """The cell as a spreadsheet will show it as text, never run it."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def escape_csv_cell_sql(expression: str) -> str:
    """The same rule as a DuckDB expression, for `COPY ... TO` of a VARCHAR column."""
    starts = ", ".join(f"'{c}'" if c not in "\t\r" else f"chr({ord(c)})" for c in FORMULA_STARTS)
    return (
        f"CASE WHEN left({expression}, 1) IN ({starts}) "
        f"THEN '''' || {expression} ELSE {expression} END"
    )


# Bidirectional controls: embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069)
# and the direction marks (U+200E, U+200F, U+061C). In a quote they can make text display in
# another order than it is written ("Trojan Source"), e.g. hide what a link or name says.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_NO_BIDI = str.maketrans("", "", BIDI_CONTROLS)


def strip_bidi(text: str) -> str:
    return text.translate(_NO_BIDI)


def strip_bidi_sql(expression: str) -> str:
    """The same as a DuckDB expression, for text that DuckDB writes out itself (COPY)."""
    return f"regexp_replace({expression}, '[{BIDI_CONTROLS}]', '', 'g')"


# Inside a table cell (never at a line's start) only these make markup: emphasis, code,
# links and images (through `[`), strikethrough, a cell break; `<` `&` start HTML.
_MARKDOWN_SPECIAL = "\\`*_[]|~"
_MARKDOWN_ESCAPES = {
    **{ord(c): "\\" + c for c in _MARKDOWN_SPECIAL},
    **{ord("<"): "&lt;", ord(">"): "&gt;", ord("&"): "&amp;"},
    **{code: " " for code in range(32)},  # line breaks would end a table row; ESC, BEL ...
    127: " ",
}


def markdown_text(text: str) -> str:
    """Text as it was written, inert in Markdown: no markup, link, HTML tag or table cell
    break, no control or bidi character (summary.md goes to chats and terminals)."""
    return strip_bidi(text).translate(_MARKDOWN_ESCAPES)
