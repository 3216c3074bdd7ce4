"""Which reader opens a product: by its name first, then by what its files look like.

Each family is one module of this package defining
``open(source, *, chunks="auto", **options) -> xarray.Dataset | xarray.DataTree``; the module is
imported only when a product of its family is opened.
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import UnsupportedProduct
from .source import ProductSource

__all__ = ["FAMILIES", "Family", "detect", "family_named"]

_HDF5 = b"\x89HDF\r\n\x1a\n"
_HDF4 = b"\x0e\x03\x13\x01"
_TIFF = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")


#: The one table of product-name patterns: a family's names (matched from the start of a product
#: or file name to detect its reader) and, with named groups, what its reader parses from them.
#: ``clms`` is no family of its own: CLMS names of the GeoTIFF and gridded readers.
NAMES: dict[str, re.Pattern[str]] = {
    "eopf-zarr": re.compile(r"\.zarr(\.zip)?$", re.IGNORECASE),
    "sentinel-2": re.compile(r"^(?P<mission>S2[A-D])_MSIL(?P<level>1C|2A)_"),
    # RTC products are gridded (see "gridded")
    "sentinel-1-ocn": re.compile(r"^S1[A-D]_(IW|EW|WV|S[1-6])_OCN__2S"),
    "sentinel-1-raw": re.compile(r"^S1[A-D]_(IW|EW|WV|S[1-6])_RAW__0S"),
    "sentinel-1": re.compile(r"^S1[A-D]_(IW|EW|WV|S[1-6])_(GRD[FHM]|SLC_)(?!.*_RTC$)"),
    "sentinel-1-orbit": re.compile(r"_AUX_(POE|RES)ORB_|\.EOF$", re.IGNORECASE),
    "sentinel-3": re.compile(r"^S3[A-D]_(OL|SL|SY|SR)_"),
    #: ``S5P_<mode>_<product type>_<start>_<end>_<orbit>_<collection>_<processor>_<made>``
    "sentinel-5p": re.compile(
        r"^S5P_(?P<mode>OFFL|NRTI|RPRO|PAL_)_(?P<product_type>(?:L2__|L1B_).{6})_"
        r"(?P<start>\d{8}T\d{6})_(?P<end>\d{8}T\d{6})_(?P<orbit>\d{5})_(?P<collection>\d{2})_"
        r"(?P<processor>\d{6})_(?P<made>\d{8}T\d{6})"
    ),
    #: ``<mission>_<product type>_<start>_<stop>_<centre>_<number>_<check>``
    "ccm": re.compile(
        r"^(?P<mission>[A-Z][A-Z0-9]{3})_(?P<type>(SAR|PHR|GIS|WV3|HRS|AIS)_[A-Z0-9_]{6})_"
        r"(?P<start>\d{8}T\d{6})_(?P<stop>\d{8}T\d{6})_"
    ),
    "gridded": re.compile(
        r"^(Copernicus_DSM_COG_|Sentinel-[12]_(IW_|DH_)?mosaic_|Landsat_mosaic_|CLMS_CLCPLUS_"
        r"|c_gls_\w+_\d{12}_.*_(nc|cog)$|S2GLC_T|GFM_\w+_FLOOD$|S1[A-D]_\w+_RTC$)"
    ),
    "envisat": re.compile(r"^MER_(FRS|RR_)_1P.*\.N1$"),
    "sentinel-6": re.compile(r"^S6[AB]_(MW|P4)_"),
    "landsat": re.compile(r"^L[CTEO]0[4-9]_L(1TP|1GT|1GS|2SP|2SR)_"),
    "cams": re.compile(r"^z_cams_c_ecmf_(?P<time>\d{14})_prod_(?P<kind>fc|an)_(?P<level>[a-z]+)_"),
    "smos": re.compile(r"^SM_(OPER|REPR)_(MIR|AUX)_"),
    #: ``<SHORT>.A<YYYYDDD>.h<HH>v<VV>.<collection>.<production stamp>.hdf``
    "modis": re.compile(
        r"^(?P<short>M[COY]D\w+)\.A(?P<date>\d{7})\.h(?P<h>\d\d)v(?P<v>\d\d)\."
        r"(?P<collection>\d{3})\."
    ),
    "geotiff": re.compile(r"\.tiff?$", re.IGNORECASE),
    #: ``c_gls_<tag>_<YYYYMMDDHHMM>_<area>_<sensor>_V<version>`` (netCDF and COG names alike)
    "clms": re.compile(
        r"^c_gls_(?P<tag>[A-Za-z0-9-]+)_(?P<date>\d{12})_(?P<area>[A-Za-z0-9-]+)_"
        r"(?P<sensor>[A-Za-z0-9-]+)_(?P<version>V\d[\d.]*?)(?:_[A-Za-z0-9]+)?(?:\.tiff?|\.nc)?$",
        re.IGNORECASE,
    ),
}

#: Families whose names are no CDSE product names (any ``.tif``, any ``.zarr``).
GENERIC = frozenset({"geotiff", "eopf-zarr"})


@dataclass(frozen=True)
class Family:
    """A product family and the module that opens it."""

    key: str
    title: str
    module: str
    names: re.Pattern[str]
    """Product names of the family (as CDSE names them, with or without the folder suffix)."""
    markers: tuple[str, ...] = ()
    """File patterns (see :meth:`ProductSource.find`) of which one identifies a folder product."""
    magic: tuple[bytes, ...] = ()
    """First bytes identifying a single-file product."""

    def opener(self) -> Callable[..., Any]:
        return importlib.import_module(f"{__package__}.{self.module}").open

    def options(self) -> list[str]:
        """The reader's own keyword options (beyond ``source`` and ``chunks``)."""
        params = inspect.signature(self.opener()).parameters.values()
        return [p.name for p in params if p.kind is p.KEYWORD_ONLY and p.name not in ("chunks",)]

    def matches_content(self, source: ProductSource) -> bool:
        if source.single_file:
            if not self.magic:
                return False
            with source.open() as f:
                head = f.read(8)
            return head.startswith(self.magic)
        return any(source.find(marker) for marker in self.markers)


