"""What a Landsat Collection 2 product holds: its sensor, its files and their MTL names.

Tables taken from real USGS MTL files of Collection 2 (``LC08_L1GT``/``LC08_L2SP``/``LE07_L1TP``
MTL.txt, ``LE07_L2SP`` MTL.xml, seen in public repositories): file suffixes, the
``FILE_NAME_*``/``DATA_TYPE_*`` keys, data types (TM/ETM Level-1 bands are UINT8, OLI/TIRS ones
UINT16; every Level-2 SR/ST band UINT16, the ST intermediate bands INT16), the band used for the
angle bands (``_BAND_4``). Calibration constants: OLI/TIRS and ETM+ from those real MTL files,
TM from Chander et al. (2009) LMIN/LMAX and ESUN (inferred for Collection 2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["FileSpec", "Sensor", "files_of", "parse_name", "sensor_of"]

#: ``LC08_L1TP_195028_20230703_20230703_02_RT``: sensor, level, path/row, dates, collection.
NAME = re.compile(
    r"^(?P<code>L[CTEO]0[4-9])_(?P<level>L1TP|L1GT|L1GS|L2SP|L2SR)_(?P<path>\d{3})(?P<row>\d{3})_"
    r"(?P<acquired>\d{8})_(?P<processed>\d{8})_(?P<collection>\d{2})_(?P<category>T1|T2|RT)$"
)


@dataclass(frozen=True)
class Sensor:
    code: str
    spacecraft: str
    """``SPACECRAFT_ID`` (``LANDSAT_8``)."""
    sensor: str
    """``SENSOR_ID`` (``OLI_TIRS``, ``ETM``, ``TM``)."""

    @property
    def oli(self) -> bool:
        return self.sensor == "OLI_TIRS"


SENSORS = {
    "LC08": Sensor("LC08", "LANDSAT_8", "OLI_TIRS"),
    "LC09": Sensor("LC09", "LANDSAT_9", "OLI_TIRS"),
    "LE07": Sensor("LE07", "LANDSAT_7", "ETM"),
    "LT05": Sensor("LT05", "LANDSAT_5", "TM"),
    "LT04": Sensor("LT04", "LANDSAT_4", "TM"),
}


@dataclass(frozen=True)
class FileSpec:
    """One raster of the product."""

    suffix: str
    """After ``<name>_`` and before ``.TIF`` (``B4``, ``SR_B4``, ``QA_PIXEL``)."""
    key: str
    """MTL key after ``FILE_NAME_``/``DATA_TYPE_`` (``BAND_4``, ``QUALITY_L1_PIXEL``)."""
    dtype: str
    """numpy dtype (``uint16``); the MTL writes it upper case."""
    kind: str
    """``reflective``, ``pan``, ``thermal``, ``sr``, ``st``, ``st_aux``, ``qa``, ``angle``."""
    source: str = ""
    """Reflective bands: the synthetic Earth's Sentinel-2 bands averaged for it; band label."""
    nodata: float | None = 0

    @property
    def label(self) -> str:
        """The band label in calibration keys (``4``, ``6_VCID_1``, ``ST_B10``)."""
        return self.key.removeprefix("BAND_")


def sensor_of(name: str) -> Sensor:
    code = parse_name(name)["code"]
    if code not in SENSORS:
        raise ValueError(f"{name!r}: Landsat sensor code {code!r} is not one of {sorted(SENSORS)}")
    return SENSORS[code]


def parse_name(name: str) -> dict[str, str]:
    """The parts of a Collection 2 product name; ValueError naming the name otherwise."""
    match = NAME.match(name)
    if match is None:
        raise ValueError(
            f"Landsat Collection 2 product name like 'LC08_L1TP_195028_20230703_20230703_02_RT' "
            f"expected, got {name!r}"
        )
    return match.groupdict()


# Sentinel-2 bands of the synthetic Earth nearest each Landsat band's spectral range.
_OLI = {"1": "B01", "2": "B02", "3": "B03", "4": "B04", "5": "B8A", "6": "B11", "7": "B12",
        "9": "B10"}  # fmt: skip
_TM = {"1": "B02", "2": "B03", "3": "B04", "4": "B08", "5": "B11", "7": "B12"}
_PAN = {"OLI_TIRS": "B03 B04", "ETM": "B03 B04 B08"}


