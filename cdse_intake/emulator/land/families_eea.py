"""The EEA datasets of the land catalogue: CORINE, the High Resolution Layers, local products.

Real: the CLC datasets of the recorded search (titles, descriptions, ``H:\\`` paths, the
``{"title", "token"}`` formats of the older records; CLC 2018's UID and download-information
ids); every EEA dataset has a RASTER and/or a VECTOR (GDB) form and prepackaged files.
Assumed [unverified]: the other EEA records' paths and stems (after the products' file naming),
their descriptions; their ids are derived.

:data:`TABLE` lists the others, one per paragraph: ``product kind metres flags epochs``, then
the slug, the file stem and the title, templates of ``{y}`` (an epoch) or ``{a}``/``{b}``,
``{a2}``/``{b2}`` (the years of a change, in two digits); epochs are ``2015,2018``,
``2017:2022`` (a range) or ``2012-2018`` (a change); flags ``vector``, ``noraster``, ``old``.
"""

from __future__ import annotations

from collections.abc import Iterator

from .datasets import Dataset, Info, PackagedFile, derived_id

__all__ = ["TABLE", "eea_datasets"]

EEA_META = (
    "https://sdi.eea.europa.eu/catalogue/copernicus/api/records/{}/formatters/xml?approved=true"
)
_CLC = {2018: "U2018_CLC2018_V2020_20u1", 2012: "U2018_CLC2012_V2020_20u1",
        2006: "U2012_CLC2006_V2020_20u1", 2000: "U2006_CLC2000_V2020_20u1",
        1990: "U2000_CLC1990_V2020_20u1"}  # fmt: skip
