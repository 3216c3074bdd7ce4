"""The JPEG 2000 tile-part index and remote windows read from it: the parser on files GDAL's
JP2OpenJPEG driver writes (TLM or not, several tile-parts per tile), hostile files refused
clearly, and remote windows through the emulator equal to a full local read, in merged range
requests, with the index kept on disk for the next process."""

from __future__ import annotations

import json
import struct
import urllib.parse
from pathlib import Path

import numpy as np
import pytest

from cdse_intake.readers import _jp2_window, raster
from cdse_intake.readers._jp2_index import Jp2Index, Jp2IndexError, build_index
from cdse_intake.readers._remote_files import REMOTE_BLOCK, forget

rasterio = pytest.importorskip("rasterio")

WIDTH, HEIGHT, BLOCK = 700, 600, 256


@pytest.fixture(autouse=True)
def _no_index_in_memory():
    """Each test starts as a new process would: indexes only on disk (its own cache)."""
    _jp2_window.forget_indexes()
    yield
    _jp2_window.forget_indexes()


def _pixels() -> np.ndarray:
    rows, cols = np.mgrid[0:HEIGHT, 0:WIDTH]
    noise = np.random.default_rng(1).integers(0, 64, (HEIGHT, WIDTH))
    return ((rows * 7 + cols * 3) % 3000 + noise).astype(np.uint16)


