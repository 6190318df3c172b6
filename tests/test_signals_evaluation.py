"""The classifier's quality on the labelled sets, measured with the real dbt models and seeds.

The evaluation set was never used to tune the rules (the development set was). The figures are
deterministic, so they are asserted exactly, and the README's table must show this very report.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from learnloop.evaluate_classifier import SETS_DIR, evaluate, format_report, main
from learnloop.paths import PROJECT_ROOT


@pytest.mark.slow
def test_evaluation_set_figures_match_the_readme(tmp_path: Path):
    evaluation = evaluate(SETS_DIR / "eval_set.csv", tmp_path)
    # (category, labelled, predicted, correct): e.g. problem: 17 of the 19 predicted problems
    # are labelled problem (precision 17/19 = 0.895), 17 of the 29 problems found (recall
    # 17/29 = 0.586), F1 = 2 * 0.895 * 0.586 / (0.895 + 0.586) = 0.708.
    assert [(s.category, s.support, s.predicted, s.true_positives) for s in evaluation.scores] == [
        ("problem", 29, 19, 17),
        ("complaint", 25, 17, 17),
        ("idea", 24, 21, 21),
        ("question", 30, 31, 28),
        ("praise", 25, 24, 23),
        ("none", 27, 48, 24),
    ]
    # 17 + 17 + 21 + 28 + 23 + 24 = 130 of 160 right.
    assert (evaluation.messages, evaluation.correct, evaluation.language_correct) == (160, 130, 148)
    # mean of the F1s 0.708, 0.810, 0.933, 0.918, 0.939, 0.640
    assert round(evaluation.macro_f1, 3) == 0.825
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for line in format_report("eval_set.csv", evaluation).splitlines()[1:]:
        assert line in readme


@pytest.mark.slow
def test_development_set_figures(tmp_path: Path):
    evaluation = evaluate(SETS_DIR / "dev_set.csv", tmp_path)
    # The rules were tuned on these 118 messages: 116 categories and 116 languages right; the
    # misses are hard cases ('Wer schaut das 2026 noch' is rhetorical, not a question).
    assert (evaluation.messages, evaluation.correct, evaluation.language_correct) == (118, 116, 116)
    assert round(evaluation.macro_f1, 3) == 0.984


def test_a_set_without_the_label_columns_is_one_clear_line(tmp_path: Path, capsys):
    labelled = tmp_path / "labels.csv"
    labelled.write_text("id,text\n1,hello\n", encoding="utf-8")
    assert main([str(labelled)]) == 1
    assert capsys.readouterr().err == (
        f"evaluate_classifier: {labelled}: labelled set (CSV): "
        "missing columns platform, language, category\n"
    )
