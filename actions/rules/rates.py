"""The RPU rate schedule as typed tables with effective dates.

``data/utility/rates.yml`` is the single source of every rate the bill rules use. Each table
carries its ``source`` and an inclusive ``effective_from``/``effective_to`` period, so a bill
from 2023 and a bill from 2026 are each checked against the rates of their own time. The
loader is strict (quoted decimals, no overlapping tables) because a silently wrong rate would
make the assistant explain a bill wrongly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import yaml

from actions.rules import DEFAULT_DATA_DIR
from actions.rules.money import exact_decimal

RATES_FILE = "rates.yml"


@dataclass(frozen=True)
class Effective:
    """Fields shared by every table: where the figures come from and when they apply."""

    source: str
    effective_from: date
    effective_to: date | None

    def applies_on(self, day: date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


@dataclass(frozen=True)
class SeasonRule(Effective):
    summer_months: frozenset[int]

    def is_summer(self, day: date) -> bool:
        return day.month in self.summer_months


@dataclass(frozen=True)
class LateFeeRule(Effective):
    percent: Decimal
    minimum: Decimal


@dataclass(frozen=True)
class ElectricRate(Effective):
    rate_class: str
    customer_charge: Decimal
    energy_non_summer: Decimal
    energy_summer: Decimal
    illustrative: bool = False

    def energy_rate(self, summer: bool) -> Decimal:
        return self.energy_summer if summer else self.energy_non_summer


@dataclass(frozen=True)
class CleanAirRider(Effective):
    rate_per_kwh: Decimal


@dataclass(frozen=True)
class PowerCostAdjustment(Effective):
    derivable: bool
    reason: str


@dataclass(frozen=True)
class WaterTier:
    up_to_units: Decimal | None  # None: no upper bound
    rate: Decimal


@dataclass(frozen=True)
class WaterRate(Effective):
    rate_class: str
    customer_charge: Decimal
    fire_hydrant: Decimal
    state_water_fee: Decimal
    tiers: tuple[WaterTier, ...]
    tiers_complete: bool
    illustrative: bool = False


@dataclass(frozen=True)
class WastewaterRate(Effective):
    rate_class: str
    customer_charge: Decimal
    per_unit: Decimal
    basis: str  # "winter_average" (residential) or "actual"
    illustrative: bool = False


@dataclass(frozen=True)
class StormwaterRate(Effective):
    rate_class: str
    utility_fee: Decimal | None  # None: set per parcel, not derivable from a table
    customer_charge: Decimal
    illustrative: bool = False


@dataclass(frozen=True)
class ProductPrices(Effective):
    prices: Mapping[str, Decimal]


@dataclass(frozen=True)
class TaxRule(Effective):
    rates: Mapping[str, Decimal]  # line code -> rate, e.g. "city_tax" -> 0.0075
    taxed_services: frozenset[str]
    untaxed_codes: frozenset[str]

    def is_taxed(self, service: str, code: str) -> bool:
        return service in self.taxed_services and code not in self.untaxed_codes


T = TypeVar("T", bound=Effective)


class RateLookupError(LookupError):
    """No table covers the date (or rate class) asked for."""


def _pick(tables: Iterable[T], day: date, what: str, **match: str) -> T:
    for table in tables:
        if table.applies_on(day) and all(getattr(table, k) == v for k, v in match.items()):
            return table
    wanted = ", ".join(f"{k}={v}" for k, v in match.items())
    raise RateLookupError(f"no {what} table in effect on {day.isoformat()} ({wanted or 'any'})")


@dataclass(frozen=True)
class RateSchedules:
    """Every table of the rate schedule, with lookups by date."""

    seasons: tuple[SeasonRule, ...]
    late_fees: tuple[LateFeeRule, ...]
    electric: tuple[ElectricRate, ...]
    clean_air_rider: tuple[CleanAirRider, ...]
    power_cost_adjustment: tuple[PowerCostAdjustment, ...]
    water: tuple[WaterRate, ...]
    wastewater: tuple[WastewaterRate, ...]
    stormwater: tuple[StormwaterRate, ...]
    products: tuple[ProductPrices, ...]
    taxes: tuple[TaxRule, ...]

    def season_on(self, day: date) -> SeasonRule:
        return _pick(self.seasons, day, "season")

    def is_summer(self, day: date) -> bool:
        return self.season_on(day).is_summer(day)

    def late_fee_on(self, day: date) -> LateFeeRule:
        return _pick(self.late_fees, day, "late fee")

    def electric_on(self, rate_class: str, day: date) -> ElectricRate:
        return _pick(self.electric, day, "electric", rate_class=rate_class)

    def clean_air_rider_on(self, day: date) -> CleanAirRider:
        return _pick(self.clean_air_rider, day, "clean air rider")

    def power_cost_adjustment_on(self, day: date) -> PowerCostAdjustment:
        return _pick(self.power_cost_adjustment, day, "power cost adjustment")

    def water_on(self, rate_class: str, day: date) -> WaterRate:
        return _pick(self.water, day, "water", rate_class=rate_class)

    def wastewater_on(self, rate_class: str, day: date) -> WastewaterRate:
        return _pick(self.wastewater, day, "wastewater", rate_class=rate_class)

    def stormwater_on(self, rate_class: str, day: date) -> StormwaterRate:
        return _pick(self.stormwater, day, "stormwater", rate_class=rate_class)

    def products_on(self, day: date) -> ProductPrices:
        return _pick(self.products, day, "products")

    def taxes_on(self, day: date) -> TaxRule:
        return _pick(self.taxes, day, "taxes")

    def energy_change_days(self, rate_class: str, start: date, end: date) -> list[date]:
        """Days within (start, end] on which the energy price may change: a season starts or
        a new electric or season table takes effect. Proration splits the period there."""
        candidates: set[date] = set()
        for table in (*self.electric, *self.seasons):
            if getattr(table, "rate_class", rate_class) != rate_class:
                continue
            candidates.add(table.effective_from)
            if table.effective_to is not None:
                candidates.add(table.effective_to + timedelta(days=1))
        day = date(start.year, start.month, 1)
        while day <= end:
            candidates.add(day)  # month starts: where seasons can change
            day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        return sorted(d for d in candidates if start < d <= end)


# --- loading -------------------------------------------------------------------------------


class RateFileError(ValueError):
    """rates.yml is malformed; the message names the table and field."""


def _decimal(raw: Any, where: str) -> Decimal:
    return exact_decimal(raw, where, RateFileError)


def _optional_decimal(raw: Any, where: str) -> Decimal | None:
    return None if raw is None else _decimal(raw, where)


def _date(raw: Any, where: str) -> date:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError as exc:
        raise RateFileError(f"{where}: not an ISO date: {raw!r}") from exc


def _field(row: Mapping[str, Any], name: str, where: str) -> Any:
    if name not in row:
        raise RateFileError(f"{where}: missing field '{name}'")
    return row[name]


def _effective(row: Mapping[str, Any], where: str) -> dict[str, Any]:
    source = _field(row, "source", where)
    if not isinstance(source, str) or not source.strip():
        raise RateFileError(f"{where}.source: every table needs a source note")
    start = _date(_field(row, "effective_from", where), f"{where}.effective_from")
    raw_end = row.get("effective_to")
    end = None if raw_end is None else _date(raw_end, f"{where}.effective_to")
    if end is not None and end < start:
        raise RateFileError(f"{where}: effective_to is before effective_from")
    return {"source": " ".join(source.split()), "effective_from": start, "effective_to": end}


def _rows(data: Mapping[str, Any], key: str) -> list[tuple[str, Mapping[str, Any]]]:
    rows = data.get(key)
    if not isinstance(rows, list) or not rows:
        raise RateFileError(f"{key}: expected a non-empty list of tables")
    out = []
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise RateFileError(f"{key}[{index}]: expected a mapping")
        out.append((f"{key}[{index}]", row))
    return out


def _season(row: Mapping[str, Any], where: str) -> SeasonRule:
    months = _field(row, "summer_months", where)
    if not isinstance(months, list) or not all(isinstance(m, int) and 1 <= m <= 12 for m in months):
        raise RateFileError(f"{where}.summer_months: expected month numbers 1-12")
    return SeasonRule(**_effective(row, where), summer_months=frozenset(months))


def _late_fee(row: Mapping[str, Any], where: str) -> LateFeeRule:
    return LateFeeRule(
        **_effective(row, where),
        percent=_decimal(_field(row, "percent", where), f"{where}.percent"),
        minimum=_decimal(_field(row, "minimum", where), f"{where}.minimum"),
    )


def _electric(row: Mapping[str, Any], where: str) -> ElectricRate:
    return ElectricRate(
        **_effective(row, where),
        rate_class=str(_field(row, "rate_class", where)),
        customer_charge=_decimal(_field(row, "customer_charge", where), f"{where}.customer_charge"),
        energy_non_summer=_decimal(
            _field(row, "energy_non_summer", where), f"{where}.energy_non_summer"
        ),
        energy_summer=_decimal(_field(row, "energy_summer", where), f"{where}.energy_summer"),
        illustrative=bool(row.get("illustrative", False)),
    )


def _clean_air(row: Mapping[str, Any], where: str) -> CleanAirRider:
    rate = _decimal(_field(row, "rate_per_kwh", where), f"{where}.rate_per_kwh")
    return CleanAirRider(**_effective(row, where), rate_per_kwh=rate)


def _pca(row: Mapping[str, Any], where: str) -> PowerCostAdjustment:
    return PowerCostAdjustment(
        **_effective(row, where),
        derivable=bool(_field(row, "derivable", where)),
        reason=" ".join(str(_field(row, "reason", where)).split()),
    )


def _tiers(raw: Any, where: str) -> tuple[WaterTier, ...]:
    if not isinstance(raw, list) or not raw:
        raise RateFileError(f"{where}: expected a non-empty list of tiers")
    tiers = tuple(
        WaterTier(
            up_to_units=_optional_decimal(t.get("up_to_units"), f"{where}[{i}].up_to_units"),
            rate=_decimal(_field(t, "rate", f"{where}[{i}]"), f"{where}[{i}].rate"),
        )
        for i, t in enumerate(raw)
    )
    if tiers[-1].up_to_units is not None:
        raise RateFileError(f"{where}: the last tier must have up_to_units: null")
    return tiers


def _water(row: Mapping[str, Any], where: str) -> WaterRate:
    return WaterRate(
        **_effective(row, where),
        rate_class=str(_field(row, "rate_class", where)),
        customer_charge=_decimal(_field(row, "customer_charge", where), f"{where}.customer_charge"),
        fire_hydrant=_decimal(_field(row, "fire_hydrant", where), f"{where}.fire_hydrant"),
        state_water_fee=_decimal(_field(row, "state_water_fee", where), f"{where}.state_water_fee"),
        tiers=_tiers(_field(row, "tiers", where), f"{where}.tiers"),
        tiers_complete=bool(_field(row, "tiers_complete", where)),
        illustrative=bool(row.get("illustrative", False)),
    )


def _wastewater(row: Mapping[str, Any], where: str) -> WastewaterRate:
    basis = str(_field(row, "basis", where))
    if basis not in {"winter_average", "actual"}:
        raise RateFileError(f"{where}.basis: expected winter_average or actual, got {basis!r}")
    return WastewaterRate(
        **_effective(row, where),
        rate_class=str(_field(row, "rate_class", where)),
        customer_charge=_decimal(_field(row, "customer_charge", where), f"{where}.customer_charge"),
        per_unit=_decimal(_field(row, "per_unit", where), f"{where}.per_unit"),
        basis=basis,
        illustrative=bool(row.get("illustrative", False)),
    )


def _stormwater(row: Mapping[str, Any], where: str) -> StormwaterRate:
    return StormwaterRate(
        **_effective(row, where),
        rate_class=str(_field(row, "rate_class", where)),
        utility_fee=_optional_decimal(_field(row, "utility_fee", where), f"{where}.utility_fee"),
        customer_charge=_decimal(_field(row, "customer_charge", where), f"{where}.customer_charge"),
        illustrative=bool(row.get("illustrative", False)),
    )


def _products(row: Mapping[str, Any], where: str) -> ProductPrices:
    prices = _field(row, "prices", where)
    if not isinstance(prices, Mapping):
        raise RateFileError(f"{where}.prices: expected a mapping of code to price")
    return ProductPrices(
        **_effective(row, where),
        prices={str(k): _decimal(v, f"{where}.prices.{k}") for k, v in prices.items()},
    )


def _taxes(row: Mapping[str, Any], where: str) -> TaxRule:
    rates = _field(row, "rates", where)
    if not isinstance(rates, Mapping) or not rates:
        raise RateFileError(f"{where}.rates: expected a mapping of tax line code to rate")
    return TaxRule(
        **_effective(row, where),
        rates={str(k): _decimal(v, f"{where}.rates.{k}") for k, v in rates.items()},
        taxed_services=frozenset(_field(row, "taxed_services", where)),
        untaxed_codes=frozenset(row.get("untaxed_codes") or ()),
    )


def _check_no_overlap(tables: Sequence[Effective], key: str, attr: str | None) -> None:
    """Two tables for the same thing in effect on the same day would make lookups ambiguous."""
    groups: dict[str, list[Effective]] = {}
    for table in tables:
        groups.setdefault(getattr(table, attr) if attr else "", []).append(table)
    for group, members in groups.items():
        ordered = sorted(members, key=lambda t: t.effective_from)
        for before, after in zip(ordered, ordered[1:], strict=False):
            if before.effective_to is None or before.effective_to >= after.effective_from:
                label = f"{key} ({group})" if group else key
                raise RateFileError(
                    f"{label}: tables from {before.effective_from} and "
                    f"{after.effective_from} overlap"
                )


def parse_rate_schedules(data: Mapping[str, Any]) -> RateSchedules:
    """Build the schedule from already-parsed YAML (tests pass their own mappings)."""
    if data.get("format") != "careline-rates/1":
        raise RateFileError("format: expected 'careline-rates/1'")
    schedules = RateSchedules(
        seasons=tuple(_season(r, w) for w, r in _rows(data, "seasons")),
        late_fees=tuple(_late_fee(r, w) for w, r in _rows(data, "late_fee")),
        electric=tuple(_electric(r, w) for w, r in _rows(data, "electric")),
        clean_air_rider=tuple(_clean_air(r, w) for w, r in _rows(data, "clean_air_rider")),
        power_cost_adjustment=tuple(_pca(r, w) for w, r in _rows(data, "power_cost_adjustment")),
        water=tuple(_water(r, w) for w, r in _rows(data, "water")),
        wastewater=tuple(_wastewater(r, w) for w, r in _rows(data, "wastewater")),
        stormwater=tuple(_stormwater(r, w) for w, r in _rows(data, "stormwater")),
        products=tuple(_products(r, w) for w, r in _rows(data, "products")),
        taxes=tuple(_taxes(r, w) for w, r in _rows(data, "taxes")),
    )
    for key, attr in (
        ("seasons", None),
        ("late_fees", None),
        ("electric", "rate_class"),
        ("clean_air_rider", None),
        ("power_cost_adjustment", None),
        ("water", "rate_class"),
        ("wastewater", "rate_class"),
        ("stormwater", "rate_class"),
        ("products", None),
        ("taxes", None),
    ):
        _check_no_overlap(getattr(schedules, key), key, attr)
    return schedules


def load_rate_schedules(path: Path | None = None) -> RateSchedules:
    """Load ``rates.yml`` (default: ``data/utility/rates.yml``)."""
    file = Path(path) if path is not None else DEFAULT_DATA_DIR / RATES_FILE
    with file.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, Mapping):
        raise RateFileError(f"{file}: expected a mapping at the top level")
    return parse_rate_schedules(data)
