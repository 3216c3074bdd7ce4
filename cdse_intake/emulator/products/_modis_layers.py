"""The science data sets of the four MODIS products and their values from the synthetic Earth.

Real (LP DAAC's product pages and user guides, Collection 6.1): the SDS names, order, HDF types,
fill values, valid ranges and scale factors; the grid names; the special values (MCD15A2H 250
urban, 252 snow/ice, 253 barren, 254 water; MCD12Q1 ``LW`` 1 water, 2 land; MCD64A1 ``Burn
Date`` 0 unburned, -1 unmapped, -2 water). Inferred: the ``long_name`` wording of some layers,
the QC bits set, and every value: the scene's classes mapped to the products' legends,
reflectance and LAI/FPAR from its spectra, burns drawn where it is dry (seeded by the name).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

__all__ = ["KINDS", "Kind", "Layer", "layer_values", "period"]


@dataclass(frozen=True)
class Layer:
    """One SDS: name, numpy type, fill, valid range, scale factor (None: none), text."""

    name: str
    dtype: str
    fill: int | None
    valid: tuple[int, int]
    long_name: str
    units: str
    scale: float | None = None


@dataclass(frozen=True)
class Kind:
    """A product type: its grid name, ECS long name and layers."""

    grid: str
    long_name: str
    layers: tuple[Layer, ...]


def _brdf() -> tuple[Layer, ...]:
    quality = tuple(
        Layer(f"BRDF_Albedo_Band_Mandatory_Quality_Band{b}", "uint8", 255, (0, 254),
              f"BRDF_Albedo_Band_Mandatory_Quality_Band{b}", "concatenated flags")
        for b in range(1, 8)
    )  # fmt: skip
    nadir = tuple(
        Layer(f"Nadir_Reflectance_Band{b}", "int16", 32767, (0, 32766),
              f"Nadir_Reflectance_Band{b}", "reflectance, no units", 0.0001)
        for b in range(1, 8)
    )  # fmt: skip
    return quality + nadir


_LAI = (
    Layer("Fpar_500m", "uint8", 255, (0, 100),
          "MCD15A2H MODIS/Terra+Aqua Gridded 500M FPAR (8-day composite)", "Percent", 0.01),
    Layer("Lai_500m", "uint8", 255, (0, 100),
          "MCD15A2H MODIS/Terra+Aqua Gridded 500M Leaf Area Index LAI (8-day composite)",
          "m^2/m^2", 0.1),
    Layer("FparLai_QC", "uint8", 255, (0, 254), "Quality for FPAR and LAI", "class-flag"),
    Layer("FparExtra_QC", "uint8", 255, (0, 254), "Extra detail Quality for FPAR and LAI",
          "class-flag"),
    Layer("FparStdDev_500m", "uint8", 255, (0, 100), "Standard deviation of FPAR", "Percent",
          0.01),
    Layer("LaiStdDev_500m", "uint8", 255, (0, 100), "Standard deviation of LAI", "m^2/m^2", 0.1),
)  # fmt: skip
_LC_TYPES = (
    ("Annual International Geosphere-Biosphere Programme (IGBP) classification", (1, 17)),
    ("Annual University of Maryland (UMD) classification", (0, 15)),
    ("Annual Leaf Area Index (LAI) classification", (0, 10)),
    ("Annual BIOME-Biogeochemical Cycles (BGC) classification", (0, 8)),
    ("Annual Plant Functional Types classification", (0, 11)),
)
_LC = (
    *(Layer(f"LC_Type{k}", "uint8", 255, valid, f"Land Cover Type {k}: {text}", "class")
      for k, (text, valid) in enumerate(_LC_TYPES, 1)),
    *(Layer(f"LC_Prop{k}_Assessment", "uint8", 255, (0, 100), f"LCCS{k} layer confidence",
            "percent") for k in (1, 2, 3)),
    Layer("LC_Prop1", "uint8", 255, (1, 43), "FAO-LCCS1 land cover layer", "class"),
    Layer("LC_Prop2", "uint8", 255, (1, 40), "FAO-LCCS2 land use layer", "class"),
    Layer("LC_Prop3", "uint8", 255, (1, 51), "FAO-LCCS3 surface hydrology layer", "class"),
    Layer("QC", "uint8", 255, (0, 10), "Product quality flags", "class"),
    Layer("LW", "uint8", 255, (1, 2), "Binary land (class 2) / water (class 1) mask derived "
          "from MOD44W", "class"),
)  # fmt: skip
_BA = (
    Layer("Burn Date", "int16", -1, (-2, 366), "ordinal day of burn", "Julian day"),
    Layer("Burn Date Uncertainty", "uint8", 0, (0, 100), "uncertainty in day of burn", "days"),
    Layer("QA", "uint8", None, (0, 255), "quality assurance indicators", "bit field"),
    Layer("First Day", "int16", -1, (-2, 366), "first day of reliable change detection",
          "Julian day"),
    Layer("Last Day", "int16", -1, (-2, 366), "last day of reliable change detection",
          "Julian day"),
)  # fmt: skip

KINDS = {
    "MCD43A4": Kind("MOD_Grid_BRDF", "MODIS/Terra+Aqua BRDF/Albedo Nadir BRDF-Adjusted Ref "
                    "Daily L3 Global - 500m", _brdf()),
    "MCD15A2H": Kind("MOD_Grid_MOD15A2H", "MODIS/Terra+Aqua Leaf Area Index/FPAR 8-Day L4 Global "
                     "500m SIN Grid", _LAI),
    "MCD12Q1": Kind("MCD12Q1", "MODIS/Terra+Aqua Land Cover Type Yearly L3 Global 500m SIN Grid",
                    _LC),
    "MCD64A1": Kind("MOD_Grid_Monthly_500m_DB_BA", "MODIS/Terra+Aqua Burned Area Monthly L3 "
                    "Global 500m SIN Grid", _BA),
}  # fmt: skip


def period(short: str, day: date) -> tuple[date, date]:
    """The days a product of the name's date ``day`` covers (the RANGE dates)."""
    if short == "MCD43A4":  # the name's day is the 9th of the 16-day window
        return day - timedelta(days=8), day + timedelta(days=7)
    if short == "MCD15A2H":
        return day, day + timedelta(days=7)
    if short == "MCD12Q1":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


