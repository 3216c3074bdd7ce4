"""Landsat Collection 2 ``QA_PIXEL`` bits for a cube's ``mask=``.

The USGS Collection 2 bit layout (Level-1 and Level-2 alike): 0 fill, 1 dilated cloud, 2 cirrus,
3 cloud, 4 cloud shadow, 5 snow, 6 clear, 7 water (8-15: confidences, not masked here). A mask
names the bits that drop a pixel: ``"cloud"`` (or True) drops fill, dilated cloud, cirrus, cloud
and cloud shadow (bits 0-4); otherwise bits as names or numbers (``["cloud", "cloud_shadow"]``,
``[3, 4]``, ``"snow"``). A pixel with any of those bits set is no data in every variable.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["MASKS", "QA_BITS", "bits_mask", "describe", "mask_bits"]

#: QA_PIXEL bit -> its name (as the Landsat reader's CF ``flag_meanings``).
QA_BITS = {
    0: "fill",
    1: "dilated_cloud",
    2: "cirrus",
    3: "cloud",
    4: "cloud_shadow",
    5: "snow",
    6: "clear",
    7: "water",
}
#: Named masks: the bits each drops.
MASKS = {"cloud": frozenset({0, 1, 2, 3, 4})}
_NAMES = {name: bit for bit, name in QA_BITS.items()}


def _expected(mask: Any) -> str:
    return (
        f"mask={mask!r}: expected 'cloud' (or True: drops QA_PIXEL fill, dilated cloud, cirrus, "
        "cloud and cloud shadow) or the QA_PIXEL bits to drop, as numbers 0-7 or names ("
        + ", ".join(f"{b} {n}" for b, n in QA_BITS.items())
        + ")"
    )


def mask_bits(mask: Any) -> frozenset[int] | None:
    """The QA_PIXEL bits ``mask`` drops (None: no mask); a clear error for anything else."""
    if mask is None or mask is False:
        return None
    if mask is True:
        return MASKS["cloud"]
    if isinstance(mask, str) and mask.strip().lower() in MASKS:
        return MASKS[mask.strip().lower()]
    if isinstance(mask, str) and mask.strip().lower() == "clear":
        raise ValueError(
            _expected(mask) + "; a bare 'clear' would drop the pixels USGS flags clear (for "
            "Sentinel-2 it keeps them): for cloud-free pixels give 'cloud', to drop the clear "
            "bit itself give ['clear']"
        )
    values = [mask] if isinstance(mask, (int, str)) else mask
    out: set[int] = set()
    try:
        for v in values:
            key = v.strip().lower().replace("-", "_").replace(" ", "_") if isinstance(v, str) else v
            if isinstance(key, str) and key in _NAMES:
                out.add(_NAMES[key])
            elif isinstance(key, (int, np.integer)) and not isinstance(key, bool) and 0 <= key <= 7:
                out.add(int(key))
            else:
                raise ValueError(v)
    except (TypeError, ValueError):
        raise ValueError(_expected(mask)) from None
    if not out:
        raise ValueError(_expected(mask) + "; got no bit")
    return frozenset(out)


def bits_mask(bits: frozenset[int]) -> int:
    """The integer with ``bits`` set (``{3, 4}`` -> 24)."""
    return sum(1 << b for b in bits)


def describe(bits: frozenset[int] | None) -> str:
    """What was masked, for the cube's attributes."""
    if bits is None:
        return "none"
    return "QA_PIXEL bits dropped: " + ",".join(f"{b} {QA_BITS[b]}" for b in sorted(bits))
