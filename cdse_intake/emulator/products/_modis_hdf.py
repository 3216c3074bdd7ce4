"""Write one HDF4 file under its bare name, in a child process whose working directory is a
private temporary folder.

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
    """The bytes of the HDF4 file ``name`` holding ``spec``'s global attributes (``texts``) and
    layers (``layers``: name, dtype, fill, valid, long_name, units, scale, deflate level, in
    file order), with ``values`` by layer name."""
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
    from pyhdf.SD import SD, SDC

    spec = json.loads(Path("spec.json").read_text(encoding="utf-8"))
    types = {"uint8": SDC.UINT8, "int16": SDC.INT16}
    sd = SD(name, SDC.WRITE | SDC.CREATE | SDC.TRUNC)
    try:
        for key, text in spec["texts"].items():
            sd.attr(key).set(SDC.CHAR8, text)
        with np.load("values.npz") as values:
            for layer in spec["layers"]:
                _sds(sd, layer, types[layer["dtype"]], spec["grid"], values[layer["name"]])
    finally:
        sd.end()


def _sds(sd: Any, layer: dict[str, Any], hdf_type: int, grid: str, data: np.ndarray) -> None:
    """One SDS with its attributes, as the MODIS PGEs write them."""
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
    sds.endaccess()


if __name__ == "__main__":
    _write(sys.argv[1])