_CLC2018_IDS = ("1bda2fbd-3230-42ba-98cf-69c96ac063bc", "7bcdf9d1-6ba0-4d4e-afa8-01451c7316cb")
_CLC2018 = ("0407d497d3c44bcd93ce8fd5bf78596a", _CLC2018_IDS)
_HRL, _VLCC = "high-resolution-layer", "high-resolution-layer-vegetated-land-cover-characteristics"
TABLE = f"""
clc-backbone clcplus 10 - 2018,2021,2023
clc-backbone-{{y}}
CLMS_CLCplus_RASTER_{{y}}_010m_eu_03035_V1_1
CLC+ Backbone {{y}} (raster 10 m), Europe, 3-yearly

clc-backbone clcplus 10 vector,noraster 2018,2021,2023
clc-backbone-{{y}}-vector
CLMS_CLCplus_VECTOR_{{y}}_eu_03035_V1_1
CLC+ Backbone {{y}} (vector), Europe, 3-yearly

clc-backbone clcplus 100 - 2018
clcplus-lulucf-{{y}}
CLMS_CLCplus_LULUCF_{{y}}_100m_eu_03035_V1_0
CLC+ LULUCF {{y}} (raster 100 m), Europe

corine-land-cover clc 100 vector,old 2000,2018
eni-clc-pilot-{{y}}
ENI_CLC{{y}}_V2020_20u1
ENI CLC Pilot {{y}}

corine-land-cover change 100 vector,old 2000-2018
eni-cha-pilot-{{a}}-{{b}}
ENI_CHA{{a2}}{{b2}}_V2020_20u1
ENI CHA Pilot {{a}}-{{b}}

{_HRL}-imperviousness imd 20 - 2018,2015,2012,2009,2006
imperviousness-density-{{y}}
IMD_{{y}}_020m_eu_03035_V2_0
High Resolution Layer Imperviousness Density {{y}}

{_HRL}-imperviousness change 20 - 2015-2018,2012-2015,2009-2012,2006-2009
high-resolution-layer-imperviousness-change-{{a}}-{{b}}
IMC_{{a2}}{{b2}}_020m_eu_03035_V1_0
High Resolution Layer Imperviousness Change {{a}}-{{b}}

{_HRL}-imperviousness imd 10 - 2017:2022
imperviousness-density-{{y}}-10m
CLMS_HRLNVLCC_IMD_S{{y}}_R10m_E00N00_03035_V01_R00
Imperviousness Density {{y}} (raster 10 m), Europe, yearly

{_HRL}-imperviousness built 10 - 2018
impervious-built-up-{{y}}
IBU_{{y}}_010m_eu_03035_V1_0
High Resolution Layer Impervious Built-up {{y}}
"""
for _code, _name, _kind in (
    ("TCD", "Tree Cover Density", "tcd"),
    ("DLT", "Dominant Leaf Type", "dlt"),
    ("FTY", "Forest Type", "dlt"),
):
    _slug = _name.lower().replace(" ", "-")
    for _m, _years in ((10, "2018"), (20, "2015,2012")):
        TABLE += f"""
{_HRL}-forests {_kind} {_m} - {_years}
{_slug}-{{y}}
{_code}_{{y}}_0{_m}m_eu_03035_V2_0
High Resolution Layer {_name} {{y}}
"""  # fmt: skip
for _slug, _name, _kind, _code in (
    ("tree-cover-density", "Tree Cover Density", "tcd", "TCD"),
    ("dominant-leaf-type", "Dominant Leaf Type", "dlt", "DLT"),
    ("grassland", "Grassland", "grass", "GRA"), ("crop-types", "Crop Types", "crop", "CTY"),
    ("non-vegetated-land-cover", "Non-vegetated Land Cover Characteristics", "built", "NVLCC"),
    ("water-wetness", "Water and Wetness Probability Index", "wetness", "WWPI"),
):  # fmt: skip
    TABLE += f"""
{_VLCC} {_kind} 10 - 2017:2024
{_slug}-{{y}}-10m
CLMS_HRLVLCC_{_code}_S{{y}}_R10m_E00N00_03035_V01_R00
{_name} {{y}} (raster 10 m), Europe, yearly
"""
for _theme, _code, _name, _years, _changes in (
    ("riparian-zones", "RZ", "Riparian Zones", "2012,2018", "2012-2018"),
    ("natura-2000", "N2K", "Natura 2000", "2006,2012,2018", "2006-2012,2012-2018"),
    ("coastal-zones", "CZ", "Coastal Zones", "2012,2018", "2012-2018"),
):
    TABLE += f"""
{_theme} urban 10 vector,noraster {_years}
{_theme}-{{y}}
{_code}_LCLU_{{y}}_V1
{_name} Land Cover/Land Use {{y}} (vector), Europe, 6-yearly

{_theme} change 10 vector,noraster {_changes}
{_theme}-change-{{a}}-{{b}}
{_code}_CHA_{{a2}}{{b2}}_V1
{_name} Change {{a}}-{{b}} (vector), Europe
"""
for _season in (1, 2):
    TABLE += f"""
vegetation-phenology-and-productivity ndvi 10 - 2017:2023
vpp-parameters-s{_season}-{{y}}
VPP_{{y}}_S2_E00N00_03035_010m_V101_s{_season}_SOSD
Vegetation Phenology and Productivity Parameters season {_season} {{y}} (raster 10 m), Europe
"""
TABLE += f"""
{_HRL}-forests change 20 - 2015-2018,2012-2015
tree-cover-density-change-{{a}}-{{b}}
TCDC_{{a2}}{{b2}}_020m_eu_03035_V1_0
High Resolution Layer Tree Cover Density Change {{a}}-{{b}}

{_HRL}-grassland grass 10 - 2018
grassland-{{y}}
GRA_{{y}}_010m_eu_03035_V1_0
High Resolution Layer Grassland {{y}}

{_HRL}-grassland grass 20 - 2015
grassland-{{y}}
GRA_{{y}}_020m_eu_03035_V1_0
High Resolution Layer Grassland {{y}}

{_HRL}-grassland change 20 - 2015-2018
grassland-change-{{a}}-{{b}}
GRAC_{{a2}}{{b2}}_020m_eu_03035_V1_0
High Resolution Layer Grassland Change {{a}}-{{b}}

{_HRL}-water-and-wetness wetness 10 - 2018
water-wetness-{{y}}
WAW_{{y}}_010m_eu_03035_V2_0
High Resolution Layer Water and Wetness {{y}}

{_HRL}-water-and-wetness wetness 20 - 2015
water-wetness-{{y}}
WAW_{{y}}_020m_eu_03035_V2_0
High Resolution Layer Water and Wetness {{y}}

{_HRL}-small-woody-features swf 5 vector 2015,2018
small-woody-features-{{y}}
SWF_{{y}}_005m_eu_03035_V1_1
High Resolution Layer Small Woody Features {{y}}

urban-atlas urban 10 vector,noraster 2018,2012,2006
urban-atlas-{{y}}
UA{{y}}_LCLU_V1
Urban Atlas Land Cover/Land Use {{y}} (vector), Europe, 6-yearly

urban-atlas change 10 vector,noraster 2012-2018
urban-atlas-change-{{a}}-{{b}}
UA_CHA_{{a2}}{{b2}}_V1
Urban Atlas Change {{a}}-{{b}} (vector), Europe, 6-yearly

urban-atlas tcd 10 vector,noraster 2018,2012
street-tree-layer-{{y}}
STL{{y}}_V1
Urban Atlas Street Tree Layer {{y}} (vector), Europe

urban-atlas height 10 - 2012
building-height-{{y}}
UA_BH_{{y}}_010m_V1
Urban Atlas Building Height {{y}} (raster 10 m), Europe

riparian-zones swf 5 vector,noraster 2018
green-linear-elements-{{y}}
RZ_GLE_{{y}}_V1
Green Linear Elements {{y}} (vector), Europe

riparian-zones wetness 10 vector,noraster 2012
riparian-zones-delineation
RZ_DRZ_{{y}}_V1
Riparian Zones Delineation (vector), Europe

european-settlement-map built 10 - 2015,2019,2023
european-settlement-map-{{y}}
ESM_BUILT_{{y}}_010m_eu_03035_V1
European Settlement Map {{y}} (raster 10 m), Europe

snow-and-ice snow 20 - 2017:2023
persistent-snow-area-{{y}}
PSA_{{y}}_S2_E00N00_03035_020m_V1
Persistent Snow Area {{y}} (raster 20 m), Europe, yearly
"""


