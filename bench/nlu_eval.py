"""Scores the trained model on the held-out NLU set (tests/nlu/test_nlu.yml) and writes a
markdown report and the confusion matrix image to reports/.

    .venv/bin/python -m bench.nlu_eval          (make eval)

Still to come (issue 8): 5-fold cross-validation and the comparison with Rasa's default
pipeline in the same run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "careline.tar.gz"
HELD_OUT = ROOT / "tests" / "nlu" / "test_nlu.yml"
REPORTS = ROOT / "reports"
SKIP = {"accuracy", "macro avg", "weighted avg", "micro avg"}


def _evaluate(out: Path) -> None:
    rasa = Path(sys.executable).parent / "rasa"
    subprocess.run(
        [str(rasa), "test", "nlu", "--model", str(MODEL), "--nlu", str(HELD_OUT),
         "--out", str(out)],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def _per_label(report: dict) -> list[tuple[str, float, int]]:
    return sorted(
        ((name, row["f1-score"], row["support"]) for name, row in report.items()
         if name not in SKIP and isinstance(row, dict)),
        key=lambda item: item[1],
    )


def main() -> int:
    if not MODEL.exists():
        print("No trained model: run `make model` first.", file=sys.stderr)
        return 1
    REPORTS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        _evaluate(out)
        intents = json.loads((out / "intent_report.json").read_text())
        entities = {path.name.replace("_report.json", ""): json.loads(path.read_text())
                    for path in sorted(out.glob("*Extractor_report.json"))}
        for image in out.glob("*.png"):
            shutil.copy(image, REPORTS / image.name)
    lines = [
        "# NLU evaluation on the held-out set",
        "",
        f"Model `{MODEL.relative_to(ROOT)}`, held-out set `{HELD_OUT.relative_to(ROOT)}` "
        f"({intents['macro avg']['support']} messages, never used for training).",
        "",
        f"- intent accuracy: {intents['accuracy']:.3f}",
        f"- intent macro F1: {intents['macro avg']['f1-score']:.3f}",
        f"- out_of_scope F1: {intents.get('out_of_scope', {}).get('f1-score', 0):.3f}",
        "",
        "| intent | F1 | messages |",
        "| --- | --- | --- |",
        *[f"| {name} | {f1:.3f} | {support} |" for name, f1, support in _per_label(intents)],
        "",
        "The confusion matrix is `reports/intent_confusion_matrix.png`.",
    ]
    for extractor, report in entities.items():
        lines += ["", f"## Entities: {extractor}", "",
                  f"- micro F1: {report.get('micro avg', {}).get('f1-score', 0):.3f}", "",
                  "| entity | F1 | mentions |", "| --- | --- | --- |",
                  *[f"| {name} | {f1:.3f} | {support} |"
                    for name, f1, support in _per_label(report)]]
    text = "\n".join(lines) + "\n"
    (REPORTS / "nlu-evaluation.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
