""":class:`BurstQuery`: what bursts to find, normalised once, and its OData ``$filter``.

The same query model as product search (area as ``bbox``/``geometry``/``area``, ``start``/
``end``, ``orbit_direction``, ``relative_orbit``, ``platform``) plus the burst fields CDSE
filters on as plain properties (cdse-api.md §1.9): ``swath``, ``polarisation``, ``burst_id``,
``absolute_burst_id``, ``product_type`` and the ``parent`` SLC (name or id). Every value is
checked before any request: a mistyped one is a :class:`~cdse_intake.errors.QueryError` naming
the field, the value and what is expected, never a silently empty answer.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .. import query_values as values
from ..area import bbox_geometry, normalise_area
from ..catalogue.odata_filter import literal
from ..errors import QueryError

__all__ = ["BURST_ID_MAX", "POLARISATIONS", "PRODUCT_TYPES", "SWATHS", "BurstQuery"]

POLARISATIONS = ("VV", "VH", "HH", "HV")
SWATHS = ("IW1", "IW2", "IW3", "EW1", "EW2", "EW3", "EW4", "EW5")
PRODUCT_TYPES = ("IW_SLC__1S", "EW_SLC__1S")
#: ESA's relative burst ids run over one 12-day cycle of 175 orbits at one id per 2.758273 s
#: burst cycle: 1 .. 175 * (12 * 86400 / 175) / 2.758273, about 375,887.
BURST_ID_MAX = 375_887
_SLC_NAME = re.compile(
    r"^S1[A-D]_(IW|EW)_SLC__1S[SD][VH]_\d{8}T\d{6}_\d{8}T\d{6}_\d{6}_[0-9A-F]{6}_[0-9A-F]{4}"
)


def _choices(name: str, value: Any, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """One value or several (any of them), upper-cased and checked against ``allowed``."""
    if value is None:
        return ()
    items = (value,) if isinstance(value, str) else value
    try:
        items = tuple(items)
    except TypeError:
        items = (value,)
    out = []
    for item in items:
        text = item.strip().upper() if isinstance(item, str) else None
        if text not in allowed:
            raise QueryError(
                f"{name}={values.shown(value)}: {values.shown(item)} is not one of "
                f"{', '.join(allowed)}"
            )
        out.append(text)
    if not out:
        raise QueryError(f"{name}={values.shown(value)}: expected one of {', '.join(allowed)}")
    return tuple(dict.fromkeys(out))


def _bounded(name: str, value: Any, high: int) -> int | None:
    number = values.positive_int(name, value)
    if number is not None and number > high:
        raise QueryError(f"{name}={value!r}: expected a whole number from 1 to {high}")
    return number


def _parent(value: Any) -> tuple[str, str] | None:
    """``("ParentProductId" | "ParentProductName", value)`` from an SLC product id or name."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise QueryError(f"parent={values.shown(value)}: expected an SLC product's name or id")
    text = value.strip()
    try:
        return "ParentProductId", str(uuid.UUID(text))
    except ValueError:
        pass
    if not _SLC_NAME.match(text):
        raise QueryError(
            f"parent={text!r} is no Sentinel-1 IW or EW SLC product name or id; expected e.g. "
            "'S1A_IW_SLC__1SDV_20240802T060719_20240802T060746_055030_06B44E_E7CC' or a UUID"
        )
    return "ParentProductName", text if text.endswith(".SAFE") else f"{text}.SAFE"


def _platform(value: Any) -> str | None:
    """``A``, ``S1A``, ``sentinel-1a`` -> ``A`` (the PlatformSerialIdentifier)."""
    if value is None:
        return None
    text = str(value).strip().upper().replace("SENTINEL-", "S")
    match = re.fullmatch(r"(?:S1)?([A-D])", text)
    if match is None:
        raise QueryError(f"platform={value!r}: expected a Sentinel-1 unit, S1A .. S1D (or A .. D)")
    return match.group(1)


