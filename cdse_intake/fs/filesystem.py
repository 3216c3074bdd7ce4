"""``cdse://``: CDSE products as an fsspec filesystem, over authenticated HTTP or S3.

Paths (see :mod:`.paths`): ``cdse://<product>`` is the product as CDSE delivers it (the zip of a
folder product through ``$value``, or the single file), ``cdse://<product>/<path>`` a file inside
it (``Nodes(…)/$value`` over HTTP, the object ``<S3Path>/<path>`` over S3). Over S3 a folder
product is a directory: its zip exists only on the download service.

HTTP goes through :class:`~cdse_intake.net.transport.Transport` (CDSE's cross-host redirects
followed by hand, the bearer token for CDSE's exact origins only, one refresh on 401); tokens
come from the account's shared :class:`~cdse_intake.auth.TokenProvider`, refreshed ahead of
expiry. Reads retry 429/5xx, resets and short bodies with backoff honouring Retry-After. Every
read (HTTP or S3) holds a slot of the account's connection budget
(:mod:`cdse_intake.net.budget`), the one downloads use: at most ``Settings.max_connections``
connections of one account at once in all the user's processes and on a dask cluster (CDSE
allows 4 sessions per account, §2.4). A body is read up to the size expected and no further (a
listing up to :data:`~cdse_intake.fs.nodes.MAX_LISTING_BYTES`): a server sending more gets a
ServiceError, not the process's memory. Range reads let fsspec's caches (``blockcache::``,
``filecache::``), xarray and rasterio read parts of a product without downloading it.

Choose the transport with ``via="https"`` (default) or ``via="s3"``; as with any fsspec
filesystem this can also come from fsspec's configuration (``FSSPEC_CDSE_VIA=s3``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import weakref
from collections.abc import Mapping
from typing import Any, Literal

from fsspec.asyn import AsyncFileSystem, sync
from fsspec.callbacks import DEFAULT_CALLBACK
from fsspec.utils import isfilelike

from ..auth import Credentials, S3Keys
from ..catalogue.lookup import ProductResolver
from ..config import Endpoints, Settings, check_via
from ..errors import AuthenticationError, ProductOffline, ServiceError
from ..net.budget import make_budget
from ..net.http import new_session, with_retries
from ..net.transport import Transport, read_bounded
from ..product import Product
from . import credentials as creds
from . import walk
from .file import CDSEFile
from .nodes import NodeTree, node_url
from .paths import CDSEPath, split
from .s3 import installed, new_s3fs, s3_key

__all__ = ["CDSEFileSystem"]

log = logging.getLogger("cdse_intake.fs")

#: Bytes per block of an open file. At CDSE's 20 MB/s per connection a block takes ~0.1 s,
#: about one request's latency: smaller blocks waste round trips, larger ones bytes.
DEFAULT_BLOCK_SIZE = 2**21
CHUNK = 2**20


class CDSEFileSystem(AsyncFileSystem, metaclass=creds.InstanceCache):
    """CDSE products and the files inside them, read-only.

    ``via``: ``"https"`` (the OData download service) or ``"s3"`` (the ``eodata`` bucket).
    ``credentials``: a :class:`~cdse_intake.auth.Credentials`, ``(username, password)``, a
    mapping, or a username whose password is in the environment or ``~/.netrc``; default:
    ``CDSE_USERNAME``/``CDSE_PASSWORD`` or ``~/.netrc``, looked up at the first authenticated
    request. ``s3_keys``: :class:`~cdse_intake.auth.S3Keys` or ``(access, secret)``; default
    ``CDSE_S3_ACCESS_KEY``/``CDSE_S3_SECRET_KEY``. ``endpoints``/``settings``: default from the
    environment and config file. ``block_size``, ``cache_type`` and ``cache_options`` are the
    defaults of :meth:`open`.

    ``storage_options`` (JSON, pickles, dask) hold the username and the S3 access key, never a
    password, secret or token: another process finds the secrets in its own environment.
    """

    protocol = ("cdse",)
    root_marker = ""
    sep = "/"

    def __init__(
        self,
        via: Literal["https", "s3"] = "https",
        *,
        credentials: Credentials | tuple[str, str] | Mapping[str, str] | str | None = None,
        s3_keys: S3Keys | tuple[str, str] | str | None = None,
        endpoints: Endpoints | Mapping[str, str] | None = None,
        settings: Settings | Mapping[str, Any] | None = None,
        block_size: int | None = None,
        cache_type: str = "readahead",
        cache_options: dict[str, Any] | None = None,
        asynchronous: bool = False,
        loop: asyncio.AbstractEventLoop | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.pop(creds.FINGERPRINT, None)
        super().__init__(asynchronous=asynchronous, loop=loop, **kwargs)
        self.via = check_via(via)
        self.endpoints = Endpoints.coerce(endpoints)
        self.settings = Settings.coerce(settings)
        self.block_size = block_size or DEFAULT_BLOCK_SIZE
        self.cache_type = cache_type
        self.cache_options = cache_options
        self._credentials = creds.coerce_credentials(credentials)
        self._s3_keys = creds.coerce_s3_keys(s3_keys)
        self._products = ProductResolver(self.endpoints.catalogue, self.settings.retries)
        self._nodes = NodeTree(self.endpoints.download, self.settings.retries)
        self._session: Any = None
        self._anonymous: Transport | None = None
        self._authenticated: Transport | None = None
        self._s3: Any = None
        self._account: str | None = None

    # -- fsspec plumbing ---------------------------------------------------------------------------
    @property
    def storage_options(self) -> dict[str, Any]:
        """The constructor's options without secrets (what ``to_json`` and pickles carry)."""
        return getattr(self, "_storage_options", {})

    @storage_options.setter
    def storage_options(self, value: dict[str, Any]) -> None:
        self._storage_options = creds.public_options(value)

    @property
    def fsid(self) -> str:
        return f"cdse-{self.via}"

    @classmethod
    def _strip_protocol(cls, path: Any) -> Any:
        if isinstance(path, list):
            return [cls._strip_protocol(p) for p in path]
        return super()._strip_protocol(path).lstrip("/")

    def invalidate_cache(self, path: str | None = None) -> None:
        """Forget resolved products and listings (they do not change on CDSE; for tests)."""
        self._products.clear()
        self._nodes.clear()
        if self._s3 is not None:
            self._s3.invalidate_cache(path)
        super().invalidate_cache(path)

    async def set_session(self) -> Any:
        """The aiohttp session of this filesystem (created on its loop at first use)."""
        if self._session is None:
            self._session = new_session(timeout=self.settings.timeout)
            # closed with the filesystem, on the loop that made it (also for asynchronous copies,
            # such as the ones zarr makes from to_json())
            loop = asyncio.get_running_loop()
            weakref.finalize(self, _close_session, loop, self._session)
            self._anonymous = Transport(self._session, self.endpoints)
        return self._session

    async def _transport(self, authenticated: bool) -> Transport:
        await self.set_session()
        if not authenticated:
            assert self._anonymous is not None
            return self._anonymous
        if self._authenticated is None:
            provider = creds.token_provider(self._credentials, self.endpoints, self.settings)
            self._authenticated = Transport(self._session, self.endpoints, provider)
        return self._authenticated

    async def _s3fs(self) -> Any:
        if self._s3 is None:
            keys = await creds.s3_keys_or_temporary(self._s3_keys, self._credentials, self)
            self._s3 = await installed(new_s3fs(keys, self.endpoints.s3, self), keys)
        return self._s3

    async def _budget(self) -> Any:
        """The account's connection budget (CDSE: 4 sessions per account, §2.4), the one the
        downloader takes its connections from, in every process of the user and on dask."""
        if self._account is None:
            self._account = await self._account_name()
        return make_budget(
            None, self._account, self.settings.max_connections, origin=self.endpoints.download
        )

    async def _account_name(self) -> str:
        # The names the downloader gives its budgets (downloads/core.py): the CDSE username,
        # over S3 too when one is known (one quota for both, §6), else the S3 access key.
        if self.via == "s3":
            try:
                tokens = creds.token_provider(self._credentials, self.endpoints, self.settings)
            except AuthenticationError:
                return f"s3:{creds.s3_keys(self._s3_keys).access_key}"
            return tokens.username
        tokens = (await self._transport(authenticated=True)).tokens
        assert tokens is not None
        return tokens.username

    def _split(self, path: str) -> CDSEPath:
        return split(self._strip_protocol(path))

    async def _product(self, key: str) -> Product:
        return await self._products.resolve(await self.set_session(), key)

    def product(self, key: str) -> Product:
        """The catalogue record of the product named (or with the id) ``key``.

        ``key`` may also be a ``cdse://`` URL of the product. ProductNotFound when there is none.
        """
        return sync(self.loop, self._product, self._split(key).key)

    # -- metadata ----------------------------------------------------------------------------------
    async def _info(self, path: str, **kwargs: Any) -> dict[str, Any]:
        stripped = self._strip_protocol(path)
        if not stripped:
            return {"name": "", "size": 0, "type": "directory"}
        where = split(stripped)
        product = await self._product(where.key)
        if self.via == "s3":
            found = await (await self._s3fs())._info(s3_key(product, where.inner))
            info = _entry(str(where), found["size"], found["type"] == "directory")
        elif where.inner:
            transport = await self._transport(authenticated=False)
            _, node = await self._nodes.resolve(transport, product, where.inner, str(where))
            info = _entry(str(where), node.size, node.is_dir)
        else:  # the product as $value delivers it (no listing needed)
            info = _entry(where.key, product.size, False)
        if not where.inner:
            info.update(_product_fields(product))
        return info

    async def _ls(self, path: str, detail: bool = True, **kwargs: Any) -> list[Any]:
        stripped = self._strip_protocol(path)
        if not stripped:
            raise NotImplementedError(
                "cdse:// cannot list all of CDSE; find products with cdse_intake.search() and "
                "list one with fs.ls('cdse://<product name or id>')"
            )
        where = split(stripped)
        product = await self._product(where.key)
        if self.via == "s3":
            entries = await self._ls_s3(where, product)
        else:
            entries = await self._ls_http(where, product)
        entries.sort(key=lambda e: e["name"])
        return entries if detail else [e["name"] for e in entries]

    async def _find(
        self, path: str, maxdepth: int | None = None, withdirs: bool = False, **kwargs: Any
    ) -> Any:
        # the folders of a level listed together, not one after another (:mod:`.walk`)
        stripped = self._strip_protocol(path)
        return await walk.find(self._ls, stripped, maxdepth, withdirs, kwargs.pop("detail", False))

    async def _ls_http(self, where: CDSEPath, product: Product) -> list[dict[str, Any]]:
        transport = await self._transport(authenticated=False)
        nodes, node = await self._nodes.resolve(transport, product, where.inner, str(where))
        if not node.is_dir:  # a file lists itself, as in every fsspec filesystem
            info = _entry(str(where), node.size if where.inner else product.size, False)
            return [info if where.inner else {**info, **_product_fields(product)}]
        children = await self._nodes.listing(transport, product, nodes)
        return [_entry(where.child(c.name), c.size, c.is_dir) for c in children]

    async def _ls_s3(self, where: CDSEPath, product: Product) -> list[dict[str, Any]]:
        prefix = s3_key(product, where.inner)
        found = await (await self._s3fs())._ls(prefix, detail=True)
        out = []
        for item in found:
            name = item["name"]
            inside = name[len(prefix) :].strip("/") if name.startswith(prefix) else name
            shown = where.child(inside) if inside else str(where)
            out.append(_entry(shown, item.get("size") or 0, item["type"] == "directory"))
        return out

    # -- data --------------------------------------------------------------------------------------
    async def _target(self, path: str) -> tuple[CDSEPath, Product, str, int | None]:
        """(path, product, URL or S3 key, size) of a file to read; errors for folders/offline."""
        where = self._split(path)
        product = await self._product(where.key)
        if product.online is False:
            raise ProductOffline(
                f"{product.name} is archived (Online: false) and cannot be read; it must first "
                "be restored through CDSE's on-demand production"
            )
        if self.via == "s3":
            key = s3_key(product, where.inner)
            info = await (await self._s3fs())._info(key)
            if info["type"] == "directory":
                raise IsADirectoryError(_folder_message(where, product, s3=True))
            return where, product, key, info["size"]
        if not where.inner:
            url = f"{self.endpoints.download}/Products({product.id})/$value"
            return where, product, url, product.size
        transport = await self._transport(authenticated=False)
        nodes, node = await self._nodes.resolve(transport, product, where.inner, str(where))
        if node.is_dir:
            raise IsADirectoryError(_folder_message(where, product, s3=False))
        return (
            where,
            product,
            node_url(self.endpoints.download, product.id, nodes, "$value"),
            node.size,
        )

    async def _cat_file(
        self, path: str, start: int | None = None, end: int | None = None, **kwargs: Any
    ) -> bytes:
        where, _, target, size = await self._target(path)
        if size is None:
            raise ServiceError(f"{where}: the catalogue gives no size (ContentLength)")
        start, end = _limits(start, end, size)
        if start >= end:
            return b""
        budget = await self._budget()
        if self.via == "s3":
            s3 = await self._s3fs()
            async with budget.slot():
                return await s3._cat_file(target, start=start, end=end)
        transport = await self._transport(authenticated=True)

        async def attempt() -> bytes:
            async with budget.slot():
                whole = start == 0 and end == size
                async with transport.get(
                    target, start=0 if whole else start, end=None if whole else end
                ) as resp:
                    if whole or resp.status == 206:  # never more than asked for, whatever comes
                        data = await read_bounded(resp, end - start, str(where))
                    else:  # the server ignored Range (200): take our part of the whole body
                        log.info("%s: the server ignored Range; reading through", where)
                        data = await _slice(resp.content, start, end)
            if len(data) != end - start:
                raise ServiceError(f"{where}: short read, {len(data)} of {end - start} bytes")
            return data

        return await with_retries(attempt, retries=self.settings.retries, what=f"reading {where}")

    async def _get_file(
        self, rpath: str, lpath: Any, callback: Any = DEFAULT_CALLBACK, **kwargs: Any
    ) -> None:
        """Copy a file (or a whole product as delivered) to ``lpath``; resumes after a cut.

        A failed copy leaves no partial file at ``lpath``. Products to keep belong in
        :func:`cdse_intake.download`, which also verifies checksums and uses the cache.
        """
        try:
            where, _, target, size = await self._target(rpath)
        except IsADirectoryError:  # a folder of a recursive copy: fsspec expects it made
            if isfilelike(lpath):
                raise
            os.makedirs(lpath, exist_ok=True)
            return
        own = not isfilelike(lpath)
        try:
            if self.via == "s3":
                async with (await self._budget()).slot():
                    await (await self._s3fs())._get_file(target, lpath, callback=callback)
            elif own:
                with open(lpath, "wb") as out:
                    await self._copy(where, target, size, out, callback)
            else:
                await self._copy(where, target, size, lpath, callback)
        except BaseException:
            if own:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(lpath)
            raise

    async def _copy(
        self, where: CDSEPath, url: str, size: int | None, out: Any, callback: Any
    ) -> None:
        """Stream ``url`` into ``out``; after a cut, continue with Range from what arrived."""
        transport = await self._transport(authenticated=True)
        budget = await self._budget()
        callback.set_size(size)
        written = 0

        async def attempt() -> None:
            nonlocal written
            async with budget.slot(), transport.get(url, start=written) as resp:
                if written and resp.status == 200:  # Range ignored: start over
                    out.seek(0)
                    out.truncate()
                    callback.relative_update(-written)
                    written = 0
                async for chunk in resp.content.iter_chunked(CHUNK):
                    if size is not None and written + len(chunk) > size:
                        raise ServiceError(
                            f"{where}: the server sent more than the {size} bytes expected",
                            status=resp.status,  # final: the same request would get the same
                        )
                    out.write(chunk)
                    written += len(chunk)
                    callback.relative_update(len(chunk))
            if size is not None and written != size:
                raise ServiceError(f"{where}: the body ended after {written} of {size} bytes")

        await with_retries(attempt, retries=self.settings.retries, what=f"copying {where}")

    async def _expand_path(
        self, path: Any, recursive: bool = False, maxdepth: int | None = None, **kwargs: Any
    ) -> list[str]:
        found = await super()._expand_path(path, recursive=recursive, maxdepth=maxdepth, **kwargs)
        if not recursive:
            return found
        # Over HTTPS a folder product's own path is its zip *and* the root of its files; a
        # recursive copy wants the files, not also the zip where their folder goes.
        parents = {p.rsplit("/", 1)[0] for p in found if "/" in p}
        return [p for p in found if "/" in p or p not in parents]

    def _open(
        self,
        path: str,
        mode: str = "rb",
        block_size: int | None = None,
        autocommit: bool = True,
        cache_type: str | None = None,
        cache_options: dict[str, Any] | None = None,
        size: int | None = None,
        **kwargs: Any,
    ) -> CDSEFile:
        if mode != "rb":
            raise NotImplementedError(f"cdse:// is read-only; open with mode 'rb', not {mode!r}")
        where, _, _, found = sync(self.loop, self._target, path)
        return CDSEFile(
            self,
            str(where),
            mode="rb",
            block_size=block_size or self.block_size,
            autocommit=autocommit,
            cache_type=cache_type or self.cache_type,
            cache_options=cache_options if cache_options is not None else self.cache_options,
            size=size if size is not None else found,
            **kwargs,
        )