def _write(path: Path, **options: str) -> bytes:
    with rasterio.open(
        path, "w", driver="JP2OpenJPEG", width=WIDTH, height=HEIGHT, count=1, dtype="uint16",
        crs="EPSG:32631", transform=rasterio.transform.from_origin(300000, 5000000, 10, 10),
        QUALITY=100, REVERSIBLE="YES", blockxsize=BLOCK, blockysize=BLOCK, **options,
    ) as dst:  # fmt: skip
        dst.write(_pixels()[None])
    return path.read_bytes()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Files as GDAL writes them: plain (as ESA's: no TLM), with TLM, several tile-parts per
    tile (by resolution) with and without TLM."""
    folder = tmp_path_factory.mktemp("jp2")
    return {
        "plain": _write(folder / "plain.jp2", TLM="NO"),
        "tlm": _write(folder / "tlm.jp2", TLM="YES"),
        "parts": _write(folder / "parts.jp2", TLM="NO", TILEPARTS="RESOLUTIONS"),
        "parts_tlm": _write(folder / "parts_tlm.jp2", TLM="YES", TILEPARTS="RESOLUTIONS"),
    }


def _index(data: bytes) -> tuple[Jp2Index, int]:
    return build_index(lambda offset, length: data[offset : offset + length], len(data))


@pytest.mark.parametrize("kind", ["plain", "tlm", "parts", "parts_tlm"])
def test_index_agrees_with_the_codestream_and_gdal(files, kind):
    data = files[kind]
    index, reads = _index(data)
    assert index.tlm == kind.endswith("tlm")
    assert index.grid == (3, 3) and index.tiling[:2] == (BLOCK, BLOCK)
    assert index.image[:2] == (WIDTH, HEIGHT)
    # every part starts with its own SOT, parts follow each other, the last ends at EOC
    pos = index.header_end
    for part in index.parts:
        marker, _, tile, psot = struct.unpack(">HHHI", data[part.offset : part.offset + 10])
        assert (marker, tile, part.offset) == (0xFF90, part.tile, pos)
        assert psot in (part.length, 0)
        # the SOT header the overlay gives in its place (TLM: rank and count, as GDAL writes)
        assert _jp2_window._sot_bytes(part) == data[part.offset : part.offset + 12]
        pos += part.length
    assert data[pos : pos + 2] == b"\xff\xd9"
    per_tile = [len(index.parts_of([t])) for t in range(9)]
    assert min(per_tile) >= (2 if "parts" in kind else 1)
    if "parts" not in kind:
        assert per_tile == [1] * 9
    # TLM: no walk at all; without: one read per tile-part outside the first block; and the
    # EOC where the parts end checked
    last = index.parts[-1].offset + index.parts[-1].length
    walk = 0 if index.tlm else sum(p.offset + 12 > 2**16 for p in index.parts)
    assert reads == walk + (last + 2 > 2**16)
    # the tiles of each of GDAL's blocks are that block alone
    with rasterio.MemoryFile(data) as mem, mem.open() as ds:
        assert ds.block_shapes[0] == (BLOCK, BLOCK)
        for (row, col), w in ds.block_windows(1):
            found = index.tiles_for(w.row_off, w.col_off, w.height, w.width)
            assert found == [row * 3 + col]
    assert Jp2Index.from_json(json.loads(json.dumps(index.to_json()))) == index


def test_tlm_and_walk_find_the_same_tiles(files):
    walked, _ = _index(files["parts"])
    listed, _ = _index(files["parts_tlm"])
    shift = listed.header_end - walked.header_end  # the TLM markers' bytes

    def layout(index: Jp2Index, shift: int) -> list[tuple[int, int, int]]:
        return [(p.tile, p.offset - shift, p.length) for p in index.parts]

    assert layout(walked, 0) == layout(listed, shift)


def test_tiles_for_with_offsets_and_levels():
    # image from (100, 50) on the reference grid, tiles of 256 from (0, 0): the first tile
    # column holds 156 image columns, the first tile row 206 rows
    index = Jp2Index(
        size=100, codestream=(0, 90), header_end=10, image=(700, 600, 100, 50),
        tiling=(256, 256, 0, 0), levels=2, tlm=True,
        parts=(),
    )  # fmt: skip
    assert index.grid == (3, 3)
    assert index.tiles_for(0, 0, 1, 156) == [0]
    assert index.tiles_for(0, 155, 1, 2) == [0, 1]
    assert index.tiles_for(205, 0, 2, 1) == [0, 3]
    assert index.tiles_for(0, 0, 550, 600) == list(range(9))
    # level 1: the image is 300 x 275 from (50, 25); tile edges at 128 and 256 on that grid
    assert index.tiles_for(0, 77, 1, 1, level=1) == [0]
    assert index.tiles_for(0, 78, 1, 1, level=1) == [1]
    assert index.tiles_for(102, 0, 1, 1, level=1) == [0]
    assert index.tiles_for(103, 0, 1, 1, level=1) == [3]
    assert index.tiles_for(0, 0, 275, 300, level=1) == list(range(9))
    with pytest.raises(ValueError, match="rows 0-275 are outside 0-274"):
        index.tiles_for(0, 0, 276, 1, level=1)
    with pytest.raises(ValueError, match="columns 0-700"):
        index.tiles_for(0, 0, 1, 701)
    with pytest.raises(ValueError, match="level 3"):
        index.tiles_for(0, 0, 1, 1, level=3)


def _patched(data: bytes, offset: int, value: bytes) -> bytes:
    return data[:offset] + value + data[offset + len(value) :]


def test_hostile_files_are_refused_by_name(files):
    data = files["plain"]
    index, _ = _index(data)
    second = index.parts[1].offset
    cases = {
        # a tile-part that claims 5 bytes would make a walk stand still
        "psot 5": (_patched(data, second + 6, struct.pack(">I", 5)), "length 5"),
        "psot huge": (_patched(data, second + 6, struct.pack(">I", 2**31)), "length 2147483648"),
        "tile 70": (_patched(data, second + 4, struct.pack(">H", 70)), "tile 70 of 9"),
        "truncated": (data[: index.parts[4].offset + 100], "outside|SOT at byte"),
        "not jp2": (b"II*\x00" + bytes(100), "not a JPEG 2000"),
        "box": (_patched(data, 12, struct.pack(">I", 2**31)), "box .* length 2147483648"),
    }
    for name, (bad, message) in cases.items():
        reads = []

        def read(offset: int, length: int, bad: bytes = bad, reads: list = reads) -> bytes:
            reads.append(length)
            return bad[offset : offset + length]

        with pytest.raises(Jp2IndexError, match=message):
            build_index(read, len(bad))
        assert len(reads) <= len(index.parts) + 2, name  # bounded, whatever the file says
        assert sum(reads) <= 2**17, name
    with pytest.raises(Jp2IndexError, match="not a JPEG 2000 tile index"):
        Jp2Index.from_json({"format": 1, "size": 3})
    damaged = index.to_json()
    damaged["parts"][3][1] += 1  # overlaps the next part
    with pytest.raises(Jp2IndexError, match="overlaps"):
        Jp2Index.from_json(damaged)
    assert isinstance(Jp2IndexError("x"), ValueError)


def test_bad_tlm_is_refused(files):
    data = files["tlm"]
    at = data.index(b"\xff\x55")  # TLM: marker, Ltlm, Ztlm, Stlm
    with pytest.raises(Jp2IndexError, match="Stlm"):
        _index(_patched(data, at + 5, bytes([0x30])))


# -- remote windows through the emulator ---------------------------------------------------------


@pytest.fixture
def band(entries, local_source):
    """An S2 L2A B04 band of the emulator's, and its pixels read whole from a local copy."""
    entry = entries("sentinel2_l2a")[0]
    (rel,) = [r for r in entry.payload.files if r.endswith("_B04_10m.jp2")]
    with rasterio.MemoryFile(bytes(entry.payload.files[rel])) as mem, mem.open() as ds:
        full = ds.read(1)
    local = raster.open_raster(local_source(entry), rel, chunks=None)
    assert np.array_equal(local[0].values, full)
    return entry, rel, full


def _union(spans: list[tuple[int, int]]) -> int:
    """Bytes covered by ``spans`` (a tile-part's span and the next one's share its SOT)."""
    covered, reach = 0, 0
    for a, b in sorted(spans):
        covered += max(0, b - max(a, reach))
        reach = max(reach, b)
    return covered


#: The account of this module's reads: the session emulator also serves other tests' stragglers
#: (a background read of the same product another test left running), which must not count here.
USER, PASSWORD = "jp2-window-reader", "jp2-window-secret"


def _value_requests(emu, rel: str) -> list:
    """The emulator's byte requests of the member ``rel`` made by this module's account."""
    name = rel.rsplit("/", 1)[-1]
    return [
        r
        for r in emu.state.requests()
        if r.path.endswith("/$value") and r.user == USER and name in urllib.parse.unquote(r.path)
    ]


def _remote(emu, entry, cache: Path):
    """A source reading ``entry`` from the emulator as this module's account, its cache in
    ``cache`` (explicitly: copies of the filesystem, as xarray makes, carry it)."""
    from cdse_intake.fs import CDSEFileSystem
    from cdse_intake.readers.source import from_remote

    emu.add_account(USER, PASSWORD)
    fs = CDSEFileSystem(
        "https",
        credentials=(USER, PASSWORD),
        endpoints=emu.endpoints,
        settings={"cache_dir": str(cache)},
        skip_instance_cache=True,
    )
    return from_remote(fs, fs.product(entry.name))


def test_remote_windows_equal_a_full_read(band, cdse_emulator, tmp_path):
    entry, rel, full = band
    source = _remote(cdse_emulator, entry, tmp_path)
    da = raster.open_raster(source, rel, chunks=None)
    info = raster.raster_info(source, rel)
    height, width = full.shape
    index = _jp2_window.index_of(source.fs, source.path(rel))
    assert index.grid == (-(-width // info.block[1]), -(-height // info.block[0]))
    windows = [
        (0, 5, 0, 5),  # one tile
        (info.block[0] - 10, info.block[0] + 10, 3, width - 3),  # two rows of tiles, all across
        (height - 3, height, info.block[1] - 1, info.block[1] + 1),  # last row, two tiles
    ]
    _, end = index.codestream
    for r0, r1, c0, c1 in windows:
        _jp2_window.forget_indexes()  # no tile-part in memory (the index comes from disk)
        cdse_emulator.state.reset_counters()
        values = da[0, r0:r1, c0:c1].values
        assert np.array_equal(values, full[r0:r1, c0:c1]), (r0, r1, c0, c1)
        tiles = index.tiles_for(r0, c0, r1 - r0, c1 - c0)
        # the tile-parts not in the kept first block, each with the next SOT, and nothing else
        spans = [(p.offset, min(end, p.offset + p.length + 12)) for p in index.parts_of(tiles)]
        spans = [(a, b) for a, b in spans if b > REMOTE_BLOCK]
        sent = _value_requests(cdse_emulator, rel)
        assert sum(r.bytes_sent for r in sent) == _union(spans)
        # at most one request per row of tiles (a row's tiles are contiguous)
        rows = {t // index.grid[0] for t in tiles}
        assert len(sent) <= len(rows), [r.range for r in sent]
        # the same window again: from memory
        cdse_emulator.state.reset_counters()
        assert np.array_equal(da[0, r0:r1, c0:c1].values, values)
        assert _value_requests(cdse_emulator, rel) == []
    assert any(b > REMOTE_BLOCK for a, b in spans)  # the last window's needed a request
    # dask chunks of one tile each: a chunk per tile, the same values
    chunked = raster.open_raster(source, rel)
    assert np.array_equal(chunked[0, 5:-5, 7:-7].values, full[5:-5, 7:-7])


def test_the_index_is_kept_on_disk_for_the_next_process(band, cdse_emulator, tmp_path):
    entry, rel, full = band
    da = raster.open_raster(_remote(cdse_emulator, entry, tmp_path), rel, chunks=None)
    cdse_emulator.state.reset_counters()
    assert np.array_equal(da[0, -4:, -4:].values, full[-4:, -4:])
    walk = [r for r in _value_requests(cdse_emulator, rel) if r.bytes_sent == 12]
    kept = list((tmp_path / "indexes" / "jp2").glob("*.json"))
    assert len(kept) == 1
    index = Jp2Index.from_json(json.loads(kept[0].read_text()))
    # a file of several tiles beyond the first block was walked, one 12-byte read per part
    assert len(walk) == sum(p.offset + 12 > 2**16 for p in index.parts) > 0

    # a new process: no file kept open, no index in memory, a new filesystem
    forget()
    _jp2_window.forget_indexes()
    da = raster.open_raster(_remote(cdse_emulator, entry, tmp_path), rel, chunks=None)
    cdse_emulator.state.reset_counters()
    assert np.array_equal(da[0, 1:9, -9:-1].values, full[1:9, -9:-1])
    assert [r for r in _value_requests(cdse_emulator, rel) if r.bytes_sent <= 12] == []
    assert len(_value_requests(cdse_emulator, rel)) == 1

    # a damaged index file: built again, values still right
    kept[0].write_text('{"format": 1, "parts": "x"}')
    forget()
    _jp2_window.forget_indexes()
    da = raster.open_raster(_remote(cdse_emulator, entry, tmp_path), rel, chunks=None)
    assert np.array_equal(da[0, 2:4, 2:4].values, full[2:4, 2:4])
    assert Jp2Index.from_json(json.loads(kept[0].read_text())) == index


class _Counting:
    """A local file that notes every read GDAL makes past the overlay."""

    def __init__(self, path: str, reads: list) -> None:
        self._f = open(path, "rb")  # noqa: SIM115 (closed by close())
        self.size = Path(path).stat().st_size
        self.reads = reads
        self.closed = False

    def read(self, size: int = -1) -> bytes:
        self.reads.append((self._f.tell(), size))
        return self._f.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._f.seek(offset, whence)

    def tell(self) -> int:
        return self._f.tell()

    def close(self) -> None:
        self.closed = True
        self._f.close()


@pytest.mark.parametrize("kind", ["plain", "tlm", "parts", "parts_tlm"])
def test_gdal_reads_a_window_from_the_overlay_alone(files, kind, tmp_path):
    """Offline, every layout: GDAL's reads past the main header all come from the overlay."""
    from fsspec.implementations.local import LocalFileSystem

    from cdse_intake.readers.source import ProductSource

    reads: list[tuple[int, int]] = []

    class CountingFS(LocalFileSystem):
        def _open(self, path, mode="rb", **kwargs):
            return _Counting(path, reads)

        def cat_file(self, path, start=None, end=None, **kwargs):  # the planned reads
            with open(path, "rb") as f:
                f.seek(start or 0)
                return f.read(-1 if end is None else end - (start or 0))

    path = tmp_path / f"{kind}.jp2"
    path.write_bytes(files[kind])
    fs = CountingFS(skip_instance_cache=True)
    source = ProductSource(path.name, fs, str(path), "remote", f"test://{kind}")
    da = raster.open_raster(source, chunks=None)
    index, _ = _index(files[kind])
    pixels = _pixels()
    for r0, r1, c0, c1 in [(0, 3, 0, 3), (250, 270, 240, 520), (590, 600, 0, WIDTH)]:
        reads.clear()
        assert np.array_equal(da[0, r0:r1, c0:c1].values, pixels[r0:r1, c0:c1])
        # (GDAL's box parser also looks for a box after the codestream: at the end, no bytes)
        past = [(at, n) for at, n in reads if index.header_end <= at < index.size]
        assert past == [], past
