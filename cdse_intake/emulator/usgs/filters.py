"""Checks of the M2M requests' parameters (``sceneFilter``, numbers), as the service makes them."""

from __future__ import annotations

from datetime import date
from typing import Any

from . import scenes as sc

__all__ = ["Problem", "scene_filter", "whole"]


class Problem(Exception):
    """An M2M error answer: its code and message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def whole(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Problem("INPUT_PARAMETER_INVALID", f"{name} must be an integer {low}-{high}")
    return value


def scene_filter(given: Any) -> dict[str, Any]:
    """``sceneFilter`` checked and reduced to what :func:`.scenes.matches` reads."""
    if not isinstance(given, dict):
        raise Problem("INPUT_PARAMETER_INVALID", "sceneFilter must be an object")
    out: dict[str, Any] = {}
    acq = given.get("acquisitionFilter")
    if acq:
        for side in ("start", "end"):
            try:
                date.fromisoformat(str(acq.get(side))[:10])
            except ValueError:
                raise Problem(
                    "INPUT_PARAMETER_INVALID", f"acquisitionFilter.{side} is not a date"
                ) from None
        out["acquisitionFilter"] = acq
    cloud = given.get("cloudCoverFilter")
    if cloud:
        try:
            low, high = float(cloud.get("min", 0)), float(cloud.get("max", 100))
        except (TypeError, ValueError):
            raise Problem("INPUT_PARAMETER_INVALID", "cloudCoverFilter needs numbers") from None
        if not 0 <= low <= high <= 100:
            raise Problem(
                "INPUT_PARAMETER_INVALID", "cloudCoverFilter must be 0 <= min <= max <= 100"
            )
        out["cloudCoverFilter"] = cloud
    spatial = given.get("spatialFilter")
    if spatial:
        out["spatialFilter"] = _box(spatial)
    meta = given.get("metadataFilter")
    if meta:
        ids = {fid: label for label, fid in sc.FILTER_IDS.items()}
        fields = {"WRS Path": "pathNumber", "WRS Row": "rowNumber"}
        children = meta.get("childFilters", [meta]) if isinstance(meta, dict) else []
        values: dict[str, Any] = {}
        for child in children:
            label = ids.get(child.get("filterId")) if isinstance(child, dict) else None
            if label is None or not str(child.get("value", "")).strip().isdigit():
                raise Problem("INPUT_PARAMETER_INVALID", f"Invalid metadata filter: {child!r}")
            values[fields[label]] = int(child["value"])
        out["_values"] = values
    return out


def _box(spatial: Any) -> tuple[float, float, float, float]:
    try:
        if spatial.get("filterType") == "mbr":
            ll, ur = spatial["lowerLeft"], spatial["upperRight"]
            box = (float(ll["longitude"]), float(ll["latitude"]))
            box += (float(ur["longitude"]), float(ur["latitude"]))
        elif spatial.get("filterType") == "geojson":
            box = sc._bounds(spatial["geoJson"])
        else:
            raise KeyError("filterType")
    except (KeyError, TypeError, ValueError, AttributeError):
        raise Problem("INPUT_PARAMETER_INVALID", "Invalid spatialFilter") from None
    if not (-180 <= box[0] <= box[2] <= 180 and -90 <= box[1] <= box[3] <= 90):
        raise Problem("INPUT_PARAMETER_INVALID", "Invalid spatialFilter bounds")
    return box
