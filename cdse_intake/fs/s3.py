"""The S3 side of ``cdse://``: CDSE's ``eodata`` bucket through s3fs (cdse-api.md §6).

Bucket ``eodata``, region ``default``, path-style addressing, keys from the S3 keys manager
(:class:`~cdse_intake.auth.S3Keys`). A product's objects sit under its ``S3Path`` without the
leading ``/`` (``eodata/Sentinel-2/…/<Name>.SAFE/…``); folder products are prefixes, single-file
products one object. The zip that ``$value`` delivers does not exist in S3.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

from ..auth import S3Keys
from ..errors import ProductNotFound
from ..product import Product

__all__ = ["new_s3fs", "s3_key"]

#: CDSE's S3 region name (§6); botocore needs one, and CDSE answers to "default".
REGION = "default"


def s3_key(product: Product, inner: tuple[str, ...] = ()) -> str:
    """The s3fs path (``bucket/key``) of ``product`` or of a file inside it."""
    if not product.s3_path:
        raise ProductNotFound(
            f"{product.name} has no S3Path in the catalogue, so it cannot be read through S3; "
            "use via='https'"
        )
    return "/".join((product.s3_path.strip("/"), *inner))


def new_s3fs(keys: S3Keys, endpoint_url: str, owner: Any) -> Any:
    """An asynchronous s3fs filesystem for CDSE, private to ``owner`` and closed with it.

    Call it on the event loop that will use it: its client is closed on that loop.
    """
    import s3fs

    fs = s3fs.S3FileSystem(
        **keys.storage_options(),
        endpoint_url=endpoint_url,
        client_kwargs={"region_name": REGION},
        config_kwargs={"s3": {"addressing_style": "path"}},
        asynchronous=True,
        skip_instance_cache=True,  # it holds the secret: never shared through fsspec's cache
    )
    weakref.finalize(owner, _close, fs, asyncio.get_running_loop())
    return fs


def _close(fs: Any, loop: asyncio.AbstractEventLoop) -> None:
    # an asynchronous s3fs has no loop of its own to close its client on: use the one it ran on
    creator = getattr(fs, "_s3creator", None)
    if creator is not None:
        type(fs).close_session(loop, creator)
