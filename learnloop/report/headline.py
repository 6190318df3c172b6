"""The paragraph at the top of the report: the week in five sentences, in the report's language.

The week's community messages and signals by category, the top topics, what shipped, which
loops are open and how many conversations still wait for an answer. Every figure is one the
sections below show; a part whose relation is not published (signals, topics, insights, the
report marts) is left out rather than claimed to be zero. Returns plain text: the template
escapes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from learnloop.report.texts import Texts

TOPICS_NAMED = 3
ITEMS_NAMED = 3  # shipped insights and open loops named before "and N more"


@dataclass(frozen=True)
class WeekFacts:
    week_label: str
    messages: int
    signals: dict[str, int] | None  # category -> count; None when signals are not published
    topics: list[str] | None  # by rank; None when topics are not published
    shipped: list[tuple[str, str]] | None  # (insight_id, title); None without insights
    open_loops: list[tuple[str, str]] | None
    waiting: int | None  # None when the file has no rpt_waiting_threads


def paragraph(t: Texts, facts: WeekFacts, categories: tuple[str, ...]) -> str:
    sentences = [_messages(t, facts, categories)]
    if facts.topics:
        sentences.append(t("headline.topics", topics=", ".join(facts.topics[:TOPICS_NAMED])))
    if facts.shipped is not None:
        sentences.append(_items(t, "shipped", facts.shipped))
    if facts.open_loops is not None:
        sentences.append(_items(t, "open_loops", facts.open_loops))
    if facts.waiting:
        sentences.append(t("headline.waiting", count=t.count(facts.waiting, "conversation")))
    elif facts.waiting is not None:
        sentences.append(t("no_unanswered"))
    return " ".join(sentences)


def _messages(t: Texts, facts: WeekFacts, categories: tuple[str, ...]) -> str:
    wrote = t("headline.wrote", week=facts.week_label, messages=t.count(facts.messages, "message"))
    if facts.signals is None:
        return wrote + "."
    total = sum(facts.signals.values())
    if total == 0:
        return wrote + t("headline.no_signals") + "."
    named = ", ".join(
        t.count(facts.signals[c], c) for c in categories if facts.signals.get(c, 0) > 0
    )
    return wrote + t("headline.with_signals", signals=t.count(total, "signal_with"), named=named)


def _items(t: Texts, kind: str, items: list[tuple[str, str]]) -> str:
    if not items:
        return t(f"headline.no_{kind}")
    named = "; ".join(f"{title} ({key})" for key, title in items[:ITEMS_NAMED])
    if len(items) > ITEMS_NAMED:
        named += t("headline.more", count=t.number(len(items) - ITEMS_NAMED))
    return t(f"headline.{kind}", items=named)
