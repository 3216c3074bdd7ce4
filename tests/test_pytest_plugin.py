"""The pytest plugin (entry point ``pytest11``) loads with cdse_intake's base dependencies only.

A plain ``pip install cdse-intake`` must not break pytest in the user's project: the plugin is
loaded by every pytest run in that environment. The optional extras are hidden from a child
Python by an import hook, so the check does not need a second virtualenv.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

#: Top-level modules that only the optional extras bring (``pyproject.toml``): a base install
#: has none of them.
EXTRA_MODULES = (
    "jwt",
    "cryptography",
    "cql2",
    "xarray",
    "pandas",
    "dask",
    "rioxarray",
    "rasterio",
    "h5netcdf",
    "h5py",
    "xarray_sentinel",
    "zarr",
    "defusedxml",
    "intake",
    "ipywidgets",
    "ipyleaflet",
    "matplotlib",
)

RUNNER = """
import importlib.abc, sys

BLOCKED = set({blocked!r})

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None

sys.meta_path.insert(0, Block())
import pytest
sys.exit(pytest.main(sys.argv[1:]))
"""


def _run_pytest(tmp_path: Path, test_source: str, *args: str) -> subprocess.CompletedProcess:
    (tmp_path / "test_user.py").write_text(textwrap.dedent(test_source))
    (tmp_path / "pytest.ini").write_text("[pytest]\n")  # the user's project, not ours
    runner = RUNNER.format(blocked=sorted(EXTRA_MODULES))
    return subprocess.run(
        [sys.executable, "-c", runner, "-p", "no:cacheprovider", *args, str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_collect_only_with_base_dependencies(tmp_path: Path) -> None:
    done = _run_pytest(tmp_path, "def test_nothing():\n    assert True\n", "--collect-only", "-q")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "test_user.py::test_nothing" in done.stdout
    assert "Error while loading plugin" not in done.stdout + done.stderr
    # The plugin really was loaded (the block did not simply keep cdse_intake out).
    fixtures = _run_pytest(tmp_path, "def test_nothing():\n    assert True\n", "--fixtures")
    assert "cdse_emulator_factory" in fixtures.stdout, fixtures.stdout + fixtures.stderr


def test_a_fixture_without_the_extra_says_what_to_install(tmp_path: Path) -> None:
    done = _run_pytest(tmp_path, "def test_uses_emulator(cdse_emulator):\n    assert False\n", "-q")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "pip install 'cdse-intake[emulator]'" in done.stdout
    assert "1 error" in done.stdout  # failed in set-up, not in the test body


def test_the_library_loads_from_bytecode_not_assertion_rewritten() -> None:
    # pytest marks every module of a distribution with a pytest11 entry point for rewriting:
    # the plugin takes the package off that list, so its modules load from their bytecode
    # (rewriting them from source cost every test process ~13 s). Only the plugin stays marked.
    import sys

    from _pytest.assertion.rewrite import AssertionRewritingHook

    import cdse_intake.readers.sentinel3 as late  # imported after the plugin in any run

    hooks = [f for f in sys.meta_path if isinstance(f, AssertionRewritingHook)]
    assert hooks, "pytest's assertion rewriting hook is not installed"
    assert not isinstance(late.__spec__.loader, AssertionRewritingHook)
    assert all("cdse_intake" not in hook._must_rewrite for hook in hooks)
    assert any("cdse_intake.emulator.pytest_plugin" in hook._must_rewrite for hook in hooks)
