"""The classifier's quality on the labelled sets, measured with the real dbt models and seeds.

The evaluation set (497 messages, written by other people than the training examples) was
never used to train or tune: the development split of the shipped examples was. The figures
are deterministic (the embedding engine gives the same vectors on any thread count), so they
are asserted exactly, and the README's tables must show this very report.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from learnloop.evaluate_classifier import (
    SETS_DIR,
    evaluate,
    format_confusion,
    format_report,
    main,
)
from learnloop.paths import PROJECT_ROOT

CATEGORIES = ["problem", "complaint", "idea", "question", "praise", "none"]


@pytest.mark.slow
def test_evaluation_set_figures_match_the_readme(tmp_path: Path):
    evaluation = evaluate(SETS_DIR / "eval_set.csv", tmp_path)
    # (category, labelled, predicted, correct): e.g. problem: 91 of the 105 predicted problems
    # are labelled problem (precision 91/105 = 0.867), 91 of the 106 problems found (recall
    # 91/106 = 0.858), F1 = 2 * 0.867 * 0.858 / (0.867 + 0.858) = 0.863.
    assert [(s.category, s.support, s.predicted, s.true_positives) for s in evaluation.scores] == [
        ("problem", 106, 105, 91),
        ("complaint", 98, 112, 82),
        ("idea", 66, 67, 55),
        ("question", 82, 88, 72),
        ("praise", 71, 70, 60),
        ("none", 74, 55, 53),
    ]
    # 91 + 82 + 55 + 72 + 60 + 53 = 413 of 497 right.
    assert (evaluation.messages, evaluation.correct, evaluation.language_correct) == (497, 413, 473)
    # mean of the F1s 0.863, 0.781, 0.827, 0.847, 0.851, 0.822
    assert round(evaluation.macro_f1, 3) == 0.832
    # The row of complaints: 5 called problems, 8 questions (complaints phrased as questions).
    assert [evaluation.confusion.get(("complaint", c), 0) for c in CATEGORIES] == [
        5,
        82,
        2,
        8,
        1,
        0,
    ]
    # Every message with text has an embedding: the model decides where it is sure.
    assert evaluation.sources == {"model": 464, "rule": 33}
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    report = format_report("eval_set.csv", evaluation) + "\n" + format_confusion(evaluation)
    for line in report.splitlines()[1:]:
        assert line in readme


def test_a_set_without_the_label_columns_is_one_clear_line(tmp_path: Path, capsys):
    labelled = tmp_path / "labels.csv"
    labelled.write_text("id,text\n1,hello\n", encoding="utf-8")
    assert main([str(labelled)]) == 1
    assert capsys.readouterr().err == (
        f"evaluate_classifier: {labelled}: labelled set (CSV): "
        "missing columns platform, language, category\n"
    )
