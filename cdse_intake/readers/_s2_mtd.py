"""Parsing of a Sentinel-2 SAFE product's metadata: ``MTD_MSIL*.xml`` and ``MTD_TL.xml``.

The product MTD gives times, baseline, radiometry (quantification values and, from processing
baseline 04.00 on, per-band offsets: ``RADIO_ADD_OFFSET`` for L1C, ``BOA_ADD_OFFSET`` for L2A),
band descriptions, scene classes and the image list; the tile MTD gives the sensing time, the
sun angles and where the tile is. No pixel is read.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import UnsupportedProduct
from . import xml
from ._s2_bands import BANDS, NATIVE, SCL_CLASSES, BandInfo, band_name, find_images
from ._s2_geocoding import TileGeocoding
from ._s2_metadata import Sentinel2Metadata
from ._times import parse_utc
from .source import ProductSource

__all__ = ["read_metadata"]


def read_metadata(source: ProductSource) -> Sentinel2Metadata:
    """Parse the product and tile metadata of a Sentinel-2 SAFE product (no pixel read)."""
    mtd = source.find_one("MTD_MSIL[12][CA].xml", "Sentinel-2 product metadata file (MTD_MSIL*)")
    level = "L1C" if "1C" in mtd.upper() else "L2A"
    root = xml.parse(source.read_bytes(mtd), f"{source.location}: {mtd}")
    tiles = source.find("GRANULE/*/MTD_TL.xml")
    if len(tiles) != 1:
        found = "none" if not tiles else ", ".join(tiles)
        raise UnsupportedProduct(
            f"{source.location}: expected one granule with GRANULE/<granule>/MTD_TL.xml, found "
            f"{found}; only single-tile (compact SAFE) products are supported"
        )
    tile_xml = xml.parse(source.read_bytes(tiles[0]), f"{source.location}: {tiles[0]}")
    granule = tiles[0].rsplit("/", 1)[0]

    info = xml.find(root, "General_Info/Product_Info")
    if info is None:
        raise UnsupportedProduct(f"{source.location}: {mtd} has no General_Info/Product_Info")
    chars = xml.find(root, "General_Info/Product_Image_Characteristics")
    if chars is None:
        raise UnsupportedProduct(
            f"{source.location}: {mtd} has no General_Info/Product_Image_Characteristics"
        )

    if level == "L1C":
        quantification = _float(xml.text(chars, "QUANTIFICATION_VALUE"))
        aot_q = wvp_q = None
        offset_elements = xml.findall(chars, "Radiometric_Offset_List/RADIO_ADD_OFFSET")
    else:
        quantification = _float(
            xml.text(chars, "QUANTIFICATION_VALUES_LIST/BOA_QUANTIFICATION_VALUE")
        )
        aot_q = _float(xml.text(chars, "QUANTIFICATION_VALUES_LIST/AOT_QUANTIFICATION_VALUE"))
        wvp_q = _float(xml.text(chars, "QUANTIFICATION_VALUES_LIST/WVP_QUANTIFICATION_VALUE"))
        offset_elements = xml.findall(chars, "BOA_ADD_OFFSET_VALUES_LIST/BOA_ADD_OFFSET")
    if not quantification:
        raise UnsupportedProduct(
            f"{source.location}: {mtd} gives no quantification value; reflectance cannot be "
            "derived from the digital numbers"
        )

    names_by_id: dict[int, str] = {}
    spectral: dict[int, Any] = {}
    for element in xml.findall(chars, "Spectral_Information_List/Spectral_Information"):
        band_id = _band_id(element)
        name = band_name(element.get("physicalBand"))
        if band_id is None or name is None:
            continue
        names_by_id[band_id] = name
        spectral[band_id] = element
    if not names_by_id:  # an MTD without spectral information: the standard order
        names_by_id = dict(enumerate(BANDS))

    offsets: dict[str, float] | None = None
    if offset_elements:
        offsets = {}
        for element in offset_elements:
            band_id = _band_id(element)
            if band_id in names_by_id and element.text:
                offsets[names_by_id[band_id]] = float(element.text)
    irradiance = _by_band(
        xml.findall(chars, "Reflectance_Conversion/Solar_Irradiance_List/SOLAR_IRRADIANCE"),
        names_by_id,
    )
    gains = _by_band(xml.findall(chars, "PHYSICAL_GAINS"), names_by_id)

    bands: dict[str, BandInfo] = {}
    for band_id, name in sorted(names_by_id.items()):
        element = spectral.get(band_id)
        wavelength = (
            {
                key: _float(xml.text(element, f"Wavelength/{key}"))
                for key in ("MIN", "MAX", "CENTRAL")
            }
            if element is not None
            else {}
        )
        resolution = _int(xml.text(element, "RESOLUTION")) if element is not None else None
        bands[name] = BandInfo(
            name=name,
            band_id=band_id,
            resolution=resolution or NATIVE[name],
            wavelength_min=wavelength.get("MIN"),
            wavelength_max=wavelength.get("MAX"),
            wavelength_central=wavelength.get("CENTRAL"),
            solar_irradiance=irradiance.get(name),
            offset=(offsets or {}).get(name, 0.0),
            physical_gain=gains.get(name),
        )

    special = {
        (xml.text(e, "SPECIAL_VALUE_TEXT") or "").upper(): _int(xml.text(e, "SPECIAL_VALUE_INDEX"))
        for e in xml.findall(chars, "Special_Values")
    }
    classes = {
        index: (xml.text(e, "SCENE_CLASSIFICATION_TEXT") or "").removeprefix("SC_")
        for e in xml.findall(chars, "Scene_Classification_List/Scene_Classification_ID")
        if (index := _int(xml.text(e, "SCENE_CLASSIFICATION_INDEX"))) is not None
    }
    if level == "L2A" and not classes:
        classes = dict(enumerate(SCL_CLASSES))

    granule_element = xml.find(info, "Product_Organisation/Granule_List/Granule")
    image_format = granule_element.get("imageFormat") if granule_element is not None else None
    listed = [
        e.text.strip()
        for e in xml.findall(info, "Product_Organisation/Granule_List/Granule/IMAGE_FILE")
        if e.text and e.text.strip()
    ]
    images = find_images(source, listed, image_format, bands, granule)

    datatake = xml.find(info, "Datatake")
    datatake_id = datatake.get("datatakeIdentifier") if datatake is not None else None
    product_start = parse_utc(xml.text(info, "PRODUCT_START_TIME"))
    sensing = parse_utc(xml.text(tile_xml, "General_Info/SENSING_TIME")) or product_start
    tile_id = xml.text(tile_xml, "General_Info/TILE_ID")
    product_uri = xml.text(info, "PRODUCT_URI")

    sun = xml.find(tile_xml, "Geometric_Info/Tile_Angles/Mean_Sun_Angle")
    quality_element = xml.find(root, "Quality_Indicators_Info/Image_Content_QI")
    quality = {}
    if quality_element is not None:
        for child in quality_element:
            value = _float(child.text)
            if value is not None:
                quality[xml.local(child.tag)] = value

    return Sentinel2Metadata(
        level=level,
        product_uri=product_uri,
        product_type=xml.text(info, "PRODUCT_TYPE"),
        processing_level=xml.text(info, "PROCESSING_LEVEL"),
        processing_baseline=xml.text(info, "PROCESSING_BASELINE"),
        spacecraft=xml.text(info, "Datatake/SPACECRAFT_NAME"),
        product_start_time=product_start,
        product_stop_time=parse_utc(xml.text(info, "PRODUCT_STOP_TIME")),
        generation_time=parse_utc(xml.text(info, "GENERATION_TIME")),
        sensing_time=sensing,
        datatake_id=datatake_id,
        relative_orbit=_int(xml.text(info, "Datatake/SENSING_ORBIT_NUMBER")),
        absolute_orbit=_absolute_orbit(datatake_id, tile_id, granule),
        orbit_direction=xml.text(info, "Datatake/SENSING_ORBIT_DIRECTION"),
        tile=_tile(tile_id, product_uri, granule),
        granule=granule,
        granule_id=tile_id,
        datastrip_id=xml.text(tile_xml, "General_Info/DATASTRIP_ID"),
        image_format=image_format,
        cloud_cover=_float(xml.text(root, "Quality_Indicators_Info/Cloud_Coverage_Assessment")),
        quantification=quantification,
        aot_quantification=aot_q,
        wvp_quantification=wvp_q,
        offsets=offsets,
        bands=bands,
        images=images,
        geocoding=_geocoding(tile_xml, f"{source.location}: {tiles[0]}"),
        reflectance_conversion_u=_float(xml.text(chars, "Reflectance_Conversion/U")),
        nodata_value=special.get("NODATA", 0) or 0,
        saturated_value=special.get("SATURATED", 65535) or 65535,
        scene_classes=classes,
        mean_sun_zenith=_float(xml.text(sun, "ZENITH_ANGLE")) if sun is not None else None,
        mean_sun_azimuth=_float(xml.text(sun, "AZIMUTH_ANGLE")) if sun is not None else None,
        footprint=_footprint(xml.text(root, "//Global_Footprint/EXT_POS_LIST")),
        quality=quality,
    )


def _geocoding(tile_xml: Any, where: str) -> TileGeocoding:
    geocoding = xml.find(tile_xml, "Geometric_Info/Tile_Geocoding")
    if geocoding is None:
        raise UnsupportedProduct(f"{where} has no Geometric_Info/Tile_Geocoding")
    code = xml.text(geocoding, "HORIZONTAL_CS_CODE") or ""
    match = re.search(r"(\d+)$", code)
    if match is None:
        raise UnsupportedProduct(f"{where}: HORIZONTAL_CS_CODE {code!r} is not an EPSG code")
    sizes = {}
    for element in xml.findall(geocoding, "Size"):
        res = _int(element.get("resolution"))
        rows, cols = _int(xml.text(element, "NROWS")), _int(xml.text(element, "NCOLS"))
        if res and rows and cols:
            sizes[res] = (rows, cols)
    origins = {}
    for element in xml.findall(geocoding, "Geoposition"):
        res = _int(element.get("resolution"))
        values = [_float(xml.text(element, k)) for k in ("ULX", "ULY", "XDIM", "YDIM")]
        if res and all(v is not None for v in values):
            origins[res] = tuple(values)
    return TileGeocoding(
        epsg=int(match.group(1)),
        name=xml.text(geocoding, "HORIZONTAL_CS_NAME"),
        sizes=sizes,
        origins=origins,  # type: ignore[arg-type]
    )


# -- small parsers ---------------------------------------------------------------------------------


def _band_id(element: Any) -> int | None:
    return _int(element.get("bandId", element.get("band_id")))


def _by_band(elements: list[Any], names_by_id: dict[int, str]) -> dict[str, float]:
    out = {}
    for element in elements:
        band_id = _band_id(element)
        value = _float(element.text)
        if band_id in names_by_id and value is not None:
            out[names_by_id[band_id]] = value
    return out


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _int(text: str | None) -> int | None:
    value = _float(text)
    return int(value) if value is not None else None


def _absolute_orbit(*texts: str | None) -> int | None:
    """From the datatake id (``GS2B_20220413T150759_026649_N04.00``), tile id or granule."""
    for text in texts:
        if not text:
            continue
        m = re.search(r"_\d{8}T\d{6}_(\d{6})_N", text) or re.search(r"_A(\d{6})_", text)
        if m:
            return int(m.group(1))
    return None


def _tile(*texts: str | None) -> str | None:
    for text in texts:
        if text and (m := re.search(r"_T(\d{2}[A-Z]{3})(?:_|$)", text)):
            return m.group(1)
    return None


def _footprint(text: str | None) -> str | None:
    """``EXT_POS_LIST`` (lat lon pairs) as a WKT polygon in lon lat order."""
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
