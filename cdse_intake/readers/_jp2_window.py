"""A window of a remote JPEG 2000 in as few range requests as its tiles allow.

GDAL's JPEG 2000 driver (OpenJPEG) decodes a window tile by tile and finds each tile by walking
the tile-part headers from the first one: through a remote file that is one request per hop,
and fsspec's read-ahead makes each hop a block. Here the window is planned first: the file's
tile-part index (:mod:`._jp2_index`: built once, kept in ``<cache>/indexes/jp2/`` for every
later process, and in memory), the tile-parts the window meets, read in merged ranges (the
tiles of one row are contiguous) concurrently. GDAL then reads through an :class:`Overlay`
(:mod:`._remote_files` lends it with the file): the prefetched tile-parts, plus the 12 bytes of
every other tile-part's SOT header, known from the index, so that OpenJPEG's hops cost nothing.
A read the overlay cannot answer goes to the network as before: a surprise costs a request,
never a wrong byte.
"""

from __future__ import annotations

import bisect
import collections
import hashlib
import json
import logging
import os
import struct
import threading
from pathlib import Path
from typing import Any

from ._jp2_index import SOT_BYTES, Jp2Index, Jp2IndexError, TilePart, build_index
from ._remote_files import borrow

__all__ = ["Overlay", "forget_indexes", "index_of", "is_jp2", "window_overlay"]

log = logging.getLogger("cdse_intake.readers")

#: Indexes kept in memory per process.
KEEP = 256
#: Tile-parts further apart than this are read in separate requests.
MAX_GAP = 2**15
#: A window whose tile-parts are bigger than this is read as before (GDAL's own reads).
MAX_PREFETCH = 2**28
#: Bytes of recently read tile-parts kept per process (a cube computed twice reads them once).
KEEP_BYTES = 2**26
#: An index file bigger than this is not read (one has ~40 bytes per tile-part).
MAX_INDEX_FILE = 2**24

_lock = threading.Lock()
_kept: collections.OrderedDict[str, Jp2Index] = collections.OrderedDict()
_building: dict[str, threading.Lock] = {}
_recent: collections.OrderedDict[tuple[str, int, int], bytes] = collections.OrderedDict()
_recent_bytes = 0
#: Files whose index could not be built, and why (not walked again in this process).
_refused: collections.OrderedDict[str, Jp2IndexError] = collections.OrderedDict()


def is_jp2(path: str) -> bool:
    """Whether ``path`` names a JPEG 2000 file."""
    return path.lower().endswith((".jp2", ".j2k", ".jpx", ".j2c"))


def forget_indexes() -> None:
    """Drop the indexes and tile-parts kept in memory (indexes on disk stay)."""
    global _recent_bytes
    with _lock:
        _kept.clear()
        _refused.clear()
        _recent.clear()
        _recent_bytes = 0


def index_of(fs: Any, path: str) -> Jp2Index:
    """The tile-part index of ``path``: from memory, else the cache folder, else built (the main
    header through the kept file, then one small request per tile-part without TLM)."""
    with borrow(fs, path) as f:
        return _index(fs, path, f, _key(fs, path, int(f.size)))


def _index(fs: Any, path: str, f: Any, key: str) -> Jp2Index:
    with _lock:
        found, refused = _kept.get(key), _refused.get(key)
        building = _building.setdefault(key, threading.Lock())
    if refused is not None:
        raise refused
    if found is not None:
        return found
    with building:  # one build per file and process; the others wait for it
        with _lock:
            found, refused = _kept.get(key), _refused.get(key)
        if refused is not None:
            raise refused
        try:
            found = found or _load(fs, key, int(f.size)) or _build(fs, path, f, key, int(f.size))
        except Jp2IndexError as err:
            with _lock:
                _refused[key] = err
                while len(_refused) > KEEP:
                    _refused.popitem(last=False)
            raise
    with _lock:
        _kept[key] = found
        _kept.move_to_end(key)
        while len(_kept) > KEEP:
            _kept.popitem(last=False)
        _building.pop(key, None)
    return found


def window_overlay(
    fs: Any, path: str, rows: tuple[int, int], cols: tuple[int, int], level: int = 0
) -> Overlay | None:
    """The bytes GDAL needs to read pixels ``rows`` x ``cols`` (half-open) of ``path``: the
    tile-parts of the tiles the window meets, those not in memory already (the kept file's head,
    the tile-parts of recent windows) fetched in merged ranges, concurrently. None when the
    window is too big to hold (GDAL then reads as usual)."""
    with borrow(fs, path) as f:
        key = _key(fs, path, int(f.size))
        index = _index(fs, path, f, key)
        head = len(getattr(getattr(f, "cache", None), "head", b"") or b"")
    tiles = index.tiles_for(rows[0], cols[0], rows[1] - rows[0], cols[1] - cols[0], level)
    parts = index.parts_of(tiles)
    if sum(p.length for p in parts) > MAX_PREFETCH:
        return None
    _, end = index.codestream
    # each span also takes the next SOT (or EOC) header: OpenJPEG reads it after a tile
    spans = [(p.offset, min(end, p.offset + p.length + SOT_BYTES)) for p in parts]
    ranges: list[tuple[int, bytes]] = []
    missing = []
    for span in spans:
        if span[1] <= head:
            continue  # the kept file answers
        with _lock:
            data = _recent.get((key, *span))
            if data is not None:
                _recent.move_to_end((key, *span))
        if data is None:
            missing.append(span)
        else:
            ranges.append((span[0], data))
    for span, data in _fetch(fs, path, missing):
        _remember((key, *span), data)
        ranges.append((span[0], data))
    return Overlay(index, sorted(ranges, key=lambda r: r[0]))


