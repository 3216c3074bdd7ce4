"""Importing cdse_intake stays cheap: no heavy library is imported until it is used."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("xarray", "numpy", "rasterio", "pystac_client", "ipywidgets", "pandas", "dask", "shapely")


def imported_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_import_pulls_in_nothing_heavy():
    modules = imported_after("import cdse_intake")
    assert not [m for m in HEAVY if m in modules]


def test_public_names_resolve_lazily():
    modules = imported_after("import cdse_intake; cdse_intake.Endpoints; cdse_intake.QueryError")
    assert "cdse_intake.config" in modules
    assert not [m for m in HEAVY if m in modules]


def test_open_product_is_cheap_until_a_product_is_opened():
    modules = imported_after("import cdse_intake; cdse_intake.open_product")
    assert "cdse_intake.readers.api" in modules
    assert not [m for m in HEAVY if m in modules]


def test_every_public_name_exists():
    import cdse_intake

    for name in cdse_intake.__all__:
        assert getattr(cdse_intake, name) is not None
