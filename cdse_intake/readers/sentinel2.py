"""Sentinel-2 MSI Level-1C and Level-2A products (SAFE) as lazy xarray objects.

A SAFE product is a folder (zipped by CDSE with ``<Name>.SAFE/`` on top)::

    MTD_MSIL1C.xml | MTD_MSIL2A.xml        product metadata: times, baseline, radiometry, bands
    GRANULE/<granule>/MTD_TL.xml           tile metadata: UTM CRS, size and origin per resolution
    GRANULE/<granule>/IMG_DATA/T<tile>_<sensed>_B04.jp2            (L1C: one file per band, at
                                                                    its native resolution + TCI)
    GRANULE/<granule>/IMG_DATA/R10m|R20m|R60m/T<tile>_<sensed>_B04_10m.jp2   (L2A: bands, SCL,
                                                                    AOT, WVP and TCI per folder)

How it maps to xarray: with ``resolution=None`` a :class:`xarray.DataTree` whose groups
``r10m``, ``r20m``, ``r60m`` (as EOPF names its reflectance groups) each hold the images at that
resolution as ``(y, x)`` variables named by band (``B04``, ``B8A``, ``SCL``, ``AOT``, ``WVP``;
``TCI`` is ``(rgb, y, x)`` uint8), on pixel-centre UTM ``x``/``y`` coordinates with the CRS in
``spatial_ref`` (CF grid mapping; rioxarray's ``.rio`` works). The root holds the product
attributes; the root and every group have the scalar ``time`` coordinate (the tile's sensing time).
``resolution=10|20|60`` returns one such Dataset.

Format facts that matter:

- L1C ships each band once, at its native resolution (B02-B04, B08 at 10 m; B05-B07, B8A, B11,
  B12 at 20 m; B01, B09, B10 at 60 m). L2A also ships bands resampled to the coarser grids
  (R20m has B02-B04, and B01 from baseline 04.00 on; R60m has nearly all), never B10.
- Digital numbers become reflectance as ``(DN + offset) / QUANTIFICATION_VALUE``. From
  processing baseline 04.00 (January 2022) on, the MTD carries per-band offsets
  (``RADIO_ADD_OFFSET`` for L1C, ``BOA_ADD_OFFSET`` for L2A, -1000): products of older
  baselines have none, and the same DN means a different reflectance. DN 0 is NODATA, 65535
  SATURATED. AOT and WVP have their own quantification values; SCL and TCI are not scaled.
- ``MTD_TL.xml`` says where the tile is (EPSG:326xx/327xx, upper-left corner and pixel size per
  resolution); the JPEG 2000 files carry the same georeferencing in GML boxes. The reader checks
  that both agree (a mismatch would shift every pixel) and falls back to the MTD when an image
  has none.
- ``IMAGE_FILE`` entries in the MTD name the images without extension: ``.jp2`` in ESA/CDSE
  products, ``.tif`` in some re-processed archives (``imageFormat="GeoTIFF"``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import xarray as xr

from ..errors import UnsupportedProduct
from . import xml
from ._times import iso_z, parse_utc
from .raster import RasterInfo, open_raster, raster_info
from .source import ProductSource

__all__ = [
    "BANDS",
    "RESOLUTIONS",
    "BandInfo",
    "Image",
    "Sentinel2Metadata",
    "TileGeocoding",
    "open",
    "read_metadata",
]

#: The 13 MSI bands in MTD order (``bandId`` 0..12).
BANDS = ("B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B10", "B11", "B12")
#: Grids of the product, in metres; DataTree group ``r10m`` etc.
RESOLUTIONS = (10, 20, 60)
#: Non-spectral images of Level-2A products, after the bands in each group.
AUXILIARY = ("SCL", "AOT", "WVP", "TCI")

#: Common names of the bands (STAC ``eo`` extension).
COMMON_NAMES = {
    "B01": "coastal", "B02": "blue", "B03": "green", "B04": "red", "B05": "rededge071",
    "B06": "rededge075", "B07": "rededge078", "B08": "nir", "B8A": "nir08", "B09": "nir09",
    "B10": "cirrus", "B11": "swir16", "B12": "swir22",
}  # fmt: skip
#: Used when a product's MTD lacks its Scene_Classification_List (the classes of the L2A PSD).
SCL_CLASSES = ("NODATA", "SATURATED_DEFECTIVE", "DARK_FEATURE_SHADOW", "CLOUD_SHADOW",
               "VEGETATION", "NOT_VEGETATED", "WATER", "UNCLASSIFIED", "CLOUD_MEDIUM_PROBA",
               "CLOUD_HIGH_PROBA", "THIN_CIRRUS", "SNOW_ICE")  # fmt: skip

_IMAGE_NAME = re.compile(r"_(B\d[\dA]|TCI|SCL|AOT|WVP)(?:_(\d+)m)?$", re.IGNORECASE)
_IMAGE_EXTENSIONS = (".jp2", ".tif", ".tiff")


# -- metadata --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BandInfo:
    """One spectral band as the product metadata describes it."""

    name: str
    """``B01`` .. ``B12``, ``B8A``."""
    band_id: int
    """Index used by the MTD lists (``bandId``/``band_id``)."""
    resolution: int
    """Native resolution in metres."""
    wavelength_min: float | None
    wavelength_max: float | None
    wavelength_central: float | None
    """Nanometres."""
    solar_irradiance: float | None
    """W/m²/µm."""
    offset: float
    """``RADIO_ADD_OFFSET``/``BOA_ADD_OFFSET`` in DN (0 before baseline 04.00)."""
    physical_gain: float | None = None


@dataclass(frozen=True)
class TileGeocoding:
    """Where the tile is, from ``MTD_TL.xml``."""

    epsg: int
    name: str | None
    sizes: dict[int, tuple[int, int]]
    """Resolution -> ``(rows, cols)``."""
    origins: dict[int, tuple[float, float, float, float]]
    """Resolution -> ``(ULX, ULY, XDIM, YDIM)``: the upper-left corner and pixel size."""

    def transform(self, resolution: int) -> Any:
        """The affine geotransform of the grid at ``resolution``."""
        from affine import Affine

        ulx, uly, xdim, ydim = self.origins[resolution]
        return Affine(xdim, 0.0, ulx, 0.0, ydim, uly)


@dataclass(frozen=True)
class Image:
    """An image file the MTD lists: a band, SCL, AOT, WVP or TCI at one resolution."""

    name: str
    resolution: int
    listed: str
    """The ``IMAGE_FILE`` entry (relative path without extension)."""
    path: str | None
    """The file in the product, or None when it is missing."""
    expected: str
    """The path the file should have (for messages when it is missing)."""


@dataclass(frozen=True)
class Sentinel2Metadata:
    """What ``MTD_MSIL1C.xml``/``MTD_MSIL2A.xml`` and ``MTD_TL.xml`` say, without pixel data."""

    level: str
    """``L1C`` or ``L2A``."""
    product_uri: str | None
    product_type: str | None
    processing_level: str | None
    processing_baseline: str | None
    spacecraft: str | None
    product_start_time: datetime | None
    product_stop_time: datetime | None
    generation_time: datetime | None
    sensing_time: datetime | None
    """The tile's sensing time (``MTD_TL.xml``); the product start time when absent."""
    datatake_id: str | None
    relative_orbit: int | None
    absolute_orbit: int | None
    orbit_direction: str | None
    tile: str | None
    """MGRS tile, e.g. ``31UNE``."""
    granule: str
    """The granule folder, e.g. ``GRANULE/L2A_T31UNE_A030028_20230103T102531``."""
    granule_id: str | None
    datastrip_id: str | None
    image_format: str | None
    cloud_cover: float | None
    quantification: float
    """``QUANTIFICATION_VALUE`` (L1C) or ``BOA_QUANTIFICATION_VALUE`` (L2A)."""
    aot_quantification: float | None
    wvp_quantification: float | None
    offsets: dict[str, float] | None
    """Per-band radiometric offsets in DN as the MTD gives them; None before baseline 04.00."""
    bands: dict[str, BandInfo]
    images: tuple[Image, ...]
    geocoding: TileGeocoding
    reflectance_conversion_u: float | None = None
    nodata_value: int = 0
    saturated_value: int = 65535
    scene_classes: dict[int, str] = field(default_factory=dict)
    mean_sun_zenith: float | None = None
    mean_sun_azimuth: float | None = None
    footprint: str | None = None
    """WKT polygon (lon lat) of the product footprint."""
    quality: dict[str, float] = field(default_factory=dict)
    """Numeric ``Image_Content_QI`` indicators (L2A: class percentages, mean AOT...)."""

    @property
    def offset_name(self) -> str:
        """The MTD element holding the offsets for this level."""
        return "RADIO_ADD_OFFSET" if self.level == "L1C" else "BOA_ADD_OFFSET"

    def missing(self) -> list[str]:
        """Expected paths of listed images that are not in the product."""
        return [i.expected for i in self.images if i.path is None]

    def attrs(self) -> dict[str, Any]:
        """Product attributes for the DataTree root (netCDF-friendly: str, numbers, lists)."""
        names = [b for b in BANDS if b in self.bands]
        out: dict[str, Any] = {
            "Conventions": "CF-1.8",
            "title": self.product_uri,
            "product_name": self.product_uri,
            "product_type": self.product_type,
            "processing_level": self.processing_level,
            "processing_baseline": self.processing_baseline,
            "spacecraft": self.spacecraft,
            "platform": self.spacecraft.lower() if self.spacecraft else None,
            "instrument": "MSI",
            "product_start_time": iso_z(self.product_start_time),
            "product_stop_time": iso_z(self.product_stop_time),
            "sensing_time": iso_z(self.sensing_time),
            "generation_time": iso_z(self.generation_time),
            "datatake_id": self.datatake_id,
            "relative_orbit": self.relative_orbit,
            "absolute_orbit": self.absolute_orbit,
            "orbit_direction": self.orbit_direction,
            "tile_id": self.tile,
            "granule_id": self.granule_id,
            "datastrip_id": self.datastrip_id,
            "crs": f"EPSG:{self.geocoding.epsg}",
            "cloud_cover": self.cloud_cover,
            "quantification_value": self.quantification,
            "aot_quantification_value": self.aot_quantification,
            "wvp_quantification_value": self.wvp_quantification,
            "band_names": names,
            "radiometric_offsets": [self.bands[b].offset for b in names],
            "solar_irradiance": [_nan(self.bands[b].solar_irradiance) for b in names],
            "wavelength_central": [_nan(self.bands[b].wavelength_central) for b in names],
            "reflectance_conversion_u": self.reflectance_conversion_u,
            "nodata_value": self.nodata_value,
            "saturated_value": self.saturated_value,
            "mean_sun_zenith_angle": self.mean_sun_zenith,
            "mean_sun_azimuth_angle": self.mean_sun_azimuth,
            "geospatial_bounds": self.footprint,
            "geospatial_bounds_crs": "EPSG:4326" if self.footprint else None,
        }
        if self.offsets is not None:
            out[self.offset_name.lower()] = [self.offsets.get(b, 0.0) for b in names]
        gains = [self.bands[b].physical_gain for b in names]
        if any(g is not None for g in gains):
            out["physical_gains"] = [_nan(g) for g in gains]
        for key, value in self.quality.items():
            out.setdefault(key.lower(), value)
        return {k: v for k, v in out.items() if v is not None}


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
        name = _band_name(element.get("physicalBand"))
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
            resolution=resolution or _NATIVE[name],
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
    images = _images(source, listed, image_format, bands, granule)

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


