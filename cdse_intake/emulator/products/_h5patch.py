"""Cheap variants of one HDF5 file: same-size byte patches, with the metadata checksums redone.

The netCDF files of two Sentinel-3 products of the same site differ only in a few global
attributes (product name, times, orbit) and in the row time stamps. The builders write each file
once per site with placeholders of the right size, make a :class:`Template` of it, and every
product's file is the template with its own bytes in place of the placeholders.

HDF5 keeps attributes in checksummed metadata: beyond eight attributes, in a fractal heap whose
direct blocks (``FHDB``) carry a Jenkins lookup3 checksum of the whole block (checksum field
zeroed); fewer, in the object header chunk (``OHDR``, checksum at its end). A template finds the
block holding each placeholder, checks that its stored checksum is what it computes (so the
layout is understood), and recomputes it after patching. Raw data of contiguous datasets
(uncompressed time stamps) has no checksum.
"""

from __future__ import annotations

import ctypes
import functools
import struct
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

__all__ = ["Template", "TemplateError", "lookup3"]

_MASK = 0xFFFFFFFF


class TemplateError(ValueError):
    """The file cannot be patched safely (placeholder not unique, layout not understood)."""


def _rot(x: int, k: int) -> int:
    return ((x << k) | (x >> (32 - k))) & _MASK


def _lookup3_py(data: bytes) -> int:
    """HDF5's ``H5_checksum_metadata``: Bob Jenkins' lookup3 ``hashlittle`` with seed 0."""
    length = len(data)
    a = b = c = (0xDEADBEEF + length) & _MASK
    if not length:
        return c
    tail = length % 12 or 12
    body = length - tail
    words = struct.unpack(f"<{body // 4}I", data[:body])
    for i in range(0, len(words), 3):
        a, b, c = (a + words[i]) & _MASK, (b + words[i + 1]) & _MASK, (c + words[i + 2]) & _MASK
        a = ((a - c) & _MASK) ^ _rot(c, 4)
        c = (c + b) & _MASK
        b = ((b - a) & _MASK) ^ _rot(a, 6)
        a = (a + c) & _MASK
        c = ((c - b) & _MASK) ^ _rot(b, 8)
        b = (b + a) & _MASK
        a = ((a - c) & _MASK) ^ _rot(c, 16)
        c = (c + b) & _MASK
        b = ((b - a) & _MASK) ^ _rot(a, 19)
        a = (a + c) & _MASK
        c = ((c - b) & _MASK) ^ _rot(b, 4)
        b = (b + a) & _MASK
    ta, tb, tc = struct.unpack("<3I", data[body:] + bytes(12 - tail))
    a, b, c = (a + ta) & _MASK, (b + tb) & _MASK, (c + tc) & _MASK
    c = ((c ^ b) - _rot(b, 14)) & _MASK
    a = ((a ^ c) - _rot(c, 11)) & _MASK
    b = ((b ^ a) - _rot(a, 25)) & _MASK
    c = ((c ^ b) - _rot(b, 16)) & _MASK
    a = ((a ^ c) - _rot(c, 4)) & _MASK
    b = ((b ^ a) - _rot(a, 14)) & _MASK
    return ((c ^ b) - _rot(b, 24)) & _MASK


@functools.cache
def _checksum() -> Callable[[bytes], int]:
    """The HDF5 library's own checksum (through h5py's extension) when it agrees with the
    Python one on a sample; else the Python one (a few hundred times slower)."""
    try:
        import h5py.h5

        native = ctypes.CDLL(h5py.h5.__file__).H5_checksum_metadata
        native.restype = ctypes.c_uint32
        native.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint32]
    except (ImportError, OSError, AttributeError):
        return _lookup3_py
    sample = bytes(range(251)) * 3
    if all(native(sample[:n], n, 0) == _lookup3_py(sample[:n]) for n in (0, 5, 12, 13, 753)):
        return lambda data: int(native(data, len(data), 0))
    return _lookup3_py


def lookup3(data: bytes) -> int:
    """The checksum HDF5 writes in its metadata blocks."""
    return _checksum()(bytes(data))


@dataclass(frozen=True)
class _Region:
    """A checksummed metadata block: bytes ``[start, end)``, checksum field at ``field``."""

    start: int
    end: int
    field: int

    def checksum(self, data: bytearray) -> int:
        block = bytearray(data[self.start : self.end])
        if self.start <= self.field < self.end:
            block[self.field - self.start : self.field - self.start + 4] = bytes(4)
        return lookup3(bytes(block))

    def valid(self, data: bytearray) -> bool:
        return struct.unpack_from("<I", data, self.field)[0] == self.checksum(data)

    def contains(self, pos: int, size: int) -> bool:
        return self.start <= pos and pos + size <= self.end


