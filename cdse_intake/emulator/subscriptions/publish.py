"""Publishing a new product now (``Emulator.publish``): what CDSE's catalogue does every minute.

The new product is added to the catalogue (so ``/Products``, STAC, S3 and downloads know it at
once, like every other) and every running subscription whose FilterParam selects it is
notified: queued for PULL, POSTed for PUSH.
"""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime, timedelta

from ..catalogue import Catalogue, Entry
from ..deleted import _copy, newer_name
from ..records.common import new_uuid
from .push import deliver
from .store import store_for

__all__ = ["publish"]


def publish(
    catalogue: Catalogue, product: Entry | str, when: datetime | None = None
) -> tuple[Entry, list[threading.Thread]]:
    """Publish ``product`` now: an :class:`Entry` as given, or, for the id or name of a product
    of the catalogue, a new product like it (same sensing, a new name and id, new bytes)
    published at ``when`` (default: now). Returns the entry and the PUSH deliveries started."""
    when = (when or datetime.now(UTC)).astimezone(UTC)
    if isinstance(product, Entry):
        if product.id in catalogue.by_id or product.name in catalogue.by_name:
            raise ValueError(f"{product.name} ({product.id}) is already in the catalogue")
        entry = product
    elif isinstance(product, str):
        entry = _like(catalogue, product, when)
    else:
        raise TypeError(f"publish() takes an Entry or a product id or name, not {product!r}")
    catalogue.add(entry)
    store = store_for(catalogue)
    threads = []
    render = store.render
    for sub in store.matching(entry):
        record = render(entry) if render is not None else b"{}"
        note = store.enqueue(sub, entry, record)
        if sub.endpoint:
            threads.append(deliver(store, sub, note))
    return entry, threads


def _like(catalogue: Catalogue, key: str, when: datetime) -> Entry:
    old = catalogue.by_id.get(key.lower()) or catalogue.by_name.get(key)
    if old is None:
        raise KeyError(f"no product of this emulator has the id or name {key!r}")
    name = None
    for step in range(120):  # one name a second; publishing faster takes the next free second
        name = newer_name(old.name, when + timedelta(seconds=step), baseline=None)
        if name is None or name not in catalogue.by_name:
            break
    if name is None or name in catalogue.by_name:
        raise ValueError(
            f"cannot publish a product like {old.name}: new names are modelled for Sentinel-1, "
            "-2 and -3 products"
        )
    extra = {k: v for k, v in old.extra.items() if k not in ("fault", "showcase")}
    rng = random.Random(f"publish:{old.id}:{name}")
    new = _copy(old, new_uuid(rng), name, when, extra=extra)
    new.quicklook_id = new_uuid(rng) if new.footprint else None
    return new