_NATIVE = {
    "B01": 60, "B02": 10, "B03": 10, "B04": 10, "B05": 20, "B06": 20, "B07": 20,
    "B08": 10, "B8A": 20, "B09": 60, "B10": 60, "B11": 20, "B12": 20,
}  # fmt: skip


def _images(
    source: ProductSource,
    listed: list[str],
    image_format: str | None,
    bands: dict[str, BandInfo],
    granule: str,
) -> tuple[Image, ...]:
    """The listed images, located in the product (any of the usual extensions, any case)."""
    if not listed:  # no IMAGE_FILE list: take what the granule holds
        listed = [
            f.rsplit(".", 1)[0]
            for f in source.find(f"{granule}/IMG_DATA/*")
            if f.lower().endswith(_IMAGE_EXTENSIONS)
        ]
    by_lower = {f.lower(): f for f in source.files()}
    suffix = ".tif" if (image_format or "").upper().startswith("GEOTIFF") else ".jp2"
    out = []
    for entry in listed:
        match = _IMAGE_NAME.search(entry)
        if match is None:
            continue
        name = _band_name(match.group(1)) or match.group(1).upper()
        if match.group(2):
            resolution = int(match.group(2))
        elif name in bands:
            resolution = bands[name].resolution
        elif name in _NATIVE:
            resolution = _NATIVE[name]
        else:  # the L1C TCI
            resolution = 10
        path = next(
            (by_lower[k] for ext in _IMAGE_EXTENSIONS if (k := (entry + ext).lower()) in by_lower),
            None,
        )
        out.append(Image(name, resolution, entry, path, entry + suffix))
    return tuple(out)


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


