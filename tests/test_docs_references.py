"""Every document the code and docs cite ships in the repo (a user who clones it has no other)."""

from __future__ import annotations

import re
import subprocess

from learnloop.paths import PROJECT_ROOT

# A path-like mention of a Markdown file (`docs/kpis.md`, `README.md`, or one up a folder).
MARKDOWN_MENTION = re.compile(r"(?<![\w./-])((?:\.\./|[\w-]+/)*[\w-]+\.md)\b")
WRITTEN_BY_LEARNLOOP = {"summary.md"}  # the weekly report's Markdown summary, not a document


def _tracked_text_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "*.py", "*.sql", "*.yml", "*.yaml", "*.md", "*.toml", "Makefile"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [name for name in listed if not name.startswith("tests/fixtures/")]


def test_every_cited_markdown_file_exists_in_the_repo():
    missing = set()
    for name in _tracked_text_files():
        path = PROJECT_ROOT / name
        text = path.read_text(encoding="utf-8", errors="replace")
        for cited in set(MARKDOWN_MENTION.findall(text)) - WRITTEN_BY_LEARNLOOP:
            # Relative to the citing file (Markdown links) or to the repo root (comments).
            candidates = (path.parent / cited, PROJECT_ROOT / cited)
            if not any(c.resolve().is_relative_to(PROJECT_ROOT) and c.exists() for c in candidates):
                missing.add(f"{name}: {cited}")
    assert sorted(missing) == []


def test_the_three_reference_documents_are_cited_by_their_repo_path():
    # docs/kpis.md, docs/formats.md and docs/contracts.md: the bare file name in a comment
    # outside docs/ would send a reader looking for a file that is not there.
    bare = re.compile(r"(?<![\w./-])(kpis|formats|contracts)\.md")
    offenders = [
        name
        for name in _tracked_text_files()
        if not name.startswith("docs/")
        and bare.search((PROJECT_ROOT / name).read_text(encoding="utf-8", errors="replace"))
    ]
    assert offenders == []
