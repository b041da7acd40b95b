"""The 4/50 rule for aggregated usage data (RPU Policy 29)."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from actions.rules.aggregate_release import decide_aggregate_release
from bot.commands.rules import main


def _usage(*figures: str | int) -> list[Decimal]:
    return [Decimal(str(f)) for f in figures]


@pytest.mark.parametrize(
    ("usage", "decision", "phrase"),
    [
        (_usage(120, 80, 60, 40), "release", "less than 50%"),
        (_usage(100, 100, 100), "consent_required", "only 3 premises"),  # three premises
        (_usage(300, 1, 1), "consent_required", "only 3 premises"),
        (_usage(150, 50, 50, 50), "consent_required", "(50.0%)"),  # one at exactly 50%
        (_usage(149, 50, 50, 50), "release", "(49.8%)"),  # just under half
        (_usage(151, 50, 50, 50), "consent_required", "50% or more"),
        (_usage(200, 100, 50, 25, 25), "consent_required", "200 of 400"),  # exactly half of 5
        (_usage(25, 25, 25, 25), "release", "25.0%"),
        (_usage("10.5", "10.5", "10.5", "10.5", "0.1"), "release", "5 premises"),
        (_usage(5000), "consent_required", "only 1 premise;"),
        (_usage(), "consent_required", "only 0 premises"),
        (_usage(0, 0, 0, 0), "consent_required", "total usage is zero"),
    ],
)
def test_four_fifty_rule(usage: list[Decimal], decision: str, phrase: str) -> None:
    result = decide_aggregate_release(usage)
    assert result.decision == decision
    assert result.reasons
    assert any(phrase in reason for reason in result.reasons), result.reasons
    expected_ending = "may be released in aggregate." if decision == "release" else "consent."
    assert result.reasons[-1].endswith(expected_ending)


def test_exactly_half_is_consent_even_with_many_premises() -> None:
    result = decide_aggregate_release(_usage(500, *([50] * 10)))
    assert (result.premise_count, result.largest_share) == (11, Decimal("0.5"))
    assert result.decision == "consent_required"


def test_negative_usage_is_refused() -> None:
    with pytest.raises(ValueError):
        decide_aggregate_release(_usage(10, -1, 5, 5))


@given(st.lists(st.integers(min_value=0, max_value=10_000), max_size=12))
def test_release_exactly_when_four_or_more_and_none_at_half(figures: list[int]) -> None:
    usage = [Decimal(f) for f in figures]
    total = sum(usage, Decimal(0))
    expected = len(usage) >= 4 and total > 0 and max(usage) * 2 < total
    assert decide_aggregate_release(usage).release is expected


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["rules", "aggregate-release", *argv])
    return code, out.getvalue()


class TestCommandLine:
    def test_release(self) -> None:
        code, out = _run("--usage", "120,80,60,40", "--json")
        payload = json.loads(out)
        assert code == 0
        assert payload["decision"] == "release"
        assert payload["premise_count"] == 4
        assert payload["largest_share"] == "0.4000"
        assert payload["reasons"]

    def test_consent_required_for_three_premises(self) -> None:
        code, out = _run("--usage", "100,100,100", "--json")
        assert json.loads(out)["decision"] == "consent_required"

    def test_consent_required_at_exactly_half(self) -> None:
        code, out = _run("--usage=150,50,50,50")
        assert code == 0
        assert out.startswith("decision: consent_required")

    @pytest.mark.parametrize("usage", ["", "1,2,x,4", "10,-1,5,5", "nan,1,1,1"])
    def test_bad_usage_exits_2(self, usage: str, capsys: pytest.CaptureFixture) -> None:
        code, _ = _run(f"--usage={usage}")
        assert code == 2
        assert "error" in capsys.readouterr().err