# -- opening ---------------------------------------------------------------------------------------


def open(
    source: ProductSource,
    *,
    chunks: Any = "auto",
    resolution: int | None = None,
    bands: Sequence[str] | None = None,
    scale: bool = True,
) -> xr.Dataset | xr.DataTree:
    """Open a Sentinel-2 L1C/L2A SAFE product lazily.

    ``resolution``: None for a DataTree with groups ``r10m``/``r20m``/``r60m``, or 10, 20 or 60
    for that group's Dataset. ``bands``: the variables to keep (``"B04"``, ``"B8A"``, ``"SCL"``,
    ``"TCI"``...; default all). ``scale``: reflectance ``(DN + offset) / quantification`` as
    float32 with NODATA as NaN (AOT and WVP by their own quantification values); with False the
    raw DNs carry CF ``scale_factor``/``add_offset``/``_FillValue`` so ``xr.decode_cf`` gives the
    same values. SCL and TCI are never scaled.
    """
    wanted_res = _check_resolution(resolution)
    if not isinstance(scale, bool):
        raise ValueError(f"scale={scale!r} must be True (reflectance) or False (raw DN)")
    chunks = _check_chunks(chunks)
    md = read_metadata(source)
    selected = _select(md, wanted_res, _check_bands(bands), source)
    missing = [i.expected for i in selected if i.path is None]
    if missing:
        shown = ", ".join(missing[:6]) + (
            f" and {len(missing) - 6} more" if len(missing) > 6 else ""
        )
        raise UnsupportedProduct(
            f"{source.location}: the product lacks {len(missing)} image file(s) its metadata "
            f"lists: {shown}"
        )
    infos = _raster_infos(source, [i.path for i in selected if i.path is not None])
    time = np.datetime64(md.sensing_time.replace(tzinfo=None), "ns") if md.sensing_time else None

    groups: dict[int, dict[str, xr.DataArray]] = {}
    for image in selected:
        assert image.path is not None
        info = _georeferenced(infos[image.path], image, md, source)
        groups.setdefault(image.resolution, {})[image.name] = _variable(
            source, image, info, md, chunks, scale
        )

    # each group carries `time` itself: DataTree groups inherit only indexed coordinates
    times = {"time": time} if time is not None else {}
    datasets = {
        res: _dataset(groups[res], res, source).assign_coords(times) for res in sorted(groups)
    }
    attrs = md.attrs()
    if wanted_res is not None:
        ds = datasets[wanted_res]
        ds.attrs = {**attrs, **ds.attrs}
        return ds
    root = xr.Dataset(coords=times, attrs=attrs)
    return xr.DataTree.from_dict({"/": root, **{f"r{r}m": d for r, d in datasets.items()}})


