"""Write one HDF-EOS2 grid file (HDF4: SD and V interfaces) under its bare name, in a child
process whose working directory is a private temporary folder.

HDF4 stores the path a file was created with inside the file, so the same product must always be
created as the same relative name; only a process of its own may change its working directory
(a server thread changing the emulator's would move every other thread's relative paths). Run as
a script (``python _modis_hdf.py <name>`` in the folder, reading ``spec.json`` and
``values.npz`` there): it imports only numpy and pyhdf.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["write_hdf"]

#: Seconds a child may take to write a product (they take well under one).
TIMEOUT = 120


def write_hdf(name: str, spec: dict[str, Any], values: dict[str, np.ndarray]) -> bytes:
    """The bytes of the HDF-EOS2 grid file ``name`` holding ``spec``'s global attributes
    (``texts``), the Vgroups of its grid (``grid``) and layers (``layers``: name, dtype, fill,
    valid, long_name, units, scale, deflate level, in file order), with ``values`` by layer
    name."""
    if Path(name).name != name or name.startswith("."):
        raise ValueError(f"a bare file name expected, got {name!r}")
    with tempfile.TemporaryDirectory(prefix="modis-") as folder:
        Path(folder, "spec.json").write_text(json.dumps(spec), encoding="utf-8")
        np.savez(Path(folder, "values.npz"), **values)
        done = subprocess.run(  # noqa: S603 (no shell: this interpreter, this file, a bare name)
            [sys.executable, str(Path(__file__).resolve()), name],
            cwd=folder,
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
        if done.returncode != 0:
            reason = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["?"]
            raise RuntimeError(f"writing the HDF4 file {name!r} failed: {reason[0]}")
        return Path(folder, name).read_bytes()


def _write(name: str) -> None:
    """Write the file as the HDF-EOS2 library does: ``Hopen`` creates it and ``SDstart`` opens
    it read-write (EHopen); the grid's Vgroups come first (GDcreate), then each SDS, attached
    to ``Data Fields`` as it is created (GDdeffield); then SD, V and the file close."""
    import pyhdf.V  # noqa: F401 (HDF.vgstart needs the module loaded)
    from pyhdf.HDF import HC, HDF
    from pyhdf.SD import SD, SDC

    spec = json.loads(Path("spec.json").read_text(encoding="utf-8"))
    types = {"uint8": SDC.UINT8, "int16": SDC.INT16}
    hdf = HDF(name, HC.WRITE | HC.CREATE)
    try:
        sd, v = SD(name, SDC.WRITE), hdf.vgstart()
        try:
            for key, text in spec["texts"].items():
                sd.attr(key).set(SDC.CHAR8, text)
            groups = _grid_vgroups(v, spec["grid"])
            with np.load("values.npz") as values:
                for layer in spec["layers"]:
                    data = values[layer["name"]]
                    ref = _sds(sd, layer, types[layer["dtype"]], spec["grid"], data)
                    groups[1].add(HC.DFTAG_NDG, ref)
            for group in groups:
                group.detach()
        finally:
            sd.end()
            v.end()
    finally:
        hdf.close()


def _grid_vgroups(v: Any, grid: str) -> list[Any]:
    """The HDF-EOS2 grid structure (GDcreate): a Vgroup named after the grid, class ``GRID``,
    holding the Vgroups ``Data Fields`` and ``Grid Attributes``, class ``GRID Vgroup``, in this
    order (HDF-EOS finds them by position). Returns [grid, data fields, grid attributes]."""
    root = v.create(grid)
    root._class = "GRID"
    groups = [root]
    for child in ("Data Fields", "Grid Attributes"):
        group = v.create(child)
        group._class = "GRID Vgroup"
        root.insert(group)
        groups.append(group)
    return groups


def _sds(sd: Any, layer: dict[str, Any], hdf_type: int, grid: str, data: np.ndarray) -> int:
    """One SDS with its attributes, as the MODIS PGEs write them; returns its reference."""
    from pyhdf.SD import SDC

    sds = sd.create(layer["name"], hdf_type, data.shape)
    for axis, dim in enumerate(("YDim", "XDim")):
        sds.dim(axis).setname(f"{dim}:{grid}")
    sds.attr("long_name").set(SDC.CHAR8, layer["long_name"])
    sds.attr("units").set(SDC.CHAR8, layer["units"])
    sds.attr("valid_range").set(hdf_type, list(layer["valid"]))
    if layer["fill"] is not None:
        sds.attr("_FillValue").set(hdf_type, layer["fill"])
    if layer["scale"] is not None:
        sds.setcal(layer["scale"], 0.0, 0.0, 0.0, hdf_type)
    sds.setcompress(SDC.COMP_DEFLATE, value=int(layer["deflate"]))
    sds[:] = data
    ref = sds.ref()
    sds.endaccess()
    return int(ref)


if __name__ == "__main__":
    _write(sys.argv[1])
