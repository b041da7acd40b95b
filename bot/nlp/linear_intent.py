"""Intent classifier: logistic regression on TF-IDF weighted word and character n-grams.

Why not DIET: on five-fold cross-validation of the same training data with the same
features (session 6, README) this classifier scored macro F1 0.920 against DIET's 0.913 and
recognised out-of-scope messages better (pooled out_of_scope F1 0.847 against 0.784 when
neither falls back); it trains in seconds instead of minutes on two cores, and the Rasa
server no longer runs TensorFlow to parse a message. Out-of-scope messages are varied
("my modem keeps blinking", "who won the game"); a regularised linear model over every
n-gram spreads its weight across many weak clues.

The features are the sentence-level counts the pipeline's sparse featurizers already make
(CountVectorsFeaturizer, RegexFeaturizer). TF-IDF weighting (sublinear counts, smoothed
inverse document frequency, unit-length rows) keeps common words ("my", "bill", "the")
from drowning out the rare ones that decide an intent. The trained model is stored as
plain arrays (`numpy.savez`, no pickle).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LinearModel:
    """Inverse document frequencies and a multinomial logistic regression over them."""

    idf: np.ndarray  # (features,)
    weights: np.ndarray  # (intents, features)
    bias: np.ndarray  # (intents,)
    intents: np.ndarray  # (intents,) intent names, in the order of the rows of `weights`

    def probabilities(self, counts: sp.csr_matrix) -> np.ndarray:
        """One row of intent probabilities per message.

        A message with no feature the model knows (Greek or Thai script, say, when the
        training data has none) carries no evidence for any intent. The regression alone
        would give it the intercepts' favourite, `inform`, at about 0.5, and a form would
        take it as an answer. It gets equal probabilities instead (1/26 with the
        assistant's intents, under the fallback threshold), so the customer hears that the
        assistant did not understand.
        """
        scores = np.asarray(tfidf(counts, self.idf) @ self.weights.T) + self.bias
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        probabilities = exp / exp.sum(axis=1, keepdims=True)
        probabilities[counts.getnnz(axis=1) == 0] = 1.0 / len(self.intents)
        return probabilities


def inverse_document_frequency(counts: sp.csr_matrix) -> np.ndarray:
    """Smoothed idf, as scikit-learn's TfidfTransformer: ln((1 + n) / (1 + df)) + 1."""
    documents = counts.shape[0]
    frequency = np.bincount(counts.nonzero()[1], minlength=counts.shape[1])
    return np.log((1 + documents) / (1 + frequency)) + 1.0


def tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear term frequency (1 + ln count) times idf, each row scaled to unit length."""
    weighted = sp.csr_matrix(counts, dtype=np.float64, copy=True)
    weighted.eliminate_zeros()
    weighted.data = 1.0 + np.log(weighted.data)
    weighted = weighted.multiply(idf).tocsr()
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1))).ravel()
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ weighted)


def fit(counts: sp.csr_matrix, intents: list[str], regularisation: float, max_iter: int,
        seed: int) -> LinearModel:
    from sklearn.linear_model import LogisticRegression

    idf = inverse_document_frequency(counts)
    # Balanced class weights: out_of_scope has four times the examples of some intents.
    classifier = LogisticRegression(C=regularisation, max_iter=max_iter,
                                    class_weight="balanced", random_state=seed)
    classifier.fit(tfidf(counts, idf), intents)
    return LinearModel(idf=idf, weights=classifier.coef_, bias=classifier.intercept_,
                       intents=np.asarray(classifier.classes_, dtype=str))


def sentence_counts(messages: list[Message], width: int | None = None) -> sp.csr_matrix:
    """One row per message: its sparse sentence features (zeros where it has none)."""
    rows = []
    for message in messages:
        _, sentence = message.get_sparse_features(TEXT)
        rows.append(None if sentence is None else sp.csr_matrix(sentence.features))
    if width is None:
        width = max((row.shape[1] for row in rows if row is not None), default=0)
    return sp.vstack([row if row is not None else sp.csr_matrix((1, width)) for row in rows],
                     format="csr")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(IntentClassifier, GraphComponent):
    """Config: `C` (inverse regularisation strength), `max_iter`, `random_seed`,
    `ranking_length` (intents kept in `intent_ranking`)."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [Featurizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"C": 100.0, "max_iter": 1000, "random_seed": 7, "ranking_length": 10}

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage,
                 resource: Resource, model: LinearModel | None = None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            logger.debug("LinearIntentClassifier: no intent examples, nothing trained.")
            return self._resource
        self._model = fit(sentence_counts(examples), [e.get(INTENT) for e in examples],
                          float(self._config["C"]), int(self._config["max_iter"]),
                          int(self._config["random_seed"]))
        with self._model_storage.write_to(self._resource) as directory:
            np.savez(directory / "linear_intent.npz", idf=self._model.idf,
                     weights=self._model.weights, bias=self._model.bias,
                     intents=self._model.intents)
        return self._resource

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> LinearIntentClassifier:
        try:
            with model_storage.read_from(resource) as directory:
                with np.load(directory / "linear_intent.npz", allow_pickle=False) as arrays:
                    model = LinearModel(idf=arrays["idf"], weights=arrays["weights"],
                                        bias=arrays["bias"], intents=arrays["intents"])
        except (ValueError, FileNotFoundError):
            logger.debug("LinearIntentClassifier: no trained model stored; predicting nothing.")
            model = None
        return cls(config, model_storage, resource, model)

    def process(self, messages: list[Message]) -> list[Message]:
        if self._model is None or not messages:
            return messages
        counts = sentence_counts(messages, width=len(self._model.idf))
        ranking_length = int(self._config["ranking_length"])
        for message, row in zip(messages, self._model.probabilities(counts), strict=True):
            order = np.argsort(-row, kind="stable")
            ranking = [{"name": str(self._model.intents[i]), "confidence": float(row[i])}
                       for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY,
                        ranking[:ranking_length] if ranking_length > 0 else ranking,
                        add_to_output=True)
        return messages
