"""What a product's target already holds, checked before any request (runs in a thread).

Another process may have verified the product meanwhile, the cache may hold it elsewhere (a
copy, then indexed at its new place), or a file may already sit at the target: kept when it
matches the checksum, quarantined otherwise (a final path never holds an unverified file).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from ..cache import ProductCache
from ..product import Product
from . import outcomes
from .partfile import Expected
from .process import record_verified
from .report import Outcome
from .verify import file_matches, place_copy

__all__ = ["present"]

log = logging.getLogger("cdse_intake.download")


def present(cache: ProductCache, product: Product, target: Path) -> Outcome | None:
    """A skipped outcome when a verified copy exists at or for ``target``; None: fetch it.

    Raises ProductOffline for an offline product with no copy.
    """
    found = cache.lookup(product)  # again: another process may have finished it meanwhile
    if found is not None and found == target:
        return outcomes.skipped(product, target, "already verified")
    if found is not None:
        entry = cache.entry(product)
        assert entry is not None
        place_copy(found, target)
        record_verified(cache, product, target, entry.algorithm, entry.checksum)
        return outcomes.skipped(product, target, f"copied from the verified file {found}")
    if target.is_symlink():  # never taken as verified, never written through
        log.warning("%s: %s is a symbolic link; replaced by the download", product.name, target)
        target.unlink()
    if target.is_file():
        expected = Expected.of(product)
        if file_matches(target, expected):
            record_verified(cache, product, target, expected.algorithm, expected.checksum)
            return outcomes.skipped(product, target, "the file already there matches its checksum")
        quarantine = cache.quarantine_for(product)
        quarantine.parent.mkdir(parents=True, exist_ok=True)
        os.replace(target, quarantine)  # never leave an unverified file at a final path
        log.warning("%s did not match its checksum: moved to %s", target, quarantine)
    if product.online is False:
        raise outcomes.offline(product)
    return None
