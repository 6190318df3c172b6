"""SQL that turns the HTML of API text fields into plain text (DuckDB, reader side).

Mastodon statuses carry their text as HTML; X API v2 escapes `&`, `<` and `>` in tweet text.
Tags go first, entities second, so escaped markup (`&lt;b&gt;`) stays literal text and
`&amp;lt;` decodes once, to `&lt;`.
"""

from __future__ import annotations

# Named entities that social platforms write; others are kept as written.
NAMED_ENTITIES: dict[str, str] = {
    "&amp;": "&",
    "&lt;": "<",
    "&gt;": ">",
    "&quot;": '"',
    "&#39;": "'",
    "&apos;": "'",
    "&nbsp;": "\u00a0",
    "&hellip;": "\u2026",
    "&mdash;": "\u2014",
    "&ndash;": "\u2013",
}
# One token per entity or per run of other text: the tokens concatenate to the input.
_TOKENS = r"&#[xX][0-9a-fA-F]{1,6};|&#[0-9]{1,7};|&[a-zA-Z][a-zA-Z0-9]*;|[^&]+|&"
# The largest code point; DuckDB's chr() rejects anything above (and surrogates).
_MAX_CODE_POINT = 0x10FFFF


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def decode_entities_sql(expression: str) -> str:
    """SQL decoding the named entities above and numeric ones (`&#233;`, `&#x1F6B2;`).

    DuckDB's regexp_replace cannot compute a replacement, so the string is split into
    tokens, each entity token is mapped, and the tokens are joined again.
    """
    named = " ".join(
        f"WHEN token = {_sql_string(entity)} THEN {_sql_string(char)}"
        for entity, char in NAMED_ENTITIES.items()
    )
    code = (
        "CASE WHEN token[3] IN ('x', 'X') "
        "THEN try_cast('0x' || token[4:-2] AS INTEGER) "
        "ELSE try_cast(token[3:-2] AS INTEGER) END"
    )
    numeric = (
        f"CASE WHEN {code} BETWEEN 1 AND {_MAX_CODE_POINT} "
        f"AND NOT {code} BETWEEN 55296 AND 57343 THEN chr({code}) ELSE token END"
    )
    return (
        f"array_to_string(list_transform(regexp_extract_all({expression}, "
        f"{_sql_string(_TOKENS)}), lambda token: CASE {named} "
        f"WHEN token[1:2] = '&#' THEN {numeric} ELSE token END), '')"
    )


def html_to_text_sql(expression: str) -> str:
    """SQL for the plain text of an HTML fragment: `<br>` is a line break, a paragraph break
    is a blank line, other tags are dropped, entities decoded, outer whitespace trimmed."""
    breaks = f"regexp_replace({expression}, '<br\\s*/?>', chr(10), 'gi')"
    paragraphs = f"regexp_replace({breaks}, '</p>\\s*<p[^>]*>', chr(10) || chr(10), 'gi')"
    untagged = f"regexp_replace({paragraphs}, '<[^>]*>', '', 'g')"
    return f"trim({decode_entities_sql(untagged)})"
