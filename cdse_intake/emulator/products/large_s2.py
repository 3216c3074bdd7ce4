"""A full-size Sentinel-2 L2A SAFE product for benchmarks, written to disk once and served from it.

The catalogue's materialised Sentinel-2 products are 3.66 km windows (a few hundred KB): enough
to check readers, too small to measure what a lazy or remote reader costs. This product has the
real layout of :mod:`.sentinel2` (same names, ``MTD_MSIL2A.xml``, ``MTD_TL.xml``,
``manifest.safe`` with true sizes and SHA3-256, written by that module's code) but a granule of
``size`` x ``size`` pixels at 10 m (a whole 109.8 km tile at the real ``size=10980``), with JPEG
2000 files encoded as ESA's are: lossless (reversible 5/3 wavelet), tiled 1024 x 1024 at 10 m,
640 x 640 at 20 m and 192 x 192 at 60 m, and, like the archive, without TLM markers (so a reader
finds a tile by walking the tile-part headers; ``tlm=True`` adds them).

Pixel values follow :func:`expected_dn`: a smooth ramp (:func:`ramp`, what the small Sentinel-2
products held before they showed the synthetic Earth) plus 6 bits of deterministic hash noise, so
a tile compresses about as well as a real one (~7 bits per pixel: ~26 MB per 10 m band at 5490
px, ~105 MB at 10980, as real bands) and any window read can be checked exactly. ``AOT``/``WVP``
are the smooth ramp alone (real ones are near-constant fields); ``SCL`` and ``TCI`` are
:func:`expected_scl` and :func:`expected_tci` (a smooth TCI: encoding a noisy one doubled the
build time). This product keeps the ramp rather than the synthetic Earth of :mod:`.sentinel2`:
the scene costs ~0.4 µs per pixel (all bands), about a minute more per whole tile with gigabytes
of temporaries, and its clouds are thresholded over the whole granule, so no window of it could
be checked without rendering the tile; a benchmark of readers needs real sizes, not a picture.

The zip (stored, not deflated, ``<Name>.SAFE/`` top folder, as CDSE delivers it) is built once
per ``(size, tlm)`` in ``directory`` and reused, its MD5 and BLAKE3 kept beside it. The
catalogue entry's payload is that file; each member is served (``Nodes``, S3) as a slice of the
memory-mapped zip, never loaded whole.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
import shutil
import struct
import uuid
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import sentinel2
from ._geo import UtmWindow, utm_window

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..catalogue import Catalogue, Entry

__all__ = [
    "BLOCKS",
    "DEFAULT_SIZE",
    "CodestreamTiles",
    "add_large_s2",
    "codestream_tiles",
    "ensure_zip",
    "expected_dn",
    "expected_scl",
    "expected_tci",
    "large_s2_name",
    "noise",
    "ramp",
]

#: 10 m pixels per side by default: a quarter of a real tile, built in ~30 s on two cores.
DEFAULT_SIZE = 5490
#: JPEG 2000 tile size per resolution, as in ESA's products (``gdalinfo``: ``Block=1024x1024``
#: for 10 m bands, ``Block=640x640`` for 20 m ones).
BLOCKS = {10: 1024, 20: 640, 60: 192}
#: Paris, in tile 31UDQ (the catalogue's first site).
SITE = (2.35, 48.85)
TILE = "31UDQ"
SENSED = datetime(2024, 3, 15, 10, 56, 19, 24000, tzinfo=UTC)
BASELINE = "05.10"
#: Bumped when the files written change, so stale builds in a reused directory are rebuilt.
FORMAT_VERSION = 3
_STRIP = 1024  # rows computed at a time (bounds the int64 temporaries)
_NOISY = frozenset(sentinel2.BANDS)


_CODES = {name: i for i, name in enumerate((*sentinel2.BANDS, "AOT", "WVP"))}


def ramp(band: str, row: Any, col: Any, resolution: int | None = None) -> Any:
    """``1000 + (389*code + 17*resolution + 7*row + 13*col) % 9000``: ``code`` is the band's
    position in :data:`.sentinel2.BANDS` (``AOT`` 13, ``WVP`` 14), ``resolution`` (m) defaults
    to the band's native one; 1000..9999 (0 is NODATA). Works on numpy arrays."""
    if band not in _CODES:
        raise ValueError(f"band must be one of {sorted(_CODES)}, got {band!r}")
    res = resolution or sentinel2.NATIVE_RESOLUTION.get(band)
    if res is None:
        raise ValueError(f"{band} has no native resolution: pass resolution=10, 20 or 60")
    rows = np.asarray(row, dtype=np.int64)
    cols = np.asarray(col, dtype=np.int64)
    value = (389 * _CODES[band] + 17 * res + 7 * rows + 13 * cols) % 9000
    return (1000 + value).astype(np.uint16)


