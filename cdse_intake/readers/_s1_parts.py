"""The images of a Sentinel-1 SAFE product to open, and what their files say.

Picks the images (swath, polarisation) asked for with their paths as the product spells them,
skipping with a warning those whose files are missing (a partial download, trimmed samples);
then reads each image's annotation, calibration and noise XML and its measurement TIFF header
(remote ones in parallel) into a :class:`Part`.
"""

from __future__ import annotations

import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import xarray as xr

from ..errors import UnsupportedProduct
from . import xml
from ._s1_annotation import Annotation, parse_annotation
from ._s1_lazy import GridInterpolator
from ._s1_metadata import (
    annotation_groups,
    calibration_groups,
    calibration_vectors,
    noise_groups,
)
from ._s1_safe import ImageFiles, Sentinel1Metadata
from .raster import RasterInfo, raster_info
from .source import ProductSource

__all__ = ["Part", "read_parts", "select_images", "select_imagettes"]


def select_images(
    md: Sentinel1Metadata, wanted: list[str] | None, lut_name: str | None, source: ProductSource
) -> list[ImageFiles]:
    """The images to open with their paths as the product spells them; missing files skipped
    (with a warning) unless asked for."""
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
    chosen: list[ImageFiles] = []
    skipped: list[str] = []
    for image in sorted(md.images, key=lambda i: (i.swath, order[i.polarisation], i.number)):
        if wanted is not None and image.polarisation not in wanted:
            continue
        paths = {
            role: actual.get(rel.lower()) if rel else None
            for role, rel in (
                ("annotation", image.annotation),
                ("calibration", image.calibration),
                ("noise", image.noise),
                ("rfi", image.rfi),
                ("measurement", image.measurement),
            )
        }
        lacking = [
            getattr(image, role) or f"the {role} file of {image.swath}/{image.polarisation}"
            for role in ("annotation", "measurement")
            if paths[role] is None
        ]
        if lacking:
            skipped.extend(lacking)
            continue
        if lut_name is not None and paths["calibration"] is None:
            raise UnsupportedProduct(
                f"{source.location}: calibration needs "
                f"{image.calibration or 'the calibration annotation'} of "
                f"{image.swath}/{image.polarisation}, which the product lacks"
            )
        chosen.append(replace(image, **paths))
    if not chosen or (wanted and {i.polarisation for i in chosen} != set(wanted)):
        what = ", ".join(skipped[:4]) + (
            f" and {len(skipped) - 4} more" if len(skipped) > 4 else ""
        )
        raise UnsupportedProduct(
            f"{source.location}: the product lacks the files of the images to open: "
            f"{what or 'its manifest lists no image'}"
        )
    if skipped:
        warnings.warn(
            f"{source.location}: skipping images whose files are missing: "
            + ", ".join(skipped[:6])
            + (f" and {len(skipped) - 6} more" if len(skipped) > 6 else ""),
            UserWarning,
            stacklevel=3,
        )
    return chosen


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
    info: RasterInfo
    luts: dict[str, GridInterpolator] | None
    """The calibration LUTs by name (sigmaNought...), when calibrating."""
    groups: dict[str, xr.Dataset]


def read_parts(source: ProductSource, images: list[ImageFiles], calibrate: bool) -> list[Part]:
    """Annotation, calibration and noise XML and the TIFF headers of the images (remote ones in
    parallel: each costs a round trip or two)."""
    xml_paths = [p for i in images for p in (i.annotation, i.calibration, i.noise) if p is not None]
    tiffs = [i.measurement for i in images if i.measurement is not None]
    if source.origin == "remote":
        with ThreadPoolExecutor(max_workers=min(8, len(xml_paths) + len(tiffs))) as pool:
            data = dict(zip(xml_paths, pool.map(source.read_bytes, xml_paths), strict=True))
            infos = dict(zip(tiffs, pool.map(lambda p: raster_info(source, p), tiffs), strict=True))
    else:
        data = {p: source.read_bytes(p) for p in xml_paths}
        infos = {p: raster_info(source, p) for p in tiffs}
    return [_part(source, image, data, infos, calibrate) for image in images]


def _part(
    source: ProductSource,
    image: ImageFiles,
    data: dict[str, bytes],
    infos: dict[str, RasterInfo],
    calibrate: bool,
) -> Part:
    assert image.annotation is not None
    assert image.measurement is not None
    where = f"{source.location}: {image.annotation}"
    annotation, root = parse_annotation(data[image.annotation], where)
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
            UserWarning,
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