@dataclass(frozen=True)
class BurstQuery:
    """A burst search. Loose inputs are accepted and normalised once (see the module doc)."""

    geometry: Any = None
    """Shapely geometry in lon/lat (from ``area``, ``bbox`` or ``geometry``)."""
    start: datetime | None = None
    """ContentDate/Start from (inclusive)."""
    end: datetime | None = None
    """ContentDate/Start before (exclusive; a bare date includes that day)."""
    orbit_direction: str | None = None
    relative_orbit: int | None = None
    platform: str | None = None
    swath: tuple[str, ...] = ()
    polarisation: tuple[str, ...] = ()
    burst_id: int | None = None
    absolute_burst_id: int | None = None
    product_type: tuple[str, ...] = ()
    parent: tuple[str, str] | None = None
    limit: int | None = None

    @classmethod
    def of(
        cls,
        *,
        area: Any = None,
        bbox: Any = None,
        geometry: Any = None,
        start: Any = None,
        end: Any = None,
        orbit_direction: Any = None,
        relative_orbit: Any = None,
        platform: Any = None,
        swath: Any = None,
        polarisation: Any = None,
        burst_id: Any = None,
        absolute_burst_id: Any = None,
        product_type: Any = None,
        parent: Any = None,
        limit: Any = None,
    ) -> BurstQuery:
        """A checked query from loose values (QueryError naming the first bad one)."""
        areas = (("area", area), ("bbox", bbox), ("geometry", geometry))
        given = [name for name, value in areas if value is not None]
        if len(given) > 1:
            raise QueryError(f"give one of area, bbox and geometry, not {' and '.join(given)}")
        shape = None
        if bbox is not None:
            shape = bbox_geometry(bbox, "bbox")
        elif area is not None or geometry is not None:
            shape = normalise_area(area if area is not None else geometry, given[0])
        low = values.parse_time(start, "start") if start is not None else None
        high = values.parse_time(end, "end", end_of_day=True) if end is not None else None
        if low is not None and high is not None and low >= high:
            raise QueryError(f"start={start!r} is not before end={end!r}")
        swaths = _choices("swath", swath, SWATHS)
        types = _choices("product_type", product_type, PRODUCT_TYPES)
        modes = {t[:2] for t in types}
        if modes and swaths and not any(s[:2] in modes for s in swaths):
            raise QueryError(
                f"swath={swath!r} never occurs in product_type={product_type!r}: IW products "
                "have IW1-IW3, EW products EW1-EW5"
            )
        platform_code = _platform(platform)
        return cls(
            geometry=shape,
            start=low,
            end=high,
            orbit_direction=values.direction(orbit_direction),
            relative_orbit=_bounded("relative_orbit", relative_orbit, 175),
            platform=platform_code,
            swath=swaths,
            polarisation=_choices("polarisation", polarisation, POLARISATIONS),
            burst_id=_bounded("burst_id", burst_id, BURST_ID_MAX),
            absolute_burst_id=values.positive_int("absolute_burst_id", absolute_burst_id),
            product_type=types,
            parent=_parent(parent),
            limit=values.positive_int("limit", limit),
        )

    def replace(self, **changes: Any) -> BurstQuery:
        return dataclasses.replace(self, **changes)

    def filter(self) -> str:
        """The ``$filter`` (plain properties, §1.9); empty when nothing constrains it."""
        parts: list[str] = []

        def any_of(prop: str, items: tuple[Any, ...]) -> None:
            if items:
                clauses = [f"{prop} eq {literal(v)}" for v in items]
                parts.append(clauses[0] if len(clauses) == 1 else f"({' or '.join(clauses)})")

        if self.geometry is not None:
            import shapely

            wkt = shapely.to_wkt(self.geometry, rounding_precision=6, trim=True)
            parts.append(f"OData.CSC.Intersects(area=geography'SRID=4326;{wkt}')")
        if self.start is not None:
            parts.append(f"ContentDate/Start ge {literal(self.start)}")
        if self.end is not None:
            parts.append(f"ContentDate/Start lt {literal(self.end)}")
        any_of("BurstId", (self.burst_id,) if self.burst_id is not None else ())
        any_of(
            "AbsoluteBurstId",
            (self.absolute_burst_id,) if self.absolute_burst_id is not None else (),
        )
        any_of("SwathIdentifier", self.swath)
        any_of("ParentProductType", self.product_type)
        any_of("PolarisationChannels", self.polarisation)
        any_of("OrbitDirection", (self.orbit_direction,) if self.orbit_direction else ())
        any_of("RelativeOrbitNumber", (self.relative_orbit,) if self.relative_orbit else ())
        any_of("PlatformSerialIdentifier", (self.platform,) if self.platform else ())
        if self.parent is not None:
            any_of(self.parent[0], (self.parent[1],))
        return " and ".join(parts)
