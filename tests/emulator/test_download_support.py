"""Shared set-up for the download, fault and S3 tests (no tests here).

A small hand-made catalogue, so these tests do not depend on the product builders: a folder
product with nested files, a single-file product, a metadata-only one and an offline one.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp

from cdse_intake.emulator import Emulator
from cdse_intake.emulator.catalogue import Catalogue, Entry, Payload

WHEN = datetime(2024, 3, 1, 10, 30, tzinfo=UTC)
FOLDER_NAME = "S2B_MSIL1C_20240301T103019_N0510_R108_T32TQM_20240301T122334.SAFE"
GRANULE = "L1C_T32TQM_A036512_20240301T103020"
SINGLE_NAME = (
    "S5P_OFFL_L2__NO2____20240301T101530_20240301T115700_33201_03_020600_20240303T023456.nc"
)


def _bytes(seed: str, n: int) -> bytes:
    return random.Random(seed).randbytes(n)


FOLDER_FILES = {
    "manifest.safe": b'<?xml version="1.0" encoding="UTF-8"?>\n<xfdu:XFDU/>\n',
    "MTD_MSIL1C.xml": b'<?xml version="1.0"?>\n<n1:Level-1C_User_Product/>\n',
    f"GRANULE/{GRANULE}/MTD_TL.xml": b"<n1:Level-1C_Tile_ID/>\n",
    f"GRANULE/{GRANULE}/IMG_DATA/T32TQM_20240301T103019_B02.jp2": _bytes("B02", 300_000),
    f"GRANULE/{GRANULE}/IMG_DATA/T32TQM_20240301T103019_B03.jp2": _bytes("B03", 200_000),
    f"GRANULE/{GRANULE}/QI_DATA/MSK_CLDPRB_20m.jp2": _bytes("CLD", 20_000),
    "DATASTRIP/DS_2BPS_20240301T122334_S20240301T103020/MTD_DS.xml": b"<n1:Level-1C_DataStrip/>",
}
SINGLE_DATA = b"\x89HDF\r\n\x1a\n" + _bytes("S5P", 60_000)


def entry(name: str, payload: Payload | None, *, online: bool = True, s3: str = "") -> Entry:
    """A catalogue entry with deterministic id and true size/checksums of ``payload``."""
    return Entry(
        id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"test:{name}")),
        name=name,
        collection="SENTINEL-2",
        product_type="S2MSI1C",
        start=WHEN,
        end=WHEN,
        origin=WHEN,
        publication=WHEN,
        modification=WHEN,
        online=online,
        eviction="9999-12-31T23:59:59.999999Z",
        s3_path=s3 or f"/eodata/Test/2024/03/01/{name}",
        content_length=payload.size if payload else 1_000_000,
        md5=payload.md5 if payload else None,
        blake3=payload.blake3 if payload else None,
        checksum_date=WHEN,
        footprint=None,
        attributes=[],
        payload=payload,
    )


@dataclass
class Products:
    folder: Entry
    single: Entry
    metadata_only: Entry
    offline: Entry


def sample_catalogue() -> tuple[Catalogue, Products]:
    folder = entry(
        FOLDER_NAME,
        Payload.from_files(FOLDER_NAME, FOLDER_FILES, single_file=False),
        s3=f"/eodata/Sentinel-2/MSI/L1C/2024/03/01/{FOLDER_NAME}",
    )
    single = entry(
        SINGLE_NAME,
        Payload.from_files(SINGLE_NAME, {SINGLE_NAME: SINGLE_DATA}, single_file=True),
        s3=f"/eodata/Sentinel-5P/TROPOMI/L2__NO2___/2024/03/01/{SINGLE_NAME}",
    )
    meta = entry("S2A_MSIL1C_20240302T103019_N0510_R108_T32TQM_20240302T122334.SAFE", None)
    offline_name = "S2A_MSIL1C_20180302T103019_N0206_R108_T32TQM_20180302T122334.SAFE"
    offline = entry(
        offline_name,
        Payload.from_files(offline_name, {"manifest.safe": b"<xfdu/>"}, single_file=False),
        online=False,
    )
    products = Products(folder, single, meta, offline)
    return Catalogue([folder, single, meta, offline]), products


def make_emulator(**kw: Any) -> tuple[Emulator, Products]:
    """A started private emulator (no S3) serving the sample catalogue."""
    emu = Emulator(s3=False, scale=0.001, **kw)
    emu.catalogue, products = sample_catalogue()
    return emu.start(), products


def token(emu: Emulator, username: str | None = None) -> str:
    """A fresh access token for ``username`` (the demo user by default)."""
    assert emu.tokens is not None
    return emu.tokens.access_token(emu.tokens.new_session(username or emu.username))


def bearer(emu: Emulator, username: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(emu, username)}"}


@dataclass
class Reply:
    status: int
    headers: Any
    body: bytes
    url: str

    def json(self) -> Any:
        import json

        return json.loads(self.body)


async def _fetch(method: str, url: str, **kw: Any) -> Reply:
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, url, **kw) as resp,
    ):
        return Reply(resp.status, resp.headers, await resp.read(), str(resp.url))


def fetch(url: str, method: str = "GET", **kw: Any) -> Reply:
    """One request in a fresh aiohttp session (redirects followed unless told otherwise)."""
    return asyncio.run(_fetch(method, url, **kw))


def value_url(emu: Emulator, e: Entry, host: str = "download") -> str:
    root = emu.urls.download if host == "download" else emu.urls.catalogue
    return f"{root}/Products({e.id})/$value"