def _check_resolution(resolution: Any) -> int | None:
    if resolution is None:
        return None
    value: int | None = None
    if isinstance(resolution, (int, np.integer)) and not isinstance(resolution, bool):
        value = int(resolution)
    elif isinstance(resolution, str) and (m := re.fullmatch(r"r?(\d+)m?", resolution.strip())):
        value = int(m.group(1))
    if value not in RESOLUTIONS:
        raise ValueError(
            f"resolution={resolution!r} is not a Sentinel-2 resolution; expected one of "
            f"{', '.join(map(str, RESOLUTIONS))} (metres), or None for all of them as a DataTree"
        )
    return value


def _check_bands(bands: Any) -> list[str] | None:
    if bands is None:
        return None
    if isinstance(bands, str):
        bands = [b for b in re.split(r"[,\s]+", bands) if b]
    if not isinstance(bands, Sequence) or not all(isinstance(b, str) for b in bands) or not bands:
        raise ValueError(
            f"bands={bands!r} must be a non-empty list of band names such as ['B04', 'B08', 'SCL']"
        )
    return [_band_name(b) or b.strip().upper() for b in bands]


def _check_chunks(chunks: Any) -> Any:
    """Chunks for :func:`open_raster` (dims ``band, y, x``); ``rgb`` is TCI's ``band``."""
    if not isinstance(chunks, dict):
        return chunks
    if not chunks:  # xarray's "the backend's preferred chunks"
        return "auto"
    unknown = sorted(set(chunks) - {"x", "y", "band", "rgb"})
    if unknown:
        raise ValueError(
            f"chunks={chunks!r}: Sentinel-2 variables have no dimension "
            f"{', '.join(map(repr, unknown))}; expected y, x (and rgb for TCI)"
        )
    out = {k: v for k, v in chunks.items() if k in ("x", "y")}
    out["band"] = chunks.get("rgb", chunks.get("band", 1))
    return out


