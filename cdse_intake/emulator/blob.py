"""A large downloadable product for benchmarks, kept in a file rather than in memory.

CDSE stores a few products as single zip objects (``reference/cdse-api.md`` §1.8: AUX
``…/<Name>.SAFE.zip``); the large product is one of those: a real stored zip holding one
pseudo-random member, delivered as it is by ``$value``. The file is written once per size and
directory (content is deterministic), its MD5 and BLAKE3 kept beside it.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import blake3

from .catalogue import NEVER_EVICTED, Catalogue, Entry, Payload, fmt_time

__all__ = ["add_large_product", "large_product_name"]

_CHUNK = 16 << 20
_VALIDITY = datetime(2024, 1, 1, tzinfo=UTC)


def large_product_name(size_bytes: int) -> str:
    """The product name for a given size (an S1 AUX_INS-like ``.SAFE.zip`` single object)."""
    return f"S1A_AUX_INS_V20240101T000000_G{size_bytes:015d}.SAFE.zip"


def add_large_product(catalogue: Catalogue, size_bytes: int, directory: str | os.PathLike) -> Entry:
    """Add to ``catalogue`` a materialised product of exactly ``size_bytes`` bytes; return it.

    The zip is written under ``directory`` on the first call and reused by later ones. The entry
    (``Online``, true ``ContentLength``, MD5 and BLAKE3) is searchable like any other once added.
    """
    name = large_product_name(size_bytes)
    path = Path(directory) / name
    sums = _ensure_file(path, name, size_bytes)
    payload = Payload(files={}, data=b"", single_file=True, path=str(path))
    times = {
        "start": _VALIDITY,
        "end": _VALIDITY + timedelta(days=365),
        "origin": _VALIDITY + timedelta(days=1),
        "publication": _VALIDITY + timedelta(days=1, hours=2),
        "modification": _VALIDITY + timedelta(days=1, hours=3),
        "checksum_date": _VALIDITY + timedelta(days=1, hours=2, seconds=9),
    }
    entry = Entry(
        id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"cdse-emulator:large-product:{size_bytes}")),
        name=name,
        collection="SENTINEL-1",
        product_type="AUX_INS",
        online=True,
        eviction=NEVER_EVICTED,
        s3_path=f"/eodata/Sentinel-1/AUX/AUX_INS/{_VALIDITY:%Y/%m/%d}/{name}",
        content_length=size_bytes,
        md5=sums["md5"],
        blake3=sums["blake3"],
        footprint=None,
        attributes=[
            ("origin", "String", "ESA"),
            ("platformShortName", "String", "SENTINEL-1"),
            ("instrumentShortName", "String", "SAR"),
            ("platformSerialIdentifier", "String", "A"),
            ("productType", "String", "AUX_INS"),
            ("beginningDateTime", "DateTimeOffset", fmt_time(times["start"])),
            ("endingDateTime", "DateTimeOffset", fmt_time(times["end"])),
        ],
        payload=payload,
        **times,
    )
    # The payload's cached checksums come from the sidecar: no second pass over the file.
    payload.__dict__.update(md5=sums["md5"], blake3=sums["blake3"])
    if entry.id not in catalogue.by_id:
        catalogue.add(entry)
    return catalogue.by_id[entry.id]


def _ensure_file(path: Path, name: str, size_bytes: int) -> dict[str, str]:
    """Write the zip (atomically) unless a complete one is there; its checksums."""
    sidecar = path.with_name(path.name + ".json")
    if path.is_file() and sidecar.is_file() and path.stat().st_size == size_bytes:
        return json.loads(sidecar.read_text())
    member = f"{name.removesuffix('.zip')}/measurement/data.bin"
    data_size = size_bytes - _overhead(member)
    if data_size < 0:
        raise ValueError(f"size_bytes={size_bytes} is too small: at least {_overhead(member)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
        info = _member_info(member)
        with zf.open(info, "w", force_zip64=True) as out:
            for chunk in _content(size_bytes, data_size):
                out.write(chunk)
    if tmp.stat().st_size != size_bytes:  # the zip layout changed under us: say so loudly
        raise RuntimeError(f"wrote {tmp.stat().st_size} bytes, expected {size_bytes}")
    md5 = hashlib.md5(usedforsecurity=False)
    b3 = blake3.blake3(max_threads=blake3.blake3.AUTO)
    with open(tmp, "rb") as f:
        while block := f.read(_CHUNK):
            md5.update(block)
            b3.update(block)
    sums = {"md5": md5.hexdigest(), "blake3": b3.hexdigest()}
    os.replace(tmp, path)
    sidecar.write_text(json.dumps(sums))
    return sums


def _member_info(member: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(member, date_time=(2024, 1, 1, 0, 0, 0))
    info.external_attr = 0o644 << 16
    return info


def _overhead(member: str) -> int:
    """Bytes of zip structure around one stored zip64 member (headers, central directory)."""
    import io

    buf = io.BytesIO()
    with (
        zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf,
        zf.open(_member_info(member), "w", force_zip64=True),
    ):
        pass
    return len(buf.getvalue())


def _content(seed: int, size: int):
    """``size`` deterministic pseudo-random bytes, in chunks (numpy's PCG64 is ~GB/s)."""
    import numpy as np

    rng = np.random.Generator(np.random.PCG64(seed))
    left = size
    while left:
        n = min(_CHUNK, left)
        yield rng.bytes(n)
        left -= n
