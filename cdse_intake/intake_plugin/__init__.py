"""cdse_intake for intake: CDSE datatypes, readers and user parameters for intake 2, and intake v1
drivers for v1-style YAML.

intake imports this package when it is itself imported (entry point ``intake.imports``), so it
stays cheap: it defines classes (which registers them with intake) and imports nothing heavy;
the catalogue builders, the HTML display and the v1 adapters load on first use.

.. code-block:: python

    import intake

    cat = intake.from_yaml_file("catalog.yaml")          # or open_catalog(...) for HTML display
    found = cat.sentinel2_l2a(bbox=[2.2, 48.8, 2.5, 48.9], start="2024-05-01",
                              end="2024-05-31", cloud=20).read()
    ds = found[list(found)[0]].read()                     # downloaded, verified, opened lazily
    cube = found.to_cube(bands=["B04", "B08"], resolution=20).read()  # all of them, one cube

    land = cat(area=[10, 44.5, 11.5, 45.5], since="2023-06-01", until="2023-06-30")
    ndvi = land.clms_datasets(text="NDVI").read()          # CLMS datasets (land.copernicus.eu)
    ds = ndvi[list(ndvi)[0]].read()                        # requested, awaited, downloaded, opened
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .clms import CLMSLandDataset, CLMSLandDatasetReader, CLMSLandDatasets, CLMSLandDatasetsReader
from .cube import CDSECubeReader
from .datatypes import CDSECollection, CDSECollections, CDSEProduct, CDSEProducts
from .parameters import (
    AreaParameter,
    CloudParameter,
    DateParameter,
    LimitParameter,
    OutputCRSParameter,
    OutputFormatParameter,
    ProductTypeParameter,
)
from .readers import CDSECollectionsReader, CDSEProductReader, CDSESearchReader

_LAZY = {
    "TableCatalog": "cdse_intake.intake_plugin.catalog",
    "open_catalog": "cdse_intake.intake_plugin.catalog",
    "CDSEProductSource": "cdse_intake.intake_plugin.v1",
    "CDSESearchSource": "cdse_intake.intake_plugin.v1",
}

__all__ = [
    "AreaParameter",
    "CDSECollection",
    "CDSECollections",
    "CDSECollectionsReader",
    "CDSECubeReader",
    "CDSEProduct",
    "CDSEProductReader",
    "CDSEProductSource",
    "CDSEProducts",
    "CDSESearchReader",
    "CDSESearchSource",
    "CLMSLandDataset",
    "CLMSLandDatasetReader",
    "CLMSLandDatasets",
    "CLMSLandDatasetsReader",
    "CloudParameter",
    "DateParameter",
    "LimitParameter",
    "OutputCRSParameter",
    "OutputFormatParameter",
    "ProductTypeParameter",
    "TableCatalog",
    "catalog_file",
    "open_catalog",
]


def catalog_file() -> Path:
    """The ``catalog.yaml`` of CDSE collections: in the package (wheels ship it there) or at the
    top of the source tree (a checkout or an editable install)."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "catalog.yaml", here.parent / "catalog.yaml"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"catalog.yaml is neither in {here} nor in {here.parent}")


if TYPE_CHECKING:
    from .catalog import TableCatalog, open_catalog
    from .v1 import CDSEProductSource, CDSESearchSource


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
