"""Poseidon-4 Level-1B LR measurement file: calibrated, geolocated low-resolution waveforms.

Groups and variables as the measurement asset of a CDSE ``S6A_P4_1B_LR______…SEN6`` item lists
them (eometadatatool ``sentinel-6`` example: dimensions ``time``, ``samples`` (256),
``samples_ptr``, ``space_3d``; ``power_waveform`` (time, samples) uint16 "LR power waveform:
scaled 0-65534", ``waveform_scale_factor`` (W), ``tracker_range_calibrated`` "calibrated 1-way
tracker range: CoM to middle range window (at sample ns/2 from 0)", ``altitude``,
``altitude_rate``, ``surface_classification_flag``, ``range_cor_*``...; fills at the negative
type maximum) and as readers of real files open them (``data_20/ku/power_waveform``,
``data_20/ku/waveform_scale_factor``, ``data_20/ku/tracker_range_calibrated``)::

    /              global attributes
    data_20/ku|c   20 Hz records per band: time, time_tai, latitude, longitude, altitude,
                   altitude_rate, tracker_range_calibrated, power_waveform, waveform_scale_factor,
                   surface_classification_flag, l1b_record_counter, range corrections
    global/ku|c    samples: cal2_correction (the normalised CAL2 the waveforms were corrected by)

Waveforms follow the Brown ocean model: a leading edge at the tracking point (sample 128), its
width from the wave height, a slow trailing decay; over land they are peaky (specular returns at
random gates). Thinned along track (:data:`._s6_track.RECORDS`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._netcdf import NcGroup, netcdf_bytes, variable
from ._s6_nc import FLAG_MEANINGS, coords, flag, packed, times
from ._s6_track import RECORDS, Ground, Track, surface_class

__all__ = ["GATE_METRES", "SAMPLES", "l1b_file", "waveforms"]

SAMPLES = 256
#: One range gate (3.125 ns at 320 MHz), one way, in metres.
GATE_METRES = 299_792_458.0 * 3.125e-9 / 2


def _erf(x: np.ndarray) -> np.ndarray:
    """The error function (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7), vectorised."""
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return sign * (1.0 - poly * np.exp(-x * x))


def waveforms(track: Track, g: Ground, band: str) -> tuple[np.ndarray, np.ndarray]:
    """``(power_waveform uint16 (time, samples), leading-edge offset in gates)``."""
    n = g.lat.size
    rng = np.random.default_rng(track.seed(f"l1b-wf-{band}"))
    swh = track.wave_height(g)
    sigma = np.sqrt(0.8**2 + (swh / (4 * GATE_METRES)) ** 2)  # rise width in gates
    epoch = 0.6 * rng.standard_normal(n)  # tracker lag, gates
    gates = np.arange(SAMPLES, dtype=np.float64)[None, :] - SAMPLES / 2 - epoch[:, None]
    rise = 0.5 * (1 + _erf(gates / (np.sqrt(2) * sigma[:, None])))
    decay = np.exp(-np.clip(gates, 0, None) * (0.004 if band == "ku" else 0.006))
    power = rise * decay + 0.02
    speckle = rng.gamma(20.0, 1 / 20.0, size=power.shape)  # ~100 looks averaged
    power = power * speckle
    land = g.land
    if land.any():  # specular, peaky returns anywhere in the window
        k = int(land.sum())
        peak = rng.integers(40, SAMPLES - 40, size=k)
        width = rng.uniform(1.0, 4.0, size=k)
        base = np.arange(SAMPLES)[None, :]
        power[land] = 0.05 + np.exp(-0.5 * ((base - peak[:, None]) / width[:, None]) ** 2)
        power[land] *= rng.gamma(4.0, 1 / 4.0, size=(k, SAMPLES))
    scaled = np.round(power / power.max(axis=1, keepdims=True) * 65534)
    return scaled.astype(np.uint16), epoch


def _band(b: NcGroup, track: Track, t20: np.ndarray, band: str) -> None:
    g = track.at(t20)
    n = t20.size
    b.dimensions = {"time": n, "samples": SAMPLES, "space_3d": 3}
    times(b, t20)
    variable(b, "samples", ("samples",), np.arange(SAMPLES, dtype=np.int16), np.int16,
             long_name="waveform sample number")  # fmt: skip
    variable(b, "space_3d", ("space_3d",), np.arange(3, dtype=np.int8), np.int8,
             long_name="index of carteesian coordinates")  # fmt: skip
    coords(b, g.lon360, g.lat, level1=True)
    t = ("time",)
    altitude = track.altitude(g)
    ssh = track.mean_sea_surface(g) + np.where(g.land, 300.0 * g.land_fraction, 0.0)
    wf, epoch = waveforms(track, g, band)
    tracker = altitude - ssh - 2.3 - 0.15 - epoch * GATE_METRES
    packed(b, "altitude", t, altitude, np.int32, 1e-4,
           "center of mass altitude above the reference ellipsoid", "m", offset=1_300_000.0,
           level1=True)  # fmt: skip
    rate = np.gradient(altitude, t20) if n > 1 else np.zeros(n)
    packed(b, "altitude_rate", t, rate, np.int32, 1e-4,
           "center of mass altitude rate with respect to the reference ellipsoid", "m/s",
           level1=True)  # fmt: skip
    packed(b, "tracker_range_calibrated", t, tracker, np.int32, 1e-4,
           "calibrated 1-way tracker range: CoM to middle range window (at sample ns/2 from 0)",
           "m", offset=1_300_000.0, level1=True)  # fmt: skip
    for name, value, what in (
        ("range_cor_doppler", 0.02 * np.sin(np.radians(g.lat)),
         "range correction: 1-way Doppler compensation"),
        ("range_cor_com", np.full(n, 0.81), "range correction: 1-way distance CoM-antenna"),
        ("range_cor_uso", np.full(n, 0.003), "range correction: 1-way USO drift"),
    ):  # fmt: skip
        packed(b, name, t, value, np.int16, 1e-4, what, "m", level1=True)
    variable(b, "power_waveform", ("time", "samples"), wf, np.uint16,
             long_name="LR power waveform: scaled 0-65534",
             comment="multiply by waveform_scale_factor: power at the antenna flange")  # fmt: skip
    level = 10 ** (-(10.0 + 0.5 * np.cos(np.radians(g.lat))) - (0.4 if band == "c" else 0.0))
    variable(b, "waveform_scale_factor", t, (level / 65534).astype(np.float32), np.float32,
             fill=np.float32(np.nan), long_name="waveform scale factor, to convert "
             "power_waveform to power at antenna flange", units="W")  # fmt: skip
    flag(b, "surface_classification_flag", t, surface_class(g), "flag indicating the surface type",
         FLAG_MEANINGS["surface_classification_flag"], level1=True)  # fmt: skip
    packed(b, "l1b_record_counter", t, np.arange(n), np.int32, None, "Level 1B record counter",
           level1=True)  # fmt: skip
    packed(b, "sig0_scaling_factor", t, np.full(n, 62.3 if band == "ku" else 58.9), np.int16,
           0.01, "power scaling: scaling factor for sigma-0 evaluation (from antenna flange)",
           "dB", level1=True)  # fmt: skip


def l1b_file(track: Track, attrs: dict[str, Any], name: str) -> bytes:
    """The measurement file of an L1B LR product."""
    t = track.times(RECORDS["l1b"])

    def write(root: NcGroup) -> None:
        for key, value in {**attrs, "product_name": name}.items():
            root.attrs[key] = value
        data = root.create_group("data_20")
        step = (t[1] - t[0]) if t.size > 1 else 0.05
        for band, shift in (("ku", 0.0), ("c", step / 2)):
            _band(data.create_group(band), track, t + shift, band)
        glob = root.create_group("global")
        for band in ("ku", "c"):
            gb = glob.create_group(band)
            gb.dimensions = {"samples": SAMPLES}
            x = np.arange(SAMPLES) - SAMPLES / 2
            cal2 = 1.0 + 0.01 * np.cos(x / 9.0)
            variable(gb, "cal2_correction", ("samples",), cal2, np.float64,
                     long_name="normalized CAL2 for the waveforms correction")  # fmt: skip

    return netcdf_bytes(write)