def _l1(sensor: Sensor) -> list[FileSpec]:
    dt = "uint16" if sensor.oli else "uint8"
    reflective = _OLI if sensor.oli else _TM
    out = [FileSpec(f"B{b}", f"BAND_{b}", dt, "reflective", s2) for b, s2 in reflective.items()]
    if sensor.oli:
        out.insert(7, FileSpec("B8", "BAND_8", dt, "pan", _PAN["OLI_TIRS"]))
        out += [FileSpec(f"B{b}", f"BAND_{b}", dt, "thermal") for b in ("10", "11")]
    elif sensor.sensor == "ETM":
        out[5:5] = [FileSpec(f"B6_VCID_{v}", f"BAND_6_VCID_{v}", dt, "thermal") for v in "12"]
        out.append(FileSpec("B8", "BAND_8", dt, "pan", _PAN["ETM"]))
    else:
        out.insert(5, FileSpec("B6", "BAND_6", dt, "thermal"))
    out += [
        FileSpec("QA_PIXEL", "QUALITY_L1_PIXEL", "uint16", "qa", nodata=1),
        FileSpec("QA_RADSAT", "QUALITY_L1_RADIOMETRIC_SATURATION", "uint16", "qa", nodata=None),
    ]
    out += [
        FileSpec(short, f"ANGLE_{what}_BAND_4", "int16", "angle")
        for short, what in (
            ("VAA", "SENSOR_AZIMUTH"),
            ("VZA", "SENSOR_ZENITH"),
            ("SAA", "SOLAR_AZIMUTH"),
            ("SZA", "SOLAR_ZENITH"),
        )
    ]
    return out


#: L2SP ST intermediate bands: suffix, MTL key (all INT16, fill -9999).
ST_AUX = (
    ("ST_TRAD", "THERMAL_RADIANCE"),
    ("ST_URAD", "UPWELL_RADIANCE"),
    ("ST_DRAD", "DOWNWELL_RADIANCE"),
    ("ST_ATRAN", "ATMOSPHERIC_TRANSMITTANCE"),
    ("ST_EMIS", "EMISSIVITY"),
    ("ST_EMSD", "EMISSIVITY_STDEV"),
    ("ST_CDIST", "CLOUD_DISTANCE"),
)


def _l2(sensor: Sensor) -> list[FileSpec]:
    reflective = _OLI if sensor.oli else _TM
    out = [
        FileSpec(f"SR_B{b}", f"BAND_{b}", "uint16", "sr", s2)
        for b, s2 in reflective.items()
        if b != "9"  # no surface reflectance for the cirrus band
    ]
    st = "ST_B10" if sensor.oli else "ST_B6"
    out.insert(len(out) if sensor.oli else 5, FileSpec(st, f"BAND_{st}", "uint16", "st"))
    out += [FileSpec(s, k, "int16", "st_aux", nodata=-9999) for s, k in ST_AUX]
    if sensor.oli:
        out.append(FileSpec("SR_QA_AEROSOL", "QUALITY_L2_AEROSOL", "uint8", "qa", nodata=1))
    else:
        out += [
            FileSpec("SR_ATMOS_OPACITY", "ATMOSPHERIC_OPACITY", "int16", "st_aux", nodata=-9999),
            FileSpec(
                "SR_CLOUD_QA", "QUALITY_L2_SURFACE_REFLECTANCE_CLOUD", "uint8", "qa", nodata=None
            ),
        ]
    out += [
        FileSpec("ST_QA", "QUALITY_L2_SURFACE_TEMPERATURE", "int16", "st_aux", nodata=-9999),
        FileSpec("QA_PIXEL", "QUALITY_L1_PIXEL", "uint16", "qa", nodata=1),
        FileSpec("QA_RADSAT", "QUALITY_L1_RADIOMETRIC_SATURATION", "uint16", "qa", nodata=None),
    ]
    return out


def files_of(sensor: Sensor, level: str) -> list[FileSpec]:
    """The product's rasters in the MTL's ``PRODUCT_CONTENTS`` order."""
    return _l2(sensor) if level.startswith("L2") else _l1(sensor)
