"""The account's connection budget, as the downloader uses it: :mod:`cdse_intake.net.budget`.

The budget lives in ``net`` since ``cdse://`` reads (:mod:`cdse_intake.fs`, a layer below this
one) take their connections from the same slots; this module keeps its names where the
downloader and older code import them.
"""

from __future__ import annotations

from ..net.budget import (
    ConnectionBudget,
    DaskBudget,
    account_key,
    in_dask_worker,
    make_budget,
    slots_root,
)

__all__ = [
    "ConnectionBudget",
    "DaskBudget",
    "account_key",
    "in_dask_worker",
    "make_budget",
    "slots_root",
]
