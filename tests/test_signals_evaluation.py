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
    # (category, labelled, predicted, correct): e.g. problem: 98 of the 110 predicted problems
    # are labelled problem (precision 98/110 = 0.891), 98 of the 106 problems found (recall
    # 98/106 = 0.925), F1 = 2 * 98 / (106 + 110) = 0.907.
    assert [(s.category, s.support, s.predicted, s.true_positives) for s in evaluation.scores] == [
        ("problem", 106, 110, 98),
        ("complaint", 98, 109, 89),
        ("idea", 66, 74, 57),
        ("question", 82, 74, 66),
        ("praise", 71, 64, 57),
        ("none", 74, 66, 57),
    ]
    # 98 + 89 + 57 + 66 + 57 + 57 = 424 of 497 right.
    assert (evaluation.messages, evaluation.correct, evaluation.language_correct) == (497, 424, 473)
    # F1 = 2 * correct / (labelled + predicted): 196/216, 178/207, 114/140, 132/156, 114/135,
    # 114/140 = 0.9074, 0.8599, 0.8143, 0.8462, 0.8444, 0.8143; sum 5.0865 / 6 = 0.848
    assert round(evaluation.macro_f1, 3) == 0.848
    # The row of complaints: 5 called problems, 2 ideas, 2 questions (complaints phrased as
    # questions).
    assert [evaluation.confusion.get(("complaint", c), 0) for c in CATEGORIES] == [
        5,
        89,
        2,
        2,
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
