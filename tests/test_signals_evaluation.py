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
    # (category, labelled, predicted, correct): e.g. problem: 87 of the 100 predicted problems
    # are labelled problem (precision 87/100 = 0.870), 87 of the 106 problems found (recall
    # 87/106 = 0.821), F1 = 2 * 0.870 * 0.821 / (0.870 + 0.821) = 0.845.
    assert [(s.category, s.support, s.predicted, s.true_positives) for s in evaluation.scores] == [
        ("problem", 106, 100, 87),
        ("complaint", 98, 116, 86),
        ("idea", 66, 67, 55),
        ("question", 82, 84, 71),
        ("praise", 71, 71, 61),
        ("none", 74, 59, 54),
    ]
    # 87 + 86 + 55 + 71 + 61 + 54 = 414 of 497 right.
    assert (evaluation.messages, evaluation.correct, evaluation.language_correct) == (497, 414, 473)
    # mean of the F1s 0.845, 0.804, 0.827, 0.855, 0.859, 0.812 = 5.002 / 6
    assert round(evaluation.macro_f1, 3) == 0.834
    # The row of complaints: 4 called problems, 6 questions (complaints phrased as questions).
    assert [evaluation.confusion.get(("complaint", c), 0) for c in CATEGORIES] == [
        4,
        86,
        1,
        6,
        0,
        1,
    ]
    # Every message with text has an embedding: the model decides where it is sure.
    assert evaluation.sources == {"model": 461, "rule": 36}
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
