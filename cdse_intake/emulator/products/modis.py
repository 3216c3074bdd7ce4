"""TerraAqua MODIS land products (MCD43A4, MCD15A2H, MCD12Q1, MCD64A1 Collection 6.1): one
HDF-EOS2 grid file (HDF4) per sinusoidal tile, as LP DAAC distributes them.

Real: the file is HDF4 (SD interface) with the global attributes ``HDFEOSVersion``,
``StructMetadata.0`` (the HDF-EOS ``GridStructure``: grid name, ``XDim``/``YDim``, the tile's
``UpperLeftPointMtrs``/``LowerRightMtrs`` on the MODIS sphere, ``GCTP_SNSOID``, the data fields
with their types and ``("YDim","XDim")``), ``CoreMetadata.0`` and ``ArchiveMetadata.0`` (ECS
ODL); one SDS per layer with its real name, type, ``_FillValue``, ``valid_range``,
``long_name``, ``units`` and, for scaled layers, the HDF4 calibration attributes
(``scale_factor``, ``scale_factor_err``, ``add_offset``, ``add_offset_err``,
``calibrated_nt``), deflate-compressed; dimensions named ``YDim:<grid>``/``XDim:<grid>`` as
HDF-EOS names them. The tile is the one in the name (``hHHvVV``; :mod:`._modis_grid`), layers
and legends in :mod:`._modis_layers`.

Reduced (inferred): every layer is 240 x 240 pixels over the full tile (pixel size 4633.127 m,
ten times the real 463.313 m of the 2400 x 2400 grid), so ``StructMetadata.0`` stays a valid
description of the whole tile (its corners are the real tile's) and readers place every pixel
right; ``CHARACTERISTICBINSIZE``, ``DATAROWS`` and ``DATACOLUMNS`` say the same. Pixels off the
sinusoidal globe (tile corners at high latitude) hold the fill value, as in real tiles. Values:
the synthetic Earth at the pixel centres, seeded by the product name (:func:`tile_values` is
the oracle). The file follows the tile of the name, wherever the record's site is.

The HDF-EOS2 grid structure is written as the HDF-EOS library's GDcreate/GDdeffield write it:
a Vgroup named after the grid (class ``GRID``) holding the Vgroups ``Data Fields`` (every SDS
attached, tag ``DFTAG_NDG``) and ``Grid Attributes`` (empty: MODIS tiles have no grid
attributes), both class ``GRID Vgroup``; so the HDF-EOS grid calls (GDAL's ``HDF4_EOS``
subdatasets) find the grid and its fields, as SD readers (pyhdf, ``HDF4_SDS``) find the layers.

HDF4 stores the path it was created with: the file is written as the bare product name in a
temporary folder, by a child process working there (:mod:`._modis_hdf`), so the same entry
always gives the same bytes.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from . import Builder
from ._modis_grid import archive_metadata, core_metadata, lonlat, struct_metadata, tile_of
from ._modis_hdf import write_hdf
from ._modis_layers import KINDS, Kind, layer_values, period

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["FAMILY_BUILDERS", "SIZE", "build_modis", "name_date", "tile_values"]

SIZE = 240  # pixels a side (the real grids: 2400)
DEFLATE = 5  # the SDSs are deflated, as LP DAAC's files are (level inferred)
_DATE = re.compile(r"^(?P<short>[A-Z0-9]+)\.A(?P<year>\d{4})(?P<doy>\d{3})\.h\d\dv\d\d\.\d{3}\.")
_DFNT = {"uint8": "DFNT_UINT8", "int16": "DFNT_INT16"}


def name_date(name: str) -> tuple[str, date]:
    """(short name, date) of ``MCD43A4.A2023017.h19v04.061.<stamp>.hdf``."""
    found = _DATE.match(name)
    if found is None or not name.endswith(".hdf"):
        raise ValueError(f"MODIS tile file name (<SHORT>.AYYYYDDD.hHHvVV.061.<stamp>.hdf) "
                         f"expected, got {name!r}")  # fmt: skip
    day = datetime.strptime(found["year"] + found["doy"], "%Y%j").date()
    return found["short"], day


@lru_cache(maxsize=4)
def _values(name: str) -> dict[str, np.ndarray]:
    from ..scene.noise import seed_of

    short, day = name_date(name)
    kind = KINDS[short]
    x, y = tile_of(name, SIZE).centres()
    lon, lat, inside = lonlat(*np.meshgrid(x, y))
    rng = np.random.default_rng(seed_of("modis", name))
    found = layer_values(short, lon[inside], lat[inside], day, rng) if inside.any() else {}
    out = {}
    for layer in kind.layers:
        grid = np.full((SIZE, SIZE), layer.fill or 0, layer.dtype)
        if found:
            grid[inside] = found[layer.name]
        grid.flags.writeable = False
        out[layer.name] = grid
    return out


def tile_values(entry: Entry) -> dict[str, np.ndarray]:
    """The stored (packed) values of each SDS, ``(YDim, XDim)``, in file order."""
    return dict(_values(entry.name))


def build_modis(entry: Entry) -> dict[str, bytes]:
    """The product's single HDF4 file, keyed by the product name."""
    short, day = name_date(entry.name)
    if short not in KINDS or entry.product_type.split(".")[0] != short:
        raise ValueError(
            f"MODIS {', '.join(KINDS)} tile expected, got {entry.product_type} {entry.name!r}"
        )
    kind, tile = KINDS[short], tile_of(entry.name, SIZE)
    first = kind.layers[0].name
    texts = {
        "HDFEOSVersion": "HDFEOS_V2.19",
        "StructMetadata.0": struct_metadata(
            kind.grid, tile, [(layer.name, _DFNT[layer.dtype]) for layer in kind.layers]
        ),
        "CoreMetadata.0": core_metadata(
            entry.name, short, entry.origin, period(short, day), tile, first
        ),
        "ArchiveMetadata.0": archive_metadata(kind.long_name, tile),
    }
    return {entry.name: _hdf(entry.name, kind, tile_values(entry), texts)}


def _hdf(name: str, kind: Kind, values: dict[str, np.ndarray], texts: dict[str, str]) -> bytes:
    layers = [{**dataclasses.asdict(layer), "deflate": DEFLATE} for layer in kind.layers]
    spec = {"texts": texts, "grid": kind.grid, "layers": layers}
    return write_hdf(name, spec, {layer.name: values[layer.name] for layer in kind.layers})


FAMILY_BUILDERS = {"modis": Builder(build_modis, single_file=True)}
