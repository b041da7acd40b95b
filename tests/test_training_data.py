"""`rasa data validate` must run clean: the only warnings allowed are the ones Rasa cannot
know are fine (responses that custom actions utter, and the payload-only empty message)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PAYLOAD_ONLY_INTENTS = {"empty_message"}


def _responses_uttered_by_actions() -> set[str]:
    """Responses named in custom actions, or sent by the server (channels, staff console)."""
    names: set[str] = set()
    for path in [*(ROOT / "actions").rglob("*.py"), *(ROOT / "bot").rglob("*.py")]:
        names.update(re.findall(r'"(utter_[a-z_]+)"', path.read_text()))
    return names


def _form_questions() -> set[str]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    return {
        f"utter_ask_{slot}"
        for form in (domain.get("forms") or {}).values()
        for slot in form.get("required_slots", [])
    }


def test_rasa_data_validate_runs_clean() -> None:
    rasa = Path(sys.executable).parent / "rasa"
    result = subprocess.run(
        [str(rasa), "data", "validate", "--data", "data/nlu", "data/dialogue"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    uttered = _responses_uttered_by_actions() | _form_questions()
    unexpected = []
    for line in output.splitlines():
        if "UserWarning" not in line:
            continue
        unused = re.search(r"The utterance '(\w+)' is not used in any story or rule", line)
        if unused and unused.group(1) in uttered:
            continue
        no_nlu = re.search(r"The intent '(\w+)' is listed in the domain file, but is not found "
                           r"in the NLU training data", line)
        if no_nlu and no_nlu.group(1) in PAYLOAD_ONLY_INTENTS:
            continue
        unexpected.append(line.split("UserWarning: ")[-1])
    assert unexpected == []


def test_every_response_an_action_utters_exists_in_the_domain() -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    missing = _responses_uttered_by_actions() - set(domain["responses"])
    assert missing == set()