@dataclass(frozen=True)
class Template:
    """An HDF5 file whose placeholder bytes each product replaces with its own."""

    data: bytes
    slots: tuple[tuple[str, int, int], ...]
    """(name, position, size) of each placeholder."""
    regions: tuple[_Region, ...]
    """The checksummed blocks holding a placeholder."""

    @classmethod
    def make(
        cls, data: bytes, placeholders: Mapping[str, bytes], raw: Collection[str] = ()
    ) -> Template:
        """A template of ``data``; ``placeholders`` (name -> bytes) that occur in the file must
        occur once; those in ``raw`` lie in raw data, the others in a checksummed block.
        Placeholders the file does not hold are ignored. Raises :class:`TemplateError`."""
        _check_sizes(data)
        blocks = _blocks(data)
        slots, regions = [], []
        for name, placeholder in placeholders.items():
            count = data.count(placeholder)
            if count == 0:
                continue
            if count > 1:
                raise TemplateError(f"placeholder {name!r} occurs {count} times")
            pos = data.find(placeholder)
            slots.append((name, pos, len(placeholder)))
            if name in raw:
                if any(block.start <= pos < block.end for block in blocks):
                    raise TemplateError(f"raw placeholder {name!r} lies in metadata")
                continue
            inside = [block for block in blocks if block.contains(pos, len(placeholder))]
            if len(inside) != 1:
                raise TemplateError(f"placeholder {name!r} is in no checksummed block known")
            if inside[0] not in regions:
                regions.append(inside[0])
        return cls(data, tuple(slots), tuple(regions))

    def render(self, values: Mapping[str, bytes]) -> bytes:
        """The file with ``values[name]`` (same size as the placeholder) in each slot."""
        if not self.slots:
            return self.data
        out = bytearray(self.data)
        for name, pos, size in self.slots:
            value = values[name]
            if len(value) != size:
                raise ValueError(f"{name}: {len(value)} bytes for a {size}-byte placeholder")
            out[pos : pos + size] = value
        for region in self.regions:
            struct.pack_into("<I", out, region.field, region.checksum(out))
        return bytes(out)


def _check_sizes(data: bytes) -> None:
    """Offsets and lengths must be 8 bytes (h5py's default; superblock version 0 or 2+)."""
    if data[:8] != b"\x89HDF\r\n\x1a\n":
        raise TemplateError("not an HDF5 file at offset 0")
    sizes = (data[13], data[14]) if data[8] in (0, 1) else (data[9], data[10])
    if sizes != (8, 8):
        raise TemplateError(f"offsets and lengths of {sizes} bytes are not handled")


def _blocks(data: bytes) -> list[_Region]:
    """Fractal heap direct blocks and object header first chunks whose checksums verify."""
    work = bytearray(data)
    found = []
    for signature, parse in ((b"FHDB", _direct_block), (b"OHDR", _header_chunk)):
        pos = data.find(signature)
        while pos >= 0:
            try:
                region = parse(data, pos)
            except (struct.error, IndexError, ValueError):
                region = None
            if region is not None and region.valid(work):
                found.append(region)
            pos = data.find(signature, pos + 4)
    return found


def _direct_block(data: bytes, pos: int) -> _Region | None:
    """``FHDB``: version, heap header address, block offset, checksum, objects; its size comes
    from the heap header's doubling table (rows 0 and 1 of starting size, then doubling)."""
    (header,) = struct.unpack_from("<Q", data, pos + 5)
    if data[header : header + 4] != b"FRHP" or not data[header + 9] & 0x02:
        return None  # not a heap header, or direct blocks not checksummed
    (width,) = struct.unpack_from("<H", data, header + 110)
    (start,) = struct.unpack_from("<Q", data, header + 112)
    (max_heap_bits,) = struct.unpack_from("<H", data, header + 128)
    offset_size = (max_heap_bits + 7) // 8
    offset = int.from_bytes(data[pos + 13 : pos + 13 + offset_size], "little")
    row = offset // (width * start)
    size = start if row < 2 else start << (row.bit_length() - 1)
    if pos + size > len(data):
        return None
    return _Region(pos, pos + size, pos + 13 + offset_size)


def _header_chunk(data: bytes, pos: int) -> _Region | None:
    """``OHDR`` version 2: flags, optional times and attribute thresholds, chunk size, messages,
    then the checksum."""
    if data[pos + 4] != 2:
        return None
    flags = data[pos + 5]
    cursor = pos + 6 + (16 if flags & 0x20 else 0) + (4 if flags & 0x10 else 0)
    width = 1 << (flags & 0x03)
    size = int.from_bytes(data[cursor : cursor + width], "little")
    end = cursor + width + size
    if end + 4 > len(data):
        return None
    return _Region(pos, end, end)
