"""``find`` over a product's folders lists a level's folders together (cdse_intake.fs.walk)."""

from __future__ import annotations

import asyncio

import pytest

from cdse_intake.fs import walk

#: A product: folders map to their children (a name ending in "/" is a folder).
TREE = {
    "P.SAFE": ["P.SAFE/GRANULE/", "P.SAFE/manifest.safe", "P.SAFE/DATASTRIP/"],
    "P.SAFE/GRANULE": ["P.SAFE/GRANULE/G1/"],
    "P.SAFE/GRANULE/G1": ["P.SAFE/GRANULE/G1/IMG_DATA/", "P.SAFE/GRANULE/G1/MTD_TL.xml"],
    "P.SAFE/GRANULE/G1/IMG_DATA": ["P.SAFE/GRANULE/G1/IMG_DATA/B04.jp2"],
    "P.SAFE/DATASTRIP": ["P.SAFE/DATASTRIP/D1/"],
    "P.SAFE/DATASTRIP/D1": ["P.SAFE/DATASTRIP/D1/MTD_DS.xml"],
}


def _entry(name: str) -> dict:
    folder = name.endswith("/")
    return {
        "name": name.rstrip("/"),
        "size": 0 if folder else 7,
        "type": "directory" * folder or "file",
    }


class Lister:
    """``ls`` of TREE that records how many listings ran at once."""

    def __init__(self, tree: dict[str, list[str]], delay: float = 0.01) -> None:
        self.tree, self.delay = tree, delay
        self.running = self.peak = self.calls = 0

    async def __call__(self, path: str) -> list[dict]:
        self.calls += 1
        self.running += 1
        self.peak = max(self.peak, self.running)
        await asyncio.sleep(self.delay)
        self.running -= 1
        if path in self.tree:
            return [_entry(n) for n in self.tree[path]]
        if any(path in (n.rstrip("/") for n in names) for names in self.tree.values()):
            return [_entry(path)]  # a file lists itself
        raise FileNotFoundError(path)


def _find(ls: Lister, path: str, **kw) -> list[str] | dict:
    return asyncio.run(walk.find(ls, path, **kw))


def test_find_lists_every_file_a_level_at_a_time():
    ls = Lister(TREE)
    assert _find(ls, "P.SAFE") == [
        "P.SAFE/DATASTRIP/D1/MTD_DS.xml",
        "P.SAFE/GRANULE/G1/IMG_DATA/B04.jp2",
        "P.SAFE/GRANULE/G1/MTD_TL.xml",
        "P.SAFE/manifest.safe",
    ]
    assert ls.calls == len(TREE)
    assert ls.peak == 2  # GRANULE and DATASTRIP together, then G1 and D1 together


def test_find_options_are_fsspecs():
    ls = Lister(TREE)
    assert _find(ls, "P.SAFE", maxdepth=1) == ["P.SAFE/manifest.safe"]
    with_dirs = _find(Lister(TREE), "P.SAFE", withdirs=True, maxdepth=2)
    assert with_dirs == [
        "P.SAFE",
        "P.SAFE/DATASTRIP",
        "P.SAFE/DATASTRIP/D1",
        "P.SAFE/GRANULE",
        "P.SAFE/GRANULE/G1",
        "P.SAFE/manifest.safe",
    ]
    detail = _find(Lister(TREE), "P.SAFE/GRANULE/G1/MTD_TL.xml", detail=True)
    assert detail == {"P.SAFE/GRANULE/G1/MTD_TL.xml": _entry("P.SAFE/GRANULE/G1/MTD_TL.xml")}
    with pytest.raises(ValueError, match="maxdepth=0"):
        _find(Lister(TREE), "P.SAFE", maxdepth=0)
    with pytest.raises(FileNotFoundError):
        _find(Lister(TREE), "Q.SAFE")


def test_a_hostile_listing_cannot_make_the_walk_endless(monkeypatch):
    class Endless(Lister):
        async def __call__(self, path: str) -> list[dict]:
            self.calls += 1
            return [_entry(f"{path}/a/"), _entry(f"{path}/b/"), _entry(f"{path}/")]  # and itself

    monkeypatch.setattr(walk, "MAX_FOLDERS", 200)
    ls = Endless({})
    with pytest.raises(OSError, match="over 200 folders"):
        _find(ls, "P.SAFE")
    assert ls.calls <= 200


def test_the_product_filesystem_finds_with_the_walk(cdse_emulator):
    from cdse_intake import CDSEFileSystem

    entry = next(e for e in cdse_emulator.catalogue.materialised if e.family == "sentinel2_l2a")
    fs = CDSEFileSystem(
        credentials=(cdse_emulator.username, cdse_emulator.password),
        endpoints=cdse_emulator.endpoints,
        skip_instance_cache=True,
    )
    cdse_emulator.state.reset_counters()
    found = fs.find(entry.name)
    members = sorted(f"{entry.name}/{rel}" for rel in entry.payload.files)
    assert found == members
    listings = [r for r in cdse_emulator.state.requests() if r.path.endswith("/Nodes")]
    folders = {f.rsplit("/", i)[0] for f in found for i in range(1, f.count("/") + 1)}
    assert len(listings) == len(folders) + 1  # each folder once, and the product's top node
