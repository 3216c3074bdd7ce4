"""Synthetic products in the real formats and layouts, one module per family.

A builder turns a catalogue :class:`~cdse_intake.emulator.catalogue.Entry` into the product's files
(paths relative to the product folder ``<Name>/``, mapped to bytes). The catalogue zips them as CDSE
delivers them and records their true size and checksums. Payloads are small (a few MB at most)
but real: every file opens with the plain library for its format.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["BUILDERS", "Builder"]


@dataclass(frozen=True)
class Builder:
    """A product family's writer. ``single_file``: the product is one file, not a folder."""

    build: Callable[[Entry], dict[str, bytes]]
    single_file: bool = False

    def __call__(self, entry: Entry) -> dict[str, bytes]:
        return self.build(entry)


def _registry() -> dict[str, Builder]:
    """Family key (``Entry.family``) -> builder. Family modules import their heavy libraries
    (rasterio, h5netcdf, zarr) inside functions, so building the registry stays cheap.

    The first families are listed here; every other public module of this package that defines
    ``FAMILY_BUILDERS`` (family key -> :class:`Builder`) adds its own: a new writer is a new
    module."""
    from . import (
        eopf,
        geotiff,
        orbits,
        sentinel1,
        sentinel1_slc,
        sentinel2,
        sentinel3,
        sentinel3_slstr,
        sentinel3_syn,
        sentinel5p,
    )

    return {
        "sentinel2_l1c": Builder(sentinel2.build_l1c),
        "sentinel2_l2a": Builder(sentinel2.build_l2a),
        "sentinel1_grd": Builder(sentinel1.build_grd),
        "sentinel1_slc": Builder(sentinel1_slc.build_slc),
        "sentinel3_olci_efr": Builder(sentinel3.build_efr),
        "sentinel3_slstr_lst": Builder(sentinel3_slstr.build_lst),
        "sentinel3_syn": Builder(sentinel3_syn.build_syn),
        "sentinel5p_l2": Builder(sentinel5p.build_l2, single_file=True),
        "eopf_zarr": Builder(eopf.build_zarr),
        "clms_geotiff": Builder(geotiff.build_ndvi, single_file=True),
        "sentinel1_orbit": Builder(orbits.build_orbit, single_file=True),
    } | _discovered()


def _discovered() -> dict[str, Builder]:
    """The ``FAMILY_BUILDERS`` of this package's public modules, in module name order."""
    found: dict[str, Builder] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for family, builder in getattr(module, "FAMILY_BUILDERS", {}).items():
            if family in found:
                raise RuntimeError(f"family {family!r} has two writers")
            found[family] = builder
    return found


BUILDERS: dict[str, Builder] = _registry()
