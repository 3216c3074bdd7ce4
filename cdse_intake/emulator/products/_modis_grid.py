"""The MODIS sinusoidal tile grid and the HDF-EOS2 / ECS metadata texts of a MODIS tile file.

Real (MODIS Land grid, HDF-EOS2 as LP DAAC distributes it): the sphere of radius 6371007.181 m,
36 x 18 tiles of 1111950.519667 m from (-20015109.354, 10007554.677) (upper left),
``StructMetadata.0`` with one ``GridStructure`` grid (``GCTP_SNSOID``, ``SphereCode=-1``,
``HDFE_GD_UL``), ``CoreMetadata.0`` and ``ArchiveMetadata.0`` in ODL (the ECS inventory and
archive groups: ``LOCALGRANULEID``, ``RANGEBEGINNINGDATE``, ``SHORTNAME``, ``VERSIONID``, the
G-ring and the bounding rectangle). Inferred: the choice of objects kept (a credible subset of
the real ones) and the PGE/processing values.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

__all__ = [
    "RADIUS",
    "TILE_SIZE",
    "Tile",
    "archive_metadata",
    "core_metadata",
    "lonlat",
    "struct_metadata",
    "tile_of",
]

RADIUS = 6371007.181
#: The grid's corner as the MODIS land PGEs write it (half and quarter of the sphere's
#: circumference, rounded to the mm) and the tile size they imply: a ninth of ``Y_MAX``,
#: 1111950.519667 m (pi R / 18 is 1111950.5197665; the 0.1 mm difference is the PGEs'), so that
#: h18 starts at x = 0 and h18v04's upper left is (0.000000, 5559752.598333) as in LP DAAC files.
X_MIN, Y_MAX = -20015109.354, 10007554.677
TILE_SIZE = Y_MAX / 9
H_TILES, V_TILES = 36, 18
_TILE = re.compile(r"\.h(\d\d)v(\d\d)\.")


@dataclass(frozen=True)
class Tile:
    """The tile hHHvVV, sampled by ``size`` x ``size`` pixels."""

    h: int
    v: int
    size: int

    @property
    def upper_left(self) -> tuple[float, float]:
        return X_MIN + self.h * TILE_SIZE, Y_MAX - self.v * TILE_SIZE

    @property
    def lower_right(self) -> tuple[float, float]:
        x, y = self.upper_left
        return x + TILE_SIZE, y - TILE_SIZE

    @property
    def pixel(self) -> float:
        return TILE_SIZE / self.size

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) of the pixel centres in metres: columns west to east, rows north to south."""
        x0, y0 = self.upper_left
        offsets = (np.arange(self.size) + 0.5) * self.pixel
        return x0 + offsets, y0 - offsets


def tile_of(name: str, size: int) -> Tile:
    """The tile named in a MODIS file name (``….h19v04.…``)."""
    found = _TILE.search(name)
    if found is None:
        raise ValueError(f"no MODIS tile hHHvVV in {name!r}")
    h, v = int(found[1]), int(found[2])
    if not (0 <= h < H_TILES and 0 <= v < V_TILES):
        raise ValueError(f"MODIS tile h{h:02d}v{v:02d} is outside 0..35 x 0..17")
    return Tile(h, v, size)