def expected_dn(band: str, row: Any, col: Any, resolution: int | None = None) -> Any:
    """The digital number at ``(row, col)`` of ``band``'s image at ``resolution`` (m).

    Spectral bands: :func:`ramp` folded to ``1000 + (ramp - 1000) % 8000``, plus :func:`noise`
    (0..63): 1000..9062, never 0 (NODATA). ``AOT`` and ``WVP``: the ramp alone. Works on numpy
    arrays.
    """
    values = ramp(band, row, col, resolution).astype(np.int64)
    if band not in _NOISY:
        return values.astype(np.uint16)
    code = sentinel2.BANDS.index(band)
    return (1000 + (values - 1000) % 8000 + noise(code, row, col)).astype(np.uint16)


def expected_scl(row: Any, col: Any) -> Any:
    """Scene classification (0..11) at ``(row, col)`` of SCL_20m/60m:
    ``(row // 15 + 2 * (col // 15)) % 12``."""
    return ((np.asarray(row) // 15 + 2 * (np.asarray(col) // 15)) % 12).astype(np.uint8)


def expected_tci(row: Any, col: Any, resolution: int = 10) -> Any:
    """True-colour image ``(3, ...)`` uint8: ``(ramp - 1000) // 36`` of B04, B03, B02."""
    return np.stack(
        [(ramp(b, row, col, resolution) - 1000) // 36 for b in ("B04", "B03", "B02")]
    ).astype(np.uint8)


def noise(code: int, row: Any, col: Any) -> Any:
    """Deterministic pseudo-random 0..63 per pixel (an integer hash of band, row and column)."""
    rows = np.asarray(row, dtype=np.int64)
    cols = np.asarray(col, dtype=np.int64)
    # Each product stays below 2**63: no overflow, identical results for scalars and arrays.
    h = (rows * 0x9E3779B1 + cols * 0x85EBCA77 + code * 0xC2B2AE3D) & 0xFFFFFFFF
    h ^= h >> 15
    h = (h * 0x2C1B3C6D) & 0xFFFFFFFF
    h ^= h >> 12
    h = (h * 0x297A2D39) & 0xFFFFFFFF
    h ^= h >> 15
    return h & 0x3F


def large_s2_name(size: int = DEFAULT_SIZE, tlm: bool = False) -> str:
    """The product name for a size (the processing time encodes ``size`` and ``tlm``)."""
    processed = datetime(2024, 3, 15, 12, tzinfo=UTC) + timedelta(
        seconds=size, hours=6 if tlm else 0
    )
    return (
        f"S2B_MSIL2A_{SENSED:%Y%m%dT%H%M%S}_N{BASELINE.replace('.', '')}_R094_T{TILE}_"
        f"{processed:%Y%m%dT%H%M%S}.SAFE"
    )


def add_large_s2(
    catalogue: Catalogue,
    directory: str | os.PathLike[str],
    size: int = DEFAULT_SIZE,
    *,
    tlm: bool = False,
) -> Entry:
    """Add to ``catalogue`` the ``size``-pixel Sentinel-2 L2A product; return its entry.

    The zip is written under ``directory`` on the first call (``size=10980``, a real tile, takes
    a few minutes) and reused by later ones. The entry (``Online``, true ``ContentLength``, MD5
    and BLAKE3, footprint of the granule) is searchable and downloadable like any other. Add it
    to a copied catalogue (``Emulator().catalogue`` is one) so other emulators do not see it.
    """
    if not 256 <= size <= 10980:
        raise ValueError(f"size must be 256..10980 pixels at 10 m, got {size}")
    entry = _entry(size, tlm)
    if entry.id in catalogue.by_id:
        return catalogue.by_id[entry.id]
    path = Path(directory) / f"{entry.stem}.zip"
    sums = ensure_zip(entry, path, tlm)
    entry.payload = _payload(entry.name, path)
    entry.content_length = entry.payload.size
    entry.md5, entry.blake3 = sums["md5"], sums["blake3"]
    # The payload's cached checksums come from the sidecar: no second pass over the file.
    entry.payload.__dict__.update(md5=sums["md5"], blake3=sums["blake3"])
    catalogue.add(entry)
    return entry


# -- the catalogue entry ---------------------------------------------------------------------------


def _window(size: int) -> UtmWindow:
    return utm_window(TILE, *SITE, size=size * 10)


def _entry(size: int, tlm: bool) -> Entry:
    from ..catalogue import NEVER_EVICTED, S2_ATTRS, Entry, fmt_time

    name = large_s2_name(size, tlm)
    processed = datetime.strptime(name.rsplit("_", 1)[1][:15], "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    origin = processed + timedelta(minutes=30)
    platform, orbit, rel_orbit = "B", 36705, 94
    datastrip = f"S2B_OPER_MSI_L2A_DS_2BPS_{processed:%Y%m%dT%H%M%S}_S{SENSED:%Y%m%dT%H%M%S}"
    values = {
        "origin": ("String", "ESA"),
        "tileId": ("String", TILE),
        "cloudCover": ("Double", 12.5),
        "datastripId": ("String", f"{datastrip}_N{BASELINE}"),
        "orbitNumber": ("Integer", orbit),
        "processingDate": ("DateTimeOffset", fmt_time(processed)),
        "productGroupId": (
            "String",
            f"GS2{platform}_{SENSED:%Y%m%dT%H%M%S}_{orbit:06d}_N{BASELINE}",
        ),
        "operationalMode": ("String", "INS-NOBS"),
        "processingLevel": ("String", "S2MSI2A"),
        "processorVersion": ("String", BASELINE),
        "platformShortName": ("String", "SENTINEL-2"),
        "instrumentShortName": ("String", "MSI"),
        "relativeOrbitNumber": ("Integer", rel_orbit),
        "platformSerialIdentifier": ("String", platform),
        "productType": ("String", "S2MSI2A"),
        "beginningDateTime": ("DateTimeOffset", fmt_time(SENSED)),
        "endingDateTime": ("DateTimeOffset", fmt_time(SENSED)),
        "processingBaseline": ("String", BASELINE),
        "processingCenter": ("String", "ESA"),
        "qualityStatus": ("String", "NOMINAL"),
        "illuminationZenithAngle": ("Double", 49.7),
    }
    return Entry(
        id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"cdse-emulator:large-s2:{size}:{tlm}")),
        name=name,
        collection="SENTINEL-2",
        product_type="S2MSI2A",
        start=SENSED,
        end=SENSED,
        origin=origin,
        publication=origin + timedelta(minutes=20),
        modification=origin + timedelta(minutes=25),
        online=True,
        eviction=NEVER_EVICTED,
        s3_path=f"/eodata/Sentinel-2/MSI/L2A/{SENSED:%Y/%m/%d}/{name}",
        content_length=0,  # set from the zip
        md5=None,
        blake3=None,
        checksum_date=origin + timedelta(minutes=20, seconds=9),
        footprint=_footprint(_window(size)),
        attributes=[(n, *values[n]) for n in S2_ATTRS],
        family="sentinel2_l2a",
        extra={
            "tile": TILE,
            "lon": SITE[0],
            "lat": SITE[1],
            "baseline": BASELINE,
            "size": size,
            "tlm": tlm,
        },
    )


def _footprint(window: UtmWindow) -> dict[str, Any]:
    """The granule's corners in lon/lat, ``[SW, SE, NE, NW, SW]`` as the catalogue writes them."""
    from rasterio.warp import transform

    x0, y0, x1, y1 = window.x0, window.y0, window.x0 + window.size, window.y0 - window.size
    lons, lats = transform(f"EPSG:{window.epsg}", "EPSG:4326", [x0, x1, x1, x0], [y1, y1, y0, y0])
    ring = [[round(lon, 4), round(lat, 4)] for lon, lat in zip(lons, lats, strict=True)]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


# -- writing the product ---------------------------------------------------------------------------


class _LargeProduct(sentinel2._Product):  # the S2 writer's metadata code, reused
    """The S2 writer's names and metadata over a ``size``-pixel window."""

    def __init__(self, entry: Entry, window: UtmWindow | None = None) -> None:
        super().__init__(entry, "L2A")
        self.window = window or _window(entry.extra["size"])

    def image_names(self) -> dict[str, tuple[str, int]]:
        """``path -> (image name, resolution)`` of IMG_DATA, as :meth:`images` lays them out."""
        base = f"GRANULE/{self.granule}/IMG_DATA"
        stem = f"T{self.tile}_{self.sensed}"
        return {
            f"{base}/R{res}m/{stem}_{name}_{res}m.jp2": (name, res)
            for res, names in sentinel2.L2A_CONTENT.items()
            for name in names
        }


def ensure_zip(
    entry: Entry, path: Path, tlm: bool = False, window: UtmWindow | None = None
) -> dict[str, str]:
    """Build ``entry``'s product over ``window`` (default: the benchmark product's) as the zip
    ``path`` (atomically), unless a complete one of this version is there; its sums."""

    def stage(staging: Path) -> tuple[list[str], dict[str, bytes]]:
        product = _LargeProduct(entry, window)
        names = product.image_names()
        for rel, (name, res) in names.items():
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            _write_jp2(target, name, res, product.window, tlm)
        files = _Mapped(staging, list(names))
        try:
            images = {rel: (files[rel], name, res) for rel, (name, res) in names.items()}
            metadata = {
                f"GRANULE/{product.granule}/MTD_TL.xml": product.tile_metadata().encode(),
                f"DATASTRIP/{product.datastrip_dir}/MTD_DS.xml": (
                    product.datastrip_metadata().encode()
                ),
                "MTD_MSIL2A.xml": product.product_metadata(images).encode(),
            }
            every: dict[str, Any] = {**{rel: files[rel] for rel in names}, **metadata}
            metadata["manifest.safe"] = product.manifest(every, images).encode()
        finally:
            files.close()
        return list(names), metadata

    return built_zip(path, FORMAT_VERSION, entry.name, stage)


def built_zip(
    path: Path,
    version: int,
    name: str,
    stage: Callable[[Path], tuple[list[str], dict[str, bytes]]],
    **extra: Any,
) -> dict[str, Any]:
    """The sums (``md5``, ``blake3``..., ``version``, ``size``, ``extra``) of the zip ``path``
    of product ``name``: its JSON sidecar's if it is complete and of ``version``, else built
    atomically. ``stage(folder)`` writes the images under ``folder`` and returns their paths
    and the product's other files."""
    sidecar = path.with_name(path.name + ".json")
    if path.is_file() and sidecar.is_file():
        sums = json.loads(sidecar.read_text())
        if sums.get("version") == version and sums.get("size") == path.stat().st_size:
            return sums
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.stem}.{os.getpid()}.build")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        images, metadata = stage(staging)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
        _write_zip(tmp, name, staging, images, metadata)
        sums = _checksums(tmp)
        sums.update(version=version, size=tmp.stat().st_size, **extra)
        os.replace(tmp, path)
        sidecar.write_text(json.dumps(sums))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return sums


def _write_jp2(target: Path, name: str, res: int, window: UtmWindow, tlm: bool) -> None:
    """Encode one image losslessly, tiled as ESA tiles that resolution, straight to ``target``."""
    import rasterio

    n = window.shape(res)[0]
    bands = 3 if name == "TCI" else 1
    dtype = np.uint8 if name in ("TCI", "SCL") else np.uint16
    data = np.empty((bands, n, n), dtype)
    cols = np.arange(n, dtype=np.int64)[None, :]
    for r0 in range(0, n, _STRIP):
        rows = np.arange(r0, min(n, r0 + _STRIP), dtype=np.int64)[:, None]
        if name == "TCI":
            data[:, r0 : r0 + _STRIP] = expected_tci(rows, cols, res)
        elif name == "SCL":
            data[0, r0 : r0 + _STRIP] = expected_scl(rows, cols)
        else:
            data[0, r0 : r0 + _STRIP] = expected_dn(name, rows, cols, res)
    block = min(BLOCKS[res], n)
    profile = {
        "driver": "JP2OpenJPEG",
        "width": n,
        "height": n,
        "count": bands,
        "dtype": data.dtype.name,
        "crs": f"EPSG:{window.epsg}",
        "transform": window.transform(res),
    }
    with rasterio.open(
        target,
        "w",
        **profile,
        QUALITY=100,
        REVERSIBLE="YES",
        # Lower case: rasterio passes upper-case BLOCKXSIZE on but overrides it with its default
        # block width (tiles came out 1024 wide whatever was asked).
        blockxsize=block,
        blockysize=block,
        TLM="YES" if tlm else "NO",
        NUM_THREADS="ALL_CPUS",
    ) as dst:
        dst.write(data)
    for extra in target.parent.glob(f"{target.name}.aux.xml"):
        extra.unlink()


class _Mapped:
    """The staged images, memory-mapped (the S2 writer sizes and hashes them as bytes-likes)."""

    def __init__(self, root: Path, rels: list[str]) -> None:
        self._maps: dict[str, mmap.mmap] = {}
        self._views: dict[str, memoryview] = {}
        for rel in rels:
            with open(root / rel, "rb") as f:
                self._maps[rel] = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
            self._views[rel] = memoryview(self._maps[rel])

    def __getitem__(self, rel: str) -> memoryview:
        return self._views[rel]

    def close(self) -> None:
        for view in self._views.values():
            view.release()
        for m in self._maps.values():
            m.close()


def _zinfo(path: str, size: int = 0) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, date_time=(2024, 1, 1, 0, 0, 0))
    info.external_attr = (0o40755 << 16) | 0x10 if path.endswith("/") else 0o644 << 16
    info.file_size = size
    return info