def _select(
    md: Sentinel2Metadata, resolution: int | None, bands: list[str] | None, source: ProductSource
) -> list[Image]:
    """The images to open, in variable order; clear errors for bands not in the product."""
    available = [i for i in md.images if resolution is None or i.resolution == resolution]
    if bands is not None:
        everywhere = {i.name for i in md.images}
        here = {i.name for i in available}
        for band in bands:
            if band in here:
                continue
            if band in everywhere:
                at = sorted({i.resolution for i in md.images if i.name == band})
                raise ValueError(
                    f"bands: {band!r} is not at {resolution} m in {md.product_uri or source.name}"
                    f" (it is at {', '.join(f'{r} m' for r in at)}); at {resolution} m: "
                    + ", ".join(_ordered(here))
                )
            raise ValueError(
                f"bands: {band!r} is not an image of {md.product_uri or source.name}; expected "
                "some of " + ", ".join(_ordered(everywhere))
            )
        available = [i for i in available if i.name in bands]
    if not available:
        raise UnsupportedProduct(
            f"{source.location}: its metadata lists no image"
            + (f" at {resolution} m" if resolution else "")
        )
    order = {name: k for k, name in enumerate((*BANDS, *AUXILIARY))}
    return sorted(available, key=lambda i: (i.resolution, order.get(i.name, 99), i.name))


def _ordered(names: set[str]) -> list[str]:
    order = {name: k for k, name in enumerate((*BANDS, *AUXILIARY))}
    return sorted(names, key=lambda n: (order.get(n, 99), n))


def _raster_infos(source: ProductSource, paths: list[str]) -> dict[str, RasterInfo]:
    """Headers of the images; remote ones read in parallel (each costs a round trip or two)."""
    if source.origin != "remote" or len(paths) < 2:
        return {p: raster_info(source, p) for p in paths}
    with ThreadPoolExecutor(max_workers=min(8, len(paths))) as pool:
        return dict(zip(paths, pool.map(lambda p: raster_info(source, p), paths), strict=True))


def _georeferenced(
    info: RasterInfo, image: Image, md: Sentinel2Metadata, source: ProductSource
) -> RasterInfo:
    """``info`` checked against MTD_TL.xml (or georeferenced from it when the file is not)."""
    from rasterio.crs import CRS

    geo = md.geocoding
    where = f"{source.location}: {image.path}"
    size = geo.sizes.get(image.resolution)
    if size is not None and (info.height, info.width) != size:
        raise UnsupportedProduct(
            f"{where} is {info.height} x {info.width} pixels but MTD_TL.xml gives "
            f"{size[0]} x {size[1]} at {image.resolution} m"
        )
    if image.resolution not in geo.origins:
        if info.crs is None:
            raise UnsupportedProduct(
                f"{where} has no georeferencing and MTD_TL.xml none at {image.resolution} m"
            )
        return info
    expected = geo.transform(image.resolution)
    if info.crs is None or info.transform.is_identity:
        return dataclasses.replace(info, crs=CRS.from_epsg(geo.epsg), transform=expected)
    epsg = info.crs.to_epsg()
    if epsg != geo.epsg:
        raise UnsupportedProduct(f"{where} is in EPSG:{epsg} but MTD_TL.xml says EPSG:{geo.epsg}")
    if not info.transform.almost_equals(expected, precision=1e-6):
        raise UnsupportedProduct(
            f"{where} is georeferenced at origin ({info.transform.c}, {info.transform.f}) with "
            f"{info.transform.a} m pixels, but MTD_TL.xml gives ({expected.c}, {expected.f}) "
            f"with {expected.a} m at {image.resolution} m"
        )
    return info


