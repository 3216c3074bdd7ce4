"""Where each tile of a JPEG 2000 file is: its tile-part index, from the codestream's headers.

A window of a remote JPEG 2000 needs the main header and the tile-parts of the tiles it meets,
nothing else; finding them is the problem. With TLM markers (a tile-part length index in the main
header) the index is in the header. ESA's Sentinel-2 files have none: a reader hops from SOT
marker to SOT marker (``Psot`` is the length of each tile-part), one small read per tile-part.
:func:`build_index` does either once per file, through a ``read(offset, length)`` callable, and
the :class:`Jp2Index` it returns round-trips through JSON so that later reads skip the walk.

Bounded whatever the file says: at most :data:`MAX_BOXES` boxes, :data:`MAX_HEADER` bytes of
main header and :data:`MAX_PARTS` tile-parts; every length is checked against the file before
it is used and every hop moves forward, so a hostile file ends in :class:`Jp2IndexError` naming
the offset and value, never in a loop or a huge allocation.

Layout (ISO/IEC 15444-1 annex A, I.4): JP2 boxes (``LBox``, ``TBox``, ``XLBox``) up to ``jp2c``;
in it ``SOC``, ``SIZ`` (image and tile grid on the reference grid), ``COD``..., optional ``TLM``
(``Ztlm``, ``Stlm``, then ``Ttlm``/``Ptlm`` pairs), then tile-parts, each starting with ``SOT``
(``Lsot``=10, ``Isot`` tile, ``Psot`` length or 0 for "to the end", ``TPsot`` part, ``TNsot``
parts), and ``EOC``.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from ..errors import UnsupportedProduct

__all__ = ["Jp2Index", "Jp2IndexError", "TilePart", "build_index"]

#: Boxes read before the codestream, at most.
MAX_BOXES = 1024
#: Bytes of main header (SOC to the first SOT), at most.
MAX_HEADER = 16 * 2**20
#: Tile-parts in one file, at most (a 10 m Sentinel-2 band has 121 tiles).
MAX_PARTS = 2**18
#: Bytes read at once while parsing the main header.
HEAD_CHUNK = 2**16
#: Bytes of an SOT marker segment (marker, Lsot, Isot, Psot, TPsot, TNsot).
SOT_BYTES = 12
FORMAT = 1

_SOC, _SIZ, _COD, _TLM, _SOT, _EOC = 0xFF4F, 0xFF51, 0xFF52, 0xFF55, 0xFF90, 0xFFD9


class Jp2IndexError(UnsupportedProduct):
    """The file is not a JPEG 2000 whose tiles can be indexed (damaged, foreign or hostile);
    a ``ValueError`` too."""


class TilePart(NamedTuple):
    """One tile-part: where it is and its SOT fields (from TLM markers, which give tiles and
    lengths only: ``tpsot`` its rank in its tile, ``tnsot`` its tile's count of parts, the
    values SOT holds, or the truth where a file writes 0 for "not said")."""

    tile: int
    offset: int
    length: int
    psot: int
    tpsot: int
    tnsot: int


@dataclass(frozen=True)
class Jp2Index:
    """The tile-parts of one JPEG 2000 file (JP2 or bare codestream) and its tile grid."""

    size: int
    """Bytes of the file."""
    codestream: tuple[int, int]
    """``(start, end)`` of the codestream in the file (``SOC`` to the end of ``jp2c``)."""
    header_end: int
    """Offset of the first SOT: everything before it (boxes, main header) is read at open."""
    image: tuple[int, int, int, int]
    """``Xsiz, Ysiz, XOsiz, YOsiz``: the image on the reference grid."""
    tiling: tuple[int, int, int, int]
    """``XTsiz, YTsiz, XTOsiz, YTOsiz``: tile size and the grid's origin."""
    levels: int
    """Wavelet decomposition levels (COD), i.e. the reduced resolutions available."""
    tlm: bool
    """Whether the index came from TLM markers (no walk)."""
    parts: tuple[TilePart, ...]
    """Every tile-part, in codestream order."""

    @property
    def grid(self) -> tuple[int, int]:
        """Tiles across and down."""
        xsiz, ysiz, _, _ = self.image
        xt, yt, xto, yto = self.tiling
        return -(-(xsiz - xto) // xt), -(-(ysiz - yto) // yt)

    def tiles_for(self, row0: int, col0: int, height: int, width: int, level: int = 0) -> list[int]:
        """Row-major indexes of the tiles a pixel window meets; ``level`` 0 is full
        resolution, ``r`` the image reduced ``2**r`` times (rows/cols at that level)."""
        if not 0 <= level <= self.levels:
            raise ValueError(f"level {level} is outside 0-{self.levels} of this JPEG 2000")
        xsiz, ysiz, xo, yo = self.image
        xt, yt, xto, yto = self.tiling
        across, down = self.grid
        cols = _axis(col0, width, xsiz, xo, xt, xto, across, level, "columns")
        rows = _axis(row0, height, ysiz, yo, yt, yto, down, level, "rows")
        return [r * across + c for r in rows for c in cols]

    def parts_of(self, tiles: Iterable[int]) -> list[TilePart]:
        """The tile-parts of ``tiles``, in file order."""
        wanted = set(tiles)
        return [p for p in self.parts if p.tile in wanted]

    def to_json(self) -> dict[str, Any]:
        """A JSON-able form (see :meth:`from_json`)."""
        return {
            "format": FORMAT,
            "size": self.size,
            "codestream": list(self.codestream),
            "header_end": self.header_end,
            "image": list(self.image),
            "tiling": list(self.tiling),
            "levels": self.levels,
            "tlm": self.tlm,
            "parts": [list(p) for p in self.parts],
        }

    @classmethod
    def from_json(cls, data: Any) -> Jp2Index:
        """The index :meth:`to_json` wrote, checked as a parsed one is (Jp2IndexError else)."""
        try:
            if data["format"] != FORMAT:
                raise Jp2IndexError(f"index format {data['format']!r}, expected {FORMAT}")
            parts = data["parts"]
            if not isinstance(parts, list) or len(parts) > MAX_PARTS:
                raise Jp2IndexError("index parts: not a list of at most MAX_PARTS")
            index = cls(
                size=_int(data["size"]),
                codestream=_ints(data["codestream"], 2),
                header_end=_int(data["header_end"]),
                image=_ints(data["image"], 4),
                tiling=_ints(data["tiling"], 4),
                levels=_int(data["levels"]),
                tlm=bool(data["tlm"]),
                parts=tuple(TilePart(*_ints(p, 6)) for p in parts),
            )
        except (KeyError, TypeError) as err:
            raise Jp2IndexError(f"not a JPEG 2000 tile index: {err!r}") from err
        _check(index)
        return index


def build_index(read: Callable[[int, int], bytes], size: int) -> tuple[Jp2Index, int]:
    """The index of the file of ``size`` bytes that ``read(offset, length)`` reads, and how
    many reads it took beyond the first block (the SOT walk, and the EOC after the last
    tile-part checked; TLM markers that miss a tile-part fail that check)."""
    src = _Source(read, size)
    start, end = _codestream(src)
    header_end, image, tiling, levels, tlm = _main_header(src, start, end)
    if tlm is not None:
        parts = _from_tlm(tlm, header_end, end, image, tiling)
    else:
        parts = _walk(src, header_end, end, _tile_count(image, tiling))
    last = parts[-1].offset + parts[-1].length if parts else header_end
    # an EOC where the parts end (OpenJPEG reads it: the overlay answers it from here on)
    if last != end and (last + 2 > end or src.get(last, 2, "EOC", grow=False) != b"\xff\xd9"):
        raise Jp2IndexError(f"no EOC marker at byte {last}, where the last tile-part ends")
    index = Jp2Index(size, (start, end), header_end, image, tiling, levels, tlm is not None, parts)
    _check(index)
    return index, src.reads


# -- reading -----------------------------------------------------------------------------------


class _Source:
    """``read`` with the file's first bytes kept (boxes and main header come from them)."""

    def __init__(self, read: Callable[[int, int], bytes], size: int) -> None:
        if size < 2:
            raise Jp2IndexError(f"a file of {size} bytes is not JPEG 2000")
        self._read, self.size = read, size
        self.head = b""
        self.reads = -1  # the first block is read anyway (GDAL reads it at open)

    def get(self, offset: int, length: int, what: str, grow: bool = True) -> bytes:
        """``length`` bytes at ``offset``; ``grow``: from the head, extended by whole chunks
        when the bytes lie just past it (boxes, main header), else one read of their own."""
        if offset < 0 or length < 0 or offset + length > self.size:
            raise Jp2IndexError(
                f"{what} at byte {offset} (+{length}) is outside the file of {self.size} bytes"
            )
        end = offset + length
        if grow and len(self.head) < end and offset <= len(self.head) + HEAD_CHUNK <= MAX_HEADER:
            want = min(self.size, max(end, len(self.head) + HEAD_CHUNK))
            self.head += self._fetch(len(self.head), want - len(self.head))
        if end <= len(self.head):
            return self.head[offset:end]
        return self._fetch(offset, length)

    def _fetch(self, offset: int, length: int) -> bytes:
        data = bytes(self._read(offset, length))
        self.reads += 1
        if len(data) != length:
            raise Jp2IndexError(f"read {len(data)} of {length} bytes at byte {offset}")
        return data


def _codestream(src: _Source) -> tuple[int, int]:
    """``(start, end)`` of the codestream: the ``jp2c`` box's content, or the whole file."""
    if src.get(0, 2, "the signature") == b"\xff\x4f":
        return 0, src.size
    if src.get(0, 12, "the signature") != b"\x00\x00\x00\x0cjP  \r\n\x87\n":
        raise Jp2IndexError("not a JPEG 2000 file (no JP2 signature box, no SOC marker)")
    pos = 0
    for _ in range(MAX_BOXES):
        if pos + 8 > src.size:
            break
        length, kind = struct.unpack(">I4s", src.get(pos, 8, "a box header"))
        head = 8
        if length == 1:
            (length,) = struct.unpack(">Q", src.get(pos + 8, 8, "a box length"))
            head = 16
        elif length == 0:  # the last box, to the end of the file
            length = src.size - pos
        if length < head or pos + length > src.size:
            raise Jp2IndexError(
                f"box {kind!r} at byte {pos} has length {length}: outside the file of "
                f"{src.size} bytes"
            )
        if kind == b"jp2c":
            return pos + head, pos + length
        pos += length
    raise Jp2IndexError(f"no codestream (jp2c box) in the first {MAX_BOXES} boxes")


def _main_header(src: _Source, start: int, end: int) -> tuple[Any, ...]:
    """``(header_end, image, tiling, levels, tlm entries or None)`` from SOC to the first SOT."""
    if src.get(start, 2, "SOC") != b"\xff\x4f":
        raise Jp2IndexError(f"no SOC marker at byte {start}, where the codestream starts")
    pos = start + 2
    siz: tuple[int, ...] | None = None
    levels = 0
    tlm: dict[int, bytes] = {}
    while True:
        if pos - start > MAX_HEADER:
            raise Jp2IndexError(f"the main header runs past {MAX_HEADER} bytes")
        if pos + 4 > end:
            raise Jp2IndexError(f"the main header runs past the codestream's end ({end})")
        marker, length = struct.unpack(">HH", src.get(pos, 4, "a marker"))
        if marker == _SOT:
            break
        if marker >> 8 != 0xFF or marker < 0xFF30 or length < 2 or pos + 2 + length > end:
            raise Jp2IndexError(f"bad marker 0x{marker:04X} (length {length}) at byte {pos}")
        body = src.get(pos + 4, length - 2, f"marker 0x{marker:04X}")
        if siz is None and marker != _SIZ:
            raise Jp2IndexError(f"the first marker after SOC is 0x{marker:04X}, not SIZ")
        if marker == _SIZ:
            if len(body) < 36:
                raise Jp2IndexError(f"SIZ at byte {pos} is {length} bytes long, too short")
            siz = struct.unpack(">8I", body[2:34])
        elif marker == _COD and len(body) >= 6:
            levels = body[5]
        elif marker == _TLM:
            if len(body) < 2 or body[0] in tlm:
                raise Jp2IndexError(f"TLM at byte {pos}: short or repeated index (Ztlm)")
            tlm[body[0]] = body[1:]
        pos += 2 + length
    assert siz is not None  # the loop refuses any other first marker
    xsiz, ysiz, xo, yo, xt, yt, xto, yto = siz
    image, tiling = (xsiz, ysiz, xo, yo), (xt, yt, xto, yto)
    _check_grid(image, tiling)
    entries = [tlm[z] for z in sorted(tlm)] if tlm else None
    return pos, image, tiling, min(levels, 32), entries


def _from_tlm(
    entries: list[bytes], first: int, end: int, image: tuple[int, ...], tiling: tuple[int, ...]
) -> tuple[TilePart, ...]:
    """Tile-parts from TLM markers (``Stlm``: ``Ttlm`` 0, 1 or 2 bytes, ``Ptlm`` 2 or 4)."""
    tiles = _tile_count(image, tiling)
    parts: list[TilePart] = []
    pos = first
    for body in entries:
        stlm, data = body[0], body[1:]
        st, sp = (stlm >> 4) & 3, 4 if (stlm >> 6) & 1 else 2
        if st == 3:
            raise Jp2IndexError(f"TLM: Stlm 0x{stlm:02X} gives no valid Ttlm size")
        step = st + sp
        if len(data) % step:
            raise Jp2IndexError(f"TLM: {len(data)} bytes is not a whole number of {step}-byte rows")
        for i in range(0, len(data), step):
            tile = int.from_bytes(data[i : i + st], "big") if st else len(parts)
            length = int.from_bytes(data[i + st : i + step], "big")
            parts.append(TilePart(tile, pos, length, length, -1, -1))
            pos += length
            if len(parts) > MAX_PARTS or tile >= tiles or length < 14 or pos > end:
                raise Jp2IndexError(
                    f"TLM row {len(parts) - 1}: tile {tile} of {tiles}, length {length}, "
                    f"ending at byte {pos} of a codestream ending at {end}"
                )
    counts: dict[int, int] = {}
    for p in parts:
        counts[p.tile] = counts.get(p.tile, 0) + 1
    ranks: dict[int, int] = {}
    out = []
    for p in parts:  # a tile's parts come in order (A.4.2): rank and count are what SOT holds
        ranks[p.tile] = ranks.get(p.tile, -1) + 1
        out.append(p._replace(tpsot=ranks[p.tile], tnsot=counts[p.tile]))
    return tuple(out)


def _walk(src: _Source, pos: int, end: int, tiles: int) -> tuple[TilePart, ...]:
    """Tile-parts found by hopping from SOT to SOT: one small read each."""
    parts: list[TilePart] = []
    counts: dict[int, int] = {}
    while pos + 2 <= end:
        if pos + SOT_BYTES > end:  # room for EOC only: build_index checks it
            break
        marker, lsot, tile, psot, tpsot, tnsot = struct.unpack(
            ">HHHIBB", src.get(pos, SOT_BYTES, "an SOT marker", grow=False)
        )
        if marker == _EOC:
            break
        if marker != _SOT or lsot != 10:
            raise Jp2IndexError(f"expected an SOT marker at byte {pos}, found 0x{marker:04X}")
        if psot == 0:  # the last tile-part: to the EOC that ends the codestream
            length = end - pos - (2 if src.get(end - 2, 2, "EOC", grow=False) == b"\xff\xd9" else 0)
        else:
            length = psot
        if tile >= tiles or tpsot != counts.get(tile, 0) or length < 14 or pos + length > end:
            raise Jp2IndexError(
                f"SOT at byte {pos}: tile {tile} of {tiles}, part {tpsot} (expected "
                f"{counts.get(tile, 0)}), length {psot}, codestream ending at byte {end}"
            )
        if len(parts) == MAX_PARTS:
            raise Jp2IndexError(f"more than {MAX_PARTS} tile-parts")
        counts[tile] = tpsot + 1
        parts.append(TilePart(tile, pos, length, psot, tpsot, tnsot))
        pos += length  # at least 14 bytes forward: the walk ends
        if psot == 0:
            break
    return tuple(parts)


# -- checks --------------------------------------------------------------------------------------


def _check_grid(image: tuple[int, ...], tiling: tuple[int, ...]) -> None:
    xsiz, ysiz, xo, yo = image
    xt, yt, xto, yto = tiling
    if not (
        xo < xsiz
        and yo < ysiz
        and xt > 0
        and yt > 0
        and xto <= xo < xto + xt
        and yto <= yo < yto + yt
        and _tile_count(image, tiling) <= 65535
    ):
        raise Jp2IndexError(f"SIZ: image {image} and tiles {tiling} are not a valid tile grid")


def _tile_count(image: tuple[int, ...], tiling: tuple[int, ...]) -> int:
    return -(-(image[0] - tiling[2]) // tiling[0]) * -(-(image[1] - tiling[3]) // tiling[1])


def _check(index: Jp2Index) -> None:
    """Every part inside the codestream, in order, and every tile present."""
    _check_grid(index.image, index.tiling)
    start, end = index.codestream
    if not 0 <= start < index.header_end <= end <= index.size:
        raise Jp2IndexError(f"codestream {index.codestream} / header end {index.header_end}")
    pos = index.header_end
    seen = set()
    for p in index.parts:
        if p.offset < pos or p.length < 14 or p.offset + p.length > end:
            raise Jp2IndexError(f"tile-part {p} overlaps another or leaves the codestream")
        pos = p.offset + p.length
        seen.add(p.tile)
    tiles = _tile_count(index.image, index.tiling)
    if len(seen) != tiles or max(seen, default=-1) >= tiles:
        raise Jp2IndexError(f"tile-parts cover {len(seen)} tiles of {tiles}")


def _axis(
    first: int, count: int, size: int, origin: int, tile: int, tile_origin: int, n: int,
    level: int, what: str,
) -> range:  # fmt: skip
    """Tiles along one axis that the window's ``count`` pixels from ``first`` meet."""
    scale = 1 << level
    low = -(-origin // scale)  # the image's first pixel at this level, on the reduced grid
    extent = -(-size // scale) - low
    if count <= 0 or first < 0 or first + count > extent:
        raise ValueError(
            f"{what} {first}-{first + count - 1} are outside 0-{extent - 1} of the image"
            + (f" at level {level}" if level else "")
        )
    a, b = low + first, low + first + count  # the window on the reduced grid, half-open

    def edge(i: int) -> int:  # where tile ``i`` starts on the reduced grid
        return -(-min(max(tile_origin + i * tile, origin), size) // scale)

    lo = next(i for i in range(n) if edge(i + 1) > a)
    hi = next(i for i in range(n - 1, -1, -1) if edge(i) < b)
    return range(lo, hi + 1)


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < -1:
        raise Jp2IndexError(f"index value {value!r} is not a count")
    return value


def _ints(value: Any, n: int) -> tuple[int, ...]:
    if not isinstance(value, list) or len(value) != n:
        raise Jp2IndexError(f"index value {value!r} is not a list of {n} integers")
    return tuple(_int(v) for v in value)