def _write_zip(
    tmp: Path, name: str, staging: Path, images: list[str], metadata: dict[str, bytes]
) -> None:
    """The zip as :meth:`.catalogue.Payload.from_files` lays it out: stored, sorted, folders."""
    from ..catalogue import add_folders

    every = sorted([*images, *metadata])
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        folders: set[str] = set()
        for rel in every:
            add_folders(zf, name, rel, folders)
            if rel in metadata:
                zf.writestr(_zinfo(f"{name}/{rel}"), metadata[rel])
                continue
            source = staging / rel
            info = _zinfo(f"{name}/{rel}", source.stat().st_size)
            with open(source, "rb") as src, zf.open(info, "w") as out:
                shutil.copyfileobj(src, out, 1 << 20)


def _checksums(path: Path) -> dict[str, Any]:
    import blake3

    md5 = hashlib.md5(usedforsecurity=False)
    b3 = blake3.blake3(max_threads=blake3.blake3.AUTO)
    with open(path, "rb") as f:
        while block := f.read(16 << 20):
            md5.update(block)
            b3.update(block)
    return {"md5": md5.hexdigest(), "blake3": b3.hexdigest()}


def _payload(name: str, path: Path) -> Any:
    """A file-backed payload whose ``files`` are slices of the mapped zip."""
    from ..payload_disk import mapped_payload

    return mapped_payload(path, name, single_file=False, map_from=0)


