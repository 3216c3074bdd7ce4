"""``import intake`` with the plugin installed stays cheap: a few small modules, nothing heavy."""

from __future__ import annotations

import json
import os
import subprocess
import sys

HEAVY = ("xarray", "numpy", "pandas", "rasterio", "dask", "shapely", "pystac_client", "h5py")


def _import_intake(block_plugin: bool = False) -> dict[str, object]:
    code = (
        "import sys, time; t = time.perf_counter(); import intake; t = time.perf_counter() - t; "
        "import json; print(json.dumps({'modules': sorted(sys.modules), 'seconds': t}))"
    )
    env = {**os.environ, "INTAKE_CONF_DIR": os.devnull}
    if block_plugin:
        env["INTAKE_IMPORT_BLOCK_LIST"] = '["cdse_intake"]'
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    result = json.loads(out.stdout)
    result["importtime"] = out.stderr
    return result


def _plugin_microseconds(importtime: str) -> tuple[int, int]:
    """(the plugin's own import time, intake's cumulative import time), from -X importtime."""
    plugin = total = 0
    for line in importtime.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        own, cumulative, name = (part.strip() for part in line[len("import time:") :].split("|"))
        if name.startswith("cdse_intake"):
            plugin += int(own)
        if name == "intake":
            total = int(cumulative)
    return plugin, total


def test_the_plugin_is_registered_and_imports_nothing_heavy():
    with_plugin = _import_intake()
    modules = set(with_plugin["modules"])
    assert "cdse_intake.intake_plugin.readers" in modules
    assert not [m for m in HEAVY if m in modules]


def test_the_plugin_adds_few_modules_and_little_time():
    without = set(_import_intake(block_plugin=True)["modules"])
    assert "cdse_intake.intake_plugin" not in without
    result = _import_intake()
    added = set(result["modules"]) - without
    assert added, "the plugin was not imported"
    assert all(m.startswith("cdse_intake") for m in added), sorted(added)
    assert len(added) <= 8, sorted(added)
    plugin, total = _plugin_microseconds(str(result["importtime"]))
    assert 0 < plugin < total * 0.25  # a small share of `import intake`, whatever the machine


def test_importing_the_plugin_first_works_without_warnings():
    """The entry point re-enters the half-imported package: that must be harmless."""
    code = (
        "import warnings, logging; logging.basicConfig(); warnings.simplefilter('error'); "
        "import cdse_intake.intake_plugin as p; import intake; "
        "from intake.readers.readers import recommend; "
        "print(p.CDSEProductReader in recommend(p.CDSEProduct('x'))['importable'])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
    assert out.stderr == ""
