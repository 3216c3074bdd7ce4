"""How each kind of land dataset stores its values: data type, nodata, scale, offset, flags.

Real (CGLS product user manuals, EEA HRL and CLC specifications): NDVI 300 m as uint8 DN with
``NDVI = DN * 0.004 - 0.08``, 254 sea, 255 missing (as :mod:`..products._clms_pixels`); LAI
``DN / 30``, FAPAR and FCOVER ``DN / 250`` (uint8, 255 invalid); LC100 discrete classes
(30 herbaceous vegetation .. 200 open sea, 255 no data); CLC raster codes 1..44 with 48 no data;
the HRL densities 0..100 % with 255 outside area; LST in K as int16 with scale 0.01.
Assumed [unverified]: the exact flag sets of the smaller products (burnt area, water bodies,
snow, soil water, the HRL binary layers, Urban Atlas codes), DMP's packing and every
``long_name``; the synthetic values need only be self-consistent.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ENCODINGS", "Encoding"]


@dataclass(frozen=True)
class Encoding:
    """A layer's storage: ``physical = value * scale + offset`` where ``value != nodata``."""

    layer: str
    dtype: str
    nodata: float
    scale: float = 1.0
    offset: float = 0.0
    long_name: str = ""
    units: str = ""
    flag_values: tuple[int, ...] = ()
    flag_meanings: str = ""

    def tags(self) -> dict[str, str]:
        """Band tags as CLMS's COGs carry them (lists in braces)."""
        out = {"long_name": self.long_name, "units": self.units or "-"}
        if self.flag_values:
            out["flag_values"] = "{" + ", ".join(map(str, self.flag_values)) + "}"
            out["flag_meanings"] = self.flag_meanings
        return out


_U8 = "uint8"
ENCODINGS: dict[str, Encoding] = {
    "ndvi": Encoding(
        "NDVI",
        _U8,
        255,
        0.004,
        -0.08,
        "Normalized Difference Vegetation Index",
        "-",
        (254, 255),
        "sea missing",
    ),
    "lai": Encoding("LAI", _U8, 255, 1 / 30, 0.0, "Leaf Area Index", "m2/m2", (255,), "invalid"),
    "fapar": Encoding(
        "FAPAR", _U8, 255, 0.004, 0.0, "Fraction of Absorbed PAR", "-", (255,), "invalid"
    ),
    "fcover": Encoding(
        "FCOVER", _U8, 255, 0.004, 0.0, "Fraction of green Vegetation Cover", "-", (255,), "invalid"
    ),
    "dmp": Encoding(
        "DMP",
        "int16",
        -2,
        0.01,
        0.0,
        "Dry Matter Productivity",
        "kgDM/ha/day",
        (-2,),
        "sea_or_invalid",
    ),
    "moisture": Encoding(
        "SWI", _U8, 255, 0.5, 0.0, "Soil Water Index", "%", (255,), "sea_or_invalid"
    ),
    "burnt": Encoding(
        "BA", _U8, 255, 1.0, 0.0, "Burnt Area", "-", (0, 1, 254, 255), "unburnt burnt sea missing"
    ),
    "lst": Encoding(
        "LST", "int16", -8000, 0.01, 273.15, "Land Surface Temperature", "K", (-8000,), "missing"
    ),
    "water": Encoding(
        "WB",
        _U8,
        255,
        1.0,
        0.0,
        "Water Bodies",
        "-",
        (0, 70, 251, 255),
        "no_water inland_water sea no_data",
    ),
    "snow": Encoding(
        "SCE",
        _U8,
        255,
        1.0,
        0.0,
        "Snow Cover Extent",
        "-",
        (0, 100, 250, 255),
        "snow_free snow water no_data",
    ),
    "lc100": Encoding(
        "Discrete_Classification_map",
        _U8,
        255,
        long_name="Land cover class",
        flag_values=(30, 40, 50, 60, 70, 80, 111, 200, 255),
        flag_meanings="herbaceous_vegetation cultivated_and_managed_vegetation "
        "urban_built_up bare_sparse_vegetation snow_and_ice permanent_water_bodies "
        "closed_forest_evergreen_needle_leaf open_sea no_data",
    ),
    "clc": Encoding(
        "CLC",
        _U8,
        48,
        long_name="CORINE Land Cover class (raster code 1..44)",
        flag_values=(2, 12, 18, 23, 32, 34, 41, 44, 48),
        flag_meanings="discontinuous_urban_fabric non_irrigated_arable_land pastures "
        "broad_leaved_forest sparsely_vegetated_areas glaciers_and_perpetual_snow "
        "water_bodies sea_and_ocean nodata",
    ),
    "clcplus": Encoding(
        "CLCplus",
        _U8,
        255,
        long_name="CLC+ Backbone class",
        flag_values=(1, 3, 5, 6, 8, 9, 10, 254, 255),
        flag_meanings="sealed woody_broadleaved permanent_herbaceous "
        "periodically_herbaceous non_vegetated water snow_and_ice outside_area "
        "no_data",
    ),
    "grass": Encoding(
        "GRA",
        _U8,
        255,
        long_name="Grassland",
        flag_values=(0, 1, 255),
        flag_meanings="non_grassland grassland outside_area",
    ),
    "wetness": Encoding(
        "WAW",
        _U8,
        255,
        long_name="Water and wetness",
        flag_values=(0, 1, 3, 253, 255),
        flag_meanings="dry permanent_water permanent_wet sea outside_area",
    ),
    "dlt": Encoding(
        "DLT",
        _U8,
        255,
        long_name="Dominant leaf type",
        flag_values=(0, 1, 2, 255),
        flag_meanings="non_tree broadleaved coniferous outside_area",
    ),
    "crop": Encoding("CTY", "uint16", 65535, long_name="Crop type (EAGLE code)"),
    "urban": Encoding("CODE", "uint16", 65535, long_name="Urban Atlas class code"),
    "built": Encoding(
        "BUILT",
        _U8,
        255,
        long_name="Built-up",
        flag_values=(0, 1, 255),
        flag_meanings="not_built_up built_up outside_area",
    ),
    "swf": Encoding(
        "SWF",
        _U8,
        255,
        long_name="Small woody features",
        flag_values=(0, 1, 255),
        flag_meanings="none woody_feature outside_area",
    ),
    "imd": Encoding("IMD", _U8, 255, long_name="Imperviousness density", units="%"),
    "tcd": Encoding("TCD", _U8, 255, long_name="Tree cover density", units="%"),
    "height": Encoding("BH", _U8, 255, long_name="Building height", units="m"),
    "change": Encoding(
        "CHANGE",
        _U8,
        255,
        long_name="Change",
        flag_values=(0, 1, 255),
        flag_meanings="no_change change outside_area",
    ),
}
