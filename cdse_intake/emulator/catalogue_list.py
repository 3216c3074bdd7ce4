"""Every collection the real CDSE STAC catalogue lists, as one table: :data:`ROWS`.

One :class:`CollectionRow` per STAC collection: its id, title, OData ``Collection/Name`` and the
``productType`` values (and timeliness or mode) that select its products there, platforms,
instruments, level, timeliness, gsd, temporal and spatial extent, keywords, providers, licence,
DOI, thumbnail, the item layout (``family``) and which generator makes its sample records
(``records``: None for the collections the mission modules of :mod:`.records` already fill).
:data:`ODATA_ONLY` lists the OData collections that have no STAC collection (cdse-api.md §1.6).
It sits below both :mod:`.records` and :mod:`.stac`, which read it.

Sources, per row (``source``):

* Ids **verified** in eu-cdse/eometadatatool (HEAD 34774b6, the generator of the live
  catalogue), ``eometadatatool/stac/**/template``: the collection templates of S1 GRD, SLC,
  SLC-WV and the S1/S2 global mosaics, S2 L1C/L2A, every Sentinel-3 template file (OLCI 1
  EFR/ERR, OLCI 2 LFR/LRR/WFR/WRR, SLSTR 1 RBT, SLSTR 2 AOD/FRP/LST/WST, SRAL 1 SRA/SRA-A, SRAL 2
  LAN/LAN-HY/LAN-LI/LAN-SI/WAT, SYN 2 AOD/SYN/V10/VG1/VGP, in the streams each has a file for),
  Sentinel-5P (``sentinel-5p/template/collections.py`` and ``const.py`` generate the 61: ids,
  titles, descriptions, starts, gsd, timeliness), Sentinel-6 AMR-C/P4 1B/P4 2 in three streams,
  COP-DEM 30/90, CCM DEM/optical/SAR and the OpenGeoHub Landsat mosaic. Rows marked
  ``verified`` copy the template read (title, description, start, keywords, thumbnail,
  licence); ``pattern`` rows are the other streams/products of a family whose texts follow the
  read templates' pattern (S3: OLCI 1 EFR NTC, SLSTR 2 FRP NRT and LST NTC, SRAL 2 WAT NTC, SYN 2
  SYN NTC read; S6: AMR NRT and P4 2 NTC read; COP-DEM 90 from 30).
* CLMS ids **verified** in code run against the live catalogue:
  ``clms_ndvi_global_300m_10daily_v2_cog`` and ``_v2_nc`` (a browser test's item paths),
  ``clms_ndvi_global_300m_10daily_v3_cog`` (several clients) and
  ``clms_clcplus_lulucf-instance_europe_100m_yearly_v1`` (eu-cdse/stac-browser-cdse's featured
  collections: title, licence, extent, thumbnail); ``clms_ndvi_global_300m_10daily_v3_nc`` is
  **inferred** (CLMS lists a ``ndvi_global_300m_10daily_v3_nc`` dataset). The NDVI titles,
  texts and thumbnails are inferred.
* Left out: ids first seen in 2026 (``sentinel-1-etad``, ``sentinel-1-ocn``,
  ``cop-dem-eea-10-laea-tif``, the ~280 CLMS collections of the 419 then), and SMOS, Envisat,
  Landsat, CAMS, CEMS, TerraAqua, S2GLC, S1-RTC, for which no STAC id was found (OData only).

139 collections (140 live ~Dec 2025, cdse-api.md §4; 118 earlier).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "BY_ID",
    "DESIGNATORS",
    "LICENSES",
    "ODATA_ONLY",
    "PROVIDERS",
    "ROWS",
    "THUMBNAILS",
    "CollectionRow",
    "ODataOnly",
]

THUMBNAILS = "https://s3.waw3-2.cloudferro.com/swift/v1/stac-png/"
"""Where the collections' thumbnails live (every template's ``assets.thumbnail.href``)."""

_ESA = "https://sentinel.esa.int/web/sentinel/missions/"
_EC = {"url": "https://commission.europa.eu/", "name": "European Commission", "roles": ["licensor"]}
_CF = {"url": "https://cloudferro.com/", "name": "CloudFerro", "roles": ["host", "processor"]}
_CCM = "https://www.esa.int/Applications/Observing_the_Earth/Copernicus/Copernicus_Contributing_Missions"

#: ``providers`` by key, as the templates write them.
PROVIDERS: dict[str, tuple[dict[str, Any], ...]] = {
    **{
        f"esa-{m}": ({"url": _ESA + m, "name": "ESA", "roles": ["producer"]}, _EC, _CF)
        for m in ("sentinel-1", "sentinel-2", "sentinel-3", "sentinel-5p")
    },
    "eumetsat": ({"url": _ESA + "sentinel-6", "name": "EUMETSAT", "roles": ["producer"]}, _EC, _CF),
    "dem": (
        {
            "url": "https://dataspace.copernicus.eu/explore-data/data-collections/"
            "copernicus-contributing-missions/collections-description/COP-DEM",
            "name": "ESA",
            "roles": ["producer"],
        },
        _EC,
        _CF,
    ),
    "ccm": ({"name": "ESA", "roles": ["producer", "licensor"], "url": _CCM}, _CF),
    "opengeohub": (
        {"url": "https://www.usgs.gov/", "name": "USGS", "roles": ["producer"]},
        {"url": "https://opengeohub.org/", "name": "OpenGeoHub", "roles": ["processor"]},
        {"url": "https://cloudferro.com/", "name": "CloudFerro", "roles": ["host"]},
    ),
    # CLMS: the clms2cdse generic template's producer/licensor pair (the provider inferred).
    "clms": (
        {"name": "VITO", "roles": ["producer", "licensor"], "url": "https://land.copernicus.eu/"},
        _CF,
    ),
}

#: The ``license`` link by key: (href, title); None: the collection has no licence link.
LICENSES: dict[str, tuple[str, str] | None] = {
    "sentinel": (
        "https://sentinel.esa.int/documents/247904/690755/Sentinel_Data_Legal_Notice",
        "Legal notice on the use of Copernicus Sentinel Data and Service Information",
    ),
    "dem": (
        "https://dataspace.copernicus.eu/sites/default/files/media/files/2025-06/"
        "copernicus_contributing_mission_data_access_v2_cop_dem_licenses.pdf",
        "Legal notice on the use of Copernicus DEM Data and Service Information",
    ),
    "ccm": (
        "https://www.rapidresponse.copernicus.eu/app_content/uploads/ESA_User_Licence.pdf",
        "ESA User License for Copernicus Contributing Missions Data (PDF)",
    ),
    "none": None,
}

#: COSPAR ids of the platforms the mission tables of :mod:`.stac.common` leave out.
DESIGNATORS = {"sentinel-6a": "2020-086A"}


@dataclass(frozen=True)
class CollectionRow:
    """One STAC collection of the real catalogue and what it is in OData terms."""

    id: str
    title: str
    odata: str
    """OData ``Collection/Name`` of its products."""
    product_types: tuple[str, ...]
    """OData ``productType`` values of its products."""
    description: str
    start: str
    """Start of the temporal extent (the template's)."""
    stream: str | None = None
    """What tells this collection apart among those of the same product type: the OData
    ``timeliness`` (S3, S6: ``NR``/``NT``/``ST``) or ``processingMode`` (S5P), CLMS's dataset
    and format (``ndvi_global_300m_10daily_v2_cog``); None when the product type suffices."""
    family: str = "generic"
    """Item layout: ``s1``, ``s2``, ``s3``, ``s5p``, ``clms`` or ``generic``."""
    records: str | None = None
    """Generator of its sample records (:mod:`.records.table`); None: the mission modules'."""
    platforms: tuple[str, ...] = ()
    constellation: str | None = None
    instruments: tuple[str, ...] = ()
    level: str | None = None
    """``processing:level``."""
    timeliness: str | None = None
    timeliness_category: str | None = None
    gsd: float | None = None
    end: str | None = None
    bbox: tuple[float, float, float, float] = (-180.0, -90.0, 180.0, 90.0)
    keywords: tuple[str, ...] = ()
    provider: str = "esa-sentinel-1"
    license: str = "sentinel"
    license_id: str = "other"
    doi: str | None = None
    citation: str | None = "Copernicus Sentinel data [Year]"
    thumbnail: tuple[str, str] | None = None
    """(file under :data:`THUMBNAILS`, title)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Further top-level fields of the document (``ceosard:*``)."""
    source: str = "verified"
    """``verified`` (read in the source), ``pattern`` (follows the read rows of its family) or
    ``inferred``; see the module docstring."""


def _words(text: str) -> tuple[str, ...]:
    """Keywords written as one string (none holds a space)."""
    return tuple(text.split())


def _sentinel1() -> list[CollectionRow]:
    s1 = {
        "odata": "SENTINEL-1",
        "platforms": ("sentinel-1a", "sentinel-1b", "sentinel-1c"),
        "constellation": "sentinel-1",
        "instruments": ("sar",),
        "level": "L1",
        "timeliness": "PT24H",
        "family": "s1",
    }
    slc_text = (
        "Level-1 SLC products are images in the slant range by azimuth imaging plane, in the "
        "image plane of satellite data acquisition. Each image pixel is represented by a complex "
        "(I and Q) magnitude value and therefore contains both amplitude and phase information. "
        "Each I and Q value is 16 bits per pixel. The processing for all SLC products results in "
        "a single look in each dimension using the full available signal bandwidth. The imagery "
        "is geo-referenced using orbit and attitude data from the satellite. SLC images are "
        "produced in a zero Doppler geometry. This convention is common with the standard slant "
        "range products available from other SAR sensors."
    )
    stripmap = tuple(f"S{i}" for i in range(1, 7))
    return [
        CollectionRow(
            id="sentinel-1-grd",
            title="Sentinel-1 Ground Range Detected (GRD)",
            description="Level-1 Ground Range Detected (GRD) products consist of focused SAR data "
            "that has been detected, multi-looked and projected to ground range using the Earth "
            "ellipsoid model WGS84. The ellipsoid projection of the GRD products is corrected "
            "using the terrain height specified in the product general annotation. The terrain "
            "height used varies in azimuth and it is constant in range (For IW/EW modes only the "
            "terrain height of first subswath is considered)",
            product_types=(
                "IW_GRDH_1S",
                "IW_GRDM_1S",
                "EW_GRDH_1S",
                "EW_GRDM_1S",
                *(f"{s}_GRDH_1S" for s in stripmap),
            ),
            start="2014-10-04T03:12:47Z",
            keywords=_words(
                "C-Band Copernicus EC ESA EU GRD IW_GRDH_1S PT24H SAR Sentinel Sentinel-1"
            ),
            thumbnail=("S1_GRD.jpg", "Sentinel-1 Ground Range Detected (GRD)"),
            **s1,
        ),
        CollectionRow(
            id="sentinel-1-slc",
            title="Sentinel-1 Single Look Complex: IW, EW, SM",
            description="This collection offers Sentinel-1 Level-1 Single Look Complex (SLC) "
            "products captured in the modes Interferometric Wide Swath (IW), Extra Wide Swath "
            "(EW), and Strip Map Mode (SM). " + slc_text,
            product_types=("IW_SLC__1S", "EW_SLC__1S", *(f"{s}_SLC__1S" for s in stripmap)),
            start="2014-10-04T03:06:54.705000Z",
            keywords=_words("Sentinel Copernicus ESA SLC SAR C-Band EU EC IW EW SM"),
            thumbnail=("S1_SLC.jpg", "Sentinel-1 Single Look Complex (SLC)"),
            **s1,
        ),
        CollectionRow(
            id="sentinel-1-slc-wv",
            title="Sentinel-1 Single Look Complex: WV",
            description="This collection offers Sentinel-1 Level-1 Single Look Complex (SLC) "
            "products captured in Wave Mode (WV). " + slc_text,
            product_types=("WV_SLC__1S",),
            start="2014-10-04T03:06:54.705000Z",
            keywords=("Sentinel", "Copernicus", "ESA", "SLC", "SAR", "C-Band", "EU", "EC", "WV"),
            thumbnail=("S1_SLC.jpg", "Sentinel-1 Single Look Complex (SLC)"),
            records="s1_wv",
            **s1,
        ),
        CollectionRow(
            id="sentinel-1-global-mosaics",
            title="Sentinel-1 Global Mosaics",
            description="Sentinel-1 monthly mosaics are generated from monthly stacks of "
            "Sentinel-1 GRD data by calculating the weighted sum of the terrain corrected "
            "backscatter observations. Two different Sentinel-1 mosaics are being produced for "
            "each month: IW mosaic and DH mosaic.",
            odata="GLOBAL-MOSAICS",
            product_types=("S1SAR_L3_IW_MCM", "S1SAR_L3_DH_MCM"),
            start="2020-01-01T00:00:00.000Z",
            constellation="sentinel-1",
            instruments=("sar",),
            level="L3",
            timeliness="P1M",
            gsd=20,
            keywords=_words(
                "20m C-Band Copernicus EC ESA EU GRD Global P1M S1SAR_L3_DH_MCM SAR Sentinel "
                "Sentinel-1"
            ),
            thumbnail=("S1_MOSAIC.jpg", "Sentinel 1 Global Mosaics"),
            records="s1_mosaic",
        ),
    ]


def _sentinel2() -> list[CollectionRow]:
    s2 = {
        "odata": "SENTINEL-2",
        "platforms": ("sentinel-2a", "sentinel-2b", "sentinel-2c"),
        "constellation": "sentinel-2",
        "instruments": ("msi",),
        "timeliness": "PT24H",
        "timeliness_category": "NRT",
        "gsd": 10,
        "family": "s2",
        "provider": "esa-sentinel-2",
        "start": "2015-06-27T10:25:31Z",
    }
    common = ("10m", "Copernicus", "ESA", "EU", "Global", "Imagery", "MSI")
    return [
        CollectionRow(
            id="sentinel-2-l1c",
            title="Sentinel-2 Level-1C",
            description="The Level-1C product is composed of 110x110 km2 tiles (ortho-images in "
            "UTM/WGS84 projection). Earth is subdivided on a predefined set of tiles, defined in "
            "UTM/WGS84 projection and using a 100 km step. However, each tile has a surface of "
            "110x110 km² in order to provide large overlap with the neighbouring. The Level-1C "
            "product results from using a Digital Elevation Model (DEM) to project the image in "
            "cartographic geometry. Per-pixel radiometric measurements are provided in Top Of "
            "Atmosphere (TOA) reflectances along with the parameters to transform them into "
            "radiances.",
            product_types=("S2MSI1C",),
            level="L1",
            keywords=(
                *common,
                "PT24H",
                "Reflectance",
                "S2MSI1C",
                "Satellite",
                "Sentinel",
                "Sentinel-2",
            ),
            doi="10.5270/S2_-742ikth",
            thumbnail=("S2_L1C.jpg", "Sentinel-2 Level-1C"),
            **s2,
        ),
        CollectionRow(
            id="sentinel-2-l2a",
            title="Sentinel-2 Level-2A",
            description="The Sentinel-2 Level-2A Collection 1 product provides orthorectified "
            "Surface Reflectance (Bottom-Of-Atmosphere: BOA), with sub-pixel multispectral and "
            "multitemporal registration accuracy. Scene Classification (including Clouds and "
            "Cloud Shadows), AOT (Aerosol Optical Thickness) and WV (Water Vapour) maps are "
            "included in the product.",
            product_types=("S2MSI2A",),
            level="L2",
            keywords=(
                *common,
                "Optical",
                "PT24H",
                "Reflectance",
                "S2MSI2A",
                "Satellite",
                "Sentinel",
                "Sentinel-2",
            ),
            doi="10.5270/S2_-znk9xsj",
            thumbnail=("S2_L2A.jpg", "Sentinel-2 Level-2A"),
            extra={
                "ceosard:type": "optical",
                "ceosard:specification": "SR",
                "ceosard:specification_version": "5.0.1",
            },
            **s2,
        ),
        CollectionRow(
            id="sentinel-2-global-mosaics",
            title="Sentinel-2 Global Mosaics",
            description="The mosaics have four bands of data (Red (B04), Green (B03), Blue (B02) "
            "and wide band Near Infrared (B08)). First, cloud masking based on the scene "
            "classification layer of the Sentinel-2 level 2 algorithm was applied, then for each "
            "pixel and band, within three-month time periods, the first quartile of the "
            "distribution of the pixel values was taken as the output value to filter out any "
            "bright pixels misclassified as not clouds. If there are no valid pixels for the "
            "given timeframe, the pixel is left empty. Sentinel-2 cloudless mosaics can be used "
            "for various purposes such as land cover classification, land use planning, or for "
            "the creation of basemaps. These images are especially useful for showing large and "
            "cloudy areas with interesting large-scale patterns. Iceland is a prime example, "
            "with frequent cloud cover and large areal extent spanning several Sentinel-2 "
            "swaths.",
            odata="GLOBAL-MOSAICS",
            product_types=("S2MSI_L3__MCQ",),
            start="2020-01-01T00:00:00.000Z",
            constellation="sentinel-2",
            instruments=("msi",),
            level="L3",
            timeliness="P3M",
            gsd=10,
            keywords=(
                *common,
                "EC",
                "P3M",
                "Reflectance",
                "S2MSI_L3__MCQ",
                "Satellite",
                "Sentinel",
                "Sentinel-2",
            ),
            provider="esa-sentinel-2",
            thumbnail=("Global-Mosaics.jpg", "Sentinel 2 Global Mosaics Thumbnail"),
            records="s2_mosaic",
        ),
    ]


#: Sentinel-3 products: type, id part, instrument, what (title), level, gsd, streams, thumbnail.
#: Template files per product (the streams) as listed in eometadatatool; titles of the form of
#: the read templates (``Sentinel-3 SLSTR Fire Radiative Power (NRT)``).
_S3 = (
    ("OL_1_EFR___", "olci-1-efr", "OLCI", "Earth Observation Full Resolution", 1, 300, "nrt ntc"),
    (
        "OL_1_ERR___",
        "olci-1-err",
        "OLCI",
        "Earth Observation Reduced Resolution",
        1,
        1200,
        "nrt ntc",
    ),
    ("OL_2_LFR___", "olci-2-lfr", "OLCI", "Land Full Resolution", 2, 300, "nrt ntc"),
    ("OL_2_LRR___", "olci-2-lrr", "OLCI", "Land Reduced Resolution", 2, 1200, "nrt ntc"),
    ("OL_2_WFR___", "olci-2-wfr", "OLCI", "Water Full Resolution", 2, 300, "nrt ntc"),
    ("OL_2_WRR___", "olci-2-wrr", "OLCI", "Water Reduced Resolution", 2, 1200, "nrt ntc"),
    (
        "SL_1_RBT___",
        "sl-1-rbt",
        "SLSTR",
        "Radiances and Brightness Temperatures",
        1,
        500,
        "nrt ntc",
    ),
    ("SL_2_AOD___", "sl-2-aod", "SLSTR", "Aerosol Optical Depth", 2, 9500, "nrt"),
    ("SL_2_FRP___", "sl-2-frp", "SLSTR", "Fire Radiative Power", 2, 1000, "nrt ntc"),
    ("SL_2_LST___", "sl-2-lst", "SLSTR", "Land Surface Temperature", 2, 1000, "nrt ntc"),
    ("SL_2_WST___", "sl-2-wst", "SLSTR", "Water Surface Temperature", 2, 1000, "nrt ntc"),
    ("SR_1_SRA___", "sr-1-sra", "SRAL", "Level-1 Radar Altimetry", 1, 1640, "nrt ntc stc"),
    ("SR_1_SRA_A_", "sr-1-sra-a", "SRAL", "Level-1A Radar Altimetry", 1, 1640, "nrt ntc stc"),
    ("SR_2_LAN___", "sr-2-lan", "SRAL", "Land Radar Altimetry", 2, 1640, "nrt ntc stc"),
    ("SR_2_LAN_HY", "sr-2-lan-hy", "SRAL", "Hydrology Radar Altimetry", 2, 1640, "nrt ntc stc"),
    ("SR_2_LAN_LI", "sr-2-lan-li", "SRAL", "Land Ice Radar Altimetry", 2, 1640, "nrt ntc stc"),
    ("SR_2_LAN_SI", "sr-2-lan-si", "SRAL", "Sea Ice Radar Altimetry", 2, 1640, "nrt ntc stc"),
    ("SR_2_WAT___", "sr-2-wat", "SRAL", "Ocean Radar Altimetry", 2, 1640, "nrt ntc stc"),
    ("SY_2_AOD___", "syn-2-aod", "SYN", "Aerosol Optical Depth", 2, 4500, "ntc"),
    ("SY_2_SYN___", "syn-2-syn", "SYN", "Land Surface Reflectance and Aerosol", 2, 300, "ntc stc"),
    ("SY_2_V10___", "syn-2-v10", "SYN", "10-Day Vegetation (VGT-S10)", 2, 1000, "ntc stc"),
    ("SY_2_VG1___", "syn-2-vg1", "SYN", "1-Day Vegetation (VGT-S1)", 2, 1000, "ntc stc"),
    ("SY_2_VGP___", "syn-2-vgp", "SYN", "Vegetation TOA Reflectance (VGT-P)", 2, 1000, "ntc stc"),
)
#: Stream suffix -> (OData ``timeliness``, ``product:timeliness``, label).
S3_STREAMS = {
    "nrt": ("NR", "PT3H", "NRT"),
    "ntc": ("NT", "P1M", "NTC"),
    "stc": ("ST", "PT48H", "STC"),
}
#: Thumbnail file prefixes (``S3_OL1_EFR-ERR.jpg``, ``S3_SL2_FRP.jpg``, ``S3_SR2_WAT.jpg``).
_S3_THUMB = {"olci": "OL", "sl": "SL", "sr": "SR", "syn": "SY"}
#: Product types the mission modules already generate, per stream (records: None).
_S3_GENERATED = {("OL_1_EFR___", "NR"), ("OL_1_EFR___", "NT"), ("SL_2_LST___", "NR")}
_S3_GENERATED |= {("SL_2_LST___", "NT"), ("SY_2_SYN___", "NT"), ("SY_2_SYN___", "ST")}
#: What the read templates say: the product's description and thumbnail (the same in every
#: stream) and the read stream's start; those ids have ``source="verified"``.
_S3_READ = {
    "syn-2-syn": (
        "This Collection provides the Sentinel-3 Synergy Level-2 Land Surface Reflectance and "
        "Aerosol product, which contains data on Surface Directional Reflectance, Aerosol "
        "Optical Thickness, and an Angstrom coefficient estimate over land.",
        ("S3_SY2_SYN.jpg", "Sentinel-3 SYNERGY Thumbnail"),
        ("ntc", "2018-09-22T16:51:00.001276Z"),
    ),
    "olci-1-efr": (
        "The Ocean and Land Color Instrument (OLCI) Earth Observation Full Resolution dataset "
        "contains top of atmosphere radiances at 21 spectral bands with center wavelengths "
        "ranging between 0.4µm and 1.02µm at spatial resolution of 300m with worldwide coverage "
        "every ~2 days.",
        ("S3_OL1_EFR-ERR.jpg", "Sentinel-3 OLCI Earth Observation Thumbnail"),
        ("ntc", "2020-04-16T19:36:28.012367Z"),
    ),
    "sl-2-frp": (
        "This Collection provides Sentinel-3 SLSTR Level-2 Fire Radiative Power (FRP) products "
        "containing data on fires detected over land and ocean.",
        ("S3_SL2_FRP.jpg", "Sentinel-3 SLSTR FRP Thumbnail"),
        ("nrt", "2020-08-08T23:09:58.889991Z"),
    ),
    "sl-2-lst": (
        "This Collection provides Sentinel-3 SLSTR Level-2 Land Surface Temperature products "
        "containing data on land surface temperature measurements on a 1km grid. Radiance is "
        "measured in two channels to determine the temperature of the Earth's surface skin in "
        'the instrument field of view, where the term "skin" refers to the top surface of bare '
        "soil or the effective emitting temperature of vegetation canopies as viewed from above.",
        ("S3_SL2_LST.jpg", "Sentinel-3 SLSTR LST Thumbnail"),
        ("ntc", "2016-04-19T01:35:17.188500Z"),
    ),
    "sr-2-wat": (
        "This Collection provides Sentinel-3 SRAL Level-2 Ocean Altimetry products, which "
        "contain data on ocean radar altimetry measurements.",
        ("S3_SR2_WAT.jpg", "Sentinel-3 SRAL WAT Thumbnail"),
        ("ntc", "2017-01-28T00:59:14.149496Z"),
    ),
}


def _sentinel3() -> list[CollectionRow]:
    rows = []
    for product_type, part, instrument, what, level, gsd, streams in _S3:
        for suffix in streams.split():
            odata_stream, timeliness, label = S3_STREAMS[suffix]
            row_id = f"sentinel-3-{part}-{suffix}"
            prefix, _, kind = part.split("-")[:3]
            kind = "EFR-ERR" if prefix == "olci" and level == 1 else kind.upper()
            thumb = f"S3_{_S3_THUMB[prefix]}{level}_{kind}.jpg"
            synergy = instrument == "SYN"
            long_name = "Synergy" if synergy else instrument
            instruments = ("olci", "slstr") if synergy else (instrument.lower(),)
            description, thumbnail, (read_stream, read_start) = _S3_READ.get(part) or (
                f"This Collection provides Sentinel-3 {long_name} Level-{level} {what} "
                f"products ({product_type}).",
                (
                    thumb,
                    f"Sentinel-3 {'SYNERGY' if synergy else instrument + ' ' + kind} Thumbnail",
                ),
                (None, None),
            )
            read = read_stream == suffix
            start = read_start if read else "2016-04-19T00:00:00Z"
            rows.append(
                CollectionRow(
                    id=row_id,
                    # Synergy titles name no instrument (the SYN template's)
                    title=f"Sentinel-3 {what if synergy else instrument + ' ' + what} ({label})",
                    description=description,
                    odata="SENTINEL-3",
                    product_types=(product_type,),
                    stream=odata_stream,
                    family="s3",
                    records=None if (product_type, odata_stream) in _S3_GENERATED else "s3",
                    platforms=("sentinel-3a", "sentinel-3b"),
                    constellation="sentinel-3",
                    instruments=instruments,
                    level=f"L{level}",
                    timeliness=timeliness,
                    timeliness_category=odata_stream,
                    gsd=gsd,
                    start=start,
                    keywords=(
                        f"{gsd}m",
                        "Copernicus",
                        "EC",
                        "ESA",
                        "EU",
                        "Global",
                        instrument,
                        product_type,
                        timeliness,
                        "Satellite",
                        "Sentinel",
                        "Sentinel-3",
                    ),
                    provider="esa-sentinel-3",
                    thumbnail=thumbnail,
                    source="verified" if read else "pattern",
                )
            )
    return rows


#: Sentinel-5P, as ``sentinel-5p/template/const.py`` and ``collections.py`` generate them:
#: product type -> (subtype, title, asset title); L1 titles are "Radiance Band N".
_S5P = {
    **{f"L1B_RA_BD{b}": (f"ra-bd{b}", f"Radiance Band {b}") for b in range(1, 9)},
    "L2__AER_AI": ("aer-ai", "Ultraviolet Aerosol Index"),
    "L2__AER_LH": ("aer-lh", "Aerosol Layer Height"),
    "L2__CH4___": ("ch4", "Methane"),
    "L2__CLOUD_": ("cloud", "Cloud"),
    "L2__CO____": ("co", "Carbon Monoxide"),
    "L2__HCHO__": ("hcho", "Formaldehyde"),
    "L2__NO2___": ("no2", "Nitrogen Dioxide"),
    "L2__NP_BD3": ("np-bd3", "NPP Cloud (band 3)"),
    "L2__NP_BD6": ("np-bd6", "NPP Cloud (band 6)"),
    "L2__NP_BD7": ("np-bd7", "NPP Cloud (band 7)"),
    "L2__O3____": ("o3", "Ozone"),
    "L2__O3__PR": ("o3-pr", "Ozone Profile"),
    "L2__O3_TCL": ("o3-tcl", "Tropospheric Ozone"),
    "L2__SO2___": ("so2", "Sulphur Dioxide"),
}
_S5P_MODES = {"ch4": "offl rpro", "np-bd3": "offl rpro", "np-bd6": "offl rpro"}
_S5P_MODES |= {"np-bd7": "offl rpro", "o3": "nrti offl"}
_S5P_GSD = {"ra-bd1": 5500, "ra-bd7": 5500, "ra-bd8": 5500, "ch4": 7000, "co": 7000}
_S5P_GSD["o3-pr"] = 21000
_S5P_START = {
    "aer-ai": "2018-04-30T00:18:50Z",
    "aer-lh": "2018-04-01T00:00:11Z",
    "ch4": "2018-04-01T01:01:34Z",
    "cloud": "2018-04-30T00:18:50Z",
    "co": "2018-04-01T00:00:11Z",
    "o3-pr": "2018-04-01T00:00:11Z",
    "o3-tcl": "2018-04-30T10:50:26Z",
    "so2": "2018-04-30T00:18:50Z",
}
_S5P_TEXT = {
    "aer-ai": "AER AI products, which contains high-resolution imagery of the UV Aerosol Index "
    "(UVAI), also called the Absorbing Aerosol Index (AAI).",
    "aer-lh": "AER LH products, which contains high-resolution imagery of the UV Aerosol Index "
    "(UVAI), also called the Absorbing Layer Height (ALH).",
    "ch4": "CH4 products, which contains high-resolution imagery of methane concentrations.",
    "cloud": "Cloud products, which contains high-resolution imagery of cloud parameters.",
    "co": "CO products, which contains high-resolution imagery of carbon monoxide concentrations.",
    "hcho": "HCHO products, which contains high-resolution imagery of atmospheric formaldehyde "
    "concentrations.",
    "no2": "NO2 products, which contains high-resolution imagery of nitrogen dioxide "
    "concentrations.",
    "np-bd3": "NP BD3 products, which contains information on cloud and scene homogeneity.",
    "np-bd6": "NP BD6 products, which contains information on cloud and scene homogeneity.",
    "np-bd7": "NP BD7 products, which contains information on cloud and scene homogeneity.",
    "o3": "O3 products, which contains high-resolution imagery of total column ozone "
    "concentrations.",
    "o3-pr": "O3 PR products, which contains ozone concentration for 33 levels in the atmosphere.",
    "o3-tcl": "O3 TCL products, which contains high-resolution imagery of tropospheric ozone "
    "concentrations.",
    "so2": "SO2 products, which contains high-resolution imagery of atmospheric sulfur dioxide "
    "concentrations.",
}
#: Product types and modes the mission modules already generate.
_S5P_GENERATED = {("L2__NO2___", "NRTI"), ("L2__NO2___", "OFFL")}
_S5P_GENERATED |= {("L2__CO____", "NRTI"), ("L2__CO____", "OFFL")}


def _s5p_timeliness(mode: str, subtype: str) -> str | None:
    """``const.get_timeliness``: NRTI 3 h, OFFL 12 h (5 days for O3 TCL), RPRO none."""
    if mode == "nrti":
        return "PT3H"
    if mode == "offl":
        return "P5D" if subtype == "o3-tcl" else "PT12H"
    return None


def _sentinel5p() -> list[CollectionRow]:
    rows = []
    for product_type, (subtype, title) in _S5P.items():
        level = 1 if product_type.startswith("L1") else 2
        for mode in _S5P_MODES.get(subtype, "nrti offl rpro").split():
            if level == 1:
                band = subtype[5:]
                description = (
                    f"This Collection provides Sentinel-5P Level-1 RA BD{band} products, which "
                    f"contains Earth radiance spectra for spectral band {band}."
                )
                start = "2018-04-30T00:19:50Z"
            else:
                description = f"This Collection provides Sentinel-5P Level-2 {_S5P_TEXT[subtype]}"
                start = _S5P_START.get(subtype, "2018-04-30T00:18:51Z")
            timeliness = _s5p_timeliness(mode, subtype)
            thumb = "RA_BD" if level == 1 else subtype.replace("-", "_").upper()
            rows.append(
                CollectionRow(
                    id=f"sentinel-5p-l{level}-{subtype}-{mode}",
                    title=f"Sentinel-5P Level {level} {title} ({mode.upper()})",
                    description=description,
                    odata="SENTINEL-5P",
                    product_types=(product_type,),
                    stream=mode.upper(),
                    family="s5p",
                    records=None if (product_type, mode.upper()) in _S5P_GENERATED else "s5p",
                    platforms=("sentinel-5p",),
                    constellation="sentinel-5",
                    instruments=("tropomi",),
                    level=f"L{level}",
                    timeliness=timeliness,
                    timeliness_category=mode.upper() if timeliness else None,
                    gsd=_S5P_GSD.get(subtype, 3500),
                    start=start,
                    keywords=(
                        "Sentinel",
                        "Copernicus",
                        "ESA",
                        "Satellite",
                        "Global",
                        "Atmosphere",
                        f"L{level}",
                        subtype.upper(),
                        mode.upper(),
                        "EU",
                        "EC",
                    ),
                    provider="esa-sentinel-5p",
                    thumbnail=(
                        f"S5P_L{level}_{thumb}.jpg",
                        f"Sentinel-5P L{level} {title} Thumbnail",
                    ),
                )
            )
    return rows


#: Sentinel-6 (``sentinel-6/template``): id part -> (product type, title part, instrument,
#: level, gsd, thumbnail stem, the read template's start per stream).
_S6 = {
    "amr": ("MW_2__AMR____", "AMR-C", "amr-c", "L2", 25000, "S6_AMR_C", "2021-10-09T05:12:16Z"),
    "p4-1b": ("P4_1B_LR_____", "P4 Level 1B", "p4", "L1B", 20000, "S6_P4_1B", None),
    "p4-2": ("P4_2__LR_____", "P4 Level 2", "p4", "L2", 20000, "S6_P4_2", "2021-10-30T00:19:22Z"),
}
#: Sentinel-6 stream suffix -> (OData ``timeliness``, ``product:timeliness``, label), as
#: ``stac_s6.py`` maps them.
S6_STREAMS = {
    "nrt": ("NR", "PT3H", "Near Real-Time (NRT)"),
    "stc": ("ST", "PT36H", "Short Time Critical (STC)"),
    "ntc": ("NT", "P1M", "Non Time Critical (NTC)"),
}


def _sentinel6() -> list[CollectionRow]:
    rows = []
    for part, (product_type, what, instrument, level, gsd, thumb, read_start) in _S6.items():
        for suffix, (stream, timeliness, label) in S6_STREAMS.items():
            read = (part, suffix) in {("amr", "nrt"), ("p4-2", "ntc")}
            rows.append(
                CollectionRow(
                    id=f"sentinel-6-{part}-{suffix}",
                    title=f"Sentinel-6 {what} {label}",
                    description=f"The Sentinel-6 {what} {label} product, "
                    + (
                        "radiometer brightness temperatures for the wet tropospheric correction "
                        "of the altimetry."
                        if part == "amr"
                        else "Poseidon-4 altimetry over the ocean: sea surface height, wind "
                        "speed and significant wave height."
                    ),
                    odata="SENTINEL-6",
                    product_types=(product_type,),
                    stream=stream,
                    records="s6",
                    platforms=("sentinel-6a",),
                    constellation="sentinel-6",
                    instruments=(instrument,),
                    level=level,
                    timeliness=timeliness,
                    timeliness_category=stream,
                    gsd=gsd,
                    start=(read_start if read else None) or "2021-06-22T00:00:00Z",
                    keywords=_words("Copernicus Sentinel EU ESA EUMETSAT Satellite Global Earth"),
                    provider="eumetsat",
                    thumbnail=(f"{thumb}_{stream}.png", f"Sentinel-6 {what} {label}"),
                    source="verified" if read else "pattern",
                )
            )
    return rows


def _contributing() -> list[CollectionRow]:
    ccm = {"odata": "CCM", "provider": "ccm", "license": "ccm", "citation": None, "records": "ccm"}
    dem = {
        "odata": "COP-DEM",
        "platforms": ("tandem-x",),
        "instruments": ("x-band sar",),
        "end": "2015-01-16T00:00:00Z",
        "start": "2010-12-12T00:00:00Z",
        "keywords": ("Copernicus", "ESA", "Satellite", "Global", "DEM", "EU", "EC"),
        "provider": "dem",
        "license": "dem",
        "citation": "Copernicus data [Year]",
        "records": "cop_dem",
    }
    return [
        CollectionRow(
            id="cop-dem-glo-30-dged-cog",
            title="CopDEM COG (30 m)",
            description="This Collection provides Copernicus DEM COG products, which represent "
            "the surface of the Earth including buildings, infrastructure and vegetation, in "
            "resolution of 30 meters.",
            product_types=("DGE_30-COG",),
            gsd=30,
            doi="10.5270/ESA-c5d3d65",
            thumbnail=("copdem_cog.jpg", "COPDEM COG Thumbnail"),
            **dem,
        ),
        CollectionRow(
            id="cop-dem-glo-90-dged-cog",
            title="CopDEM COG (90 m)",
            description="This Collection provides Copernicus DEM COG products, which represent "
            "the surface of the Earth including buildings, infrastructure and vegetation, in "
            "resolution of 90 meters.",
            product_types=("DGE_90-COG",),
            gsd=90,
            thumbnail=("copdem_cog.jpg", "COPDEM COG Thumbnail"),
            source="pattern",
            **dem,
        ),
        CollectionRow(
            id="ccm-dem",
            title="Copernicus Contributing Missions DEM",
            description="The Digital Elevation Model (DEM) provided within the Copernicus "
            "Contributing Missions (CCM) offers a 3D representation of the Earth's surface "
            "derived from satellite data. This dataset supports a wide range of Copernicus "
            "services, including terrain analysis, hydrological modeling, spatial planning, and "
            "emergency response. The DEM features high spatial accuracy and is designed to meet "
            "the needs of analytical and operational applications.",
            product_types=("SAR_DGE_10", "SAR_DGE_30", "SAR_DGE_90", "SAR_DTE_30", "SAR_INS_10"),
            start="2010-12-12T04:04:32Z",
            instruments=("sar",),
            keywords=("Copernicus", "ESA", "EU", "Imagery", "DEM", "Radar", "Satellite", "CCM"),
            thumbnail=("CCM_DEM.jpg", "Copernicus Contributing Missions DEM"),
            **ccm,
        ),
        CollectionRow(
            id="ccm-optical",
            title="Copernicus Contributing Missions Optical",
            description="Optical data from the Copernicus Contributing Missions (CCM) consist of "
            "high-resolution satellite imagery provided by commercial mission operators. These "
            "datasets support the Copernicus programme in areas such as land monitoring, "
            "emergency response, security, and marine environment. The imagery covers a broad "
            "spectral range and is tailored for diverse operational and analytical "
            "applications.",
            product_types=("PHR_MS___3", "GIS_MS4_OR", "WV3_MS4_OR", "HRS_MS4_1C", "AIS_MSP_1G"),
            start="1998-01-19T14:44:39Z",
            bbox=(-83.711914, -35.5704748260475, 65.787712, 80.984856),
            platforms=("pleiades-1a", "geoeye-1", "worldview-3", "deimos-2", "kompsat-3"),
            level="L1",
            keywords=_words("Copernicus ESA EU Imagery Optical Reflectance Satellite CCM"),
            thumbnail=("CCM_AIS.jpg", "Copernicus Contributing Missions Optical"),
            extra={"ceosard:type": "optical"},
            **ccm,
        ),
        CollectionRow(
            id="ccm-sar",
            title="Copernicus Contributing Missions SAR",
            description="Synthetic Aperture Radar (SAR) data from the Copernicus Contributing "
            "Missions (CCM) provide high-resolution radar imagery, unaffected by weather "
            "conditions or daylight. These datasets support Copernicus services in land and "
            "marine monitoring, change detection, emergency management, and geophysical "
            "observation. With its all-weather, day-and-night imaging capability, SAR is a vital "
            "source of spatial information for operational applications.",
            product_types=("SAR_SC_GEC", "SAR_SN_SCN", "SAR_WS_EEC", "SAR_HIM_1B", "SAR_SC__GR"),
            start="2011-05-31T06:26:33Z",
            platforms=("terrasar-x", "radarsat-2", "cosmo-skymed-1", "iceye"),
            instruments=("sar",),
            keywords=("Copernicus", "ESA", "EU", "Imagery", "SAR", "Radar", "Satellite", "CCM"),
            thumbnail=("CCM_PAZ.jpg", "Copernicus Contributing Missions SAR"),
            **ccm,
        ),
        CollectionRow(
            id="opengeohub-landsat-bimonthly-mosaic-v1.0.1",
            title="Landsat mosaic (bi-monthly, v1.0.1)",
            description="Global, cloud-free, and reconstructed historical Landsat spectral bands "
            "are provided at a spatial resolution of 30 meters and temporal resolution of "
            "bimonthly intervals from 1997 onwards. The dataset was generated using the GLAD "
            "Landsat ARD version 2 as the primary input for temporal aggregation and the "
            "imputation of missing values.",
            odata="GLOBAL-MOSAICS",
            product_types=("landsat_mosaic",),
            start="1997-01-01T00:00:00Z",
            constellation="Landsat",
            instruments=("TM", "ETM+", "OLI", "TIRS"),
            gsd=30,
            keywords=("Landsat", "Mosaic", "Time-series", "Global"),
            provider="opengeohub",
            license="none",
            doi="10.7717/peerj.18585",
            citation="OpenGeoHub [2025]",
            thumbnail=("landsat_mosaic.jpg", "Landsat Mosaic Thumbnail"),
            records="landsat_mosaic",
        ),
    ]


def _clms() -> list[CollectionRow]:
    ndvi = {
        "odata": "CLMS",
        "product_types": ("NDVI300",),
        "platforms": ("sentinel-3",),
        "constellation": "sentinel-3",
        "instruments": ("olci",),
        "level": "L3",
        "gsd": 300,
        "keywords": ("CLMS", "Copernicus", "Land", "NDVI", "Vegetation", "Global", "10daily"),
        "provider": "clms",
        "license": "none",
        "license_id": "proprietary",
        "citation": None,
        "start": "2020-07-01T00:00:00Z",
    }
    text = (
        "The Normalized Difference Vegetation Index (NDVI) is a proxy to quantify the vegetation "
        "amount. The Copernicus Land Monitoring Service provides it globally every 10 days at 300 "
        "m, from Sentinel-3 OLCI, "
    )
    rows = []
    for version, fmt in (("v2", "cog"), ("v2", "nc"), ("v3", "cog"), ("v3", "nc")):
        label = "COG" if fmt == "cog" else "netCDF"
        dataset = f"ndvi_global_300m_10daily_{version}"
        rows.append(
            CollectionRow(
                id=f"clms_{dataset}_{fmt}",
                title=f"CLMS NDVI Global 300m 10-daily {version.upper()} ({label})",
                description=text + f"version {version[1]}, as {label} files.",
                stream=f"{dataset}_{fmt}",
                family="clms" if (version, fmt) == ("v2", "cog") else "generic",
                records=None if (version, fmt) == ("v2", "cog") else "clms",
                thumbnail=(f"CLMS_NDVI_{version.upper()}.png", f"CLMS NDVI {version.upper()}"),
                source="inferred" if (version, fmt) == ("v3", "nc") else "verified",
                **ndvi,
            )
        )
    rows.append(
        CollectionRow(
            id="clms_clcplus_lulucf-instance_europe_100m_yearly_v1",
            title="CLMS CLCplus LULUCF Instance Europe 100m yearly V1 (COG)",
            description="This dataset refers to the CORINE Land Cover Plus Land Use, Land-Use "
            "Change and Forestry Instance (CLCplus LULUCF Instance), an annually updated, "
            "pan-European, spatially consistent and seamless geospatial proxy for land use "
            "reporting under the LULUCF regulation. The product is delivered as a single raster "
            "layer with a spatial resolution of 100 m, derived from multiple pan-European "
            "Copernicus Land Monitoring Service (CLMS) high resolution input datasets.",
            odata="CLMS",
            product_types=("CLCPLUS_LULUCF",),
            stream="clcplus_lulucf-instance_europe_100m_yearly_v1_cog",
            records="clms",
            level="L4",
            gsd=100,
            start="2018-01-01T00:00:00.000Z",
            end="2023-12-31T23:59:59.999Z",
            keywords=("CLMS", "Copernicus", "Land", "Land use", "LULUCF", "Europe"),
            provider="clms",
            license="none",
            license_id="proprietary",
            citation=None,
            thumbnail=(
                "CLMS_CLCPLUS_LULUCF-INSTANCE_.png",
                "CLMS CLCplus LULUCF Instance Europe 100m yearly V1 (COG) Thumbnail",
            ),
        )
    )
    return rows


ROWS: tuple[CollectionRow, ...] = tuple(
    sorted(
        [
            *_sentinel1(),
            *_sentinel2(),
            *_sentinel3(),
            *_sentinel5p(),
            *_sentinel6(),
            *_contributing(),
            *_clms(),
        ],
        key=lambda row: row.id,
    )
)
"""Every collection, by id (the live ``/collections`` order: CLMS before Sentinel)."""

BY_ID: dict[str, CollectionRow] = {row.id: row for row in ROWS}


@dataclass(frozen=True)
class ODataOnly:
    """An OData collection with no STAC collection, and how its sample records look."""

    odata: str
    product_types: tuple[str, ...]
    platform: str
    """``platformShortName``."""
    instrument: str
    start: str
    end: str | None
    source: str


#: OData collections without a STAC collection (§1.6): missions' lives from ESA/USGS pages;
#: product types from the CDSE data pages (eu-cdse/documentation ``Data/**``) where named.
ODATA_ONLY: tuple[ODataOnly, ...] = (
    ODataOnly("SENTINEL-1-RTC", ("IW_GRDH_RTC",), "SENTINEL-1", "SAR", "2014-10-03", None, "doc"),
    ODataOnly(
        "SMOS",
        ("MIR_SMUDP2", "MIR_OSUDP2", "MIR_SC_F1B"),
        "SMOS",
        "MIRAS",
        "2010-01-12",
        None,
        "doc",
    ),
    ODataOnly(
        "ENVISAT",
        ("MER_FRS_1P", "MER_RR__1P"),
        "ENVISAT",
        "MERIS",
        "2002-04-29",
        "2012-04-08",
        "doc",
    ),
    ODataOnly("LANDSAT-5", ("L1TP", "L1GT"), "LANDSAT-5", "TM", "1984-03-16", "2011-11-18", "doc"),
    ODataOnly("LANDSAT-7", ("L1TP", "L1GT"), "LANDSAT-7", "ETM", "1999-05-28", "2022-04-06", "doc"),
    ODataOnly(
        "LANDSAT-8", ("L1TP", "L1GT", "L2SP"), "LANDSAT-8", "OLI_TIRS", "2013-04-11", None, "doc"
    ),
    ODataOnly("LANDSAT-9", ("L1TP", "L2SP"), "LANDSAT-9", "OLI_TIRS", "2021-10-31", None, "doc"),
    ODataOnly(
        "TERRAAQUA",
        ("MCD43A4.061", "MCD15A2H.061", "MCD12Q1.061", "MCD64A1.061"),
        "TERRAAQUA",
        "MODIS",
        "2002-07-04",
        None,
        "doc",
    ),
    ODataOnly("S2GLC", ("S2GLC",), "SENTINEL-2", "MSI", "2017-01-01", "2017-12-31", "inferred"),
    ODataOnly("CEMS", ("GFM",), "SENTINEL-1", "SAR", "2021-01-01", None, "inferred"),
    ODataOnly("CAMS", ("GLOBAL", "GFAS"), "CAMS", "MODEL", "2022-01-01", None, "inferred"),
)