def _variable(
    source: ProductSource,
    image: Image,
    info: RasterInfo,
    md: Sentinel2Metadata,
    chunks: Any,
    scale: bool,
) -> xr.DataArray:
    """One image as a ``(y, x)`` (TCI: ``(rgb, y, x)``) variable with its attributes."""
    assert image.path is not None
    da = open_raster(source, image.path, chunks=chunks, name=image.name, info=info)
    da.attrs.pop("_FillValue", None)
    da.attrs.pop("scale_factor", None)
    da.attrs.pop("add_offset", None)
    if image.name == "TCI":
        da = da.rename(band="rgb").assign_coords(rgb=["red", "green", "blue"][: info.count])
        da.attrs.update(
            long_name="True colour image (B04, B03, B02)",
            units="1",
            comment="0 is no data",
            resolution=image.resolution,
        )
        return da
    da = da.isel(band=0, drop=True)
    attrs: dict[str, Any] = {"resolution": image.resolution}
    q: float | None = None
    offset = 0.0
    if image.name in md.bands:
        band = md.bands[image.name]
        q, offset = md.quantification, band.offset
        kind = "top-of-atmosphere" if md.level == "L1C" else "bottom-of-atmosphere"
        attrs.update(
            long_name=f"{band.name} ({COMMON_NAMES.get(band.name, '')}) {kind} reflectance",
            standard_name=(
                "toa_bidirectional_reflectance"
                if md.level == "L1C"
                else "surface_bidirectional_reflectance"
            ),
            units="1",
            band_id=band.band_id,
            common_name=COMMON_NAMES.get(band.name, ""),
            native_resolution=band.resolution,
            wavelength=band.wavelength_central,
            wavelength_min=band.wavelength_min,
            wavelength_max=band.wavelength_max,
            bandwidth=(
                band.wavelength_max - band.wavelength_min
                if band.wavelength_max is not None and band.wavelength_min is not None
                else None
            ),
            wavelength_units="nm",
            solar_irradiance=band.solar_irradiance,
            solar_irradiance_units="W m-2 um-1",
        )
    elif image.name == "SCL":
        classes = md.scene_classes or dict(enumerate(SCL_CLASSES))
        attrs.update(
            long_name="Scene classification",
            flag_values=np.array(sorted(classes), dtype=np.uint8),
            flag_meanings=" ".join(classes[k].lower() for k in sorted(classes)),
        )
    elif image.name == "AOT":
        q = md.aot_quantification
        attrs.update(long_name="Aerosol optical thickness at 550 nm", units="1")
    elif image.name == "WVP":
        q = md.wvp_quantification
        attrs.update(long_name="Water vapour column", units="cm")
    da.attrs.update({k: v for k, v in attrs.items() if v is not None})
    if q is None:
        return da
    da.attrs.update(quantification_value=q, radiometric_offset=offset)
    da.attrs.update(
        scale_factor=np.float32(1.0 / q),
        add_offset=np.float32(offset / q),
        _FillValue=np.array(md.nodata_value, dtype=da.dtype)[()],
    )
    if not scale:
        return da
    decoded = xr.decode_cf(
        da.to_dataset(name=image.name),
        decode_times=False,
        decode_coords=False,
        decode_timedelta=False,
    )
    return decoded[image.name]


def _dataset(variables: dict[str, xr.DataArray], resolution: int, source: ProductSource) -> Any:
    arrays = list(variables.values())
    try:
        xr.align(*arrays, join="exact")
    except ValueError as err:
        raise UnsupportedProduct(
            f"{source.location}: the {resolution} m images are not on one grid: {err}"
        ) from err
    ds = xr.Dataset(variables)
    ds.attrs["resolution"] = resolution
    return ds


# -- small parsers ---------------------------------------------------------------------------------


def _band_name(text: str | None) -> str | None:
    """``B1``/``b01``/``B8A`` -> ``B01``/``B8A``; None if not a band name."""
    if not text:
        return None
    m = re.fullmatch(r"B0?(\d{1,2}|8A)", text.strip().upper())
    if m is None:
        return None
    n = m.group(1)
    return f"B{n}" if n == "8A" else f"B{int(n):02d}"


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


def _nan(value: float | None) -> float:
    return float("nan") if value is None else value


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