def lonlat(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lon, lat, on the globe) of sinusoidal (x, y) in metres."""
    lat = np.degrees(y / RADIUS)
    with np.errstate(divide="ignore", invalid="ignore"):
        lon = np.degrees(x / (RADIUS * np.cos(np.radians(lat))))
    inside = np.isfinite(lon) & (np.abs(lon) <= 180.0)
    return np.where(inside, lon, 0.0), lat, inside


def struct_metadata(grid: str, tile: Tile, fields: list[tuple[str, str]]) -> str:
    """The HDF-EOS2 ``StructMetadata.0`` of one grid with ``fields`` (name, DFNT type)."""
    (x0, y0), (x1, y1) = tile.upper_left, tile.lower_right
    lines = ["GROUP=SwathStructure", "END_GROUP=SwathStructure", "GROUP=GridStructure"]
    lines += ["\tGROUP=GRID_1", f'\t\tGridName="{grid}"', f"\t\tXDim={tile.size}"]
    lines += [f"\t\tYDim={tile.size}", f"\t\tUpperLeftPointMtrs=({x0:.6f},{y0:.6f})"]
    lines += [f"\t\tLowerRightMtrs=({x1:.6f},{y1:.6f})", "\t\tProjection=GCTP_SNSOID"]
    lines += [f"\t\tProjParams=({RADIUS:.6f},0,0,0,0,0,0,0,0,0,0,0,0)", "\t\tSphereCode=-1"]
    lines += ["\t\tGridOrigin=HDFE_GD_UL", "\t\tGROUP=Dimension", "\t\tEND_GROUP=Dimension"]
    lines += ["\t\tGROUP=DataField"]
    for k, (name, dtype) in enumerate(fields, 1):
        lines += [f"\t\t\tOBJECT=DataField_{k}", f'\t\t\t\tDataFieldName="{name}"']
        lines += [f"\t\t\t\tDataType={dtype}", '\t\t\t\tDimList=("YDim","XDim")']
        lines += [f"\t\t\tEND_OBJECT=DataField_{k}"]
    lines += ["\t\tEND_GROUP=DataField", "\t\tGROUP=MergedFields", "\t\tEND_GROUP=MergedFields"]
    lines += ["\tEND_GROUP=GRID_1", "END_GROUP=GridStructure", "GROUP=PointStructure"]
    lines += ["END_GROUP=PointStructure", "END", ""]
    return "\n".join(lines)


def _value(value: object) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(_value(v) for v in value) + ")"
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value) if isinstance(value, float) else str(value)


def _object(name: str, value: object, indent: int, cls: str | None = None) -> list[str]:
    pad = "  " * indent
    count = len(value) if isinstance(value, tuple) else 1
    lines = [f"{pad}OBJECT                 = {name}"]
    if cls is not None:
        lines.append(f'{pad}  CLASS                = "{cls}"')
    lines += [f"{pad}  NUM_VAL              = {count}", f"{pad}  VALUE                = "
              f"{_value(value)}", f"{pad}END_OBJECT             = {name}", ""]  # fmt: skip
    return lines


def _group(name: str, body: list[str], indent: int) -> list[str]:
    pad = "  " * indent
    return [
        f"{pad}GROUP                  = {name}",
        "",
        *body,
        f"{pad}END_GROUP              = {name}",
        "",
    ]


def _corners(tile: Tile) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The G-ring (lon, lat) of the tile's corners clockwise from the upper left, clamped to
    the globe's edge."""
    (x0, y0), (x1, y1) = tile.upper_left, tile.lower_right
    lons, lats = [], []
    for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1)):
        lat = math.degrees(y / RADIUS)
        lon = math.degrees(x / (RADIUS * max(math.cos(math.radians(lat)), 1e-9)))
        lons.append(round(max(-180.0, min(180.0, lon)), 6))
        lats.append(round(lat, 6))
    return tuple(lons), tuple(lats)


