"""Products of the emulator's catalogue as the readers meet them: zips in the layouts found in
the wild, unzipped folders, single files, and remote products behind the emulator."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cdse_intake.emulator import Emulator
from cdse_intake.emulator.catalogue import Entry
from cdse_intake.fs import CDSEFileSystem
from cdse_intake.readers.source import ProductSource, from_local, from_remote

#: zip layouts: as CDSE delivers (``<Name>.SAFE/`` top folder), without the top folder, and with
#: a top folder that lacks the ``.SAFE``/``.SEN3``/``.zarr`` suffix; ``folder``: unzipped.
LAYOUTS = ("cdse", "flat", "nosuffix", "folder")


def _stem(name: str) -> str:
    for suffix in (".SAFE", ".SEN3", ".zarr"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def write_product(entry: Entry, directory: Path, layout: str = "cdse") -> Path:
    """Write ``entry``'s payload to ``directory`` in ``layout``; returns the zip/folder/file."""
    payload = entry.payload
    assert payload is not None, f"{entry.name} is metadata-only"
    if payload.single_file:
        path = directory / entry.name
        path.write_bytes(payload.data)
        return path
    if layout == "cdse":
        path = directory / f"{_stem(entry.name)}.zip"
        path.write_bytes(payload.data)
        return path
    if layout == "folder":
        with zipfile.ZipFile(io.BytesIO(payload.data)) as zf:
            zf.extractall(directory)
        return directory / entry.name
    top = {"flat": "", "nosuffix": f"{_stem(entry.name)}/"}[layout]
    path = directory / f"{_stem(entry.name)}-{layout}.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for rel, data in sorted(payload.files.items()):
            zf.writestr(top + rel, data)
    return path


@pytest.fixture(scope="session")
def reader_emulator(_cdse_emulator_session: Emulator) -> Emulator:
    return _cdse_emulator_session


@pytest.fixture
def entries(reader_emulator: Emulator) -> Callable[[str], list[Entry]]:
    """``entries(family)``: the emulator's materialised products of a family (``Entry.family``:
    sentinel2_l1c, sentinel2_l2a, sentinel1_grd, sentinel3_olci_efr, sentinel5p_l2, eopf_zarr,
    clms_geotiff), in catalogue order."""

    def get(family: str) -> list[Entry]:
        found = [e for e in reader_emulator.catalogue.materialised if e.family == family]
        assert found, f"the emulator materialises no {family} product"
        return found

    return get


@pytest.fixture
def local_source(tmp_path: Path) -> Callable[..., ProductSource]:
    """``local_source(entry, layout="cdse")``: a source over the product written to disk."""
    count = iter(range(1_000_000))

    def make(entry: Entry, layout: str = "cdse") -> ProductSource:
        directory = tmp_path / f"p{next(count)}"
        directory.mkdir()
        return from_local(write_product(entry, directory, layout))

    return make


@pytest.fixture
def remote_fs(cdse_emulator: Emulator) -> Callable[..., Any]:
    """``remote_fs(via="https")``: a ``cdse://`` filesystem logged in to the emulator."""

    def make(via: str = "https") -> Any:
        kwargs: dict[str, Any] = {}
        if via == "s3":
            env = cdse_emulator.env()
            kwargs["s3_keys"] = (env["CDSE_S3_ACCESS_KEY"], env["CDSE_S3_SECRET_KEY"])
        return CDSEFileSystem(
            via,
            credentials=(cdse_emulator.username, cdse_emulator.password),
            endpoints=cdse_emulator.endpoints,
            skip_instance_cache=True,
            **kwargs,
        )

    return make


@pytest.fixture
def remote_source(remote_fs: Callable[..., Any]) -> Callable[..., ProductSource]:
    """``remote_source(entry, via="https")``: a source reading the product from the emulator."""

    def make(entry: Entry, via: str = "https") -> ProductSource:
        fs = remote_fs(via)
        return from_remote(fs, fs.product(entry.name))

    return make
