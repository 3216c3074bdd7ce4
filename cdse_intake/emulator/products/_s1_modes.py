"""Sentinel-1 acquisition modes as data: what the GRD and SLC writers change between Interferometric
Wide swath (IW), Extra Wide swath (EW) and StripMap (SM, beams S1..S6).

A product name's second field (``S1A_IW_...``, ``S1A_EW_...``, ``S1A_S3_...``) picks a
:class:`Mode`. IW's values are the ones the writers had before modes were data (its bytes do not
change); EW's and the stripmap beams' follow ESA's Sentinel-1 product specification (incidence
ranges, swath counts, nominal GRD pixel spacing), with slant range times approximated from the
incidence angles at a 693 km orbit. The SLC sub-swath layouts (bursts, samples) are in
:mod:`.sentinel1_slc`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MODES", "Mode", "mode_of"]


@dataclass(frozen=True)
class Mode:
    """One acquisition mode (or stripmap beam)."""

    beam: str
    """The name's mode field and the GRD files' swath: ``IW``, ``EW``, ``S1``..``S6``."""
    mode: str
    """``operationalMode`` and the annotations' ``<mode>``: ``IW``, ``EW`` or ``SM``."""
    swaths: tuple[str, ...]
    """Sub-swaths (``swathIdentifier``; one SLC image per swath and polarisation)."""
    incidence: tuple[float, float]
    """Incidence angle (degrees) at near and far range of the whole swath."""
    near_slant_range_time: float
    """Two-way slant range time (s) of the GRD's first sample."""
    steering_rate: float
    """GRD ``azimuthSteeringRate`` (degrees/s; 0 for stripmap, which does not steer)."""
    pixel_spacing: float
    """Nominal GRD pixel spacing (m): 10 for HR (IW, SM), 40 for EW MR."""

    @property
    def tops(self) -> bool:
        """TOPS modes (IW, EW) acquire in bursts; stripmap does not."""
        return self.mode != "SM"


_SM = {
    # beam: (incidence near, far), near slant range time (approximate)
    "S1": ((18.3, 22.3), 4.75e-03),
    "S2": ((21.6, 26.1), 4.90e-03),
    "S3": ((27.6, 31.4), 5.15e-03),
    "S4": ((33.0, 36.4), 5.45e-03),
    "S5": ((36.6, 40.8), 5.70e-03),
    "S6": ((40.8, 43.9), 5.95e-03),
}

#: Modes by the name's mode field.
MODES: dict[str, Mode] = {
    "IW": Mode(
        "IW", "IW", ("IW1", "IW2", "IW3"), (30.7, 46.0), 5.343315555380221e-03, 1.590368784, 10.0
    ),
    "EW": Mode(
        "EW", "EW", ("EW1", "EW2", "EW3", "EW4", "EW5"), (18.9, 47.0), 4.87e-03, 2.390895448, 40.0
    ),
    **{
        beam: Mode(beam, "SM", (beam,), incidence, srt, 0.0, 10.0)
        for beam, (incidence, srt) in _SM.items()
    },
}


def mode_of(name: str) -> Mode:
    """The mode of a Sentinel-1 product or file name (``S1A_EW_GRDM_...``); ValueError if none."""
    mode = MODES.get(name[4:6])
    if mode is None or not name.startswith("S1"):
        raise ValueError(f"no Sentinel-1 IW, EW or stripmap mode in {name!r}")
    return mode
