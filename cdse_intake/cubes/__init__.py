"""Cubes: many products as one lazy, analysis-ready xarray Dataset (:func:`load`)."""

from __future__ import annotations

from .load import FAMILIES, load
from .request import CubeRequest

__all__ = ["FAMILIES", "CubeRequest", "load"]
