"""The evaluation report (bench/nlu_eval.py): with --skip-held-out it says nothing about the
held-out set, so the training data can be worked on from cross-validation while the set
stays blind; the fold errors and the fallback sweep are listed either way."""

from __future__ import annotations

from datetime import datetime

from bench.nlu_eval import ModelRun, Prediction, render, score

PREDICTIONS = [
    Prediction("hi there", "greet", "greet", 0.9, 0.5, False, frozenset(), frozenset()),
    Prediction("who won the game", "out_of_scope", "greet", 0.4, 0.1, False, frozenset(),
               frozenset()),
    Prediction("bill??", "high_bill", "high_bill", 0.1, 0.01, True, frozenset(), frozenset()),
]
CONFIG = {"pipeline": [{"name": "FallbackClassifier", "threshold": 0.2,
                        "ambiguity_threshold": 0.0}]}


def _cross_validation() -> tuple:
    scores = score(PREDICTIONS)
    return [scores, scores], [30.0, 31.0], scores, PREDICTIONS


def test_a_cross_validation_only_report_holds_no_held_out_figures():
    report = render(None, None, _cross_validation(), 2, CONFIG, "config.yml", datetime.now(),
                    70.0, None, [])

    assert "not scored in this run" in report
    assert "## Held-out" not in report
    assert "## 2-fold cross-validation on the training data, `config.yml`" in report
    # both misclassified fold messages are listed: the wrong intent and the fallback
    assert "| who won the game | out_of_scope | greet |" in report
    assert "| bill?? | high_bill | out_of_scope |" in report
    assert "| 0.20 | 0.00 |" in report  # the sweep includes the thresholds in use


def test_the_full_report_scores_the_held_out_set_and_the_folds():
    held_out = ModelRun("project config.yml", CONFIG, 47.0, score(PREDICTIONS))
    report = render(held_out, None, _cross_validation(), 2, CONFIG, "config.yml",
                    datetime.now(), 120.0, None, [])

    assert "## Held-out set, `config.yml`" in report
    assert "- 3 messages; intent accuracy 0.333" in report
    assert "## Held-out messages answered wrongly" in report
    assert "## Cross-validation messages answered wrongly" in report