# -- the JPEG 2000 tile index (what a window read needs) ---------------------------------------


@dataclass(frozen=True)
class CodestreamTiles:
    """Where each tile of a JPEG 2000 file is, from its tile-part headers (SOT markers)."""

    header: tuple[int, int]
    """``(offset, length)`` in the file of everything before the first tile-part (boxes, main
    header): a decoder reads it before any tile."""
    tile_size: tuple[int, int]
    """``(width, height)`` of a tile in pixels (``XTsiz``, ``YTsiz``)."""
    grid: tuple[int, int]
    """Tiles across and down."""
    image_size: tuple[int, int]
    """``(width, height)`` of the image."""
    parts: dict[int, list[tuple[int, int]]]
    """Tile index (row-major) -> ``(offset, length)`` of its tile-parts in the file."""
    tlm: bool
    """Whether the main header carries TLM markers (a tile-part index)."""

    def tiles_for(self, row0: int, col0: int, height: int, width: int) -> list[int]:
        """Indexes of the tiles a pixel window intersects."""
        tw, th = self.tile_size
        across = self.grid[0]
        rows = range(row0 // th, (row0 + height - 1) // th + 1)
        cols = range(col0 // tw, (col0 + width - 1) // tw + 1)
        return [r * across + c for r in rows for c in cols]

    def tile_bytes(self, tiles: list[int]) -> int:
        """Compressed bytes of ``tiles`` (every tile-part, headers included)."""
        return sum(length for t in tiles for _, length in self.parts[t])


def codestream_tiles(data: bytes | memoryview) -> CodestreamTiles:
    """Index the tiles of a JP2 file (or bare J2K codestream) by walking its SOT markers."""
    view = memoryview(data)
    start = _codestream_start(view)
    pos = start + 2  # after SOC
    siz: tuple[int, ...] | None = None
    tlm = False
    while True:  # main header markers, up to the first SOT
        (marker,) = struct.unpack(">H", view[pos : pos + 2])
        if marker == 0xFF90:
            break
        (length,) = struct.unpack(">H", view[pos + 2 : pos + 4])
        if marker == 0xFF51:
            siz = struct.unpack(">IIIIIIII", view[pos + 6 : pos + 38])
        tlm |= marker == 0xFF55
        pos += 2 + length
    if siz is None:
        raise ValueError("no SIZ marker in the JPEG 2000 main header")
    xsiz, ysiz, x0, y0, xt, yt, xt0, yt0 = siz
    grid = (-(-(xsiz - xt0) // xt), -(-(ysiz - yt0) // yt))
    header = (0, pos)
    parts: dict[int, list[tuple[int, int]]] = {}
    while pos + 12 <= len(view):
        marker, _, tile, psot = struct.unpack(">HHHI", view[pos : pos + 10])
        if marker != 0xFF90:  # EOC
            break
        if psot == 0:  # the last tile-part runs to the end of the codestream
            psot = len(view) - pos - 2
        parts.setdefault(tile, []).append((pos, psot))
        pos += psot
    return CodestreamTiles(
        header=header,
        tile_size=(xt, yt),
        grid=grid,
        image_size=(xsiz - x0, ysiz - y0),
        parts=parts,
        tlm=tlm,
    )


def _codestream_start(view: memoryview) -> int:
    """Offset of the SOC marker: after the ``jp2c`` box header in a JP2 file, 0 in a J2K."""
    if bytes(view[:2]) == b"\xff\x4f":
        return 0
    pos = 0
    while pos + 8 <= len(view):
        length, kind = struct.unpack(">I4s", view[pos : pos + 8])
        head = 8
        if length == 1:
            (length,) = struct.unpack(">Q", view[pos + 8 : pos + 16])
            head = 16
        if kind == b"jp2c":
            return pos + head
        if length == 0:
            break
        pos += length
    raise ValueError("no JPEG 2000 codestream (jp2c box) found")
