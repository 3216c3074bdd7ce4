"""The shipped sums packs (emulator/sums_pack.py): fresh for the locked libraries, true to the
bytes, and ignored when stale."""

from __future__ import annotations

import copy
import random
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from cdse_intake.emulator import sums_pack
from cdse_intake.emulator.catalogue import build_catalogue
from cdse_intake.emulator.payloads import Payload, deliverable
from cdse_intake.emulator.products import BUILDERS


@pytest.mark.parametrize("family", sorted(BUILDERS))
def test_every_shipped_pack_is_fresh(family: str) -> None:
    """A stale pack is never believed (listings build those products instead), but it must not
    land: a writer change comes with ``make sums``. A family without a pack lists slowly; the
    benchmark ``emulator_budgets.py`` names it."""
    path = sums_pack.pack_path(family)
    if not path.is_file():
        pytest.skip(f"no sums pack shipped for {family} (`make sums` builds it)")
    pack = sums_pack.Pack.read(path)
    code, _, libraries = pack.fingerprint.partition(";")
    if libraries != sums_pack.library_versions(family):
        pytest.skip(f"pack built with {libraries}, not the installed libraries")
    assert code == sums_pack.code_fingerprint(family), (
        f"the {family} writer changed since its pack was built: run `make sums`"
    )


@pytest.mark.parametrize("family", sorted(BUILDERS))
def test_packed_sums_are_those_of_the_bytes(family: str) -> None:
    pack = sums_pack.fresh_pack(family)
    if pack is None:
        pytest.skip(f"{family}: no fresh pack (the test above says why)")
    catalogue = build_catalogue(sums_pack.DEFAULT_SEED, sums_pack.DEFAULT_SCALE, deliver="all")
    entries = sorted(
        (e for e in catalogue.entries if e.family == family and deliverable(e)),
        key=lambda e: e.id,
    )
    assert len(pack) == len(entries)
    for entry in random.Random(family).sample(entries, min(3, len(entries))):
        builder = BUILDERS[family]
        files = builder(entry)
        payload = Payload.from_files(entry.name, files, builder.single_file)
        assert pack.get(entry) == (payload.size, payload.md5, payload.blake3)
        if builder.single_file:  # the product is the file: the record's sums describe it
            assert pack.files is None
        else:  # what a STAC item lists for each file
            assert pack.get_files(entry) == sums_pack.file_rows(files)


def _an_entry():
    catalogue = build_catalogue(sums_pack.DEFAULT_SEED, sums_pack.DEFAULT_SCALE, deliver="all")
    return next(e for e in catalogue.entries if e.family == "clms_geotiff" and deliverable(e))


def _tiny_pack(fingerprint: str, entry) -> sums_pack.Pack:
    return sums_pack.Pack(
        family="clms_geotiff",
        fingerprint=fingerprint,
        keys=np.array([sums_pack.record_key(entry)], dtype=np.uint64),
        sizes=np.array([123], dtype=np.uint64),
        md5=np.full((1, 16), 0xAB, dtype=np.uint8),
        blake3=np.full((1, 32), 0xCD, dtype=np.uint8),
    )


def test_a_stale_pack_is_never_believed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    entry = _an_entry()
    monkeypatch.setattr(sums_pack, "PACK_DIR", tmp_path)
    monkeypatch.setattr(sums_pack, "_loaded", {})
    stale = "0000000000000000;" + sums_pack.library_versions()
    _tiny_pack(stale, entry).write(sums_pack.pack_path("clms_geotiff"))
    assert sums_pack.fresh_pack("clms_geotiff") is None
    assert sums_pack.lookup(entry) is None

    monkeypatch.setattr(sums_pack, "_loaded", {})
    fresh = sums_pack.family_fingerprint("clms_geotiff")
    _tiny_pack(fresh, entry).write(sums_pack.pack_path("clms_geotiff"))
    assert sums_pack.lookup(entry) == (123, "ab" * 16, "cd" * 32)
    assert not list(tmp_path.glob(".*.part"))


