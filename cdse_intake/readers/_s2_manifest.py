"""A Sentinel-2 product's metadata from ``manifest.safe``, when ``MTD_MSIL*.xml`` is absent.

The SAFE manifest (XFDU) of an L1C/L2A product holds the level (``version="…/archive_l2a_user_
product"``), the platform (``SENTINEL`` + ``2B``), the acquisition start, the absolute orbit (and
its ground-track direction) and relative orbit, the footprint (``gml:coordinates``, lat lon
pairs), the processing date and every file (``dataObject/byteStream/fileLocation/@href``), the
images among them. It does not hold the radiometry: the quantification values (10000; AOT and
WVP 1000) are the same in every product, and the -1000 offsets apply from processing baseline
04.00 on, which the product name gives (``_N0400_``). Band wavelengths, solar irradiances, cloud
cover and quality indicators stay unknown.
"""

from __future__ import annotations

import re

from ..errors import UnsupportedProduct
from . import xml
from ._s2_bands import BANDS, NATIVE, SCL_CLASSES, BandInfo, find_images
from ._s2_members import read_xml
from ._s2_metadata import Sentinel2Metadata
from ._s2_tile import TileMetadata, granule_of, mgrs_tile
from ._times import parse_utc
from .families import NAMES
from .source import ProductSource

__all__ = ["MANIFEST", "footprint", "from_manifest"]

MANIFEST = "manifest.safe"
#: Radiometry of every L1C/L2A product (PSD): reflectance = (DN + offset) / 10000.
QUANTIFICATION = 10000.0
AUX_QUANTIFICATION = 1000.0
OFFSET_FROM_04_00 = -1000.0
_IMAGE = re.compile(r"/IMG_DATA/.*\.(jp2|tiff?)$", re.IGNORECASE)


def from_manifest(source: ProductSource, tile: TileMetadata | None) -> Sentinel2Metadata:
    """The metadata record from ``manifest.safe`` (and ``MTD_TL.xml`` when present)."""
    path = source.find(MANIFEST)[0]
    root = read_xml(source, path)
    hrefs = [
        href.strip().removeprefix("./")
        for e in xml.iter_local(root, "fileLocation")
        if (href := e.get("href"))
    ]
    name = _product_name(source)
    level = _level(root.get("version") or "", name, hrefs)
    if level is None:
        raise UnsupportedProduct(
            f"{source.location}: {path} says neither Level-1C nor Level-2A (its version is "
            f"{root.get('version')!r}); expected a Sentinel-2 MSI L1C/L2A manifest"
        )
    images = [h for h in hrefs if _IMAGE.search(h)]
    listed = [h.rsplit(".", 1)[0] for h in images]
    geotiff = any(h.lower().endswith((".tif", ".tiff")) for h in images)
    image_format = "GeoTIFF" if geotiff else "JPEG2000" if images else None  # as the MTD says
    baseline = _baseline(name)
    with_offset = baseline is not None and baseline >= "04.00"
    offset = OFFSET_FROM_04_00 if with_offset else 0.0
    bands = {
        b: BandInfo(b, k, NATIVE[b], None, None, None, None, offset) for k, b in enumerate(BANDS)
    }
    granule = tile.granule if tile else granule_of(source, listed)
    orbit = xml.find(root, "//orbitReference/orbitNumber")
    direction = orbit.get("groundTrackDirection") if orbit is not None else None
    platform = xml.find(root, "//platform")
    number = xml.text(platform, "number") if platform is not None else None
    processing = xml.find(root, "//processing")
    start = parse_utc(xml.text(root, "//acquisitionPeriod/startTime"))
    mtd = f"MTD_MSI{level}.xml"
    return Sentinel2Metadata(
        level=level,
        product_uri=name,
        product_type=f"S2MSI{level[1:]}",
        processing_level=f"Level-{level[1:]}",
        processing_baseline=baseline,
        spacecraft=f"Sentinel-{number}" if number else None,
        product_start_time=start,
        product_stop_time=parse_utc(xml.text(root, "//acquisitionPeriod/stopTime")),
        generation_time=parse_utc(processing.get("start")) if processing is not None else None,
        sensing_time=(tile.sensing_time if tile else None) or start,
        datatake_id=None,
        relative_orbit=_int(xml.text(root, "//orbitReference/relativeOrbitNumber")),
        absolute_orbit=_int(orbit.text) if orbit is not None else None,
        orbit_direction=direction.upper() if direction else None,
        tile=mgrs_tile(tile.tile_id if tile else None, name, granule),
        granule=granule,
        granule_id=tile.tile_id if tile else None,
        datastrip_id=tile.datastrip_id if tile else None,
        image_format=image_format,
        cloud_cover=None,
        quantification=QUANTIFICATION,
        aot_quantification=AUX_QUANTIFICATION if level == "L2A" else None,
        wvp_quantification=AUX_QUANTIFICATION if level == "L2A" else None,
        offsets=dict.fromkeys(BANDS, offset) if with_offset else None,
        bands=bands,
        images=find_images(source, listed, image_format, bands, granule),
        geocoding=tile.geocoding if tile else None,
        scene_classes=dict(enumerate(SCL_CLASSES)) if level == "L2A" else {},
        mean_sun_zenith=tile.mean_sun_zenith if tile else None,
        mean_sun_azimuth=tile.mean_sun_azimuth if tile else None,
        footprint=footprint(xml.text(root, "//frameSet/footPrint/coordinates")),
        absent=(mtd,) if tile else (mtd, f"{granule}/MTD_TL.xml"),
        radiometry_note=_radiometry_note(baseline, level),
    )


def footprint(text: str | None) -> str | None:
    """``EXT_POS_LIST``/``gml:coordinates`` (lat lon pairs) as a WKT polygon in lon lat order."""
    if not text:
        return None
    values = text.split()
    if len(values) < 8 or len(values) % 2:
        return None
    try:
        numbers = [float(v) for v in values]
    except ValueError:
        return None
    pairs = [f"{lon!r} {lat!r}" for lat, lon in zip(numbers[::2], numbers[1::2], strict=True)]
    return f"POLYGON (({', '.join(pairs)}))"


def _product_name(source: ProductSource) -> str | None:
    for text in (getattr(source.product, "name", None), source.name):
        if text and NAMES["sentinel-2"].match(text):
            return text if text.endswith(".SAFE") else f"{text}.SAFE"
    return None


def _level(version: str, name: str | None, hrefs: list[str]) -> str | None:
    if m := re.search(r"archive_l(1c|2a)_", version, re.IGNORECASE):
        return f"L{m.group(1).upper()}"
    if name and (m := NAMES["sentinel-2"].match(name)):
        return f"L{m['level']}"
    if any(re.search(r"/IMG_DATA/R\d+m/", h) for h in hrefs):
        return "L2A"
    return None


def _baseline(name: str | None) -> str | None:
    """``04.00`` from a product name's ``_N0400_``."""
    m = re.search(r"_N(\d{2})(\d{2})(?:_|\.|$)", name or "")
    return f"{m.group(1)}.{m.group(2)}" if m else None


def _radiometry_note(baseline: str | None, level: str) -> str:
    aux = ", AOT and WVP 1000" if level == "L2A" else ""
    if baseline is None:
        return (
            f"processing baseline unknown: radiometry assumed quantification 10000{aux}, no "
            "offset (products of baseline 04.00 on have -1000)"
        )
    offset = ", offset -1000" if baseline >= "04.00" else ", no offset"
    return f"radiometry of baseline {baseline}: quantification 10000{aux}{offset}"


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None