def core_metadata(
    name: str, short: str, product: datetime, period: tuple[date, date], tile: Tile, field: str
) -> str:
    """The ECS inventory metadata (``CoreMetadata.0``)."""
    lons, lats = _corners(tile)
    granule = _object("LOCALGRANULEID", name, 2)
    granule += _object("PRODUCTIONDATETIME", f"{product:%Y-%m-%dT%H:%M:%S}.000Z", 2)
    granule += _object("DAYNIGHTFLAG", "Day", 2) + _object("LOCALVERSIONID", "6.1.0", 2)
    granule += _object("REPROCESSINGACTUAL", "processed once", 2)
    granule += _object("REPROCESSINGPLANNED", "further update is anticipated", 2)
    qa = _object("AUTOMATICQUALITYFLAG", "Passed", 4, "1")
    qa += _object("AUTOMATICQUALITYFLAGEXPLANATION", "No automatic quality assessment done", 4, "1")
    qa += _object("SCIENCEQUALITYFLAG", "Not Investigated", 4, "1")
    parameter = ["    OBJECT                 = MEASUREDPARAMETERCONTAINER", '      CLASS = "1"', ""]
    parameter += _group("QAFLAGS", qa, 3) + _object("PARAMETERNAME", field, 3, "1")
    parameter += ["    END_OBJECT             = MEASUREDPARAMETERCONTAINER", ""]
    collection = _object("SHORTNAME", short, 2) + _object("VERSIONID", 61, 2)
    begin, end = period
    ranges = _object("RANGEBEGINNINGDATE", f"{begin:%Y-%m-%d}", 2)
    ranges += _object("RANGEBEGINNINGTIME", "00:00:00.000000", 2)
    ranges += _object("RANGEENDINGDATE", f"{end:%Y-%m-%d}", 2)
    ranges += _object("RANGEENDINGTIME", "23:59:59.999999", 2)
    ring = _object("GRINGPOINTLONGITUDE", lons, 6, "1") + _object(
        "GRINGPOINTLATITUDE", lats, 6, "1"
    )
    ring += _object("GRINGPOINTSEQUENCENO", (1, 2, 3, 4), 6, "1")
    polygon = ["        OBJECT                 = GPOLYGONCONTAINER", '          CLASS = "1"', ""]
    polygon += _group("GRINGPOINT", ring, 5)
    polygon += _group("GRING", _object("EXCLUSIONGRINGFLAG", "N", 6, "1"), 5)
    polygon += ["        END_OBJECT             = GPOLYGONCONTAINER", ""]
    spatial = _group("HORIZONTALSPATIALDOMAINCONTAINER", _group("GPOLYGON", polygon, 3), 2)
    extra = []
    for k, (attr, number) in enumerate((("HORIZONTALTILENUMBER", tile.h),
                                        ("VERTICALTILENUMBER", tile.v)), 1):  # fmt: skip
        body = _object("ADDITIONALATTRIBUTENAME", attr, 3, str(k))
        body += _group("INFORMATIONCONTENT", _object("PARAMETERVALUE", str(number), 4, str(k)), 3)
        extra += [
            "    OBJECT                 = ADDITIONALATTRIBUTESCONTAINER",
            f'      CLASS = "{k}"',
        ]
        extra += ["", *body, "    END_OBJECT             = ADDITIONALATTRIBUTESCONTAINER", ""]
    platforms = []
    for k, platform in enumerate(("Terra", "Aqua"), 1):
        platforms += _object("ASSOCIATEDPLATFORMSHORTNAME", platform, 2, str(k))
        platforms += _object("ASSOCIATEDINSTRUMENTSHORTNAME", "MODIS", 2, str(k))
    body = ["  GROUPTYPE            = MASTERGROUP", ""]
    body += _group("ECSDATAGRANULE", granule, 1) + _group("MEASUREDPARAMETER", parameter, 1)
    body += _group("COLLECTIONDESCRIPTIONCLASS", collection, 1)
    body += _group("RANGEDATETIME", ranges, 1) + _group("SPATIALDOMAINCONTAINER", spatial, 1)
    body += _group("ADDITIONALATTRIBUTES", extra, 1)
    body += _group("ASSOCIATEDPLATFORMINSTRUMENTSENSOR", platforms, 1)
    body += _group("PGEVERSIONCLASS", _object("PGEVERSION", "6.1.2", 2), 1)
    return "\n".join([*_group("INVENTORYMETADATA", body, 0), "END", ""])


def archive_metadata(long_name: str, tile: Tile) -> str:
    """The ECS archive metadata (``ArchiveMetadata.0``): bounding rectangle, package, grid."""
    lons, lats = _corners(tile)
    box = _object("NORTHBOUNDINGCOORDINATE", max(lats), 2)
    box += _object("SOUTHBOUNDINGCOORDINATE", min(lats), 2)
    box += _object("EASTBOUNDINGCOORDINATE", max(lons), 2)
    box += _object("WESTBOUNDINGCOORDINATE", min(lons), 2)
    body = ["  GROUPTYPE            = MASTERGROUP", ""]
    body += _group("BOUNDINGRECTANGLE", box, 1)
    body += _object("ALGORITHMPACKAGEACCEPTANCEDATE", "2020-10-01", 1)
    body += _object("ALGORITHMPACKAGEMATURITYCODE", "Normal", 1)
    body += _object("ALGORITHMPACKAGENAME", "MCDPR_V6.1", 1)
    body += _object("ALGORITHMPACKAGEVERSION", "6.1.0", 1)
    body += _object("LONGNAME", long_name, 1) + _object("PROCESSVERSION", "6.1.0", 1)
    body += _object("CHARACTERISTICBINSIZE", round(tile.pixel, 6), 1)
    body += _object("DATACOLUMNS", tile.size, 1) + _object("DATAROWS", tile.size, 1)
    body += _object("GEOANYABNORMAL", "False", 1) + _object("GEOESTMAXRMSERROR", 50.0, 1)
    return "\n".join([*_group("ARCHIVEDMETADATA", body, 0), "END", ""])
