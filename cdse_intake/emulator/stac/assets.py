"""Item ``assets`` from a catalogue entry: one per product file, the thumbnail, the zipped product.

Shapes follow the real items (§4, EOMETA): a file asset has an ``s3://eodata/...`` href with
``auth:refs ["s3"]`` and an https alternate (the file's OData ``Nodes(...)/$value`` on the
download host) with ``auth:refs ["oidc"]``; the product asset (``Product``, ``product`` or none,
by mission: :mod:`.missions`) is the product's ``$value`` zip; the thumbnail is the catalogue's
quicklook ``Assets(<id>)/$value``. Keys, titles and static fields by mission: ``layout_*``.

For an entry with bytes the file assets are its real files, with their true ``file:size`` and
``file:checksum`` (MD5 multihash; SEN3 manifests carry none, as on CDSE), from the sums pack
for the default catalogue (no build), else from the built product. For a metadata-only
entry they are the files the real product would hold, without size and checksum (no bytes to
describe), except a single-file product's one asset, which carries the record's size and MD5
(the S5P template copies OData's).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import orjson

from .. import sums_pack
from ..catalogue import Entry
from ..payloads import Payload, deliverable, file_sums
from ..products import BUILDERS
from .common import S3_REFS, multihash_md5
from .jsonb import jsonb_order, shallow_order
from .layout_single import classify_single
from .layouts import Facts, Known, classify, file_facts, virtual_files
from .missions import Layout, layout_of

if TYPE_CHECKING:
    from ..server import ServiceURLs

__all__ = ["AssetBuilder", "is_single_file"]

_TYPES = {
    "jp2": "image/jp2",
    "tif": "image/tiff; application=geotiff",
    "tiff": "image/tiff; application=geotiff",
    "xml": "application/xml",
    "safe": "application/xml",
    "xsd": "application/xml",
    "eof": "application/xml",
    "nc": "application/netcdf",  # the generator's NetCDFAsset type
    "png": "image/png",
    "jpg": "image/jpeg",
    "json": "application/json",
    "zmetadata": "application/json",
    "zattrs": "application/json",
    "zgroup": "application/json",
    "zarray": "application/json",
}
_METADATA = {"xml", "safe", "xsd", "json", "zmetadata", "zattrs", "zgroup", "zarray"}


class AssetBuilder:
    """Builds assets with the emulator's URLs (download host, catalogue host)."""

    def __init__(self, urls: ServiceURLs) -> None:
        self.urls = urls

    # -- public ----------------------------------------------------------------------------------
    def assets(
        self, entry: Entry, family: str, serialised: bool = False
    ) -> dict[str, dict[str, Any]]:
        """Every asset of the entry's item, keyed like the real items (``serialised``: file
        assets as :class:`orjson.Fragment` of their JSON, for :meth:`ItemFactory.item_json`).

        In the live answers' order: assets in jsonb key order, each asset ``href`` first and
        then jsonb order (pgstac re-hydrates the stored asset over the collection's
        ``item_assets``; exact order beyond ``href`` is an approximation).
        """
        layout = layout_of(entry, family)
        out: dict[str, dict[str, Any]] = {}
        if entry.name.endswith(".zarr"):
            out["product"] = _href_first(self._zarr_store(entry))
        facts = file_facts(entry)
        base = self._base(entry)
        for rel, sums_of_file, known in self._files(entry, family):
            key, fields = known or self._describe(rel, family, entry, facts)
            while key in out:  # two unclassified files with the same derived name
                key += "_"
            sums = layout.manifest_sums or key != "xfdumanifest"
            data = self._file_asset(entry, base, rel, sums_of_file if sums else None, fields, sums)
            out[key] = orjson.Fragment(data) if serialised else orjson.loads(data)
        if entry.quicklook_id and layout.thumbnail is not None:
            out["thumbnail"] = _href_first(self._thumbnail(entry, layout))
        if layout.product_asset in out:  # an EOPF product's ``product`` is its Zarr store:
            zipped = self._product(entry)  # it carries the size and checksum of the download
            sums = ("file:size", "file:checksum")
            out[layout.product_asset].update({k: zipped[k] for k in sums if k in zipped})
        elif layout.product_asset is not None:
            out[layout.product_asset] = _href_first(self._product(entry))
        return {key: out[key] for key in shallow_order(dict.fromkeys(out))}

    # -- files -----------------------------------------------------------------------------------
    def _base(self, entry: Entry) -> tuple[str, str, str]:
        """The product's own S3 href, local path and https (``Nodes``) href, which its files'
        extend."""
        https = f"{self.urls.download}/Products({entry.id})/Nodes({entry.name})"
        return f"s3://eodata/{entry.s3_key}", entry.name, https

    def _files(
        self, entry: Entry, family: str
    ) -> list[tuple[str, tuple[int, str] | None, Known | None]]:
        """(path relative to the product folder, (size, MD5) or None, classification if known)
        of the files to describe."""
        if deliverable(entry) and is_single_file(entry):
            return [("", None, None)]  # described by the record's size and checksum: no build
        files = _shipped_files(entry) or file_sums(entry)
        if files is None:
            return [(rel, None, known) for rel, known in virtual_files(entry, family)]
        if entry.name.endswith(".zarr"):
            # The store is one asset; of its many files only the consolidated metadata is listed.
            return [(rel, (size, md5), None) for rel, size, md5 in files if rel == ".zmetadata"]
        # Generic collections name their assets as their ``item_assets`` do, whatever the files.
        known = dict(virtual_files(entry, family)) if family == "generic" else {}
        return [(rel, (size, md5), known.get(rel)) for rel, size, md5 in files]

    def _describe(
        self, rel: str, family: str, entry: Entry, facts: Facts
    ) -> tuple[str, dict[str, Any]]:
        if rel == "":
            return classify_single(entry, family)
        known = classify(rel, family, facts)
        if known is not None:
            return known
        name = rel.rsplit("/", 1)[-1]
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        stem = rel.rsplit(".", 1)[0] if "." in name.lstrip(".") else rel
        key = re.sub(r"[^0-9A-Za-z]+", "_", stem).strip("_") or ext or "file"
        return key, jsonb_order(
            {
                "type": _TYPES.get(ext, "application/octet-stream"),
                "title": name,
                "roles": ["metadata"] if ext in _METADATA else ["data"],
            }
        )

    def _file_asset(
        self,
        entry: Entry,
        base: tuple[str, str, str],
        rel: str,
        file: tuple[int, str] | None,
        fields: dict[str, Any],
        sums: bool,
    ) -> bytes:
        """One file's asset, serialised; ``base``: the product's S3 href, local path and https
        href (:meth:`_base`); ``file:size``/``file:checksum`` from ``file`` (size, MD5) when
        ``sums``.

        Serialised from a template per asset shape (its static fields and which of size and
        checksum it has): a page lists tens of thousands of file assets and building,
        ordering and serialising each as a dict was most of a page's time.
        """
        s3, local, https = base
        if rel:
            s3, local = f"{s3}/{rel}", f"{local}/{rel}"
            https = f"{https}/Nodes({rel.replace('/', ')/Nodes(')})"
        size: int | None = None
        md5: str | None = None
        if not rel and sums:  # the product is the file: the record's size and checksum, as
            # the S5P template copies OData's (equal to the bytes' when the entry has them)
            size, md5 = entry.content_length, entry.md5 or None
        elif file is not None:
            size, md5 = file
        values = {
            b"H": orjson.dumps(s3),
            b"L": orjson.dumps(local),
            b"N": orjson.dumps(f"{https}/$value"),
            b"S": b"%d" % size if size is not None else b"",
            b"C": orjson.dumps(multihash_md5(md5)) if md5 else b"",
        }
        template = _template_for(fields, size is not None, md5 is not None)
        return template % values

    # -- the other assets ------------------------------------------------------------------------
    def _zarr_store(self, entry: Entry) -> dict[str, Any]:
        """The EOPF Zarr store itself (its chunks are not listed one by one)."""
        return {
            "href": f"s3://eodata/{entry.s3_key}/",
            "type": "application/vnd+zarr",
            "title": "EOPF Zarr product",
            "roles": ["data", "metadata"],
            "file:local_path": entry.name,
            "alternate:name": "S3",
            "auth:refs": ["s3"],
            "storage:refs": list(S3_REFS),
        }

    def _thumbnail(self, entry: Entry, layout: Layout) -> dict[str, Any]:
        thumb = layout.thumbnail
        assert thumb is not None
        asset: dict[str, Any] = {
            "href": f"{self.urls.catalogue}/Assets({entry.quicklook_id})/$value",
            "type": thumb.media_type,
            "title": thumb.title,
            "roles": list(thumb.roles),
            "file:local_path": f"{entry.name}/{thumb.rel}",
            "alternate:name": "HTTPS",
        }
        if not is_single_file(entry):  # the quicklook's copy inside the product folder
            asset["alternate"] = {  # written in jsonb order
                "s3": {
                    "href": f"s3://eodata/{entry.s3_key}/{thumb.rel}",
                    "auth:refs": ["s3"],
                    "storage:refs": list(S3_REFS),
                    "alternate:name": "S3",
                }
            }
        return asset

    def _product(self, entry: Entry) -> dict[str, Any]:
        asset: dict[str, Any] = {
            "href": f"{self.urls.download}/Products({entry.id})/$value",
            "type": "application/zip",
            "title": "Zipped product",
            "roles": ["data", "metadata", "archive"],
            "auth:refs": ["oidc"],
            "file:size": entry.content_length,
        }
        if entry.md5:
            asset["file:checksum"] = multihash_md5(entry.md5)
        asset["file:local_path"] = entry.name if is_single_file(entry) else f"{entry.name}.zip"
        return asset


