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
    # (category, labelled, predicted, correct): e.g. problem: 99 of the 111 predicted problems
    # are labelled problem (precision 99/111 = 0.892), 99 of the 106 problems found (recall
    # 99/106 = 0.934), F1 = 2 * 99 / (106 + 111) = 0.912.
    assert [(s.category, s.support, s.predicted, s.true_positives) for s in evaluation.scores] == [
        ("problem", 106, 111, 99),
        ("complaint", 98, 107, 91),
        ("idea", 66, 66, 59),
        ("question", 82, 78, 73),
        ("praise", 71, 66, 60),
        ("none", 74, 69, 59),
    ]
    # 99 + 91 + 59 + 73 + 60 + 59 = 441 of 497 right.
    assert (evaluation.messages, evaluation.correct, evaluation.language_correct) == (497, 441, 473)
    # F1 = 2 * correct / (labelled + predicted): 198/217, 182/205, 118/132, 146/160, 120/137,
    # 118/143 = 0.9124, 0.8878, 0.8939, 0.9125, 0.8759, 0.8252; sum 5.3077 / 6 = 0.885
    assert round(evaluation.macro_f1, 3) == 0.885
    # The row of complaints: 5 called problems, 1 an idea, 1 a question (complaints phrased as
    # questions).
    assert [evaluation.confusion.get(("complaint", c), 0) for c in CATEGORIES] == [
        5,
        91,
        1,
        1,
        0,
        0,
    ]
    # Every message of the set has text and an embedding, so the model decides every one.
    assert evaluation.sources == {"model": 497}
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
