"""The images of a Sentinel-1 SAFE product to open, and what their files say.

Picks the images (swath, polarisation) asked for with their paths as the product spells them,
leaving out with a :class:`~cdse_intake.errors.PartialProductWarning` those whose files are
missing (a partial download, trimmed samples), or keeping their annotations only when the
product has no measurement file at all; then reads each image's annotation, calibration and
noise XML and its measurement TIFF header, checked first (remote ones in parallel), into a
:class:`Part`.
"""

from __future__ import annotations

import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import xarray as xr

from ..errors import PartialProductWarning, UnsupportedProduct
from . import xml
from ._partial import listed, warn_missing
from ._s1_annotation import Annotation, parse_annotation
from ._s1_lazy import GridInterpolator
from ._s1_members import checked_raster_info, checked_xml
from ._s1_metadata import (
    annotation_groups,
    calibration_groups,
    calibration_vectors,
    noise_groups,
)
from ._s1_safe import ImageFiles, Sentinel1Metadata
from .raster import RasterInfo
from .source import ProductSource

__all__ = ["Part", "Selection", "read_parts", "select_images", "select_imagettes"]


@dataclass(frozen=True)
class Selection:
    """The images to open, with their paths as the product spells them."""

    images: list[ImageFiles]
    metadata_only: bool = False
    """The product has no measurement file at all: the images have annotations only."""


def select_images(
    md: Sentinel1Metadata, wanted: list[str] | None, lut_name: str | None, source: ProductSource
) -> Selection:
    """The images to open; those lacking their annotation or measurement are left out with a
    :class:`PartialProductWarning` naming every missing file of the images asked (an error when
    asked by ``polarisations=``). A product without any measurement file opens as metadata."""
    available = list(dict.fromkeys([*md.polarisations, *(i.polarisation for i in md.images)]))
    if wanted is not None:
        absent = [p for p in wanted if p not in available]
        if absent:
            raise ValueError(
                f"polarisations: {', '.join(map(repr, absent))} is not in "
                f"{md.name or source.name}; it has {', '.join(available) or 'none'}"
            )
    actual = {f.lower(): f for f in source.files()}
    order = {p: k for k, p in enumerate(available)}
    pairs: list[tuple[ImageFiles, ImageFiles]] = []  # (as listed, as found)
    missing: list[str] = []
    for image in sorted(md.images, key=lambda i: (i.swath, order[i.polarisation], i.number)):
        if wanted is not None and image.polarisation not in wanted:
            continue
        paths = {role: actual.get(rel.lower()) if rel else None for role, rel in _paths(image)}
        missing += [rel for role, rel in _paths(image) if rel and paths[role] is None]
        missing += [
            f"the {role} file of {image.swath}/{image.polarisation}"
            for role in ("annotation", "measurement")
            if not getattr(image, role)
        ]
        pairs.append((image, replace(image, **paths)))
    if not pairs:
        raise UnsupportedProduct(
            f"{source.location}: its manifest lists no image"
            + (f" of {', '.join(wanted)}" if wanted else "")
            + "; expected measurement and annotation data objects (s1Level1MeasurementSchema...)"
        )
    measured = [i.measurement for i in md.images if i.measurement]
    if not any(m.lower() in actual for m in measured):
        warn_missing(
            source.location,
            missing,
            "files (no measurement file at all: opened as metadata only, no image variables)",
        )
        return Selection([i for _, i in pairs if i.annotation], metadata_only=True)
    chosen = [(listed_as, i) for listed_as, i in pairs if i.annotation and i.measurement]
    if not chosen or (wanted and {i.polarisation for _, i in chosen} != set(wanted)):
        lacking = [
            getattr(listed_as, role) or f"the {role} file of {i.swath}/{i.polarisation}"
            for listed_as, i in pairs
            for role in ("annotation", "measurement")
            if getattr(i, role) is None
        ]
        raise UnsupportedProduct(
            f"{source.location}: the product lacks the files of the images to open: "
            f"{listed(lacking)}"
        )
    for listed_as, image in chosen:
        if lut_name is not None and image.calibration is None:
            raise UnsupportedProduct(
                f"{source.location}: calibration needs "
                f"{listed_as.calibration or 'the calibration annotation'} of "
                f"{image.swath}/{image.polarisation}, which the product lacks"
            )
    warn_missing(
        source.location, missing, "files (images lacking annotation or measurement left out)"
    )
    return Selection([i for _, i in chosen])


def _paths(image: ImageFiles) -> list[tuple[str, str | None]]:
    return [(role, getattr(image, role)) for role in _ROLES]


_ROLES = ("annotation", "calibration", "noise", "rfi", "measurement")


