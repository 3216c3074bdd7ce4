"""The shipped sums packs (emulator/sums_pack.py): fresh for the locked libraries, true to the
bytes, and ignored when stale."""

from __future__ import annotations

import copy
import dataclasses
import random
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from cdse_intake.emulator import payloads, sums_pack
from cdse_intake.emulator.catalogue import build_catalogue
from cdse_intake.emulator.payloads import Payload, deliverable
from cdse_intake.emulator.products import BUILDERS


@pytest.mark.parametrize("family", sorted(BUILDERS))
def test_every_shipped_pack_is_fresh(family: str) -> None:
    """A stale pack is never believed (listings build those products instead), but it must not
    land: a writer change comes with ``make sums``. A family without a pack lists slowly; the
    benchmark ``emulator_budgets.py`` names it."""
    paths = [p for p in sums_pack.pack_paths(family) if p.is_file()]
    if not paths:
        pytest.skip(f"no sums pack shipped for {family} (`make sums` builds it)")
    for path in paths:  # the main pack and every machine variant
        pack = sums_pack.Pack.read(path)
        code, _, libraries = pack.fingerprint.partition(";")
        if libraries != sums_pack.library_versions(family):
            pytest.skip(f"{path.name} built with {libraries}, not the installed libraries")
        assert code == sums_pack.code_fingerprint(family), (
            f"the {family} writer changed since {path.name} was built: run `make sums`"
        )


@pytest.mark.parametrize("family", sorted(BUILDERS))
def test_packed_sums_are_those_of_the_bytes(family: str) -> None:
    if sums_pack.fresh_pack(family) is None:
        pytest.skip(f"{family}: no fresh pack (the test above says why)")
    catalogue = build_catalogue(sums_pack.DEFAULT_SEED, sums_pack.DEFAULT_SCALE, deliver="all")
    entries = sorted(
        (e for e in catalogue.entries if e.family == family and deliverable(e)),
        key=lambda e: e.id,
    )
    samples = random.Random(family).sample(entries, min(3, len(entries)))
    pack = sums_pack.believed_pack(samples[0])
    if pack is None:
        pytest.skip(
            f"{family}: no shipped pack gives this machine's bytes (its floating-point maths "
            "differs): products are built to be listed; `make sums` with --variant ships them"
        )
    assert len(pack) == len(entries)
    for entry in samples:
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


def _true_sums(entry) -> tuple[int, str, str]:
    builder = BUILDERS[entry.family]
    payload = Payload.from_files(entry.name, builder(entry), builder.single_file)
    return payload.size, payload.md5, payload.blake3


def _tiny_pack(fingerprint: str, entry, sums: tuple[int, str, str] | None = None):
    size, md5, blake3 = sums or (123, "ab" * 16, "cd" * 32)
    return sums_pack.Pack(
        family="clms_geotiff",
        fingerprint=fingerprint,
        keys=np.array([sums_pack.record_key(entry)], dtype=np.uint64),
        sizes=np.array([size], dtype=np.uint64),
        md5=np.frombuffer(bytes.fromhex(md5), dtype=np.uint8).reshape(1, 16),
        blake3=np.frombuffer(bytes.fromhex(blake3), dtype=np.uint8).reshape(1, 32),
    )


def _fresh_state(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    monkeypatch.setattr(sums_pack, "PACK_DIR", folder)
    monkeypatch.setattr(sums_pack, "_loaded", {})
    monkeypatch.setattr(sums_pack, "_believed", {})


def test_a_stale_pack_is_never_believed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    entry = _an_entry()
    true = _true_sums(entry)
    _fresh_state(monkeypatch, tmp_path)
    stale = "0000000000000000;" + sums_pack.library_versions()
    _tiny_pack(stale, entry, true).write(sums_pack.pack_path("clms_geotiff"))
    assert sums_pack.fresh_pack("clms_geotiff") is None
    assert sums_pack.lookup(entry) is None

    _fresh_state(monkeypatch, tmp_path)
    fresh = sums_pack.family_fingerprint("clms_geotiff")
    _tiny_pack(fresh, entry, true).write(sums_pack.pack_path("clms_geotiff"))
    assert sums_pack.lookup(entry) == true
    assert not list(tmp_path.glob(".*.part"))


def test_a_pack_of_another_machines_bytes_is_not_believed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fresh code and libraries are not enough: numpy's SIMD maths differ between CPUs in the
    last bit, so a pack is believed only once a product built here has its sums; a variant
    built on this kind of machine is then found beside the main pack."""
    entry = _an_entry()
    true = _true_sums(entry)
    fresh = sums_pack.family_fingerprint("clms_geotiff")
    _fresh_state(monkeypatch, tmp_path)
    _tiny_pack(fresh, entry).write(sums_pack.pack_path("clms_geotiff"))  # another CPU's sums
    assert sums_pack.fresh_pack("clms_geotiff") is not None
    assert sums_pack.lookup(entry) is None
    assert sums_pack.lookup_files(entry) is None

    # a variant of this machine's float profile is believed without building anything
    _fresh_state(monkeypatch, tmp_path)
    here = dataclasses.replace(_tiny_pack(fresh, entry, true), profile=sums_pack.float_profile())
    here.write(sums_pack.pack_path("clms_geotiff", "avx2"))
    assert [p.name for p in sums_pack.pack_paths("clms_geotiff")] == [
        "clms_geotiff.npz",
        "clms_geotiff.avx2.npz",
    ]
    monkeypatch.setattr(payloads.STORE, "payload", _no_build)
    assert sums_pack.lookup(entry) == true

    # a pack of another profile is never believed, even where its sums happen to be right
    _fresh_state(monkeypatch, tmp_path)
    (tmp_path / "clms_geotiff.avx2.npz").unlink()
    other = dataclasses.replace(_tiny_pack(fresh, entry, true), profile="0123456789ab")
    other.write(sums_pack.pack_path("clms_geotiff"))
    assert sums_pack.lookup(entry) is None


def _no_build(*args: object) -> None:
    raise AssertionError("a product was built")


def test_a_changed_record_is_not_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever a writer reads from the record is in its key; delivery state is not."""
    entry = _an_entry()
    true = _true_sums(entry)
    _fresh_state(monkeypatch, tmp_path)
    fresh = sums_pack.family_fingerprint("clms_geotiff")
    _tiny_pack(fresh, entry, true).write(sums_pack.pack_path("clms_geotiff"))
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
    _fresh_state(monkeypatch, tmp_path)
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
    if sums_pack.believed_pack(entries[0]) is None:  # decided on a product built here
        pytest.skip(f"{family}: no shipped pack gives this machine's bytes")
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
