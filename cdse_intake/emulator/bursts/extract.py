"""On-demand burst extraction: one burst of an SLC product as a small SAFE, zipped.

The real service cuts the burst out of the parent SLC when ``POST /Bursts(<id>)/$value`` is
asked (cdse-api.md §1.1, phidown's client): the zip holds ``<burst name>.SAFE/`` with the
manifest, the measurement TIFF of the burst's lines and the product annotation, calibration and
noise XML of that swath and polarisation reduced to the burst (its ``burstList`` entry, its
geolocation grid rows, its LUT vectors, line numbers counted from the burst's first line). The
exact layout of CDSE's burst SAFE is [unverified]; this one opens with the same reader as the
parent and holds the same pixels.
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from typing import TYPE_CHECKING

import numpy as np

from .records import Burst

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["burst_zip", "zip_name"]

_LINE = re.compile(r"<line>(-?\d+)</line>")


def zip_name(burst: Burst) -> str:
    """The ``content-disposition`` file name: ``<burst name>.zip`` [unverified]."""
    return f"{burst.name}.zip"


@functools.lru_cache(maxsize=32)
def burst_zip(burst: Burst) -> bytes:
    """The zip of ``burst``'s SAFE (built once per burst and process; the parent first)."""
    from ..payloads import _zinfo
    from ..products import sentinel1_slc as slc
    from ..products._s1_common import Facts, manifest

    entry = burst.parent
    files = slc.build_slc(entry)
    tiff_path = burst.s3_path.removeprefix(entry.s3_path + "/")
    stem = tiff_path.removeprefix("measurement/").removesuffix(".tiff")
    first = burst.index * burst.lines
    last = first + burst.lines - 1

    def line_time(line: int) -> str:
        when = slc.azimuth_time(entry, burst.swath, line)
        return str(np.datetime64(when, "us"))

    tiff, offset = _cut_tiff(files[tiff_path], first, burst.lines)
    times = {"first": line_time(first), "last": line_time(last)}
    annotation = _annotation(files[f"annotation/{stem}.xml"].decode(), burst, first, offset, times)
    out = {
        f"annotation/{stem}.xml": annotation.encode(),
        f"annotation/calibration/calibration-{stem}.xml": _vectors(
            files[f"annotation/calibration/calibration-{stem}.xml"].decode(),
            "calibrationVector",
            first - slc.BURST_CYCLE // 2,
            last + slc.BURST_CYCLE // 2,
            first,
            times,
        ).encode(),
        f"annotation/calibration/noise-{stem}.xml": _noise(
            files[f"annotation/calibration/noise-{stem}.xml"].decode(), first, last, times
        ).encode(),
        tiff_path: tiff,
    }
    facts = Facts.from_entry(entry, "SLC")
    ring = burst.footprint
    corners = [ring[4], ring[5], ring[0], ring[2]]  # (last, near) (last, far) (first, far) ...
    out["manifest.safe"] = manifest(
        facts,
        product_type="SLC",
        swaths=(burst.swath,),
        stems=[stem],
        files=out,
        corners=corners,
    ).encode()
    root = f"{burst.name}.SAFE"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        for path in sorted(out):
            zf.writestr(_zinfo(f"{root}/{path}"), out[path])
    return buffer.getvalue()


def _cut_tiff(data: bytes, first: int, lines: int) -> tuple[bytes, int]:
    """The TIFF of lines ``first .. first + lines - 1`` (complex int16, one line per strip, its
    GCPs moved with the lines) and the byte offset of its first line."""
    from rasterio.control import GroundControlPoint
    from rasterio.io import MemoryFile
    from rasterio.windows import Window

    from ..products._raster import raster_bytes

    with MemoryFile(data) as memfile, memfile.open() as ds:
        pixels = ds.read(1, window=Window(0, first, ds.width, lines))
        gcps, _ = ds.gcps
        tags = ds.tags()
    moved = [
        GroundControlPoint(row=g.row - first, col=g.col, x=g.x, y=g.y, z=g.z)
        for g in gcps
        if first <= g.row <= first + lines
    ]
    out = raster_bytes(
        pixels,
        driver="GTiff",
        crs="EPSG:4326",
        gcps=moved,
        tags={k: v for k, v in tags.items() if k.startswith("TIFFTAG_")},
        dtype="complex_int16",
        blockysize=1,
    )
    with MemoryFile(out) as memfile, memfile.open() as ds:
        offset = int(ds.get_tag_item("BLOCK_OFFSET_0_0", "TIFF", bidx=1))
    return out, offset


