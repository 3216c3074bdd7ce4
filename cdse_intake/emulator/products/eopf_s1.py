"""Sentinel-1 IW GRD products in the EOPF Zarr format (``S01SIWGRH_...zarr``).

Shaped after the EOPF documentation (Sentinel-1 L1/L2 re-engineered processors' product format
specification: Level-1 ``measurements``/``conditions``/``quality`` groups and their subgroups;
EOPF CPM 2.5 GRD products as the EOPF sample service serves them, one sub-product group per
polarisation ``S01SIWGRD_<start>_<duration>_<unit><cycle>_<id>_<datatake>_<pol>``)::

    <Name>.zarr/
      S01SIWGRD_..._VV/   (and ..._VH)
        measurements/grd             (azimuth_time, ground_range) uint16, 0 = no data;
                                     coordinates azimuth_time, ground_range, line, pixel
        conditions/antenna_pattern   elevation_angle, incidence_angle, roll, terrain_height
                  /attitude          q0..q3, wx, wy, wz, roll, pitch, yaw
                  /azimuth_fm_rate   azimuth_fm_rate_polynomial (azimuth_time, degree), t0
                  /coordinate_conversion  srgr_coefficients, grsr_coefficients, sr0, gr0
                  /doppler_centroid  data_dc_polynomial, geometry_dc_polynomial, t0, ...
                  /gcp               latitude, longitude, height, incidence_angle,
                                     elevation_angle (azimuth_time, ground_range)
                  /orbit             position, velocity (azimuth_time, axis)
                  /reference_replica amplitude_coefficients, phase_coefficients
                  /replica           cross_correlation_bandwidth, _pslr, _islr, ...
                  /terrain_height    terrain_height (azimuth_time)
        quality/calibration          sigma_nought, beta_nought, gamma, dn
               /noise_range          noise_range_lut (azimuth_time, ground_range)
               /noise_azimuth        noise_azimuth_lut (azimuth_time)

Approximated: the image is small (:data:`LINES` x :data:`SAMPLES`, not ~16,700 x 26,500),
the product name's polarisation field is the pair (``DV``) where the documented single-
polarisation example ends ``_VH``; the annotation groups hold few records with plausible
values (not a real orbit or antenna model), and the backscatter is a gamma-speckled ramp per
polarisation, not the SAFE writer's synthetic Earth. Times are stored as microseconds since
the product start with a CF ``units`` attribute.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from . import Builder
from ._eopf_tree import Tree, lonlat_grid, random_for, stac_discovery

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["LINES", "POLARISATIONS", "SAMPLES", "build_grd", "expected_grd", "groups"]

LINES, SAMPLES = 160, 200
POLARISATIONS = ("VV", "VH")
PIXEL_SPACING = 10.0  # m, IW GRDH
LINE_INTERVAL = 1.0 / 486.0  # s (azimuth time interval of IW GRDH)
BORDER = 3  # columns of no data at each side, as the GRD border
_MEAN = {"VV": 180.0, "VH": 60.0}


def _fields(entry: Entry) -> dict[str, Any]:
    attrs = {name: value for name, _, value in entry.attributes}
    abs_orbit = int(attrs.get("orbitNumber", entry.extra.get("orbit", 0)))
    parts = entry.extra["legacy_name"].split("_")
    return {
        "unit": entry.extra["legacy_name"][2],
        "duration": round((entry.end - entry.start).total_seconds()),
        "relative": 1 + (abs_orbit - 73) % 175,
        "cycle": 1 + (abs_orbit - 73) // 175,
        "datatake": parts[-2],
        "id": parts[-1].split(".")[0],
    }


def groups(entry: Entry) -> dict[str, str]:
    """Polarisation -> its sub-product group name."""
    f = _fields(entry)
    return {
        pol: f"S01SIWGRD_{entry.start:%Y%m%dT%H%M%S}_{f['duration']:04d}_{f['unit']}"
        f"{f['cycle']:03d}_{f['id']}_{f['datatake']}_{pol}"
        for pol in POLARISATIONS
    }


def expected_grd(entry: Entry, pol: str) -> np.ndarray:
    """The stored amplitude counts of polarisation ``pol`` (0 on the no-data border)."""
    rng = random_for(entry, "grd", pol)
    ramp = np.linspace(1.3, 0.7, SAMPLES)[None, :]  # brighter at near range
    looks = 4.4  # the equivalent number of looks of IW GRDH
    intensity = rng.gamma(looks, 1.0 / looks, (LINES, SAMPLES))
    dn = np.round(_MEAN[pol] * ramp * np.sqrt(intensity)).clip(1, 65535).astype(np.uint16)
    dn[:, :BORDER] = 0
    dn[:, -BORDER:] = 0
    return dn


def build_grd(entry: Entry) -> dict[str, bytes]:
    """The files of an EOPF S1 GRD product (paths relative to the ``<Name>.zarr`` folder)."""
    tree = Tree()
    tree.root.attrs.update(_root_attributes(entry))
    for pol, group in groups(entry).items():
        tree.group(group, {"other_metadata": {"polarisation": pol}})
        _Writer(tree, entry, group, pol).write()
    return tree.files()


class _Writer:
    def __init__(self, tree: Tree, entry: Entry, group: str, pol: str) -> None:
        self.tree, self.entry, self.group, self.pol = tree, entry, group, pol
        start = entry.start.replace(tzinfo=None)
        self.time_units = f"microseconds since {start:%Y-%m-%d %H:%M:%S.%f}"
        self.rng = random_for(entry, "annotation", pol)

    def _times(self, path: str, count: int, span: float) -> None:
        micro = np.round(np.linspace(0, span, count) * 1e6).astype(np.int64)
        self.tree.array(
            f"{path}/azimuth_time",
            micro,
            ["azimuth_time"],
            {"long_name": "zero Doppler azimuth time", "units": self.time_units},
        )

    def _var(
        self, path: str, data: np.ndarray, dims: list[str], units: str = "", more: tuple = ()
    ) -> None:
        """A variable of the polarisation's group; its coordinates: its dimensions, ``more``."""
        attrs = {"long_name": path.rsplit("/", 1)[-1].replace("_", " ")}
        if units:
            attrs["units"] = units
        coordinates = [*dims, *more]
        self.tree.array(f"{self.group}/{path}", data, dims, attrs, coordinates=coordinates)

    def write(self) -> None:
        g, span = self.group, LINES * LINE_INTERVAL
        m = f"{g}/measurements"
        self._times(m, LINES, span - LINE_INTERVAL)
        self.tree.array(
            f"{m}/ground_range",
            np.arange(SAMPLES) * PIXEL_SPACING,
            ["ground_range"],
            {"long_name": "ground range distance from the first pixel", "units": "m"},
        )
        self.tree.array(f"{m}/line", np.arange(LINES, dtype=np.int64), ["azimuth_time"], {})
        self.tree.array(f"{m}/pixel", np.arange(SAMPLES, dtype=np.int64), ["ground_range"], {})
        self.tree.array(
            f"{m}/grd",
            expected_grd(self.entry, self.pol),
            ["azimuth_time", "ground_range"],
            {
                "long_name": f"Ground range detected amplitude, {self.pol} polarisation",
                "units": "1",
            },
            coordinates=["azimuth_time", "ground_range", "line", "pixel"],
            fill=np.uint16(0),
            chunks=(LINES // 2, SAMPLES),
        )
        self._conditions(span)
        self._quality(span)

    def _conditions(self, span: float) -> None:
        c, r = f"{self.group}/conditions", self.rng
        t = ["azimuth_time"]
        deg = ["azimuth_time", "degree"]
        self._times(f"{c}/antenna_pattern", 3, span)
        elevation = np.linspace(29.0, 46.0, 3)
        self._var(
            "conditions/antenna_pattern/elevation_angle",
            np.tile(elevation, (3, 1)),
            ["azimuth_time", "count"],
            "degrees",
        )
        self._var(
            "conditions/antenna_pattern/incidence_angle",
            np.tile(elevation + 1.2, (3, 1)),
            ["azimuth_time", "count"],
            "degrees",
        )
        self._var("conditions/antenna_pattern/roll", 29.45 + r.normal(0, 1e-3, 3), t, "degrees")
        self._var("conditions/antenna_pattern/terrain_height", np.full(3, 120.0), t, "m")
        self._times(f"{c}/attitude", 5, span)
        quaternion = np.array([-0.0836, -0.6964, 0.0517, -0.7108])
        for k, name in enumerate(("q0", "q1", "q2", "q3")):
            self._var(f"conditions/attitude/{name}", quaternion[k] + r.normal(0, 1e-5, 5), t)
        for name in ("wx", "wy", "wz"):
            self._var(f"conditions/attitude/{name}", r.normal(0, 0.05, 5), t, "degrees s-1")
        for name, value in (("roll", -29.9), ("pitch", -0.05), ("yaw", 3.8)):
            self._var(f"conditions/attitude/{name}", value + r.normal(0, 1e-3, 5), t, "degrees")
        self._times(f"{c}/azimuth_fm_rate", 3, span)
        self._var(
            "conditions/azimuth_fm_rate/azimuth_fm_rate_polynomial",
            np.tile([-2330.0, 450000.0, -79000000.0], (3, 1)),
            deg,
        )
        self._var("conditions/azimuth_fm_rate/t0", np.full(3, 5.36e-3), t, "s")
        self._times(f"{c}/coordinate_conversion", 2, span)
        self._var("conditions/coordinate_conversion/sr0", np.full(2, 800_000.0), t, "m")
        self._var("conditions/coordinate_conversion/gr0", np.zeros(2), t, "m")
        self._var("conditions/coordinate_conversion/slant_range_time", np.full(2, 5.34e-3), t, "s")
        self._var(
            "conditions/coordinate_conversion/srgr_coefficients",
            np.tile([800_000.0, 0.55, 3.2e-7, -1.4e-13, 2.6e-20], (2, 1)),
            deg,
        )
        self._var(
            "conditions/coordinate_conversion/grsr_coefficients",
            np.tile([0.0, 1.8, -1.1e-6, 4.8e-13, -8.0e-20], (2, 1)),
            deg,
        )
        self._times(f"{c}/doppler_centroid", 3, span)
        for name in ("data_dc_polynomial", "geometry_dc_polynomial"):
            self._var(
                f"conditions/doppler_centroid/{name}",
                np.tile([-30.0, 1.2e4, -1.6e7], (3, 1)) + r.normal(0, 1, (3, 3)),
                deg,
            )
        self._var("conditions/doppler_centroid/data_dc_rms_error", r.uniform(2, 6, 3), t, "Hz")
        self._var("conditions/doppler_centroid/t0", np.full(3, 5.34e-3), t, "s")
        self._gcp(c, span)
        self._times(f"{c}/orbit", 10, span)
        self.tree.array(f"{c}/orbit/axis", np.array(["x", "y", "z"]), ["axis"], {})
        position = np.array([3.1e6, 1.2e6, 6.2e6]) + np.outer(np.arange(10), [7e3, -5e2, -3e3])
        self._var("conditions/orbit/position", position, ["azimuth_time", "axis"], "m")
        self._var(
            "conditions/orbit/velocity",
            np.tile([6.9e3, -4.9e2, -3.1e3], (10, 1)),
            ["azimuth_time", "axis"],
            "m s-1",
        )
        self._var(
            "conditions/reference_replica/amplitude_coefficients",
            np.array([1.0, 0.01, -0.002]),
            ["degree"],
        )
        self._var(
            "conditions/reference_replica/phase_coefficients",
            np.array([0.0, 2.5e-4, -1.1e-9]),
            ["degree"],
        )
        self._times(f"{c}/replica", 2, span)
        for name, value in (
            ("cross_correlation_bandwidth", 56.5e6),
            ("cross_correlation_pslr", -21.0),
            ("cross_correlation_islr", -17.5),
            ("cross_correlation_peak_location", 1.0),
        ):
            self._var(f"conditions/replica/{name}", value + r.normal(0, 1e-3, 2), t)
        self._times(f"{c}/terrain_height", 3, span)
        self._var("conditions/terrain_height/terrain_height", 120 + r.normal(0, 5, 3), t, "m")

    def _gcp(self, c: str, span: float) -> None:
        rows, cols = 5, 6
        self._times(f"{c}/gcp", rows, span)
        ground = np.linspace(0, (SAMPLES - 1) * PIXEL_SPACING, cols)
        self.tree.array(f"{c}/gcp/ground_range", ground, ["ground_range"], {"units": "m"})
        self.tree.array(
            f"{c}/gcp/line", np.linspace(0, LINES - 1, rows).astype(np.int64), ["azimuth_time"], {}
        )
        self.tree.array(
            f"{c}/gcp/pixel",
            np.linspace(0, SAMPLES - 1, cols).astype(np.int64),
            ["ground_range"],
            {},
        )
        lon, lat = lonlat_grid(self.entry, rows, cols)
        grid = ["azimuth_time", "ground_range"]
        self._var("conditions/gcp/latitude", lat, grid, "degrees_north", ("line", "pixel"))
        self._var("conditions/gcp/longitude", lon, grid, "degrees_east", ("line", "pixel"))
        self._var(
            "conditions/gcp/height", np.full((rows, cols), 120.0), grid, "m", ("line", "pixel")
        )
        incidence = np.tile(np.linspace(30.7, 45.9, cols), (rows, 1))
        self._var("conditions/gcp/incidence_angle", incidence, grid, "degrees", ("line", "pixel"))
        self._var(
            "conditions/gcp/elevation_angle", incidence - 3.4, grid, "degrees", ("line", "pixel")
        )

    def _quality(self, span: float) -> None:
        q = f"{self.group}/quality"
        rows, cols = 4, 6
        grid = ["azimuth_time", "ground_range"]
        for path in ("calibration", "noise_range"):
            self._times(f"{q}/{path}", rows, span)
            ground = np.linspace(0, (SAMPLES - 1) * PIXEL_SPACING, cols)
            self.tree.array(f"{q}/{path}/ground_range", ground, ["ground_range"], {"units": "m"})
            self.tree.array(
                f"{q}/{path}/pixel",
                np.linspace(0, SAMPLES - 1, cols).astype(np.int64),
                ["ground_range"],
                {},
            )
        sigma = np.tile(np.linspace(620.0, 540.0, cols), (rows, 1))
        self._var("quality/calibration/sigma_nought", sigma, grid, more=("pixel",))
        self._var(
            "quality/calibration/beta_nought", np.full((rows, cols), 474.0), grid, more=("pixel",)
        )
        self._var("quality/calibration/gamma", sigma * 0.93, grid, more=("pixel",))
        self._var("quality/calibration/dn", np.full((rows, cols), 474.0), grid, more=("pixel",))
        noise = {"VV": 90.0, "VH": 110.0}[self.pol] * np.tile(
            np.linspace(1.2, 0.8, cols), (rows, 1)
        )
        self._var("quality/noise_range/noise_range_lut", noise, grid, more=("pixel",))
        self._times(f"{q}/noise_azimuth", rows, span)
        self._var("quality/noise_azimuth/noise_azimuth_lut", np.ones(rows), ["azimuth_time"])


def _root_attributes(entry: Entry) -> dict[str, Any]:
    attrs = {name: value for name, _, value in entry.attributes}
    unit = entry.extra["legacy_name"][2].lower()
    properties = {
        "constellation": "sentinel-1",
        "eopf:data_take_id": str(attrs.get("datatakeID", "")),
        "eopf:instrument_mode": "IW",
        "instrument": "sar",
        "platform": f"sentinel-1{unit}",
        "processing:level": "L1",
        "product:type": "S01SIWGRH",
        "sar:instrument_mode": "IW",
        "sar:polarizations": list(POLARISATIONS),
        "sat:absolute_orbit": attrs.get("orbitNumber"),
        "sat:orbit_state": str(attrs.get("orbitDirection", "descending")).lower(),
        "sat:relative_orbit": attrs.get("relativeOrbitNumber"),
    }
    first = entry.start.replace(tzinfo=None)
    last = first + timedelta(seconds=LINES * LINE_INTERVAL)
    return {
        "other_metadata": {
            "eopf_category": "eoproduct",
            "legacy_name": entry.extra["legacy_name"],
            "first_line_time": f"{first:%Y-%m-%dT%H:%M:%S.%f}",
            "last_line_time": f"{last:%Y-%m-%dT%H:%M:%S.%f}",
            "pixel_spacing": {"azimuth": PIXEL_SPACING, "range": PIXEL_SPACING},
            "product_quality_status": "PASSED",
        },
        "stac_discovery": stac_discovery(
            entry, properties, ("https://stac-extensions.github.io/sar/v1.0.0/schema.json",)
        ),
    }


FAMILY_BUILDERS = {"eopf_s1_grd": Builder(build_grd)}