# -- helpers ---------------------------------------------------------------------------------------
def _entry(name: str, size: int | None, is_dir: bool) -> dict[str, Any]:
    return {"name": name, "size": size, "type": "directory" if is_dir else "file"}


def _product_fields(product: Product) -> dict[str, Any]:
    return {
        "id": product.id,
        "product": product.name,
        "online": product.online,
        "checksums": dict(product.checksums),
        "s3_path": product.s3_path,
    }


def _folder_message(where: CDSEPath, product: Product, s3: bool) -> str:
    if s3 and not where.inner:
        return (
            f"{where} is a folder in S3 ({product.name} is stored unpacked); list it with ls(), "
            "or read the zip CDSE delivers with via='https'"
        )
    return f"{where} is a folder of {product.name}; list it with ls()"


def _limits(start: int | None, end: int | None, size: int) -> tuple[int, int]:
    """fsspec's byte range (None: the ends; negative: from the end) as 0 <= start, end <= size."""
    start = 0 if start is None else (max(0, size + start) if start < 0 else min(start, size))
    end = size if end is None else (max(0, size + end) if end < 0 else min(end, size))
    return start, end


async def _slice(stream: Any, start: int, end: int) -> bytes:
    """Bytes ``start:end`` of a body read from its beginning (the rest is not read)."""
    seen, parts = 0, []
    async for chunk in stream.iter_chunked(CHUNK):
        lo, hi = max(start - seen, 0), min(end - seen, len(chunk))
        if lo < hi:
            parts.append(chunk[lo:hi])
        seen += len(chunk)
        if seen >= end:
            break
    return b"".join(parts)


def _close_session(loop: asyncio.AbstractEventLoop | None, session: Any) -> None:
    """Close an aiohttp session when its filesystem goes (as fsspec's HTTP filesystem does)."""
    if loop is not None and loop.is_running() and not loop.is_closed():
        try:
            sync(loop, session.close, timeout=0.1)
            return
        except Exception:  # noqa: S110 - best effort at garbage collection
            pass
    connector = getattr(session, "_connector", None)
    if connector is not None:
        connector._close()
