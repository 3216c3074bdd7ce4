"""Parsing of a Sentinel-2 SAFE product's metadata: ``MTD_MSIL*.xml`` and ``MTD_TL.xml``.

The product MTD gives times, baseline, radiometry (quantification values and, from processing
baseline 04.00 on, per-band offsets: ``RADIO_ADD_OFFSET`` for L1C, ``BOA_ADD_OFFSET`` for L2A),
band descriptions, scene classes and the image list; the tile MTD (:mod:`._s2_tile`) gives the
sensing time, the sun angles and where the tile is. No pixel is read. A partial product may lack
either: without the product MTD the record comes from ``manifest.safe`` (:mod:`._s2_manifest`),
without the tile MTD it has no geocoding (the reader takes the grid from the images).
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import UnsupportedProduct
from . import xml
from ._s2_bands import BANDS, NATIVE, SCL_CLASSES, BandInfo, band_name, find_images
from ._s2_manifest import footprint, from_manifest
from ._s2_members import read_xml
from ._s2_metadata import Sentinel2Metadata
from ._s2_tile import granule_of, mgrs_tile, read_tile, to_float, to_int
from ._times import parse_utc
from .source import ProductSource

__all__ = ["read_metadata"]


def read_metadata(source: ProductSource) -> Sentinel2Metadata:
    """Parse the product and tile metadata of a Sentinel-2 SAFE product (no pixel read).

    Without ``MTD_MSIL*.xml`` the record comes from ``manifest.safe`` (:mod:`._s2_manifest`);
    without ``MTD_TL.xml`` its ``geocoding`` is None. ``absent`` names the files it lacks.
    """
    mtds = source.find("MTD_MSIL[12][CA].xml")
    if len(mtds) > 1:
        raise UnsupportedProduct(
            f"{source.location}: expected one product metadata file, found {', '.join(mtds)}"
        )
    tile = read_tile(source)
    if not mtds:
        if not source.find("manifest.safe"):
            raise UnsupportedProduct(
                f"{source.location}: has neither MTD_MSIL1C.xml/MTD_MSIL2A.xml (Sentinel-2 "
                "product metadata) nor manifest.safe; expected a Sentinel-2 SAFE product"
            )
        return from_manifest(source, tile)
    mtd = mtds[0]
    level = "L1C" if "1C" in mtd.upper() else "L2A"
    root = read_xml(source, mtd)

    info = xml.find(root, "General_Info/Product_Info")
    if info is None:
        raise UnsupportedProduct(f"{source.location}: {mtd} has no General_Info/Product_Info")
    chars = xml.find(root, "General_Info/Product_Image_Characteristics")
    if chars is None:
        raise UnsupportedProduct(
            f"{source.location}: {mtd} has no General_Info/Product_Image_Characteristics"
        )

    if level == "L1C":
        quantification = to_float(xml.text(chars, "QUANTIFICATION_VALUE"))
        aot_q = wvp_q = None
        offset_elements = xml.findall(chars, "Radiometric_Offset_List/RADIO_ADD_OFFSET")
    else:
        quantification = to_float(
            xml.text(chars, "QUANTIFICATION_VALUES_LIST/BOA_QUANTIFICATION_VALUE")
        )
        aot_q = to_float(xml.text(chars, "QUANTIFICATION_VALUES_LIST/AOT_QUANTIFICATION_VALUE"))
        wvp_q = to_float(xml.text(chars, "QUANTIFICATION_VALUES_LIST/WVP_QUANTIFICATION_VALUE"))
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
                key: to_float(xml.text(element, f"Wavelength/{key}"))
                for key in ("MIN", "MAX", "CENTRAL")
            }
            if element is not None
            else {}
        )
        resolution = to_int(xml.text(element, "RESOLUTION")) if element is not None else None
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
        (xml.text(e, "SPECIAL_VALUE_TEXT") or "").upper(): to_int(
            xml.text(e, "SPECIAL_VALUE_INDEX")
        )
        for e in xml.findall(chars, "Special_Values")
    }
    classes = {
        index: (xml.text(e, "SCENE_CLASSIFICATION_TEXT") or "").removeprefix("SC_")
        for e in xml.findall(chars, "Scene_Classification_List/Scene_Classification_ID")
        if (index := to_int(xml.text(e, "SCENE_CLASSIFICATION_INDEX"))) is not None
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
    granule = tile.granule if tile else granule_of(source, listed)
    images = find_images(source, listed, image_format, bands, granule)

    datatake = xml.find(info, "Datatake")
    datatake_id = datatake.get("datatakeIdentifier") if datatake is not None else None
    product_start = parse_utc(xml.text(info, "PRODUCT_START_TIME"))
    sensing = (tile.sensing_time if tile else None) or product_start
    tile_id = tile.tile_id if tile else None
    product_uri = xml.text(info, "PRODUCT_URI")

    quality_element = xml.find(root, "Quality_Indicators_Info/Image_Content_QI")
    quality = {}
    if quality_element is not None:
        for child in quality_element:
            value = to_float(child.text)
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
        relative_orbit=to_int(xml.text(info, "Datatake/SENSING_ORBIT_NUMBER")),
        absolute_orbit=_absolute_orbit(datatake_id, tile_id, granule),
        orbit_direction=xml.text(info, "Datatake/SENSING_ORBIT_DIRECTION"),
        tile=mgrs_tile(tile_id, product_uri, granule),
        granule=granule,
        granule_id=tile_id,
        datastrip_id=tile.datastrip_id if tile else None,
        image_format=image_format,
        cloud_cover=to_float(xml.text(root, "Quality_Indicators_Info/Cloud_Coverage_Assessment")),
        quantification=quantification,
        aot_quantification=aot_q,
        wvp_quantification=wvp_q,
        offsets=offsets,
        bands=bands,
        images=images,
        geocoding=tile.geocoding if tile else None,
        reflectance_conversion_u=to_float(xml.text(chars, "Reflectance_Conversion/U")),
        nodata_value=special.get("NODATA", 0) or 0,
        saturated_value=special.get("SATURATED", 65535) or 65535,
        scene_classes=classes,
        mean_sun_zenith=tile.mean_sun_zenith if tile else None,
        mean_sun_azimuth=tile.mean_sun_azimuth if tile else None,
        footprint=footprint(xml.text(root, "//Global_Footprint/EXT_POS_LIST")),
        quality=quality,
        absent=() if tile else (f"{granule}/MTD_TL.xml",),
    )


# -- small parsers ---------------------------------------------------------------------------------


def _band_id(element: Any) -> int | None:
    return to_int(element.get("bandId", element.get("band_id")))


def _by_band(elements: list[Any], names_by_id: dict[int, str]) -> dict[str, float]:
    out = {}
    for element in elements:
        band_id = _band_id(element)
        value = to_float(element.text)
        if band_id in names_by_id and value is not None:
            out[names_by_id[band_id]] = value
    return out


def _absolute_orbit(*texts: str | None) -> int | None:
    """From the datatake id (``GS2B_20220413T150759_026649_N04.00``), tile id or granule."""
    for text in texts:
        if not text:
            continue
        m = re.search(r"_\d{8}T\d{6}_(\d{6})_N", text) or re.search(r"_A(\d{6})_", text)
        if m:
            return int(m.group(1))
    return None