#: Checked in order: EOPF first, since its products carry Sentinel names with ``.zarr``.
FAMILIES: tuple[Family, ...] = (
    Family(
        "eopf-zarr",
        "EOPF Zarr products (Sentinel-1/2/3 in CDSE's new format)",
        "eopf",
        NAMES["eopf-zarr"],
        markers=("zarr.json", ".zgroup", ".zmetadata"),
    ),
    Family(
        "sentinel-2",
        "Sentinel-2 MSI Level-1C/Level-2A SAFE",
        "sentinel2",
        NAMES["sentinel-2"],
        # A renamed product without its MTD (opened from manifest.safe) has its tile's files
        markers=(
            "MTD_MSIL1C.xml",
            "MTD_MSIL2A.xml",
            "GRANULE/*/MTD_TL.xml",
            "GRANULE/*/IMG_DATA/*.jp2",
        ),
    ),
    Family(
        "sentinel-1-ocn",
        "Sentinel-1 Level-2 OCN SAFE (ocean wind, swell, radial velocity netCDF)",
        "sentinel1_ocn",
        NAMES["sentinel-1-ocn"],
        markers=("measurement/s1?-*-ocn-*.nc",),
    ),
    Family(
        "sentinel-1-raw",
        "Sentinel-1 Level-0 RAW SAFE (metadata only: packets are no image)",
        "sentinel1_raw",
        NAMES["sentinel-1-raw"],
        markers=("s1?-*-raw-*-index.dat",),
    ),
    Family(
        "sentinel-1",
        "Sentinel-1 SAR GRD/SLC SAFE",
        "sentinel1",
        NAMES["sentinel-1"],
        markers=("annotation/s1?-*.xml", "measurement/s1?-*.tiff"),
    ),
    Family(
        "sentinel-1-orbit",
        "Sentinel-1 orbit files AUX_POEORB/AUX_RESORB (Earth Explorer .EOF)",
        "orbits",
        NAMES["sentinel-1-orbit"],
        markers=("*.EOF",),
    ),
    Family(
        "sentinel-3",
        "Sentinel-3 OLCI/SLSTR/SYN/SRAL SEN3",
        "sentinel3",
        NAMES["sentinel-3"],
        # without its manifest, a renamed SEN3 still has its measurement files' names
        markers=(
            "xfdumanifest.xml",
            "Oa??_radiance.nc",
            "S?_radiance_?n.nc",
            "Syn_Oa??_reflectance.nc",
            "geo_coordinates.nc",
            "geodetic_?n.nc",
        ),
    ),
    Family(
        "sentinel-5p",
        "Sentinel-5P TROPOMI Level-1B/Level-2 netCDF",
        "sentinel5p",
        NAMES["sentinel-5p"],
        magic=(_HDF5,),
    ),
    Family(
        "ccm",
        "Copernicus Contributing Missions DEM tiles, optical (DIMAP) and SAR scenes",
        "ccm",
        NAMES["ccm"],
        markers=("*DEM/*_DEM.tif", "*DEM/*_DEM.dt2", "DIM_*.XML", "IMAGEDATA/*.tif"),
    ),
    Family(
        "gridded",
        "Gridded rasters: COP-DEM, global mosaics, CLMS NDVI/CLCplus, S2GLC, CEMS GFM, S1 RTC",
        "gridded",
        NAMES["gridded"],
        markers=(
            "userdata.json",
            "clear_sky_mask.tif",
            "Copernicus_DSM_COG_*.tif",
            "c_gls_*.nc",
            "c_gls_*_NDVI.tif",
            "ENSEMBLE_FLOOD_*.tif",
            "S2GLC_*.tif",
            "CLMS_CLCPLUS_*.tif",
            "*_RTC_VV.tif",
        ),
    ),
    Family(
        "envisat",
        "Envisat MERIS Level-1b MER_FRS_1P/MER_RR__1P (ENVISAT format .N1)",
        "envisat",
        NAMES["envisat"],
        markers=("MER_*.N1",),
        magic=(b"PRODUCT=",),
    ),
    Family(
        "sentinel-6",
        "Sentinel-6 Poseidon-4 L1B/L2 LR altimetry and AMR-C L2 radiometry SEN6",
        "sentinel6",
        NAMES["sentinel-6"],
        markers=("S6?_P4_*.nc", "S6?_MW_*.nc"),
    ),
    Family(
        "landsat",
        "Landsat Collection 2 Level-1/Level-2 (USGS GeoTIFF bundle with _MTL.txt)",
        "landsat",
        NAMES["landsat"],
        markers=("*_MTL.txt",),
    ),
    Family(
        "cams",
        "CAMS global fields GLOBAL/GFAS (netCDF)",
        "cams",
        NAMES["cams"],
        markers=("z_cams_c_ecmf_*.nc",),
    ),
    Family(
        "smos",
        "SMOS L2 soil moisture/ocean salinity and L1C swaths (Earth Explorer .HDR + .DBL)",
        "smos",
        NAMES["smos"],
        markers=("*.HDR",),
    ),
    Family(
        "modis",
        "TerraAqua MODIS land tiles MCD43A4/MCD15A2H/MCD12Q1/MCD64A1 (HDF-EOS2 grid, HDF4 .hdf)",
        "modis",
        NAMES["modis"],
        markers=("M*.A*.h*v*.hdf",),
        magic=(_HDF4,),
    ),
    Family(
        "geotiff",
        "GeoTIFF (CLMS and other single-raster products)",
        "geotiff",
        NAMES["geotiff"],
        magic=_TIFF,
    ),
)


def family_named(key: str) -> Family:
    """The family called ``key``; a clear error listing the known ones otherwise."""
    for family in FAMILIES:
        if family.key == key:
            return family
    raise UnsupportedProduct(
        f"family={key!r} is not a product family; expected one of "
        + ", ".join(repr(f.key) for f in FAMILIES)
    )


def detect(source: ProductSource) -> Family:
    """The family of ``source``: by product name, else by content; UnsupportedProduct if none."""
    names = {source.name}
    if source.product is not None:
        names.add(source.product.name)
    # EOPF products carry Sentinel names; zipped without their ``.zarr`` folder only the Zarr
    # metadata at the root tells them from SAFE products.
    if not source.single_file and FAMILIES[0].matches_content(source):
        return FAMILIES[0]
    for family in FAMILIES:
        if any(family.names.search(n) for n in names):
            return family
    for family in FAMILIES:
        if family.matches_content(source):
            return family
    raise UnsupportedProduct(
        f"cannot open {source.location}: {source.name!r} is not a product of a supported family. "
        "Supported: " + "; ".join(f"{f.title} ({f.key!r})" for f in FAMILIES)
    )
