"""``variables=`` of the EOPF Zarr reader: data variables by name (in every group) or by path."""

from __future__ import annotations

import xarray as xr

from ..errors import UnsupportedProduct
from ._partial import listed, warn_missing
from .source import ProductSource

__all__ = ["select"]


def select(
    source: ProductSource, datasets: dict[str, xr.Dataset], wanted: list[str], absent: list[str]
) -> dict[str, xr.Dataset]:
    """The groups holding the data variables ``wanted`` (names or paths), with only those, and
    their parents' coordinates; unknown ones refused, and absent ones asked for by path (by
    name: when no group has the name; else the warning names the absent ones)."""
    have = {
        f"{path.rstrip('/')}/{name}".lstrip("/"): (path, str(name))
        for path, ds in datasets.items()
        for name in ds.data_vars
    }
    gone = {p.strip("/") for p in absent}
    keep: dict[str, set[str]] = {}
    missing: list[str] = []
    for item in wanted:
        key = item.strip("/")
        if "/" in key:
            hits = [key] if key in have else []
        else:
            hits = [p for p, (_, name) in have.items() if name == key]
        lost = sorted(p for p in gone if p == key or p.rsplit("/", 1)[-1] == key)
        if lost and (not hits or "/" in key):
            raise UnsupportedProduct(
                f"{source.location}: variable {item} was asked for but its array is absent "
                f"({', '.join(lost)}/)"
            )
        missing += [f"{p}/" for p in lost]  # a name some groups still have: those open
        if not hits:
            names = sorted({name for _, name in have.values()})
            raise ValueError(
                f"variables={item!r}: no data variable of {source.name} has this name or path; "
                f"it has {listed(names, 40)} (or a path such as {next(iter(have), '-')!r})"
            )
        for hit in hits:
            path, name = have[hit]
            keep.setdefault(path, set()).add(name)
    out: dict[str, xr.Dataset] = {}
    for path, ds in datasets.items():
        parent = path.rstrip("/") + "/"
        if path == "/" or path in keep or any(k.startswith(parent) for k in keep):
            names = keep.get(path, set())
            out[path] = ds.drop_vars([n for n in ds.data_vars if n not in names])
    warn_missing(source.location, missing, "arrays")
    return out