#: IGBP class -> (UMD, LAI, BGC, PFT, LCCS1, LCCS2, LCCS3) as the legends pair them.
_LEGENDS = {
    1: (1, 7, 1, 1, 11, 10, 10),
    2: (2, 5, 2, 2, 12, 10, 10),
    4: (4, 6, 4, 4, 14, 10, 10),
    5: (5, 6, 4, 4, 15, 10, 10),
    9: (9, 4, 6, 6, 21, 20, 20),
    10: (10, 1, 6, 6, 31, 30, 30),
    12: (12, 3, 5, 8, 31, 36, 30),
    13: (13, 10, 8, 9, 1, 9, 1),
    15: (15, 9, 7, 10, 2, 2, 2),
    16: (15, 9, 7, 11, 1, 1, 1),
    17: (0, 0, 0, 0, 3, 3, 3),
}
#: S2 bands standing in for MODIS bands 1..7 (645, 858, 469, 555, 1240, 1640, 2130 nm); band 5
#: is the mean of B8A and B11.
_S2 = ("B04", "B8A", "B02", "B03", "B11", "B12")
_MODIS_FROM_S2 = ((0,), (1,), (2,), (3,), (1, 4), (4,), (5,))


def layer_values(
    short: str, lon: np.ndarray, lat: np.ndarray, day: date, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """The stored (packed) values of each layer at the flat on-globe points (lon, lat)."""
    make = {"MCD43A4": _nbar, "MCD15A2H": _lai, "MCD12Q1": _land_cover, "MCD64A1": _burns}
    return make[short](lon, lat, day, rng)


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12)


def _nbar(lon: np.ndarray, lat: np.ndarray, day: date, rng: np.random.Generator):
    from ..scene import surface

    cls = surface.surface_class(lon, lat, _noon(day))
    s2 = surface.surface_reflectance(_S2, lon, lat, _noon(day)).reshape(len(_S2), -1)
    water = cls == surface.WATER
    out = {}
    for b, parts in enumerate(_MODIS_FROM_S2, 1):
        value = np.mean([s2[p] for p in parts], axis=0)
        packed = np.rint(value / 0.0001).astype(np.int16)
        out[f"Nadir_Reflectance_Band{b}"] = np.where(water, 32767, packed).astype(np.int16)
        magnitude = rng.random(lon.size) < 0.12  # 1: magnitude inversion, else full
        out[f"BRDF_Albedo_Band_Mandatory_Quality_Band{b}"] = np.where(
            water, 255, magnitude.astype(np.uint8)
        ).astype(np.uint8)
    return out


