"""The time series datasets of the land catalogue: the global products, HR-VPP, HR snow and ice.

Real: the CGLS product names, sensors, versions and file naming (``c_gls_<PRODUCT>_<date>_GLOBE
_<SENSOR>_V<version>``), 10-daily, daily or monthly; the two Water Bodies UIDs for which
clms.downloadtool refuses NetCDF. Assumed [unverified]: the LEGACY ``full_path`` form, the
date ranges, the ``download_limit_temporal_extent`` values (120 days for 10-daily products, 10 for
daily, 366 for monthly), the WEkEO choices; ids are derived.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from .datasets import Dataset, Info, derived_id

__all__ = ["WATER_BODIES_NO_NETCDF", "global_datasets", "hr_timeseries"]

VITO_META = (
    "https://land.copernicus.vgt.vito.be/geonetwork/srv/api/records/{}/formatters/xml?approved=true"
)
#: Datasets whose NetCDF output clms.downloadtool refuses (its SPECIAL_CASES, Refs #273099).
WATER_BODIES_NO_NETCDF = ("7df9bdf94fe94cb5919c11c9ef5cac65", "0517fd1b7d944d8197a2eb5c13470db8")
PERIOD_DAYS = {"dekad": 120, "day": 10, "month": 366}

#: Global products, one per paragraph: "code kind metres sensor version period first last
#: source", then the title (on as many lines as it needs).
_GLOBAL = """
NDVI300 ndvi 300 PROBAV 1.0.1 dekad 2014-01-01 2020-06-21 LEGACY
  Normalised Difference Vegetation Index 2014-2020 (raster 300 m), global, 10-daily -
  version 1

NDVI300 ndvi 300 OLCI 2.0.1 dekad 2020-07-01 2024-12-21 LEGACY
  Normalised Difference Vegetation Index 2020-present (raster 300 m), global, 10-daily -
  version 2

NDVI300 ndvi 300 OLCI 3.0.1 dekad 2023-01-01 2025-12-21 WEKEO
  Normalised Difference Vegetation Index 2023-present (raster 300 m), global, 10-daily -
  version 3

NDVI ndvi 1000 PROBAV 2.2.1 dekad 1998-04-01 2020-06-21 LEGACY
  Normalised Difference Vegetation Index 1998-2020 (raster 1 km), global, 10-daily - version
  2

NDVI ndvi 1000 PROBAV 3.0.1 dekad 1999-01-01 2020-06-21 LEGACY
  Normalised Difference Vegetation Index 1999-2020 (raster 1 km), global, 10-daily - version
  3

LAI300 lai 300 PROBAV 1.0.1 dekad 2014-01-10 2020-06-30 LEGACY
  Leaf Area Index 2014-present (raster 300 m), global, 10-daily - version 1

LAI300 lai 300 OLCI 2.0.1 dekad 2020-07-01 2024-12-21 WEKEO
  Leaf Area Index 2020-present (raster 300 m), global, 10-daily - version 2

LAI lai 1000 PROBAV 2.0.1 dekad 1999-01-01 2020-06-21 LEGACY
  Leaf Area Index 1999-2020 (raster 1 km), global, 10-daily - version 2

FAPAR300 fapar 300 PROBAV 1.0.1 dekad 2014-01-10 2020-06-30 LEGACY
  Fraction of Absorbed Photosynthetically Active Radiation 2014-present (raster 300 m),
  global, 10-daily - version 1

FAPAR300 fapar 300 OLCI 2.0.1 dekad 2020-07-01 2024-12-21 WEKEO
  Fraction of Absorbed Photosynthetically Active Radiation 2020-present (raster 300 m),
  global, 10-daily - version 2

FAPAR fapar 1000 PROBAV 2.0.1 dekad 1999-01-01 2020-06-21 LEGACY
  Fraction of Absorbed Photosynthetically Active Radiation 1999-2020 (raster 1 km), global,
  10-daily - version 2

FCOVER300 fcover 300 PROBAV 1.0.1 dekad 2014-01-10 2020-06-30 LEGACY
  Fraction of green Vegetation Cover 2014-present (raster 300 m), global, 10-daily - version
  1

FCOVER300 fcover 300 OLCI 2.0.1 dekad 2020-07-01 2024-12-21 WEKEO
  Fraction of green Vegetation Cover 2020-present (raster 300 m), global, 10-daily - version
  2

FCOVER fcover 1000 PROBAV 2.0.1 dekad 1999-01-01 2020-06-21 LEGACY
  Fraction of green Vegetation Cover 1999-2020 (raster 1 km), global, 10-daily - version 2

DMP300 dmp 300 PROBAV 1.0.1 dekad 2014-01-10 2020-06-30 LEGACY
  Dry Matter Productivity 2014-present (raster 300 m), global, 10-daily - version 1

DMP300 dmp 300 OLCI 2.0.1 dekad 2020-07-01 2024-12-21 WEKEO
  Dry Matter Productivity 2020-present (raster 300 m), global, 10-daily - version 2

