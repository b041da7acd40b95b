"""Builds the careline spaCy pipeline: blank English tokenizer, lookup lemmatizer and an
entity ruler. No pretrained pipeline can be downloaded here and none is needed at run time.

    python -m bot.nlp.build build/spacy/careline_en
"""

from __future__ import annotations

import sys
from pathlib import Path

import spacy
from spacy.language import Language

from bot.nlp.patterns import entity_patterns

DEFAULT_OUTPUT = Path("build/spacy/careline_en")


def build_pipeline() -> Language:
    nlp = spacy.blank("en")
    # Lookup mode reads its tables from spacy-lookups-data at initialize(), offline.
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True})
    nlp.initialize()
    ruler.add_patterns(entity_patterns())
    nlp.meta["name"] = "careline_en"
    nlp.meta["version"] = "1.0.0"
    nlp.meta["description"] = "careline: tokenizer, lookup lemmatizer and entity ruler"
    return nlp


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    output = Path(args[0]) if args else DEFAULT_OUTPUT
    output.parent.mkdir(parents=True, exist_ok=True)
    build_pipeline().to_disk(output)
    print(f"spaCy pipeline written to {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