def _lai(lon: np.ndarray, lat: np.ndarray, day: date, rng: np.random.Generator):
    from ..scene import surface

    cls, green, _ = surface.land_cover(lon, lat, _noon(day + timedelta(days=4)))
    ndvi = surface.ndvi_of(cls, green)
    fpar = np.clip(1.2 * ndvi - 0.12, 0.0, 0.95)
    lai = np.clip(-np.log(1.0 - fpar) / 0.5, 0.0, 7.0)
    special = np.zeros(cls.shape, np.uint8)
    codes = {surface.WATER: 254, surface.URBAN: 250, surface.BARE: 253, surface.SNOW: 252}
    for k, code in codes.items():
        special[cls == k] = code
    mark = special > 0

    def pack(values: np.ndarray, scale: float) -> np.ndarray:
        return np.where(mark, special, np.rint(values / scale)).astype(np.uint8)

    aqua = (rng.random(lon.size) < 0.5).astype(np.uint8) << 1
    saturated = (fpar > 0.9).astype(np.uint8) << 5
    extra = np.where(cls == surface.WATER, 3, 0) | np.where(cls == surface.SNOW, 4, 0)
    return {
        "Fpar_500m": pack(fpar, 0.01),
        "Lai_500m": pack(lai, 0.1),
        "FparLai_QC": (aqua | saturated).astype(np.uint8),
        "FparExtra_QC": extra.astype(np.uint8),
        "FparStdDev_500m": pack(0.05 + 0.08 * fpar, 0.01),
        "LaiStdDev_500m": pack(0.1 + 0.15 * lai, 0.1),
    }


def _igbp(lon: np.ndarray, lat: np.ndarray, year: int) -> np.ndarray:
    """IGBP classes of the year: the scene's classes of the local summer."""
    from ..scene import surface

    north = _noon(date(year, 7, 15))
    south = _noon(date(year, 1, 15))
    cls_n, _, _, clim = surface.cover_and_climate(lon, lat, north)
    cls_s = surface.land_cover(lon, lat, south)[0]
    cls = np.where(lat >= 0, cls_n, cls_s)
    tropical = (clim[0] > 293.0) & (np.abs(lat) < 25.0)
    forest = np.where(clim[0] < 278.0, 1, np.where(tropical, 2, 4))
    forest = np.where((forest == 4) & (np.abs(lat) > 45), 5, forest)
    grass = np.where(tropical, 9, 10)
    table = {surface.WATER: 17, surface.CROPLAND: 12, surface.URBAN: 13, surface.BARE: 16,
             surface.SNOW: 15}  # fmt: skip
    out = np.where(cls == surface.FOREST, forest, np.where(cls == surface.GRASSLAND, grass, 0))
    for k, code in table.items():
        out = np.where(cls == k, code, out)
    return out.astype(np.uint8)


def _land_cover(lon: np.ndarray, lat: np.ndarray, day: date, rng: np.random.Generator):
    igbp = _igbp(lon, lat, day.year)
    lookup = np.zeros((18, 7), np.uint8)
    for code, row in _LEGENDS.items():
        lookup[code] = row
    legends = lookup[igbp]
    water = igbp == 17
    out = {"LC_Type1": igbp}
    for k in range(2, 6):
        out[f"LC_Type{k}"] = legends[:, k - 2]
    for k in (1, 2, 3):
        confident = np.where(water, 100, rng.integers(55, 101, lon.size))
        out[f"LC_Prop{k}_Assessment"] = confident.astype(np.uint8)
    for k in (1, 2, 3):
        out[f"LC_Prop{k}"] = legends[:, 3 + k]
    out["QC"] = np.where(water, 2, 0).astype(np.uint8)
    out["LW"] = np.where(water, 1, 2).astype(np.uint8)
    return out


def _burns(lon: np.ndarray, lat: np.ndarray, day: date, rng: np.random.Generator):
    from ..scene import surface
    from ..scene.climate import dryness
    from ..scene.noise import cell_hash

    first, last = period("MCD64A1", day)
    mid = _noon(first + timedelta(days=14))
    cls, _, _, clim = surface.cover_and_climate(lon, lat, mid)
    dry = dryness(lat, mid, clim)
    fuel = np.isin(cls, surface.VEGETATED)
    chance = 0.08 * np.clip(1.0 - np.abs(dry - 0.6) / 0.3, 0.0, 1.0) * fuel  # dry, not desert
    seed = int(rng.integers(0, 2**31))
    burned = cell_hash(lon, lat, 360 / 2**12, seed) < chance
    start = first.timetuple().tm_yday
    days = (last - first).days + 1
    burn_day = start + rng.integers(0, days, lon.size)
    water, snow = cls == surface.WATER, cls == surface.SNOW
    date_layer = np.where(burned, burn_day, 0)
    date_layer = np.where(snow, -1, np.where(water, -2, date_layer))
    year_days = 366 if calendar.isleap(first.year) else 365
    first_day = np.where(water, -2, np.where(snow, -1, max(1, start - 8)))
    last_day = np.where(water, -2, np.where(snow, -1, min(year_days, start + days - 1 + 8)))
    qa = np.where(water, 0, np.where(snow, 1, 3))  # bit 0 land, bit 1 valid data
    return {
        "Burn Date": date_layer.astype(np.int16),
        "Burn Date Uncertainty": np.where(burned, rng.integers(1, 6, lon.size), 0).astype(np.uint8),
        "QA": qa.astype(np.uint8),
        "First Day": first_day.astype(np.int16),
        "Last Day": last_day.astype(np.int16),
    }