def test_a_changed_record_is_not_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever a writer reads from the record is in its key; delivery state is not."""
    entry = _an_entry()
    monkeypatch.setattr(sums_pack, "PACK_DIR", tmp_path)
    monkeypatch.setattr(sums_pack, "_loaded", {})
    fresh = sums_pack.family_fingerprint("clms_geotiff")
    _tiny_pack(fresh, entry).write(sums_pack.pack_path("clms_geotiff"))
    offline = copy.copy(entry)
    offline.online = False
    offline.extra = {**entry.extra, "fault": "offline"}
    assert sums_pack.lookup(offline) is not None
    for change in (
        {"start": entry.start + timedelta(seconds=1)},
        {"attributes": [*entry.attributes, ("cloudCover", "Double", 1.0)]},
        {"extra": {**entry.extra, "tile": "31UNE-moved"}},
        {"name": entry.name + "x"},
    ):
        changed = copy.copy(entry)
        for field, value in change.items():
            setattr(changed, field, value)
        assert sums_pack.lookup(changed) is None, change


def test_a_broken_pack_file_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sums_pack, "PACK_DIR", tmp_path)
    monkeypatch.setattr(sums_pack, "_loaded", {})
    sums_pack.pack_path("clms_geotiff").write_bytes(b"not an npz")
    assert sums_pack.fresh_pack("clms_geotiff") is None


def test_a_family_fingerprint_covers_what_its_writer_imports() -> None:
    here = sums_pack.HERE
    closure = {
        p.relative_to(here).as_posix()
        for p in sums_pack.emulator_closure(here / "products/sentinel1.py")
    }
    assert {"products/sentinel1.py", "products/_s1_common.py", "products/_raster.py"} <= closure
    assert "products/sentinel2.py" not in closure
    assert "products/__init__.py" not in closure


def test_unknown_family_is_named() -> None:
    with pytest.raises(ValueError, match="sentinel9"):
        sums_pack.build_packs(["sentinel9"])


def test_writers_import_only_writers_and_the_scene():
    """A writer's fingerprint covers the modules it imports: a writer importing the records or
    the catalogue would make its shipped pack stale at every change to them."""
    import sys
    from pathlib import Path

    from cdse_intake.emulator.products import BUILDERS
    from cdse_intake.emulator.sums_pack import HERE, emulator_closure

    outside = {}
    for family, builder in BUILDERS.items():
        start = Path(sys.modules[builder.build.__module__].__file__ or "").resolve()
        names = {str(p.relative_to(HERE)) for p in emulator_closure(start)}
        wrong = sorted(n for n in names if not n.startswith(("products/", "scene/")))
        if wrong:
            outside[family] = wrong
    assert outside == {}


@pytest.mark.parametrize("family", ["sentinel1_grd", "sentinel3_olci_efr", "sentinel2_l2a"])
def test_stac_items_of_never_built_products_come_from_the_pack(
    family: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A STAC page lists every file's size and checksum without building a product (the
    budget: a 1000-item page in 0.5 s); what it lists is what the built product holds."""
    from cdse_intake.emulator import payloads
    from cdse_intake.emulator.server import ServiceURLs
    from cdse_intake.emulator.stac.collections import SPECS, collection_id
    from cdse_intake.emulator.stac.common import multihash_md5
    from cdse_intake.emulator.stac.items import ItemFactory

    if sums_pack.fresh_pack(family) is None:
        pytest.skip(f"{family}: no fresh pack")
    catalogue = build_catalogue(sums_pack.DEFAULT_SEED, sums_pack.DEFAULT_SCALE, deliver="all")
    entries = [e for e in catalogue.entries if e.family == family and deliverable(e)]
    entry = copy.copy(random.Random(7).choice(entries))  # its own Derived slots: never built
    urls = ServiceURLs(*(f"http://127.0.0.1:{i}" for i in range(1, 6)))

    def no_build(*args: object) -> None:
        raise AssertionError("a listing built a product")

    with monkeypatch.context() as patched:
        patched.setattr(payloads.STORE, "payload", no_build)
        patched.setattr(payloads.SUMS, "get_files", lambda *a: None)
        item = ItemFactory(urls).item(entry, SPECS[collection_id(entry)])
    listed = {
        a["file:local_path"].split("/", 1)[1]: (a["file:size"], a["file:checksum"])
        for a in item["assets"].values()
        if "file:checksum" in a and "/" in a["file:local_path"]
    }
    files = BUILDERS[family](entry)
    rows = {rel: (size, multihash_md5(md5)) for rel, size, md5 in sums_pack.file_rows(files)}
    assert listed and listed.items() <= rows.items()
    assert len(listed) >= len(rows) - 1  # every file (SEN3 manifests carry no checksum)
