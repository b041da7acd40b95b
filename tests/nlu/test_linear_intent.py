"""The linear intent classifier (bot/nlp/linear_intent.py): its TF-IDF weighting agrees with
scikit-learn's, it learns and stores a model, and it fills `intent` and `intent_ranking` as
Rasa's other classifiers do."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

from bot.nlp.linear_intent import (
    LinearIntentClassifier,
    inverse_document_frequency,
    sentence_counts,
    tfidf,
)

TEXTS = {
    "high_bill": ["why is my bill so high", "my bill doubled this month",
                  "bill went way up", "huge bill this month why"],
    "report_outage": ["my power is out", "no power on my street",
                      "the lights went out", "power outage on elm street"],
    "out_of_scope": ["who won the game", "tell me a joke", "recipe for banana bread",
                     "my modem keeps blinking"],
}
VECTORIZER = CountVectorizer(ngram_range=(1, 2)).fit(
    [text for texts in TEXTS.values() for text in texts])


def _message(text: str, intent: str | None = None) -> Message:
    message = Message(data={TEXT: text, **({INTENT: intent} if intent else {})})
    counts = sp.coo_matrix(VECTORIZER.transform([text]))
    message.add_features(Features(counts, FEATURE_TYPE_SENTENCE, TEXT, "counts"))
    return message


def _training_data() -> TrainingData:
    return TrainingData([_message(text, intent) for intent, texts in TEXTS.items()
                         for text in texts])


@pytest.fixture
def storage(tmp_path):
    return LocalModelStorage(tmp_path)


def _context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), node_name="linear_intent")


def test_tfidf_weighting_is_scikit_learns_sublinear_smoothed_idf():
    texts = ["bill bill bill high", "power out", "bill out out", "joke"]
    counts = sp.csr_matrix(VECTORIZER.transform(texts))
    expected = TfidfTransformer(sublinear_tf=True).fit(counts)

    idf = inverse_document_frequency(counts)

    np.testing.assert_allclose(idf, expected.idf_)
    np.testing.assert_allclose(tfidf(counts, idf).toarray(),
                               expected.transform(counts).toarray())


def test_a_message_without_features_gets_a_row_of_zeros():
    featured = _message("my bill is high")
    bare = Message(data={TEXT: ""})
    counts = sentence_counts([featured, bare])
    assert counts.shape == (2, len(VECTORIZER.vocabulary_))
    assert counts[1].nnz == 0
    # tfidf of an empty row stays empty instead of dividing by zero
    assert np.isfinite(tfidf(counts, np.ones(counts.shape[1])).toarray()).all()


def test_it_learns_the_intents_and_ranks_them(storage):
    classifier = LinearIntentClassifier.create({"ranking_length": 2}, storage,
                                               Resource("linear_intent"), _context())
    classifier.train(_training_data())

    messages = classifier.process([_message("why is my bill so high this month"),
                                   _message("power is out on my street"),
                                   _message("tell me a joke about the game")])

    assert [m.get(INTENT)["name"] for m in messages] == [
        "high_bill", "report_outage", "out_of_scope"]
    for message in messages:
        ranking = message.get(INTENT_RANKING_KEY)
        assert len(ranking) == 2
        assert ranking[0] == message.get(INTENT)
        assert ranking[0]["confidence"] > ranking[1]["confidence"] > 0


def test_the_stored_model_predicts_as_the_trained_one(storage):
    resource = Resource("linear_intent")
    trained = LinearIntentClassifier.create({}, storage, resource, _context())
    trained.train(_training_data())
    loaded = LinearIntentClassifier.load({}, storage, resource, _context())

    text = "the lights are out"
    before = trained.process([_message(text)])[0].get(INTENT_RANKING_KEY)
    after = loaded.process([_message(text)])[0].get(INTENT_RANKING_KEY)

    assert [r["name"] for r in after] == [r["name"] for r in before]
    np.testing.assert_allclose([r["confidence"] for r in after],
                               [r["confidence"] for r in before])
    assert sum(r["confidence"] for r in after) == pytest.approx(1.0)


def test_without_a_stored_model_messages_are_left_unclassified(storage):
    classifier = LinearIntentClassifier.load({}, storage, Resource("never_trained"),
                                             _context())
    message = classifier.process([_message("my power is out")])[0]
    assert message.get(INTENT) is None


def test_a_message_with_nothing_the_model_knows_gets_no_intent(storage):
    classifier = LinearIntentClassifier.create({"ranking_length": 0}, storage,
                                               Resource("linear_intent"), _context())
    classifier.train(_training_data())

    # None of its words is in the vocabulary: an empty feature row, like a Greek message.
    message = classifier.process([_message("Ωμέγα άλφα")])[0]

    confidences = [r["confidence"] for r in message.get(INTENT_RANKING_KEY)]
    assert confidences == pytest.approx([1 / 3] * 3)
    # 1/26 with the assistant's intents: under the FallbackClassifier's threshold of 0.2
    assert message.get(INTENT)["confidence"] == pytest.approx(1 / 3)