def _header_times(text: str, times: dict[str, str]) -> str:
    text = re.sub(r"<startTime>[^<]*</startTime>", f"<startTime>{times['first']}</startTime>", text)
    return re.sub(r"<stopTime>[^<]*</stopTime>", f"<stopTime>{times['last']}</stopTime>", text)


def _keep_blocks(
    text: str, tag: str, keep: Callable[[int], bool], first: int, list_tag: str | None = None
) -> str:
    """Keep the ``<tag>`` blocks whose ``<line>`` passes ``keep``, lines made relative to
    ``first``; the enclosing list's ``count`` follows."""
    block = re.compile(rf"\n\s*<{tag}>.*?</{tag}>", re.DOTALL)
    kept = 0

    def one(match: re.Match[str]) -> str:
        nonlocal kept
        found = _LINE.search(match.group(0))
        if found is None or not keep(int(found.group(1))):
            return ""
        kept += 1
        return _LINE.sub(lambda m: f"<line>{int(m.group(1)) - first}</line>", match.group(0), 1)

    text = block.sub(one, text)
    list_tag = list_tag or f"{tag}List"
    return re.sub(rf'<{list_tag} count="\d+">', f'<{list_tag} count="{kept}">', text)


def _annotation(text: str, burst: Burst, first: int, offset: int, times: dict[str, str]) -> str:
    text = _header_times(text, times)
    text = re.sub(r"<numberOfLines>\d+</numberOfLines>", f"<numberOfLines>{burst.lines}"
                  "</numberOfLines>", text)  # fmt: skip
    for tag, key in (("productFirstLineUtcTime", "first"), ("productLastLineUtcTime", "last")):
        text = re.sub(rf"<{tag}>[^<]*</{tag}>", f"<{tag}>{times[key]}</{tag}>", text)
    bursts = re.findall(r"\n\s*<burst>.*?</burst>", text, re.DOTALL)
    mine = re.sub(r"<byteOffset>\d+</byteOffset>", f"<byteOffset>{offset}</byteOffset>",
                  bursts[burst.index])  # fmt: skip
    text = re.sub(
        r'<burstList count="\d+">.*?(\n\s*</burstList>)',
        lambda m: f'<burstList count="1">{mine}{m.group(1)}',
        text,
        flags=re.DOTALL,
    )
    # The grid rows at the burst's first line and at the next burst's (or the last line).
    return _keep_blocks(
        text,
        "geolocationGridPoint",
        lambda line: first <= line <= first + burst.lines,
        first,
    )


def _vectors(text: str, tag: str, low: int, high: int, first: int, times: dict[str, str]) -> str:
    return _keep_blocks(_header_times(text, times), tag, lambda line: low <= line <= high, first)


def _noise(text: str, first: int, last: int, times: dict[str, str]) -> str:
    text = _vectors(text, "noiseRangeVector", first, first, first, times)

    def azimuth(match: re.Match[str]) -> str:
        block = match.group(0)
        lines = [int(v) for v in re.search(r'<line count="\d+">([^<]*)</line>', block)[1].split()]
        lut = re.search(r'<noiseAzimuthLut count="\d+">([^<]*)</noiseAzimuthLut>', block)[1]
        values = lut.split()
        keep = [i for i, line in enumerate(lines) if first <= line <= last]
        new_lines = " ".join(str(lines[i] - first) for i in keep)
        new_lut = " ".join(values[i] for i in keep)
        block = re.sub(r'<line count="\d+">[^<]*</line>',
                       f'<line count="{len(keep)}">{new_lines}</line>', block)  # fmt: skip
        block = re.sub(
            r'<noiseAzimuthLut count="\d+">[^<]*</noiseAzimuthLut>',
            f'<noiseAzimuthLut count="{len(keep)}">{new_lut}</noiseAzimuthLut>',
            block,
        )
        block = re.sub(r"<firstAzimuthLine>\d+<", "<firstAzimuthLine>0<", block)
        return re.sub(r"<lastAzimuthLine>\d+<", f"<lastAzimuthLine>{last - first}<", block)

    return re.sub(r"<noiseAzimuthVector>.*?</noiseAzimuthVector>", azimuth, text, flags=re.DOTALL)