DMP dmp 1000 PROBAV 2.0.1 dekad 1999-01-01 2020-06-21 LEGACY
  Dry Matter Productivity 1999-2020 (raster 1 km), global, 10-daily - version 2

GDMP300 dmp 300 PROBAV 1.0.1 dekad 2014-01-10 2020-06-30 LEGACY
  Gross Dry Matter Productivity 2014-present (raster 300 m), global, 10-daily - version 1

GDMP300 dmp 300 OLCI 2.0.1 dekad 2020-07-01 2024-12-21 WEKEO
  Gross Dry Matter Productivity 2020-present (raster 300 m), global, 10-daily - version 2

GDMP dmp 1000 PROBAV 2.0.1 dekad 1999-01-01 2020-06-21 LEGACY
  Gross Dry Matter Productivity 1999-2020 (raster 1 km), global, 10-daily - version 2

BA300 burnt 300 PROBAV 1.1.1 month 2014-01-01 2020-06-01 LEGACY
  Burnt Area 2014-present (raster 300 m), global, monthly - version 1

BA burnt 1000 SPOTVGT 1.1.1 month 1999-01-01 2020-06-01 LEGACY
  Burnt Area 1999-2020 (raster 1 km), global, monthly - version 1

VCI ndvi 1000 PROBAV 2.0.1 dekad 1999-01-01 2024-12-21 LEGACY
  Vegetation Condition Index 1999-present (raster 1 km), global, 10-daily - version 2

VPI ndvi 1000 PROBAV 2.0.1 dekad 1999-01-01 2024-12-21 LEGACY
  Vegetation Productivity Index 1999-present (raster 1 km), global, 10-daily - version 2

LIE250 snow 250 MODIS 1.0.1 day 2017-01-01 2024-12-31 LEGACY
  Lake Ice Extent 2017-present (raster 250 m), Northern Hemisphere, daily - version 1

LIE500 snow 500 OLCI 2.0.1 day 2021-01-01 2024-12-31 LEGACY
  Lake Ice Extent 2021-present (raster 500 m), Northern Hemisphere, daily - version 2

BA300 burnt 300 OLCI 3.1.1 month 2019-01-01 2024-12-01 WEKEO
  Burnt Area 2019-present (raster 300 m), global, monthly - version 3

LST10-DC lst 5000 GEO 1.2.1 dekad 2017-01-01 2024-12-21 LEGACY
  Land Surface Temperature 2017-present (raster 5 km), global, 10-daily daily cycle -
  version 1

LST10-TCI lst 5000 GEO 1.2.1 dekad 2017-01-01 2024-12-21 LEGACY
  Land Surface Temperature 2017-present (raster 5 km), global, 10-daily thermal condition
  index - version 1

LSWT lst 1000 SLSTR 1.1.0 dekad 2016-05-01 2024-12-21 LEGACY
  Lake Surface Water Temperature 2016-present (raster 1 km), global, 10-daily - version 1

WB300 water 300 PROBAV 1.0.1 month 2014-01-01 2020-06-01 LEGACY
  Water Bodies 2014-2020 (raster 300 m), global, monthly - version 1

WB300 water 300 OLCI 2.0.1 month 2020-07-01 2024-12-01 LEGACY
  Water Bodies 2020-present (raster 300 m), global, monthly - version 2

WB100 water 100 S2 1.0.1 month 2020-01-01 2024-12-01 LEGACY
  Water Bodies 2020-present (raster 100 m), global, monthly - version 1

LWQ300 water 300 OLCI 1.4.0 dekad 2016-05-01 2024-12-21 LEGACY
  Lake Water Quality 2016-present (raster 300 m), global, 10-daily - version 1

SCE500 snow 500 MODIS 1.0.1 day 2017-01-01 2024-12-31 LEGACY
  Snow Cover Extent 2017-present (raster 500 m), Europe, daily - version 1

SCE snow 1000 VIIRS 1.0.1 day 2018-01-01 2024-12-31 LEGACY
  Snow Cover Extent 2018-present (raster 1 km), Northern Hemisphere, daily - version 1

SWE5K snow 5000 SSMIS 1.0.2 day 2006-01-01 2024-12-31 LEGACY
  Snow Water Equivalent 2006-present (raster 5 km), Northern Hemisphere, daily - version 1

SWI1km moisture 1000 S1-ASCAT 1.0.1 day 2015-01-01 2024-12-31 LEGACY
  Soil Water Index 2015-present (raster 1 km), Europe, daily - version 1

SWI moisture 12500 ASCAT 3.2.1 day 2007-01-01 2024-12-31 LEGACY
  Soil Water Index 2007-present (raster 12.5 km), global, daily - version 3

SSM1km moisture 1000 S1CSAR 1.1.1 day 2015-01-01 2024-12-31 LEGACY
  Surface Soil Moisture 2015-present (raster 1 km), Europe, daily - version 1