def eea_datasets() -> Iterator[Dataset]:
    """CORINE first (as the recorded search), then the table's datasets."""
    yield from _corine()
    for paragraph in TABLE.strip().split("\n\n"):
        head, slug, stem, title = paragraph.strip().split("\n")
        product, kind, metres, flags, epochs = head.split()
        for values in _epochs(epochs):
            yield _eea(product, slug.format(**values), title.format(**values), kind,
                       float(metres), stem.format(**values), int(values["y"]),
                       vector="vector" in flags, raster="noraster" not in flags,
                       old="old" in flags)  # fmt: skip


def _epochs(text: str) -> Iterator[dict[str, str]]:
    for token in text.split(","):
        if ":" in token:
            first, last = map(int, token.split(":"))
            yield from ({"y": str(y)} for y in range(first, last + 1))
        elif "-" in token:
            a, b = token.split("-")
            yield {"a": a, "b": b, "a2": a[2:], "b2": b[2:], "y": b}
        else:
            yield {"y": token}


def _corine() -> Iterator[Dataset]:
    for year, stem in _CLC.items():
        uid, ids = _CLC2018 if year == 2018 else (None, ())
        described = (
            f"Provides pan-European CORINE Land Cover inventory for the {year} reference year."
        )
        yield _eea("corine-land-cover", "clc2018" if year == 2018 else f"clc-{year}",
                   f"CLC {year}", "clc", 100.0, stem, year, vector=True, uid=uid, ids=ids,
                   old=year != 2018, full_format=None if year == 2018 else "GDB",
                   description=described)  # fmt: skip
    for a, b in ((2012, 2018), (2006, 2012), (2000, 2006), (1990, 2000)):
        described = (
            f"Provides land cover change information between the {a} and {b} CLC status layers."
        )
        yield _eea("corine-land-cover", f"cha-{a}-{b}", f"CHA {a}-{b}", "change", 100.0,
                   f"U{b}_CHA{a % 100:02d}{b % 100:02d}_V2020_20u1", b, vector=True, old=True,
                   full_format="GDB", description=described)  # fmt: skip


def _eea(product: str, slug: str, title: str, kind: str, metres: float, stem: str, epoch: int,
         *, vector: bool = False, raster: bool = True, description: str = "",
         uid: str | None = None, ids: tuple[str, ...] = (), old: bool = False,
         full_format: str | None = None) -> Dataset:  # fmt: skip
    base = f"H:\\{product.replace('-', '_').title()}\\{stem}"
    infos, given, res = [], iter(ids), f"{int(metres)}m"
    if vector:
        vid = next(given, None) or derived_id(slug, "vector")
        infos.append(Info(vid, "VECTOR", "GDB", base + ".gdb", "EEA", res,
                          wekeo_choices="" if old else None, format_object=old))  # fmt: skip
    if raster:
        rid = next(given, None) or derived_id(slug, "raster")
        infos.append(Info(rid, "RASTER", "Geotiff", base + ".tif", "EEA", res, wekeo_choices=None))
    kinds = (("Geotiff", "raster"), ("GPKG", "geoPackage"))[: 1 + vector]
    packaged = tuple(
        PackagedFile(derived_id(slug, "file", fmt), f"{stem.lower()}_{tag}", fmt,
                     f"{base}_{tag}.zip")
        for fmt, tag in kinds
    )  # fmt: skip
    return Dataset(
        uid=uid or derived_id("eea", slug, hex32=True), product=product, slug=slug, title=title,
        description=description or f"Provides pan-European {title} for the {epoch} reference year.",
        kind=kind, resolution=metres, infos=tuple(infos), stem=stem, epoch=epoch,
        full_format=full_format, files=packaged, metadata=(EEA_META.format(derived_id(slug)),),
        keywords=(product.replace("-", " "),),
    )  # fmt: skip
