"""What differs between the missions' items besides files and properties: the product asset,
the links, the thumbnail and the ``stac_extensions``, as eometadatatool writes them (EOMETA).

Facts by template (``eometadatatool/stac/<template>/template/*.py`` and their examples):

* ``sentinel-2-l1c|l2a``, ``sentinel-1-grd-cog``: product asset ``Product``; ``version-history``
  (``<Name>.zip``) and ``enclosure`` links.
* ``sentinel-1-slc``: product asset ``product`` (the framework's default name); only the
  ``version-history`` link (no ``enclosure``).
* ``sentinel-3-*`` (OLCI, SLSTR, SYN): ``product``; both links; thumbnail ``quicklook.jpg``
  titled ``Thumbnail``.
* ``sentinel-5p``: no product asset (``product_asset_name=None``), no thumbnail; only the
  ``version-history`` link, to ``<Name>`` (the ``.nc``, no ``.zip``).
* CLMS: no eometadatatool template; laid out like the other single-file products (S5P).
* The collections of :mod:`.layout_generic` (``family="generic"``), as their collection
  templates' ``item_assets`` show: Sentinel-6 ``product``; the S1/S2 mosaics and CCM
  ``Product``; COP-DEM and the Landsat mosaic none. All have the ``version-history`` link
  (``<Name>.zip``), folder products the ``enclosure`` link too.

``stac_extensions`` are the framework's (authentication, storage, timestamps, processing, eopf
when the product is in OData), the template's, and those its assets imply (alternate, file, eo
for ``bands`` with ``eo:`` fields), sorted by URL, as ``STACItem.generate`` does.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..catalogue import Entry
from .layout_generic import kind_of

__all__ = ["EXTENSIONS", "Layout", "layout_of", "stac_extensions"]

_EXT = "https://stac-extensions.github.io"
EXTENSIONS = {
    "alternate": f"{_EXT}/alternate-assets/v1.2.0/schema.json",
    "altimetry": f"{_EXT}/altimetry/v0.1.0/schema.json",
    "auth": f"{_EXT}/authentication/v1.1.0/schema.json",
    "classification": f"{_EXT}/classification/v2.0.0/schema.json",
    "datacube": f"{_EXT}/datacube/v2.3.0/schema.json",
    "eo": f"{_EXT}/eo/v2.0.0/schema.json",
    "eopf": "https://cs-si.github.io/eopf-stac-extension/v1.2.0/schema.json",
    "file": f"{_EXT}/file/v2.1.0/schema.json",
    "grid": f"{_EXT}/grid/v1.1.0/schema.json",
    "processing": f"{_EXT}/processing/v1.2.0/schema.json",
    "product": f"{_EXT}/product/v1.0.0/schema.json",
    "projection": f"{_EXT}/projection/v2.0.0/schema.json",
    "raster": f"{_EXT}/raster/v2.0.0/schema.json",
    "sar": f"{_EXT}/sar/v1.3.0/schema.json",
    "sat": f"{_EXT}/sat/v1.1.0/schema.json",
    "storage": f"{_EXT}/storage/v2.0.0/schema.json",
    "timestamps": f"{_EXT}/timestamps/v1.1.0/schema.json",
    "view": f"{_EXT}/view/v1.1.0/schema.json",
}
#: The framework's own, on every item of a product listed in OData.
_BASE = ("alternate", "auth", "eopf", "file", "processing", "storage", "timestamps")


@dataclass(frozen=True)
class Thumbnail:
    """The quicklook's copy inside the product folder, and how the asset describes it."""

    rel: str
    media_type: str
    title: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Layout:
    """One kind of item: product asset key, links, thumbnail, extensions."""

    product_asset: str | None
    enclosure: bool
    zipped_trace: bool
    """``version-history`` names ``<Name>.zip`` (folder products) rather than ``<Name>``."""
    thumbnail: Thumbnail | None
    extensions: tuple[str, ...]
    manifest_sums: bool = True
    """Whether the manifest asset carries ``file:size``/``file:checksum`` (not for SEN3)."""


def stac_extensions(names: tuple[str, ...]) -> list[str]:
    """Schema URLs of ``names`` with the framework's, sorted as the generator sorts them."""
    return sorted({EXTENSIONS[n] for n in (*_BASE, *names)})


_S1_THUMB = Thumbnail("preview/thumbnail.png", "image/png", "Thumbnail", ("thumbnail",))
_S3_THUMB = Thumbnail("quicklook.jpg", "image/jpeg", "Thumbnail", ("thumbnail",))

_S2 = Layout(
    "Product",
    enclosure=True,
    zipped_trace=True,
    thumbnail=None,  # S2's quicklook is named after the product: see :func:`layout_of`
    extensions=(
        "classification",
        "eo",
        "grid",
        "product",
        "projection",
        "raster",
        "sat",
        "view",
    ),
)
_LAYOUTS = {
    "s1-grd": Layout(
        "Product", True, True, _S1_THUMB, ("product", "projection", "sar", "sat", "view")
    ),
    "s1-slc": Layout(
        "product", False, True, _S1_THUMB, ("product", "projection", "sar", "sat", "view")
    ),
    "s3-olci": Layout(
        "product",
        True,
        True,
        _S3_THUMB,
        ("eo", "product", "projection", "sat"),
        manifest_sums=False,
    ),
    "s3-l2": Layout(
        "product",
        True,
        True,
        _S3_THUMB,
        ("eo", "product", "projection", "sat"),
        manifest_sums=False,
    ),
    "s5p": Layout(None, False, False, None, ("datacube", "product", "projection", "sat")),
    "clms": Layout(None, False, False, None, ("product", "projection", "raster")),
}


#: The generic collections' layouts (:func:`.layout_generic.kind_of`).
_LAYOUTS |= {
    "generic-s6": Layout(
        "product", True, True, None, ("altimetry", "product", "projection", "sat")
    ),
    "generic-s1-mosaic": Layout(
        "Product", True, True, None, ("grid", "product", "projection", "sar")
    ),
    "generic-s2-mosaic": Layout(
        "Product", True, True, None, ("eo", "grid", "product", "projection")
    ),
    "generic-landsat-mosaic": Layout(None, True, True, None, ("eo", "projection")),
    "generic-dem": Layout(None, True, True, None, ("projection",)),
    "generic-ccm": Layout("Product", True, True, None, ("product", "projection")),
    "generic-clms-ndvi": Layout("Product", True, True, None, ("product", "projection")),
    "generic-clms": Layout("Product", True, True, None, ("product", "projection")),
    "generic-other": Layout("Product", True, True, None, ("product",)),
}


def layout_kind(entry: Entry, family: str) -> str:
    """``s2``, ``s1-grd``, ``s1-slc``, ``s3-olci``, ``s3-l2``, ``s5p``, ``clms`` or
    ``generic-<kind>`` (:func:`.layout_generic.kind_of`)."""
    if family == "generic":
        return f"generic-{kind_of(entry)}"
    if family == "s1":
        return "s1-slc" if "_SLC_" in entry.product_type else "s1-grd"
    if family == "s3":
        return "s3-olci" if entry.product_type.startswith("OL_") else "s3-l2"
    return family


def layout_of(entry: Entry, family: str) -> Layout:
    """The item layout of ``entry`` in a collection of ``family``."""
    kind = layout_kind(entry, family)
    if kind == "s2":
        roles = ("thumbnail", "overview")
        return replace(
            _S2, thumbnail=Thumbnail(f"{entry.stem}-ql.jpg", "image/jpeg", "Quicklook", roles)
        )
    return _LAYOUTS[kind]