#: A placeholder in an asset template: ``\x01`` and a letter (see :func:`_template`).
_SLOT = re.compile(rb'"\\u0001([HLNSC])"')


#: Templates by the identity of the static fields they were made of (which they keep alive,
#: so an identity is never reused while cached): classified files share their fields' dicts.
_BY_ID: dict[tuple[int, bool, bool], tuple[dict[str, Any], bytes]] = {}


def _template_for(fields: dict[str, Any], size: bool, checksum: bool) -> bytes:
    """:func:`_template` of ``fields``, looked up by identity first."""
    key = (id(fields), size, checksum)
    hit = _BY_ID.get(key)
    if hit is not None and hit[0] is fields:
        return hit[1]
    template = _template(orjson.dumps(fields), size, checksum)
    if len(_BY_ID) >= 4096:
        _BY_ID.clear()
    _BY_ID[key] = (fields, template)
    return template


@lru_cache(maxsize=4096)
def _template(fields: bytes, size: bool, checksum: bool) -> bytes:
    """A file asset's serialised shape, a ``%`` format of the named slots ``H`` (href), ``L``
    (local path), ``N`` (https href), ``S`` (size) and ``C`` (checksum)."""
    asset: dict[str, Any] = {
        **orjson.loads(fields),
        "file:local_path": "\x01L",
        "alternate:name": "S3",
        "auth:refs": ["s3"],
        "storage:refs": list(S3_REFS),
        "alternate": {  # written in jsonb order
            "https": {
                "href": "\x01N",
                "auth:refs": ["oidc"],
                "storage:refs": [],
                "alternate:name": "HTTPS",
            }
        },
    }
    if size:
        asset["file:size"] = "\x01S"
    if checksum:
        asset["file:checksum"] = "\x01C"
    data = orjson.dumps({"href": "\x01H", **shallow_order(asset)}).replace(b"%", b"%%")
    return _SLOT.sub(rb"%(\1)s", data)


def _shipped_files(entry: Entry) -> list[tuple[str, int, str]] | None:
    """The files of a never-built product of the default catalogue, as the sums pack ships
    them (so a page of them lists at once: :mod:`..sums_files`)."""
    if entry.__dict__.get("_payload") is not None or not deliverable(entry):
        return None  # an explicit payload (realistic sizes, tests) is described by its bytes
    return sums_pack.lookup_files(entry)


def is_single_file(entry: Entry) -> bool:
    """Whether the product is one file (netCDF, GeoTIFF, EOF) rather than a folder (told
    without building it)."""
    explicit = entry.__dict__.get("_payload")
    if isinstance(explicit, Payload):
        return explicit.single_file
    builder = BUILDERS.get(entry.family or "")
    if builder is not None and deliverable(entry):
        return builder.single_file
    return entry.name.endswith((".nc", ".tif", ".EOF"))


def _href_first(asset: dict[str, Any]) -> dict[str, Any]:
    """``href`` first, then jsonb order (see :meth:`AssetBuilder.assets`)."""
    return {"href": asset["href"], **shallow_order(asset)}
