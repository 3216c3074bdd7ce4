"""User parameters of the CDSE catalogue: area, dates, cloud cover, product type and limit;
the output format and projection of CLMS data requests.

Each checks a new value with the same rules as :class:`cdse_intake.Query` (so a bad value fails
with a :class:`~cdse_intake.errors.QueryError` naming it, before any request) and keeps it as a
plain value (list, str, float, int) that YAML, pickle and dask carry unchanged. ``None`` or an
empty string leaves the search unconstrained.

In a catalogue file::

    user_parameters:
      max_cloud:
        cls: cdse_intake.intake_plugin.parameters:CloudParameter
        default: 30
        description: highest cloud cover, percent
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from intake.readers.user_parameters import BaseUserParameter

__all__ = [
    "AreaParameter",
    "CloudParameter",
    "DateParameter",
    "LimitParameter",
    "OutputCRSParameter",
    "OutputFormatParameter",
    "ProductTypeParameter",
]


def _unset(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _SearchParameter(BaseUserParameter):
    """A search value, checked when a user sets it (``cat(name=value)``)."""

    def __init__(self, default: Any = None, description: str = "") -> None:
        super().__init__(default=default, description=description)

    def coerce(self, value: Any) -> Any:
        return None if _unset(value) else self._check(value)

    def _check(self, value: Any) -> Any:
        raise NotImplementedError


class AreaParameter(_SearchParameter):
    """A bounding box ``[west, south, east, north]`` in degrees (or ``"w,s,e,n"``)."""

    def _check(self, value: Any) -> list[float]:
        from ..area import bbox_geometry
        from ..errors import QueryError

        parts = value.split(",") if isinstance(value, str) else value
        if isinstance(parts, (list, tuple)):
            bbox_geometry(parts, "area")  # the search's own checks: 4 numbers, valid ranges
            return [float(v) for v in parts]
        raise QueryError(
            f"area={value!r} is not a bounding box; expected [west, south, east, north] in "
            "degrees, e.g. [2.2, 48.8, 2.5, 48.9]"
        )


class DateParameter(_SearchParameter):
    """A date or time (ISO 8601 text, ``date`` or ``datetime``; UTC when naive)."""

    def _check(self, value: Any) -> str:
        from ..query import parse_time

        parse_time(value, "date")
        if isinstance(value, (date, datetime)):
            return value.isoformat()
        return str(value).strip()


class CloudParameter(_SearchParameter):
    """The highest cloud cover accepted, in percent (0-100)."""

    def _check(self, value: Any) -> float:
        from ..errors import QueryError
        from ..query import Query

        try:
            number = float(value)
        except (TypeError, ValueError):
            raise QueryError(
                f"cloud={value!r} is not a number; expected a cloud cover percentage 0-100"
            ) from None
        Query(cloud=number)  # range check, with the search's message
        return number


class LimitParameter(_SearchParameter):
    """The most products a search returns (a whole number >= 1)."""

    def _check(self, value: Any) -> int:
        from ..query import Query

        return Query(limit=value).limit


class ProductTypeParameter(_SearchParameter):
    """A product type (``S2MSI2A``, ``IW_GRDH_1S``, ...) or a list of them (any of them).

    Whether the collection holds it is checked by the search, which knows the collection.
    """

    def _check(self, value: Any) -> str | list[str]:
        from ..errors import QueryError

        values = [value] if isinstance(value, str) else value
        if not isinstance(values, (list, tuple)) or not all(
            isinstance(v, str) and v.strip() for v in values
        ):
            raise QueryError(
                f"product type {value!r} is not a product type; expected e.g. 'S2MSI2A' "
                "or a list of them"
            )
        cleaned = [v.strip() for v in values]
        return cleaned[0] if isinstance(value, str) else cleaned


class OutputFormatParameter(_SearchParameter):
    """A CLMS output format (``Geotiff``, ``Netcdf``, ``GPKG``...); CLMS's list of what each
    dataset converts to is checked when the request is made."""

    def _check(self, value: Any) -> str:
        from ..errors import QueryError

        if not isinstance(value, str):
            raise QueryError(f"format {value!r} is not text; expected e.g. 'Geotiff'")
        return value.strip()


class OutputCRSParameter(_SearchParameter):
    """A projection as an EPSG code: ``"EPSG:4326"``, ``"epsg:3035"`` or ``4326``; whether the
    dataset offers it is checked when the request is made."""

    def _check(self, value: Any) -> str:
        from ..errors import QueryError

        text = str(value).strip().upper() if isinstance(value, str | int) else ""
        code = text.removeprefix("EPSG:")
        if isinstance(value, bool) or not code.isdigit():
            raise QueryError(f"crs {value!r} is not an EPSG code; expected e.g. 'EPSG:4326'")
        return f"EPSG:{int(code)}"