def _fetch(fs: Any, path: str, spans: list[tuple[int, int]]) -> list[tuple[Any, bytes]]:
    """The bytes of ``spans``, read in merged ranges, concurrently."""
    from fsspec.utils import merge_offset_ranges

    if not spans:
        return []
    _, starts, ends = merge_offset_ranges(
        [path] * len(spans), [a for a, _ in spans], [b for _, b in spans], max_gap=MAX_GAP
    )
    datas = fs.cat_ranges([path] * len(starts), starts, ends, on_error="raise")
    out = []
    for start, stop, data in zip(starts, ends, datas, strict=True):
        if len(data) != stop - start:
            raise OSError(f"{path}: {len(data)} bytes at {start} where {stop - start} were asked")
        out += [((a, b), data[a - start : b - start]) for a, b in spans if start <= a < stop]
    return out


def _remember(key: tuple[str, int, int], data: bytes) -> None:
    global _recent_bytes
    with _lock:
        if key not in _recent:
            _recent[key] = data
            _recent_bytes += len(data)
        while _recent_bytes > KEEP_BYTES and _recent:
            _recent_bytes -= len(_recent.popitem(last=False)[1])


class Overlay:
    """Answers reads of one file from prefetched ranges and the index's SOT headers."""

    def __init__(self, index: Jp2Index, ranges: list[tuple[int, bytes]]) -> None:
        self.starts = [start for start, _ in ranges]
        self.datas = [data for _, data in ranges]
        self.sots = {p.offset: _sot_bytes(p) for p in index.parts if p.tpsot >= 0}
        last = index.parts[-1].offset + index.parts[-1].length if index.parts else 0
        if last + 2 <= index.codestream[1]:  # the EOC build_index found there
            self.sots[last] = b"\xff\xd9"
        self.served = 0
        """Bytes answered so far (tests and benchmarks read it)."""

    def read_at(self, pos: int, size: int) -> bytes:
        """What is known from ``pos`` on, at most ``size`` bytes (possibly fewer: OpenJPEG reads
        again for the rest); ``b""`` when nothing is."""
        out: list[bytes] = []
        while size > 0:
            chunk = self._prefetched(pos, size) or self._sot(pos, size)
            if not chunk:
                break
            out.append(chunk)
            pos += len(chunk)
            size -= len(chunk)
        data = b"".join(out)
        self.served += len(data)
        return data

    def _prefetched(self, pos: int, size: int) -> bytes:
        i = bisect.bisect_right(self.starts, pos) - 1
        if i < 0:
            return b""
        at = pos - self.starts[i]
        return self.datas[i][at : at + size]

    def _sot(self, pos: int, size: int) -> bytes:
        return self.sots.get(pos, b"")[:size]


def _sot_bytes(p: TilePart) -> bytes:
    return struct.pack(">HHHIBB", 0xFF90, 10, p.tile, p.psot, p.tpsot, p.tnsot)


# -- the index on disk -----------------------------------------------------------------------------


def _key(fs: Any, path: str, size: int) -> str:
    """The file's identity: its service, path (the product's name and the member) and size (a
    product's files never change on CDSE: a reprocessing is a new product)."""
    service = getattr(getattr(fs, "endpoints", None), "download", type(fs).__qualname__)
    return hashlib.sha256(f"{service}\n{path}\n{size}".encode()).hexdigest()


def _folder(fs: Any) -> Path | None:
    cache = getattr(getattr(fs, "settings", None), "cache_dir", None)
    return Path(cache) / "indexes" / "jp2" if cache else None


def _load(fs: Any, key: str, size: int) -> Jp2Index | None:
    folder = _folder(fs)
    if folder is None:
        return None
    path = folder / f"{key}.json"
    try:
        with open(path, "rb") as f:
            text = f.read(MAX_INDEX_FILE + 1)
        if len(text) > MAX_INDEX_FILE:
            raise Jp2IndexError(f"over {MAX_INDEX_FILE} bytes")
        index = Jp2Index.from_json(json.loads(text))
        if index.size != size:
            raise Jp2IndexError(f"made for {index.size} bytes, the file has {size}")
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as err:  # damaged: rebuilt, and rewritten
        log.warning("JPEG 2000 index %s is unusable (%s): building it again", path, err)
        return None
    return index


def _build(fs: Any, path: str, f: Any, key: str, size: int) -> Jp2Index:
    def read(offset: int, length: int) -> bytes:
        if offset == 0:  # the first block: the kept file has it (GDAL reads it at open)
            f.seek(0)
            return f.read(length)
        return fs.cat_file(path, start=offset, end=offset + length)

    index, requests = build_index(read, size)
    log.info("%s: JPEG 2000 tile index built, %d requests", path, requests)
    folder = _folder(fs)
    if folder is not None:
        try:
            _save(folder / f"{key}.json", index)
        except OSError as err:  # a read-only cache: the index lives in memory only
            log.info("JPEG 2000 index of %s not kept on disk: %s", path, err)
    return index


def _save(path: Path, index: Jp2Index) -> None:
    from fsspec.utils import atomic_write

    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(str(path), mode="w") as f:
        json.dump(index.to_json(), f, separators=(",", ":"))


def _after_fork() -> None:  # a lock another thread held at the fork would never be released
    global _lock, _building
    _lock, _building = threading.Lock(), {}


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)
