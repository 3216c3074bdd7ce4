"""Generated catalogues kept on disk: read back equal, keyed by what generates them, never trusted
when damaged, and nothing kept when the cache is off."""

from __future__ import annotations

import pytest

from cdse_intake.emulator import catalogue_disk
from cdse_intake.emulator.catalogue import FAULT_SHARES, _cached_catalogue, build_catalogue
from cdse_intake.emulator.payloads import LAZY

ARGS = dict(seed=7, scale=0.02)


def _records(catalogue):
    return [
        (e.id, e.name, e.footprint, e.attributes, e.online, e.extra, e.__dict__.get("_md5", LAZY))
        for e in catalogue
    ]


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("CDSE_EMULATOR_CACHE", str(tmp_path))
    monkeypatch.delenv("CDSE_EMULATOR_CACHE_KEEP", raising=False)  # the suite's: keep all
    monkeypatch.setattr(catalogue_disk, "MIN_RECORDS", 0)
    _cached_catalogue.cache_clear()
    yield tmp_path
    _cached_catalogue.cache_clear()


def test_a_kept_catalogue_reads_back_equal_and_lazy(folder):
    generated = build_catalogue(**ARGS)
    (kept,) = folder.glob("catalogue-*.pickle")
    assert kept.stat().st_mode & 0o077 == 0, "a pickle others could read or replace"
    _cached_catalogue.cache_clear()
    read = build_catalogue(**ARGS)
    assert read is not generated
    assert _records(read) == _records(generated)
    entry = next(e for e in read if e.family == "clms_geotiff" and e.online)
    assert entry.__dict__.get("_md5", LAZY) is LAZY  # still computed from the bytes
    assert len(entry.md5) == 32


def test_other_arguments_or_code_are_other_files(folder, monkeypatch):
    build_catalogue(**ARGS)
    build_catalogue(seed=8, scale=0.02)
    assert len(list(folder.glob("catalogue-*.pickle"))) == 2
    assert catalogue_disk.load((7, 0.02, True, "showcase", _SHARES)) is not None
    monkeypatch.setattr(catalogue_disk, "code_key", lambda: "changed code")
    assert catalogue_disk.load((7, 0.02, True, "showcase", _SHARES)) is None


def test_a_damaged_file_is_generated_again(folder):
    generated = build_catalogue(**ARGS)
    (kept,) = folder.glob("catalogue-*.pickle")
    kept.write_bytes(kept.read_bytes()[:1000])
    _cached_catalogue.cache_clear()
    assert _records(build_catalogue(**ARGS)) == _records(generated)
    assert kept.stat().st_size > 1000  # written again, whole


def test_only_the_last_few_are_kept(folder):
    for seed in range(catalogue_disk.KEEP + 2):
        build_catalogue(seed=seed, scale=0.01)
    assert len(list(folder.glob("catalogue-*.pickle"))) == catalogue_disk.KEEP


def test_the_number_kept_can_be_set(folder, monkeypatch):
    monkeypatch.setenv("CDSE_EMULATOR_CACHE_KEEP", "2")
    for seed in range(4):
        build_catalogue(seed=seed, scale=0.01)
    assert len(list(folder.glob("catalogue-*.pickle"))) == 2
    for bad in ("0", "-1", "many"):
        monkeypatch.setenv("CDSE_EMULATOR_CACHE_KEEP", bad)
        with pytest.raises(ValueError, match=f"CDSE_EMULATOR_CACHE_KEEP='{bad}'.*1 or more"):
            catalogue_disk.keep()


def test_nothing_is_kept_when_the_cache_is_off(tmp_path, monkeypatch):
    monkeypatch.setenv("CDSE_EMULATOR_CACHE", "off")
    monkeypatch.setattr(catalogue_disk, "MIN_RECORDS", 0)
    _cached_catalogue.cache_clear()
    try:
        build_catalogue(**ARGS)
    finally:
        _cached_catalogue.cache_clear()
    assert not list(tmp_path.iterdir())


def test_a_file_others_can_write_is_not_read(folder):
    build_catalogue(**ARGS)
    (kept,) = folder.glob("catalogue-*.pickle")
    assert catalogue_disk.load((7, 0.02, True, "showcase", _SHARES)) is not None
    kept.chmod(0o666)
    assert catalogue_disk.load((7, 0.02, True, "showcase", _SHARES)) is None


_SHARES = tuple(FAULT_SHARES.items())


def test_a_second_process_waits_for_the_generation_under_way_then_loads_it(folder, monkeypatch):
    """Two processes starting together (xdist's workers, kernels opened at once): the second
    waits on the first's lock and reads its file instead of generating the records again."""
    import threading

    from cdse_intake.emulator import catalogue

    arguments = (7, 0.02, True, "showcase", tuple(FAULT_SHARES.items()))
    real = catalogue._generate
    generated = []
    monkeypatch.setattr(catalogue, "_generate", lambda *a: generated.append(a) or real(*a))
    held, release, found = threading.Event(), threading.Event(), {}

    def first() -> None:  # the other process, generating
        with catalogue_disk.generating(arguments):
            held.set()
            release.wait(30)
            catalogue_disk.save(arguments, real(*arguments))

    other = threading.Thread(target=first)
    other.start()
    assert held.wait(30)
    second = threading.Thread(target=lambda: found.update(c=_cached_catalogue(*arguments)))
    second.start()
    second.join(0.5)
    assert second.is_alive()  # waiting for the first, not generating alongside
    release.set()
    other.join(30)
    second.join(60)
    assert generated == []  # read back, not generated
    assert _records(found["c"]) == _records(real(*arguments))
