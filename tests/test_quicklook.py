"""Quicklooks from the catalogue (cdse_intake.catalogue.quicklook) against the emulator: the
image bytes it serves, and a clear error for every answer that is not a usable image."""

from __future__ import annotations

import asyncio
import dataclasses
import re

import pytest

import cdse_intake
from cdse_intake.catalogue.quicklook import quicklook_bytes, quicklook_url
from cdse_intake.config import Settings, resolve
from cdse_intake.emulator.odata.quicklook import entry_quicklook_png
from cdse_intake.errors import ProductNotFound, ServiceError
from cdse_intake.product import Asset

PARIS = (2.2, 48.8, 2.5, 48.9)


@pytest.fixture
def product(cdse_env):
    """A Sentinel-2 L2A product over Paris, as the OData search gives it."""
    found = cdse_intake.search("sentinel-2-l2a", bbox=PARIS, start="2023-01-01", end="2023-01-15")
    return found[0]


def asset_id(url: str) -> str:
    return re.search(r"Assets\(([^)]+)\)", url).group(1)


def assets_requests(emu) -> list:
    return [r for r in emu.state.log if "/Assets(" in r.path]


@pytest.mark.parametrize("backend", ["odata", "stac"])
def test_the_quicklook_is_the_png_the_catalogue_serves(cdse_emulator, cdse_env, backend):
    found = cdse_intake.search(
        "sentinel-2-l2a", bbox=PARIS, start="2023-01-01", end="2023-01-15", backend=backend
    )
    product = found[0]
    url = quicklook_url(product)
    assert url is not None and url.startswith(cdse_emulator.env()["CDSE_CATALOGUE_URL"])
    data = quicklook_bytes(product, resolve())
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    entry = cdse_emulator.catalogue.by_id[product.id]
    assert asset_id(url) == entry.quicklook_id
    assert data == entry_quicklook_png(entry)  # the synthetic Earth over the footprint
    (request,) = assets_requests(cdse_emulator)
    assert request.user is None  # anonymous, as search: no token goes with a record's URL


def test_it_works_from_a_thread_running_an_event_loop(cdse_emulator, product):
    async def in_a_notebook() -> bytes:
        return quicklook_bytes(product, resolve())

    entry = cdse_emulator.catalogue.by_id[product.id]
    assert asyncio.run(in_a_notebook()) == entry_quicklook_png(entry)


def test_an_error_status_is_the_services_error(cdse_emulator, product):
    cdse_emulator.faults.add("status", "odata", status=503, times=None)
    context = resolve(settings=Settings(retries=1))
    with pytest.raises(ServiceError, match="service error: Service Unavailable") as caught:
        quicklook_bytes(product, context)
    assert caught.value.status == 503
    assert len(assets_requests(cdse_emulator)) == 2  # retried once, as the settings say


def test_an_unknown_asset_is_not_found(cdse_emulator, product):
    url = quicklook_url(product).replace(asset_id(quicklook_url(product)), "0" * 32)
    missing = dataclasses.replace(product, assets={"quicklook": Asset(href=url)})
    with pytest.raises(ProductNotFound, match="not found: Asset not found") as caught:
        quicklook_bytes(missing, resolve())
    assert caught.value.status == 404


def test_an_answer_that_is_not_an_image_is_refused(cdse_emulator, product):
    page = f"{cdse_emulator.env()['CDSE_CATALOGUE_URL']}/Products?$top=1"  # JSON, status 200
    odd = dataclasses.replace(product, assets={"quicklook": Asset(href=page, roles=("quicklook",))})
    with pytest.raises(ServiceError, match=r"quicklook of S2.* is not an image: .*json") as caught:
        quicklook_bytes(odd, resolve())
    assert caught.value.status == 200
    asked = [r for r in cdse_emulator.state.log if r.path.endswith("/Products") and r.query]
    assert [r.query for r in asked].count("$top=1") == 1  # a final answer: not retried


def test_an_image_larger_than_the_bound_is_refused(cdse_emulator, product):
    with pytest.raises(ServiceError, match="more than the 100 bytes accepted"):
        quicklook_bytes(product, resolve(), max_bytes=100)


def test_a_product_without_a_quicklook_says_so(product):
    bare = dataclasses.replace(product, assets={})
    assert quicklook_url(bare) is None
    with pytest.raises(ProductNotFound, match="has no quicklook"):
        quicklook_bytes(bare, resolve())
