"""Pure business rules: plain dataclasses in, decisions with reasons out.

Nothing in this package imports Rasa, rasa-sdk or the database. Reference tables
(rates, income limits, holidays) are YAML files under ``data/utility/``; each rule
module takes the parsed tables as arguments so tests can pass their own.
"""

from pathlib import Path

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "utility"
