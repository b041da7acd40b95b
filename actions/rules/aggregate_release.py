"""The 4/50 rule for releasing aggregated energy usage (RPU Policy 29, section 3).

Aggregated whole-building data may be released (e.g. for energy benchmarking) only if the set
has at least four premises and no single premise is 50 percent or more of the total energy
use. Otherwise it is released only with the customers' written consent.

The policy words the consent case as "three or fewer customers or with a single customer's
energy use greater than 50 percent"; the standard itself says "50 percent or more", so a
premise at exactly half the total needs consent. Where the two wordings differ we take the
one that protects the customer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

MIN_PREMISES = 4
MAX_SHARE = Decimal("0.5")  # a premise at or above this share of the total blocks release


@dataclass(frozen=True)
class AggregateReleaseDecision:
    release: bool
    reasons: tuple[str, ...]
    premise_count: int
    total: Decimal
    largest_share: Decimal | None  # fraction of the total, None when the total is zero

    @property
    def decision(self) -> str:
        return "release" if self.release else "consent_required"


def decide_aggregate_release(
    usage: Sequence[Decimal],
    *,
    min_premises: int = MIN_PREMISES,
    max_share: Decimal = MAX_SHARE,
) -> AggregateReleaseDecision:
    """Apply the 4/50 rule to one usage figure per premise (any consistent unit)."""
    if any(amount < 0 for amount in usage):
        raise ValueError("Usage figures cannot be negative.")
    count = len(usage)
    total = sum(usage, Decimal(0))
    reasons: list[str] = []

    enough = count >= min_premises
    reasons.append(_count_sentence(count, min_premises, enough))

    share: Decimal | None = None
    if total == 0:
        # With no usage there is no share to measure, and nothing to gain from releasing.
        small_enough = False
        reasons.append("The total usage is zero, so no premise's share can be measured.")
    else:
        share = max(usage) / total
        small_enough = share < max_share
        reasons.append(_share_sentence(max(usage), total, share, max_share, small_enough))

    release = enough and small_enough
    if release:
        reasons.append("The data set meets the 4/50 standard and may be released in aggregate.")
    else:
        reasons.append(
            "The data set does not meet the 4/50 standard, so it may be released only with the "
            "customers' written consent."
        )
    return AggregateReleaseDecision(release, tuple(reasons), count, total, share)


def _count_sentence(count: int, minimum: int, enough: bool) -> str:
    premises = "premise" if count == 1 else "premises"
    if enough:
        return f"The data set has {count} {premises}; at least {minimum} are required."
    return f"The data set has only {count} {premises}; at least {minimum} are required."


def _share_sentence(
    largest: Decimal, total: Decimal, share: Decimal, limit: Decimal, ok: bool
) -> str:
    percent = _percent(share)
    cap = f"{(limit * 100).normalize():f}%"
    if ok:
        return (
            f"The largest premise uses {largest:,} of {total:,} ({percent}), less than {cap} "
            "of the total."
        )
    return (
        f"The largest premise uses {largest:,} of {total:,} ({percent}); no premise may be "
        f"{cap} or more of the total."
    )


def _percent(fraction: Decimal) -> str:
    # Rounding down keeps a share just under the cap from being shown as the cap itself.
    return f"{(fraction * 100).quantize(Decimal('0.1'), rounding=ROUND_DOWN)}%"
