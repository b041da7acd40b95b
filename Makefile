# careline: `make run` sets everything up and starts the assistant; `make test` sets up and
# runs every test. Each step runs only when its inputs changed.
SHELL := /bin/bash
.DEFAULT_GOAL := run

VENV        := .venv
BIN         := $(VENV)/bin
PY          := $(BIN)/python
STAMP       := $(VENV)/.installed
SPACY_MODEL := build/spacy/careline_en
SPACY_STAMP := $(SPACY_MODEL)/.built
MODEL       := models/careline.tar.gz
DEMO_STAMP  := var/.demo-loaded
TRAIN_DATA  := data/nlu data/dialogue
TRAIN_INPUTS := domain.yml config.yml $(shell find data/nlu data/dialogue -name '*.yml' 2>/dev/null)

export TF_CPP_MIN_LOG_LEVEL := 2
export RASA_TELEMETRY_ENABLED := false
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Third-party deprecation noise (Rasa, TensorFlow, click) hides what matters in the output.
export PYTHONWARNINGS := ignore::DeprecationWarning,ignore::PendingDeprecationWarning

.PHONY: run run-prod setup model test lint validate browser eval clean

$(STAMP): pyproject.toml constraints.txt scripts/find-python.sh
	@python310="$$(scripts/find-python.sh)" || exit 1; \
	if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$python310"; "$$python310" -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade "pip>=24" "setuptools>=61" wheel
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $@

$(SPACY_STAMP): $(STAMP) bot/nlp/build.py bot/nlp/patterns.py
	$(PY) -m bot.nlp.build $(SPACY_MODEL)
	@touch $@

$(DEMO_STAMP): $(STAMP) data/demo/accounts.json $(wildcard actions/store/*.py)
	$(BIN)/careline db init
	$(BIN)/careline accounts load data/demo/accounts.json
	@mkdir -p var && touch $@

$(MODEL): $(SPACY_STAMP) $(TRAIN_INPUTS)
	$(BIN)/rasa train --data $(TRAIN_DATA) --fixed-model-name careline --out models --quiet
	@touch $@

setup: $(STAMP) $(SPACY_STAMP) $(DEMO_STAMP) $(MODEL)

model: $(MODEL)

run: setup
	$(BIN)/careline run

# Production profile: PostgreSQL + Redis from .env (README "Production profile"); the account
# database's schema comes from the migrations, applied first.
run-prod: setup
	$(BIN)/careline db upgrade
	$(BIN)/careline run --profile production

# Headless Chromium for the browser tests: Debian's package, never a downloaded build.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Install Chromium first: sudo apt-get install chromium"; exit 1; \
	  fi; }

# tests/test_training_data.py runs the same check inside `make test` and fails on any warning
# other than responses uttered by custom actions.
validate: setup
	$(BIN)/rasa data validate --data $(TRAIN_DATA)

lint: $(STAMP)
	$(BIN)/ruff check bot actions tests $(wildcard bench)

test: setup browser lint
	$(BIN)/pytest

# Held-out scores, 5-fold cross-validation and Rasa's default pipeline in one run (about 35
# min on 2 cores, nearly all of it training Rasa's default pipeline; 13 min with
# EVAL_ARGS="--default-epochs 30"). While changing the training data, cross-validate
# alone so the held-out set stays blind: EVAL_ARGS="--skip-held-out" (see bench/nlu_eval.py).
eval: setup
	$(PY) -m bench.nlu_eval $(EVAL_ARGS)

clean:
	rm -rf build models var/.demo-loaded .pytest_cache