"""
_SPECIAL_UIDS = {
    ("WB300", "2.0.1"): WATER_BODIES_NO_NETCDF[1],
    ("WB100", "1.0.1"): WATER_BODIES_NO_NETCDF[0],
}


def _global_rows() -> Iterator[tuple]:
    """The rows of :data:`_GLOBAL`."""
    for paragraph in _GLOBAL.strip().split("\n\n"):
        head, *title = paragraph.split("\n")
        code, kind, metres, sensor, version, period, first, last, source = head.split()
        yield (
            code,
            " ".join(t.strip() for t in title),
            kind,
            int(metres),
            sensor,
            version,
            period,
            date.fromisoformat(first),
            date.fromisoformat(last),
            source,
        )


def global_datasets() -> Iterator[Dataset]:
    """The Copernicus Global Land products (time series, LEGACY or WEKEO)."""
    for code, title, kind, metres, sensor, version, period, first, last, source in _global_rows():
        major = version.split(".")[0]
        variable = code.split("300")[0].split("1km")[0].split("5K")[0].lower()
        size = f"{metres // 1000}km" if metres >= 1000 else f"{metres}m"
        folder = f"{variable}_{size}_v{major}_{period}"
        slug = title.split(" (")[0].lower().replace(" ", "-") + f"-v{major}-{metres}m"
        uid = _SPECIAL_UIDS.get((code, version)) or derived_id("global", code, version, hex32=True)
        fmt = "Netcdf"
        yield Dataset(
            uid=uid,
            product=f"{variable}-global",
            slug=slug,
            title=title,
            description=f"{re.split(' [12]', title)[0]}: a Copernicus Global Land Service product.",
            kind=kind,
            resolution=float(metres),
            geographic=True,
            period=period,
            start=first,
            end=last,
            max_days=PERIOD_DAYS[period],
            full_format=None,
            infos=(
                Info(
                    derived_id("info", code, version),
                    "RASTER",
                    fmt,
                    f"{variable}/{folder}",
                    source,
                    f"{metres}m",
                    wekeo_choices=f"EO:CLMS:DAT:CLMS_GLOBAL_{code}_V{major}"
                    if source == "WEKEO"
                    else "",
                ),
            ),
            stem=f"c_gls_{code}_{{date}}_GLOBE_{sensor}_V{version}",
            metadata=(VITO_META.format(f"urn:cgls:global:{code.lower()}_v{major}"),),
            keywords=(code, sensor, f"{metres}m", "global", "time series"),
        )


def hr_timeseries() -> Iterator[Dataset]:
    for code, name, kind in (
        ("PPI", "Plant Phenology Index", "ndvi"),
        ("ST", "Seasonal Trajectories", "ndvi"),
    ):
        yield Dataset(
            uid=derived_id("hrvpp", code, hex32=True),
            product="vegetation-phenology-and-productivity",
            slug=f"{name.lower().replace(' ', '-')}-10m",
            title=f"{name} 2017-present (raster 10 m), Europe, 10-daily",
            description=f"HR-VPP {name}.",
            kind=kind,
            resolution=10.0,
            period="dekad",
            start=date(2017, 1, 1),
            end=date(2024, 12, 21),
            max_days=120,
            infos=(
                Info(
                    derived_id("hrvpp", code, "info"),
                    "RASTER",
                    "Geotiff",
                    f"HRVPP/{code}",
                    "WEKEO",
                    "10m",
                    wekeo_choices=f"EO:EEA:DAT:CLMS_HRVPP_{code}",
                ),
            ),
            stem=f"{code}_{{date}}_S2_E00N00_03035_010m_V101",
            keywords=("HR-VPP", code),
        )
    for code, name in (
        ("FSC", "Fractional Snow Cover"),
        ("WDS", "Wet/Dry Snow"),
        ("SWS", "SAR Wet Snow"),
        ("RLIE", "River and Lake Ice Extent"),
        ("GFSC", "Gap-filled Fractional Snow Cover"),
    ):
        yield Dataset(
            uid=derived_id("hrsi", code, hex32=True),
            product="snow-and-ice",
            slug=f"{code.lower()}-20m",
            title=f"{name} 2016-present (raster 20 m), Europe, daily",
            description=f"HR-S&I {name}.",
            kind="snow",
            resolution=20.0 if code != "GFSC" else 60.0,
            period="day",
            start=date(2016, 9, 1),
            end=date(2024, 12, 31),
            max_days=10,
            infos=(
                Info(
                    derived_id("hrsi", code, "info"),
                    "RASTER",
                    "Geotiff",
                    f"HRSI/{code}",
                    "WEKEO",
                    "20m",
                    wekeo_choices=f"EO:CRYO:DAT:HRSI:{code}",
                ),
            ),
            stem=f"{code}_{{date}}_S2_T32TLR_V102_1",
            keywords=("HR-S&I", code),
        )
