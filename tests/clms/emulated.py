"""Fixtures and helpers of the CLMS tests that run against the emulator's CLMS API."""

from __future__ import annotations

from typing import Any

from cdse_intake import clms

#: A dataset of the documentation's examples (Land Cover 100 m, epoch 2019): Geotiff, one epoch.
LAND_COVER_2019 = "a8d945f0edd143a0a5240c28bafa23da"
#: A small box in France (west, south, east, north).
BOX = (2.35, 45.88, 2.6, 46.05)


def requests(emu: Any, endpoint: str, **match: Any) -> list[Any]:
    """The emulator's log of requests to ``/api/<endpoint>``."""
    return emu.state.requests(path=f"/api/{endpoint}", **match)


def land_cover_job(**kw: Any) -> clms.CLMSJob:
    return clms.request(LAND_COVER_2019, bbox=BOX, output_format="Geotiff", **kw)
