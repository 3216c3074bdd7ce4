"""cdse_intake: the Copernicus Data Space Ecosystem, native in Jupyter, intake and xarray.

Public names are imported lazily (PEP 562), so ``import cdse_intake`` (and ``import intake`` with
this plugin installed) stays cheap: nothing heavy is imported until it is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

#: public name -> module that defines it
_LAZY = {
    "search": "cdse_intake.api",
    "download": "cdse_intake.api_download",  # CDSE's downloader; USGS products to USGS
    "DownloadReport": "cdse_intake.downloads",
    "CDSEFileSystem": "cdse_intake.fs",
    "search_many": "cdse_intake.api",
    "start_search": "cdse_intake.api",
    "Query": "cdse_intake.query",
    "Product": "cdse_intake.product",
    "SearchResults": "cdse_intake.results",
    "Endpoints": "cdse_intake.config",
    "Settings": "cdse_intake.config",
    "Credentials": "cdse_intake.auth",
    "TokenProvider": "cdse_intake.auth",
    "CDSEError": "cdse_intake.errors",
    "AuthenticationError": "cdse_intake.errors",
    "ChecksumMismatch": "cdse_intake.errors",
    "ConfigurationError": "cdse_intake.errors",
    "CredentialsMissing": "cdse_intake.errors",
    "DownloadError": "cdse_intake.errors",
    "ProductNotFound": "cdse_intake.errors",
    "ProductOffline": "cdse_intake.errors",
    "QueryError": "cdse_intake.errors",
    "RateLimited": "cdse_intake.errors",
    "ServiceError": "cdse_intake.errors",
    "UnsafePathError": "cdse_intake.errors",
    "UnsupportedProduct": "cdse_intake.errors",
    "PartialProductWarning": "cdse_intake.errors",
    "NothingFoundWarning": "cdse_intake.errors",
    "open_product": "cdse_intake.readers",
    "load": "cdse_intake.cubes",
    "open_clms": "cdse_intake.clms_open",
    "SearchPanel": "cdse_intake.widgets",
    "search_deleted": "cdse_intake.catalogue.deleted",
    "deleted_product": "cdse_intake.catalogue.deleted",
    "DeletedProduct": "cdse_intake.product",
    "audit_cache": "cdse_intake.downloads.cache_audit",
    "AuditRecord": "cdse_intake.downloads.cache_audit",
    "search_bursts": "cdse_intake.bursts",
    "extract_bursts": "cdse_intake.bursts",
    "burst_coverage": "cdse_intake.bursts",
    "open_burst": "cdse_intake.bursts",
    "Burst": "cdse_intake.bursts",
    "BurstQuery": "cdse_intake.bursts",
    "order": "cdse_intake.downloads.orders",
    "list_orders": "cdse_intake.downloads.orders",
    "cancel_order": "cdse_intake.downloads.orders",
    "Order": "cdse_intake.downloads.orders",
    "OrderExpired": "cdse_intake.downloads.orders",
    "OrderFailed": "cdse_intake.downloads.orders",
    "OrderRefused": "cdse_intake.downloads.orders",
    "OrderTimeout": "cdse_intake.downloads.orders",
    "subscribe": "cdse_intake.subscriptions",
    "list_subscriptions": "cdse_intake.subscriptions",
    "get_subscription": "cdse_intake.subscriptions",
    "Subscription": "cdse_intake.subscriptions",
    "SubscriptionLimitError": "cdse_intake.subscriptions",
    "verify_trace": "cdse_intake.catalogue.traces",
    "TraceCheck": "cdse_intake.catalogue.traces",
}
#: public subpackages, imported on first access (``cdse_intake.clms.search(...)``)
_SUBMODULES = {"clms", "usgs"}

__all__ = [
    "AuditRecord",
    "AuthenticationError",
    "Burst",
    "BurstQuery",
    "CDSEError",
    "CDSEFileSystem",
    "ChecksumMismatch",
    "ConfigurationError",
    "Credentials",
    "CredentialsMissing",
    "DeletedProduct",
    "DownloadError",
    "DownloadReport",
    "Endpoints",
    "NothingFoundWarning",
    "Order",
    "OrderExpired",
    "OrderFailed",
    "OrderRefused",
    "OrderTimeout",
    "PartialProductWarning",
    "Product",
    "ProductNotFound",
    "ProductOffline",
    "Query",
    "QueryError",
    "RateLimited",
    "SearchPanel",
    "SearchResults",
    "ServiceError",
    "Settings",
    "Subscription",
    "SubscriptionLimitError",
    "TokenProvider",
    "TraceCheck",
    "UnsafePathError",
    "UnsupportedProduct",
    "__version__",
    "audit_cache",
    "burst_coverage",
    "cancel_order",
    "clms",
    "deleted_product",
    "download",
    "extract_bursts",
    "get_subscription",
    "list_orders",
    "list_subscriptions",
    "load",
    "open_burst",
    "open_clms",
    "open_product",
    "order",
    "search",
    "search_bursts",
    "search_deleted",
    "search_many",
    "start_search",
    "subscribe",
    "verify_trace",
]

if TYPE_CHECKING:
    from . import clms
    from .api import search, search_many, start_search
    from .api_download import download
    from .auth import Credentials, TokenProvider
    from .bursts import (
        Burst,
        BurstQuery,
        burst_coverage,
        extract_bursts,
        open_burst,
        search_bursts,
    )
    from .catalogue.deleted import deleted_product, search_deleted
    from .catalogue.traces import TraceCheck, verify_trace
    from .clms_open import open_clms
    from .config import Endpoints, Settings
    from .cubes import load
    from .downloads import DownloadReport
    from .downloads.cache_audit import AuditRecord, audit_cache
    from .downloads.orders import (
        Order,
        OrderExpired,
        OrderFailed,
        OrderRefused,
        OrderTimeout,
        cancel_order,
        list_orders,
        order,
    )
    from .errors import (
        AuthenticationError,
        CDSEError,
        ChecksumMismatch,
        ConfigurationError,
        CredentialsMissing,
        DownloadError,
        NothingFoundWarning,
        PartialProductWarning,
        ProductNotFound,
        ProductOffline,
        QueryError,
        RateLimited,
        ServiceError,
        UnsafePathError,
        UnsupportedProduct,
    )
    from .fs import CDSEFileSystem
    from .product import DeletedProduct, Product
    from .query import Query
    from .readers import open_product
    from .results import SearchResults
    from .subscriptions import (
        Subscription,
        SubscriptionLimitError,
        get_subscription,
        list_subscriptions,
        subscribe,
    )
    from .widgets import SearchPanel


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"cdse_intake.{name}")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'cdse_intake' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # cache: the next access is a plain attribute lookup
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | _SUBMODULES)
