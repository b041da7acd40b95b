"""NLU evaluation (`make eval`): the held-out set, 5-fold cross-validation and Rasa's default
pipeline, in one run; prints the results and writes `reports/nlu-evaluation.md` (plus
`reports/nlu-evaluation.json` and `reports/intent_confusion_matrix.png`).

    .venv/bin/python -m bench.nlu_eval                      # everything (about 35 min on 2 cores)
    .venv/bin/python -m bench.nlu_eval --default-epochs 20  # quicker default-pipeline run
    .venv/bin/python -m bench.nlu_eval --folds 0 --skip-default --model PATH   # held-out only
    .venv/bin/python -m bench.nlu_eval --skip-held-out      # cross-validation only
    .venv/bin/python -m bench.nlu_eval --skip-held-out --config candidate.yml  # try a change

1. Trains `config.yml` on `data/nlu/` (timed) and scores `tests/nlu/test_nlu.yml`, which is
   never used for training.
2. Cross-validates `config.yml` on `data/nlu/` (stratified folds, fixed seed).
3. Trains Rasa 3.6's default pipeline (what Rasa fills in when config.yml has no pipeline) on
   the same data and scores the same held-out set.

Scoring (the same for every model, held-out and folds):
- Intents: a message whose prediction falls under the FallbackClassifier's thresholds
  (`nlu_fallback`) gets the "didn't understand" answer, so it is scored as a prediction of
  `out_of_scope`: correct for an out-of-scope message, an error for any other. Rasa's own
  `rasa test nlu` instead reverts the fallback and scores the classifier's top intent; the
  report gives that figure too.
- Entities: exact spans. An entity counts only when its start, end, type and canonical
  value all match an annotation. Scored types are the ones annotated in the training or
  held-out data (bill_line, utility_service, hazard, contact_kind); the spaCy entity ruler's
  types (account numbers, ZIP codes, ...) are not annotated and not scored.
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import json
import logging
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "config.yml"
TRAIN_DATA = ROOT / "data" / "nlu"
HELD_OUT = ROOT / "tests" / "nlu" / "test_nlu.yml"
REPORTS = ROOT / "reports"
FALLBACK = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"
TARGETS = {"macro_f1": 0.95, "min_intent_f1": 0.90, "out_of_scope_f1": 0.90, "entity_f1": 0.90}

Span = tuple[int, int, str, str]


@dataclass(frozen=True)
class Prediction:
    text: str
    gold: str
    intent: str  # the classifier's top intent, fallback reverted
    confidence: float
    margin: float  # confidence of the top intent minus that of the second
    fallback: bool
    gold_entities: frozenset[Span]
    entities: frozenset[Span]

    @property
    def scored(self) -> str:
        """What the customer is answered as: a fallback is the out-of-scope answer."""
        return OUT_OF_SCOPE if self.fallback else self.intent


@dataclass(frozen=True)
class LabelScore:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class Scores:
    messages: int
    accuracy: float
    macro_f1: float
    out_of_scope_f1: float
    min_intent: tuple[str, float]
    intents: dict[str, LabelScore]
    entity_f1: float
    entities: dict[str, LabelScore]
    fallbacks: int
    out_of_scope_by_fallback: int
    in_scope_fallbacks: int
    rasa_accuracy: float  # Rasa's convention: fallback reverted
    rasa_macro_f1: float
    rasa_out_of_scope_f1: float
    errors: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ModelRun:
    name: str
    config: dict[str, Any]
    train_seconds: float | None
    scores: Scores


# ------------------------------------------------------------------------------ scoring

def _label_scores(gold: Sequence[str], predicted: Sequence[str]
                  ) -> tuple[dict[str, LabelScore], float, float]:
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support

    labels = sorted(set(gold) | set(predicted))
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=labels, zero_division=0)
    scores = {label: LabelScore(float(p), float(r), float(f), int(s))
              for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)}
    macro = statistics.fmean(s.f1 for s in scores.values())
    return scores, macro, float(accuracy_score(gold, predicted))


def _span_scores(predictions: Sequence[Prediction]) -> tuple[dict[str, LabelScore], float]:
    counts: dict[str, list[int]] = {}  # type -> [true positives, predicted, gold]
    for p in predictions:
        for span in p.entities:
            counts.setdefault(span[2], [0, 0, 0])[1] += 1
            if span in p.gold_entities:
                counts[span[2]][0] += 1
        for span in p.gold_entities:
            counts.setdefault(span[2], [0, 0, 0])[2] += 1

    def f1(tp: int, predicted: int, gold: int) -> LabelScore:
        precision = tp / predicted if predicted else 0.0
        recall = tp / gold if gold else 0.0
        both = precision + recall
        return LabelScore(precision, recall, 2 * precision * recall / both if both else 0.0,
                          gold)

    per_type = {name: f1(*c) for name, c in sorted(counts.items())}
    total = [sum(c[i] for c in counts.values()) for i in range(3)]
    return per_type, f1(*total).f1


def score(predictions: Sequence[Prediction]) -> Scores:
    gold = [p.gold for p in predictions]
    intents, macro, accuracy = _label_scores(gold, [p.scored for p in predictions])
    rasa_intents, rasa_macro, rasa_accuracy = _label_scores(gold,
                                                            [p.intent for p in predictions])
    entities, entity_f1 = _span_scores(predictions)
    in_gold = {name: s for name, s in intents.items() if s.support}
    weakest = min(in_gold.items(), key=lambda item: item[1].f1)
    missing = LabelScore(0.0, 0.0, 0.0, 0)
    return Scores(
        messages=len(predictions),
        accuracy=accuracy,
        macro_f1=macro,
        out_of_scope_f1=intents.get(OUT_OF_SCOPE, missing).f1,
        min_intent=(weakest[0], weakest[1].f1),
        intents=intents,
        entity_f1=entity_f1,
        entities=entities,
        fallbacks=sum(p.fallback for p in predictions),
        out_of_scope_by_fallback=sum(p.fallback and p.gold == OUT_OF_SCOPE for p in predictions),
        in_scope_fallbacks=sum(p.fallback and p.gold != OUT_OF_SCOPE for p in predictions),
        rasa_accuracy=rasa_accuracy,
        rasa_macro_f1=rasa_macro,
        rasa_out_of_scope_f1=rasa_intents.get(OUT_OF_SCOPE, missing).f1,
        errors=[
            {"text": p.text, "intent": p.gold, "answered_as": p.scored, "classifier": p.intent,
             "confidence": round(p.confidence, 3),
             "missed_entities": sorted(p.gold_entities - p.entities),
             "extra_entities": sorted(p.entities - p.gold_entities)}
            for p in predictions if p.scored != p.gold or p.entities != p.gold_entities
        ],
    )


# -------------------------------------------------------------- held-out set kept apart

def _normalised(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", "", text.lower()).split())


def near_duplicates(held_out: Iterable[str], training: Iterable[str],
                    threshold: float = 0.84) -> list[tuple[str, str, float]]:
    """Held-out messages that equal or closely resemble a training message (difflib ratio,
    after lowercasing and removing punctuation), the check tests/nlu/README.md describes."""
    train = sorted({_normalised(text) for text in training})
    pairs = []
    for text in sorted({_normalised(text) for text in held_out}):
        matcher = difflib.SequenceMatcher(None, b=text)
        for other in train:
            matcher.set_seq1(other)
            if (matcher.real_quick_ratio() >= threshold and matcher.quick_ratio() >= threshold
                    and (ratio := matcher.ratio()) >= threshold):
                pairs.append((text, other, round(ratio, 3)))
    return pairs


def with_fallback(predictions: Iterable[Prediction], threshold: float,
                  ambiguity: float) -> list[Prediction]:
    """The predictions as a FallbackClassifier with these thresholds would have left them."""
    return [replace(p, fallback=p.confidence < threshold or p.margin < ambiguity)
            for p in predictions]


def fallback_thresholds(config: dict[str, Any]) -> tuple[float, float]:
    for component in config.get("pipeline") or []:
        if component.get("name") == "FallbackClassifier":
            return (float(component.get("threshold", 0.3)),
                    float(component.get("ambiguity_threshold", 0.1)))
    return 0.0, 0.0


# ------------------------------------------------------------------------ rasa plumbing

def _quiet() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    for name in ("rasa", "tensorflow", "absl", "matplotlib", "py.warnings"):
        logging.getLogger(name).setLevel(logging.ERROR)
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.ERROR)  # otherwise every parse is printed at debug level


def load_training_data(path: Path) -> Any:
    from rasa.shared.nlu.training_data.loading import load_data

    return load_data(str(path))


def scored_entity_types(*datasets: Any) -> frozenset[str]:
    return frozenset(entity["entity"] for data in datasets for example in data.entity_examples
                     for entity in example.get("entities") or [])


def _spans(entities: Iterable[dict[str, Any]], types: frozenset[str]) -> frozenset[Span]:
    return frozenset((int(e["start"]), int(e["end"]), str(e["entity"]), str(e.get("value")))
                     for e in entities if e.get("entity") in types)


def train(config: Path, data: Path, out_dir: Path, name: str) -> tuple[Path, float]:
    """Trains an NLU model; returns the archive and the wall-clock training time."""
    from rasa.model_training import train_nlu

    started = time.perf_counter()
    model = train_nlu(str(config), str(data), str(out_dir), fixed_model_name=name)
    seconds = time.perf_counter() - started
    if not model:
        raise RuntimeError(f"training {config} on {data} produced no model")
    return Path(model), seconds


def predict(model: Path, examples: Sequence[Any], types: frozenset[str]) -> list[Prediction]:
    from rasa.core.agent import Agent
    from rasa.nlu.classifiers.fallback_classifier import undo_fallback_prediction

    agent = Agent.load(str(model))

    async def run() -> list[Prediction]:
        predictions = []
        for example in examples:
            text = example.get("text")
            result = await agent.parse_message(text)
            fallback = result["intent"]["name"] == FALLBACK
            if fallback:
                result = undo_fallback_prediction(result)
            ranking = [float(r.get("confidence") or 0.0)
                       for r in result.get("intent_ranking") or []] + [0.0, 0.0]
            original = result["intent"]
            predictions.append(Prediction(
                text=text, gold=example.get("intent"), intent=original["name"],
                confidence=ranking[0], margin=ranking[0] - ranking[1], fallback=fallback,
                gold_entities=_spans(example.get("entities") or [], types),
                entities=_spans(result.get("entities") or [], types),
            ))
        return predictions

    return asyncio.run(run())


def default_pipeline_config(epochs: int | None) -> dict[str, Any]:
    """Rasa 3.6's own default (the recipe's fill-in for a config without a pipeline)."""
    from rasa.engine.recipes.default_recipe import DefaultV1Recipe

    config = DefaultV1Recipe.complete_config(
        {"recipe": "default.v1", "language": "en", "assistant_id": "careline-default"},
        {"pipeline", "policies"})
    if epochs is not None:
        for component in config["pipeline"]:
            if "epochs" in component:
                component["epochs"] = epochs
    return config


# ----------------------------------------------------------------------------- the runs

def held_out_run(name: str, config_path: Path, config: dict[str, Any], workdir: Path,
                 held_out: Any, types: frozenset[str], model: Path | None = None
                 ) -> tuple[ModelRun, list[Prediction]]:
    seconds = None
    if model is None:
        print(f"[eval] training {name} ...", flush=True)
        model, seconds = train(config_path, TRAIN_DATA, workdir, name.split()[0])
        print(f"[eval] {name}: trained in {seconds:.0f} s", flush=True)
    predictions = predict(model, held_out.intent_examples, types)
    run = ModelRun(name=name, config=config, train_seconds=seconds, scores=score(predictions))
    return run, predictions


def cross_validate(config: Path, folds: int, seed: int, workdir: Path, data: Any,
                   types: frozenset[str]
                   ) -> tuple[list[Scores], list[float], Scores, list[Prediction]]:
    """Stratified k-fold on the training data with `config`; per-fold and pooled scores.

    Lookup tables, regexes and synonyms go with every fold, as in `rasa test nlu
    --cross-validation`; the examples are split.
    """
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from sklearn.model_selection import StratifiedKFold

    examples = data.intent_examples
    labels = [example.get("intent") for example in examples]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    per_fold, seconds, pooled = [], [], []
    for fold, (train_index, test_index) in enumerate(splitter.split(examples, labels), 1):
        train_data = TrainingData(
            training_examples=[examples[i] for i in train_index],
            entity_synonyms=data.entity_synonyms, regex_features=data.regex_features,
            lookup_tables=data.lookup_tables)
        path = workdir / f"fold{fold}.yml"
        RasaYAMLWriter().dump(path, train_data)
        print(f"[eval] cross-validation fold {fold}/{folds}: training ...", flush=True)
        model, took = train(config, path, workdir, f"fold{fold}")
        predictions = predict(model, [examples[i] for i in test_index], types)
        per_fold.append(score(predictions))
        seconds.append(took)
        pooled += predictions
        print(f"[eval] fold {fold}: macro F1 {per_fold[-1].macro_f1:.3f}, "
              f"trained in {took:.0f} s", flush=True)
        model.unlink(missing_ok=True)
    return per_fold, seconds, score(pooled), pooled


# ---------------------------------------------------------------------------- reporting

def _f(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _mean_sd(values: Sequence[float]) -> str:
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.fmean(values):.3f} ± {sd:.3f}"


def _minutes(seconds: float | None) -> str:
    if seconds is None:
        return "not trained in this run"
    return f"{int(seconds // 60)} min {int(seconds % 60):02d} s"


def _pipeline_lines(config: dict[str, Any]) -> list[str]:
    return ["```yaml", yaml.safe_dump({"pipeline": config["pipeline"]}, sort_keys=False,
                                      width=100).rstrip(), "```"]


def _targets(scores: Scores) -> list[str]:
    checks = [
        ("intent macro F1 ≥ 0.95", scores.macro_f1, TARGETS["macro_f1"]),
        (f"every intent ≥ 0.90 (weakest: {scores.min_intent[0]})", scores.min_intent[1],
         TARGETS["min_intent_f1"]),
        ("out_of_scope F1 ≥ 0.90", scores.out_of_scope_f1, TARGETS["out_of_scope_f1"]),
        ("entity F1 (exact spans) ≥ 0.90", scores.entity_f1, TARGETS["entity_f1"]),
    ]
    return [f"| {name} | {value:.3f} | {'met' if value >= target else 'NOT met'} |"
            for name, value, target in checks]


def _summary(run: ModelRun) -> str:
    s = run.scores
    return (f"{run.name}: intent accuracy {s.accuracy:.3f}, macro F1 {s.macro_f1:.3f}, "
            f"out_of_scope F1 {s.out_of_scope_f1:.3f}, weakest {s.min_intent[0]} "
            f"{s.min_intent[1]:.3f}, entity F1 {s.entity_f1:.3f}, "
            f"training {_minutes(run.train_seconds)}")


def render(project: ModelRun | None, default: ModelRun | None, cv: tuple | None,
           folds: int, config: dict[str, Any], config_name: str, started: datetime,
           total_seconds: float, default_epochs: int | None,
           similar: Sequence[tuple[str, str, float]]) -> str:
    lines = [
        "# NLU evaluation",
        "",
        f"Written by `make eval` (`python -m bench.nlu_eval`) on {started:%Y-%m-%d %H:%M}, "
        f"{os.cpu_count()} CPU cores, whole run {_minutes(total_seconds)}. Training data "
        "`data/nlu/`; held-out set `tests/nlu/test_nlu.yml` (never used for training)"
        + ("." if project is not None else ", **not scored in this run** (`--skip-held-out`)."),
        "",
        "How it is scored: a message that falls under the FallbackClassifier's thresholds "
        "(`nlu_fallback`) gets the \"didn't understand\" answer with the main topics, so it is "
        "scored as **out_of_scope**: right for an out-of-scope message, wrong for any other. "
        "(`rasa test nlu` instead reverts the fallback and scores the classifier's top intent; "
        "that figure is given as \"Rasa's convention\".) Entities are scored on exact spans: "
        "start, end, type and canonical value must all match.",
    ]
    if project is not None:
        lines += _held_out_lines(project, config_name, similar)
    if cv is not None:
        lines += _cross_validation_lines(cv, folds, config, config_name)
    if project is not None and default is not None:
        lines += _default_pipeline_lines(project, default, default_epochs)
    if project is not None:
        lines += ["", f"## Held-out messages answered wrongly or with entity differences "
                  f"({len(project.scores.errors)})", "", *_error_table(project.scores.errors)]
    if cv is not None:
        errors = cv[2].errors
        lines += ["", f"## Cross-validation messages answered wrongly or with entity "
                  f"differences ({len(errors)})", "",
                  "Training messages, each scored by the fold that left it out: the place to "
                  "look for what the training data lacks, since the held-out set must not "
                  "brief it.", "", *_error_table(errors)]
    return "\n".join(lines) + "\n"


def _error_table(errors: Sequence[dict[str, Any]]) -> list[str]:
    return [
        "| message | intent | answered as | classifier (confidence) | entities missed / extra |",
        "| --- | --- | --- | --- | --- |",
        *[f"| {e['text'].replace('|', '/')} | {e['intent']} | {e['answered_as']} | "
          f"{e['classifier']} ({e['confidence']:.2f}) | "
          f"{_entity_diff(e['missed_entities'])} / {_entity_diff(e['extra_entities'])} |"
          for e in sorted(errors, key=lambda e: (e['intent'], e['answered_as']))],
    ]


def _held_out_lines(project: ModelRun, config_name: str,
                    similar: Sequence[tuple[str, str, float]]) -> list[str]:
    s = project.scores
    return [
        "",
        f"## Held-out set, `{config_name}`",
        "",
        "| target | measured | |",
        "| --- | --- | --- |",
        *_targets(s),
        "",
        f"- {s.messages} messages; intent accuracy {s.accuracy:.3f}, macro F1 "
        f"{s.macro_f1:.3f}, out_of_scope F1 {s.out_of_scope_f1:.3f}",
        f"- Rasa's convention (fallback reverted): accuracy {s.rasa_accuracy:.3f}, macro F1 "
        f"{s.rasa_macro_f1:.3f}, out_of_scope F1 {s.rasa_out_of_scope_f1:.3f}",
        f"- fallbacks: {s.fallbacks} ({s.out_of_scope_by_fallback} on out-of-scope messages, "
        f"{s.in_scope_fallbacks} on in-scope ones)",
        f"- entity F1 (exact spans, micro): {s.entity_f1:.3f}",
        f"- training (`rasa train nlu` equivalent, NLU only): {_minutes(project.train_seconds)}",
        "",
        "| intent | precision | recall | F1 | messages |",
        "| --- | --- | --- | --- | --- |",
        *[f"| {name} | {v.precision:.3f} | {v.recall:.3f} | {v.f1:.3f} | {v.support} |"
          for name, v in sorted(s.intents.items(), key=lambda item: item[1].f1)],
        "",
        "| entity | precision | recall | F1 | mentions |",
        "| --- | --- | --- | --- | --- |",
        *[f"| {name} | {v.precision:.3f} | {v.recall:.3f} | {v.f1:.3f} | {v.support} |"
          for name, v in s.entities.items()],
        "",
        "The confusion matrix (fallbacks as out_of_scope) is "
        "`reports/intent_confusion_matrix.png`.",
        "",
        "Held-out messages that resemble a training message (difflib ratio ≥ 0.84 after "
        "lowercasing and removing punctuation; exact duplicates stop the run): "
        + ("none." if not similar else
           "; ".join(f"\"{a}\" ~ \"{b}\" ({r:.2f})" for a, b, r in similar) + "."),
    ]


def _cross_validation_lines(cv: tuple, folds: int, config: dict[str, Any],
                            config_name: str) -> list[str]:
    per_fold, seconds, pooled, pooled_predictions = cv
    threshold, ambiguity = fallback_thresholds(config)
    sweep = [(t, a, score(with_fallback(pooled_predictions, t, a)))
             for a in sorted({0.0, 0.02, ambiguity})
             for t in (0.0, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)]
    return [
        "",
        f"## {folds}-fold cross-validation on the training data, `{config_name}`",
        "",
        f"Stratified by intent, shuffled with a fixed seed; each fold trains on the other "
        f"{folds - 1} and is scored like the held-out set. Lookup tables and synonyms go "
        "with every fold, as in `rasa test nlu --cross-validation`.",
        "",
        "| fold | accuracy | macro F1 | out_of_scope F1 | weakest intent | entity F1 | "
        "training |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        *[f"| {i} | {f.accuracy:.3f} | {f.macro_f1:.3f} | {f.out_of_scope_f1:.3f} | "
          f"{f.min_intent[0]} {f.min_intent[1]:.3f} | {f.entity_f1:.3f} | {t:.0f} s |"
          for i, (f, t) in enumerate(zip(per_fold, seconds, strict=True), 1)],
        f"| mean ± sd | {_mean_sd([f.accuracy for f in per_fold])} | "
        f"{_mean_sd([f.macro_f1 for f in per_fold])} | "
        f"{_mean_sd([f.out_of_scope_f1 for f in per_fold])} | | "
        f"{_mean_sd([f.entity_f1 for f in per_fold])} | "
        f"{statistics.fmean(seconds):.0f} s |",
        "",
        f"All folds pooled: accuracy {pooled.accuracy:.3f}, macro F1 {pooled.macro_f1:.3f}, "
        f"weakest intent {pooled.min_intent[0]} {pooled.min_intent[1]:.3f}; Rasa's "
        f"convention: accuracy {pooled.rasa_accuracy:.3f}, macro F1 "
        f"{pooled.rasa_macro_f1:.3f}.",
        "",
        "| intent (pooled) | precision | recall | F1 | messages |",
        "| --- | --- | --- | --- | --- |",
        *[f"| {name} | {v.precision:.3f} | {v.recall:.3f} | {v.f1:.3f} | {v.support} |"
          for name, v in sorted(pooled.intents.items(), key=lambda item: item[1].f1)],
        "",
        f"FallbackClassifier thresholds, checked on the pooled cross-validation predictions "
        f"(not on the held-out set); the pipeline uses {threshold} with ambiguity "
        f"{ambiguity}:",
        "",
        "| threshold | ambiguity | macro F1 | out_of_scope F1 | fallbacks out-of-scope / "
        "in-scope |",
        "| --- | --- | --- | --- | --- |",
        *[f"| {t:.2f} | {a:.2f} | {r.macro_f1:.3f} | {r.out_of_scope_f1:.3f} | "
          f"{r.out_of_scope_by_fallback} / {r.in_scope_fallbacks} |" for t, a, r in sweep],
    ]


def _default_pipeline_lines(project: ModelRun, default: ModelRun,
                            default_epochs: int | None) -> list[str]:
    s = project.scores
    d = default.scores
    epochs = ("Rasa's own epochs (DIETClassifier and ResponseSelector 100)"
              if default_epochs is None else
              f"**epochs cut to {default_epochs}** for DIETClassifier and ResponseSelector "
              "(`--default-epochs`; Rasa's own default is 100)")
    names = sorted(set(s.intents) | set(d.intents))
    return [
        "",
        "## Comparison with Rasa's default pipeline (same training data, same held-out set)",
        "",
        "Rasa 3.6 fills in this pipeline when `config.yml` has none "
        f"(`DefaultV1Recipe`'s default config); run here with {epochs}. Its DIET also "
        "learns the entities (CRF layer), from the same annotations.",
        "",
        *_pipeline_lines(default.config),
        "",
        "| | project `config.yml` | Rasa default pipeline |",
        "| --- | --- | --- |",
        f"| intent accuracy | {s.accuracy:.3f} | {d.accuracy:.3f} |",
        f"| intent macro F1 | {s.macro_f1:.3f} | {d.macro_f1:.3f} |",
        f"| out_of_scope F1 | {s.out_of_scope_f1:.3f} | {d.out_of_scope_f1:.3f} |",
        f"| weakest intent | {s.min_intent[0]} {s.min_intent[1]:.3f} | "
        f"{d.min_intent[0]} {d.min_intent[1]:.3f} |",
        f"| macro F1, Rasa's convention | {s.rasa_macro_f1:.3f} | {d.rasa_macro_f1:.3f} |",
        f"| fallbacks (out-of-scope / in-scope) | {s.out_of_scope_by_fallback} / "
        f"{s.in_scope_fallbacks} | {d.out_of_scope_by_fallback} / {d.in_scope_fallbacks} |",
        f"| entity F1 (exact spans) | {s.entity_f1:.3f} | {d.entity_f1:.3f} |",
        f"| training time | {_minutes(project.train_seconds)} | "
        f"{_minutes(default.train_seconds)} |",
        "",
        "| intent F1 | project | default |",
        "| --- | --- | --- |",
        *[f"| {name} | {_f(s.intents[name].f1 if name in s.intents else None)} | "
          f"{_f(d.intents[name].f1 if name in d.intents else None)} |" for name in names],
    ]


def _entity_diff(spans: Sequence[Span]) -> str:
    return ", ".join(f"{t}={v}@{a}-{b}" for a, b, t, v in spans) or "–"


def _confusion_matrix(scores_of: Sequence[Prediction], path: Path) -> None:
    from rasa.utils.plotting import plot_confusion_matrix
    from sklearn.metrics import confusion_matrix

    gold = [p.gold for p in scores_of]
    answered = [p.scored for p in scores_of]
    labels = sorted(set(gold) | set(answered))
    matrix = confusion_matrix(gold, answered, labels=labels)
    plot_confusion_matrix(matrix, classes=labels,
                          title="Intent confusion matrix (held-out; fallback = out_of_scope)",
                          output_file=str(path))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.nlu_eval", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=5,
                        help="cross-validation folds (0 skips cross-validation; default 5)")
    parser.add_argument("--seed", type=int, default=8, help="fold shuffling seed")
    parser.add_argument("--default-epochs", type=int, default=None,
                        help="cut the default pipeline's DIET/ResponseSelector epochs for a "
                             "quick run (default: Rasa's own, 100); the report says so")
    parser.add_argument("--skip-default", action="store_true",
                        help="no comparison with Rasa's default pipeline")
    parser.add_argument("--model", type=Path, default=None,
                        help="score this trained model on the held-out set instead of training "
                             "config.yml (training time is then not measured)")
    parser.add_argument("--skip-held-out", action="store_true",
                        help="cross-validation only: the held-out set is not scored (use it "
                             "while working on the training data, so the set stays blind)")
    parser.add_argument("--config", type=Path, default=CONFIG,
                        help="the pipeline to train (default config.yml); to compare a "
                             "candidate change by cross-validation before adopting it")
    parser.add_argument("--reports", type=Path, default=REPORTS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    _quiet()
    started, clock = datetime.now(), time.perf_counter()
    training, held_out = load_training_data(TRAIN_DATA), load_training_data(HELD_OUT)
    types = scored_entity_types(training, held_out)
    similar = near_duplicates([e.get("text") for e in held_out.intent_examples],
                              [e.get("text") for e in training.intent_examples])
    copied = sorted(a for a, b, ratio in similar if a == b)
    if copied:
        print(f"held-out messages found in the training data: {copied}", file=sys.stderr)
        return 1
    config = yaml.safe_load(args.config.read_text())
    config_name = args.config.name if args.config == CONFIG else str(args.config)
    project, predictions, cv, default = None, [], None, None
    with tempfile.TemporaryDirectory(prefix="careline-eval-") as tmp:
        workdir = Path(tmp)
        if not args.skip_held_out:
            project, predictions = held_out_run(f"project {config_name}", args.config, config,
                                                workdir, held_out, types, model=args.model)
            print(_summary(project), flush=True)
        if args.folds > 1:
            cv = cross_validate(args.config, args.folds, args.seed, workdir, training, types)
            print(f"cross-validation ({args.folds} folds): macro F1 "
                  f"{_mean_sd([f.macro_f1 for f in cv[0]])}, accuracy "
                  f"{_mean_sd([f.accuracy for f in cv[0]])}, out_of_scope F1 (pooled) "
                  f"{cv[2].out_of_scope_f1:.3f}, entity F1 "
                  f"{_mean_sd([f.entity_f1 for f in cv[0]])}", flush=True)
        if project is not None and not args.skip_default:
            default_config = default_pipeline_config(args.default_epochs)
            default_path = workdir / "default-config.yml"
            default_path.write_text(yaml.safe_dump(default_config, sort_keys=False))
            default, _ = held_out_run("rasa-default pipeline", default_path, default_config,
                                      workdir, held_out, types)
            print(_summary(default), flush=True)
        args.reports.mkdir(parents=True, exist_ok=True)
        if project is not None:
            _confusion_matrix(predictions, args.reports / "intent_confusion_matrix.png")
    text = render(project, default, cv, args.folds, config, config_name, started,
                  time.perf_counter() - clock, args.default_epochs, similar)
    (args.reports / "nlu-evaluation.md").write_text(text)
    (args.reports / "nlu-evaluation.json").write_text(json.dumps({
        "project": asdict(project) if project else None,
        "default": asdict(default) if default else None,
        "cross_validation": ({"folds": [asdict(f) for f in cv[0]], "train_seconds": cv[1],
                              "pooled": asdict(cv[2])} if cv else None),
        "held_out_predictions": [asdict(p) for p in predictions],
    }, indent=1, default=str))
    print(f"\nwrote {args.reports / 'nlu-evaluation.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
