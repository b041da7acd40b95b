# careline image: one image for the action server, the Rasa servers and the migrations.
# Build after `make model` (the trained model is copied in, not trained here):
#     make model && docker compose build
FROM python:3.10-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=2

WORKDIR /app
RUN useradd --create-home --uid 10001 careline

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml constraints.txt README.md ./
RUN mkdir -p bot actions && touch bot/__init__.py actions/__init__.py \
    && pip install -c constraints.txt -e . \
    && rm -rf bot actions

COPY --chown=careline:careline . .
# The offline spaCy pipeline the model's config names (build/spacy/careline_en).
RUN python -m bot.nlp.build build/spacy/careline_en \
    && test -f models/careline.tar.gz \
    && mkdir -p var && chown -R careline:careline var build

USER careline
EXPOSE 5005 5055
# The Rasa server by default; compose gives each service its own command.
CMD ["rasa", "run", "--model", "models/careline.tar.gz", "--port", "5005", \
     "--credentials", "credentials.production.yml", "--endpoints", "endpoints.production.yml"]
