"""``ensure_local``: the verified local file of each product, downloaded first where missing.

The one place where "look in the cache, else download" happens: opening a product, opening
search results and the panel's "open" all need local copies and all come here. Products the
cache holds cost one index lookup and no request; the others are downloaded together, in one
run within the account's connection budget.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from ..cache import ProductCache
from ..config import Context
from ..errors import DownloadError
from ..product import Product
from .core import Downloader
from .progress import FileProgress

__all__ = ["ensure_local"]


def ensure_local(
    products: Iterable[Product],
    context: Context,
    *,
    progress: bool = False,
    on_progress: Callable[[FileProgress], None] | None = None,
) -> list[Path]:
    """The local, verified file of every product, in the given order.

    Products in the cache are found without a request; the rest are downloaded into it in one
    batch (``context`` gives endpoints, settings, credentials and ``via``). Raises
    :class:`~cdse_intake.errors.DownloadError` naming each product that could not be
    downloaded (the others stay in the cache for the next call).
    """
    wanted = list(products)
    cache = ProductCache(context.settings.cache_dir)
    paths: dict[str, Path] = {}
    missing: list[Product] = []
    for product in wanted:
        found = cache.lookup(product)
        if found is not None:
            paths[product.id] = found
        elif product.id not in {p.id for p in missing}:
            missing.append(product)
    if missing:
        downloader = Downloader.for_context(context, progress=progress, on_progress=on_progress)
        report = downloader.download(missing)
        failed = [o for o in report if not o.ok or o.path is None]
        if failed:
            reasons = "; ".join(f"{o.name}: {o.reason or o.status}" for o in failed)
            raise DownloadError(
                f"could not download {len(failed)} of {len(missing)} product(s) to open them: "
                f"{reasons}; pass remote=True to read from CDSE without downloading"
            )
        paths.update({o.id: Path(o.path) for o in report if o.path is not None})
    return [paths[p.id] for p in wanted]