def select_imagettes(
    images: list[ImageFiles], wanted: object, source: ProductSource
) -> list[ImageFiles]:
    """The wave-mode images of the imagettes ``wanted`` (numbers such as ``1``, ``"003"``, or a
    list of them; None: all)."""
    if wanted is None:
        return images
    items = wanted if isinstance(wanted, (list, tuple, set, range)) else [wanted]
    numbers = []
    for item in items:
        try:
            if isinstance(item, bool):
                raise ValueError(item)
            numbers.append(f"{int(str(item).strip()):03d}")
        except ValueError:
            raise ValueError(
                f"imagettes={wanted!r}: {item!r} is not an imagette number (e.g. 1 or '001')"
            ) from None
    have = sorted({i.number for i in images})
    absent = [n for n in numbers if n not in have]
    if absent or not numbers:
        raise ValueError(
            f"imagettes={wanted!r}: {', '.join(absent) or 'none asked'} not in "
            f"{source.name}; it has {', '.join(have[:3])}..{have[-1] if have else ''}"
        )
    return [i for i in images if i.number in numbers]


@dataclass(frozen=True)
class Part:
    """One image with what its files say."""

    files: ImageFiles
    annotation: Annotation
    info: RasterInfo | None
    """The measurement TIFF's header; None for a metadata-only image."""
    luts: dict[str, GridInterpolator] | None
    """The calibration LUTs by name (sigmaNought...), when calibrating."""
    groups: dict[str, xr.Dataset]


def read_parts(source: ProductSource, images: list[ImageFiles], calibrate: bool) -> list[Part]:
    """Annotation, calibration and noise XML and the TIFF headers of the images (remote ones in
    parallel: each costs a round trip or two)."""
    xml_paths = [p for i in images for p in (i.annotation, i.calibration, i.noise) if p is not None]
    tiffs = [i.measurement for i in images if i.measurement is not None]

    def read_xml(rel: str) -> bytes:
        return checked_xml(source, rel, source.read_bytes(rel))

    def read_info(rel: str) -> RasterInfo:
        return checked_raster_info(source, rel)

    if source.origin == "remote" and xml_paths:
        with ThreadPoolExecutor(max_workers=min(8, len(xml_paths) + len(tiffs))) as pool:
            data = dict(zip(xml_paths, pool.map(read_xml, xml_paths), strict=True))
            infos = dict(zip(tiffs, pool.map(read_info, tiffs), strict=True))
    else:
        data = {p: read_xml(p) for p in xml_paths}
        infos = {p: read_info(p) for p in tiffs}
    return [_part(source, image, data, infos, calibrate) for image in images]


def _part(
    source: ProductSource,
    image: ImageFiles,
    data: dict[str, bytes],
    infos: dict[str, RasterInfo],
    calibrate: bool,
) -> Part:
    assert image.annotation is not None
    where = f"{source.location}: {image.annotation}"
    annotation, root = parse_annotation(data[image.annotation], where)
    info = None
    if image.measurement is not None:
        info = _checked_info(infos[image.measurement], annotation, image, source)
    groups, failed = annotation_groups(root, annotation.grid, annotation.projection)
    luts = None
    if image.calibration is not None:
        where = f"{source.location}: {image.calibration}"
        calibration_root = xml.parse(data[image.calibration], where)
        more, also_failed = calibration_groups(calibration_root)
        groups.update(more)
        failed += also_failed
        if calibrate:
            lines, pixels, values = calibration_vectors(calibration_root, where)
            luts = {
                name: GridInterpolator(lines, pixels, lut, clamp=True)
                for name, lut in values.items()
            }
    if image.noise is not None:
        more, also_failed = noise_groups(
            xml.parse(data[image.noise], f"{source.location}: {image.noise}")
        )
        groups.update(more)
        failed += also_failed
    if failed:
        warnings.warn(
            f"{source.location}: {image.swath}/{image.polarisation}: metadata groups left out: "
            + "; ".join(failed),
            PartialProductWarning,
            stacklevel=5,
        )
    return Part(image, annotation, info, luts, groups)


def _checked_info(
    info: RasterInfo, annotation: Annotation, image: ImageFiles, source: ProductSource
) -> RasterInfo:
    if (info.height, info.width) != (annotation.lines, annotation.samples):
        raise UnsupportedProduct(
            f"{source.location}: {image.measurement} is {info.height} x {info.width} pixels but "
            f"its annotation says {annotation.lines} lines x {annotation.samples} samples"
        )
    if info.dtype == "complex_int16":  # SLC: GDAL CInt16, which rasterio reads as complex64
        info = replace(info, dtype="complex64")
    return info
