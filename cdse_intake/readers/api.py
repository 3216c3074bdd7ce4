"""``open_product``: any CDSE product as a lazy xarray Dataset or DataTree.

A product is found (cache, local file, or CDSE), its family detected, and the family's reader
builds the dataset on a :class:`~.source.ProductSource`; nothing is extracted and no pixel is read
until computed. A product not in the cache is first downloaded, verified, into it, unless
``remote=True``: then only the bytes the computation needs are read from CDSE, by range.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal

from ..cache import ProductCache
from ..config import Context, Endpoints, Settings, resolve
from ..downloads import ensure_local
from ..errors import ProductNotFound, UnsupportedProduct
from ..product import Product
from . import _closing
from .families import Family, detect, family_named
from .options import normalize
from .source import ProductSource, from_local, from_remote

__all__ = ["open_product", "resolve_source", "select_group"]


def open_product(
    product: Product | str | os.PathLike[str],
    *,
    chunks: Any = "auto",
    remote: bool = False,
    group: str | None = None,
    family: str | None = None,
    via: Literal["https", "s3"] = "https",
    credentials: Any = None,
    endpoints: Endpoints | Mapping[str, str] | None = None,
    settings: Settings | Mapping[str, Any] | None = None,
    progress: bool = False,
    **options: Any,
) -> Any:
    """Open a product lazily as an :class:`xarray.Dataset` or :class:`xarray.DataTree`.

    ``product``: a :class:`~cdse_intake.Product`, a product name or id, a ``cdse://<name>`` URL
    (always read remotely), or a local zip, product folder or single file.
    ``chunks``: dask chunks (default ``"auto"``: multiples of the files' own tiles/chunks;
    ``None``: lazy without dask). ``remote``: read from CDSE by range instead of downloading a
    product that is not in the cache (``via`` ``"https"`` or ``"s3"``). ``group``: for products
    that open as a DataTree, return the Dataset of this group (e.g. ``"r10m"``, ``"PRODUCT"``).
    ``family``: force a reader (see :data:`~cdse_intake.readers.FAMILIES`) instead of detecting
    it. ``credentials``, ``endpoints``, ``settings``: as for :func:`cdse_intake.download`
    (default: the environment). Other keyword ``options`` go to the family's reader (e.g.
    ``resolution=10`` for Sentinel-2, ``calibration="sigma0"`` for Sentinel-1).
    """
    context = resolve(endpoints=endpoints, settings=settings, credentials=credentials, via=via)
    source = resolve_source(product, context, remote=remote, progress=progress)
    reader = family_named(family) if family else detect(source)
    options = _check_options(reader, options)
    try:
        result = reader.opener()(source, chunks=chunks, **options)
    except ProductNotFound:
        raise
    except OSError as err:
        if source.origin == "remote":
            raise  # a network failure stays one: it may pass on a retry
        # A damaged local file (cut short, corrupt): say which product, as which family.
        raise UnsupportedProduct(
            f"cannot read {source.location} as {reader.title}: {err}; the file is damaged "
            "(an interrupted copy?): download it again"
        ) from err
    _describe(result, source, reader)
    return select_group(result, group) if group is not None else result


def resolve_source(
    product: Product | str | os.PathLike[str],
    context: Context,
    *,
    remote: bool = False,
    progress: bool = False,
) -> ProductSource:
    """Where to read ``product`` from (see :func:`open_product` for the arguments)."""
    if isinstance(product, Product):
        return _for_product(product, context, remote, progress)
    if not isinstance(product, (str, os.PathLike)):
        raise TypeError(
            f"cannot open {product!r} (a {type(product).__name__}); expected a Product, a product "
            "name or id, a cdse:// URL or the path of a local product"
        )
    text = os.fspath(product)
    if text.startswith("cdse://"):
        if "/" in text[len("cdse://") :].strip("/"):
            raise UnsupportedProduct(
                f"{text!r} names a file inside a product; open_product expects the product "
                "itself: cdse://<product name or id>"
            )
        fs = _filesystem(context)
        return from_remote(fs, fs.product(text))
    if os.path.exists(text):
        return from_local(text)
    # A path (or a zip: CDSE names no product ``.zip``) that does not exist; S5P (``.nc``) and
    # CLMS (``.tif``) product names look like file names and are looked up in the catalogue.
    if os.sep in text or "/" in text or text.endswith(".zip"):
        raise ProductNotFound(f"no such file or folder: {text!r}")
    try:
        record = _filesystem(context).product(text)
    except ProductNotFound as err:
        raise ProductNotFound(
            f"{text!r} is neither a local file nor a CDSE product name or id: {err}"
        ) from err
    return _for_product(record, context, remote, progress)


def _for_product(product: Product, context: Context, remote: bool, progress: bool) -> ProductSource:
    if remote and ProductCache(context.settings.cache_dir).lookup(product) is None:
        return from_remote(_filesystem(context), product)
    (path,) = ensure_local([product], context, progress=progress)  # the cache, else a download
    return from_local(path, product)


def _filesystem(context: Context) -> Any:
    from ..fs import CDSEFileSystem

    return CDSEFileSystem(
        context.via,
        credentials=context.credentials,
        endpoints=context.endpoints,
        settings=context.settings,
    )


def _check_options(reader: Family, options: dict[str, Any]) -> dict[str, Any]:
    """``options`` under the reader's own names (:mod:`.options`); unknown ones refused."""
    accepted = reader.options()
    options = normalize(reader.key, accepted, options)
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise TypeError(
            f"the {reader.key} reader has no option {', '.join(map(repr, unknown))}; it accepts "
            + (", ".join(accepted) if accepted else "no options")
            + " (and open_product's own: chunks, remote, group, family, via)"
        )
    return options


def _describe(result: Any, source: ProductSource, reader: Family) -> None:
    """Record where the data came from in the (root) attributes."""
    attrs = result.attrs
    attrs.setdefault("cdse_product", source.name)
    attrs["cdse_family"] = reader.key
    attrs["cdse_source"] = source.location
    if source.product is not None:
        attrs.setdefault("cdse_id", source.product.id)
        if source.product.collection:
            attrs.setdefault("cdse_collection", source.product.collection)


def select_group(result: Any, group: str) -> Any:
    """The Dataset of ``group`` of a DataTree (with the coordinates it inherits)."""
    import xarray as xr

    if not isinstance(result, xr.DataTree):
        raise UnsupportedProduct(
            f"group={group!r}: this product opens as a single Dataset, which has no groups"
        )
    path = group.strip("/")
    try:
        node = result[path] if path else result
    except KeyError:
        groups = [n.path for n in result.subtree if n.has_data]
        raise UnsupportedProduct(
            f"group={group!r} is not in {result.attrs.get('cdse_product', 'the product')}; "
            f"groups with data: {', '.join(groups)}"
        ) from None
    if not isinstance(node, xr.DataTree):
        raise UnsupportedProduct(f"group={group!r} is a variable, not a group")
    ds = node.to_dataset(inherit=True)
    ds.attrs = {**result.attrs, **ds.attrs}
    # closing the group closes the product's files, as closing the tree would
    closers = _closing.closers(result)
    if closers:
        ds.set_close(_closing.CloseAll(closers))
    return ds
