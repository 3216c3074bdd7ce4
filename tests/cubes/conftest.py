"""One emulator delivering every listed product, shared by the cube tests of a worker (the session
emulator delivers only a showcase). ``scale=0.1``: a tenth of the catalogue, built in a second or
two; a site still has every revisit of its first weeks (Sentinel-2 until mid-March 2023,
Sentinel-1 until early February, Sentinel-5P the first days of orbits)."""

from __future__ import annotations

import pytest

from cdse_intake.emulator import Emulator


@pytest.fixture(scope="session")
def cube_emulator():
    with Emulator(deliver="all", faults={}, scale=0.1) as emu:
        yield emu


@pytest.fixture
def cube_env(cube_emulator, monkeypatch):
    """The CDSE_* environment pointing at :func:`cube_emulator`; its counters reset."""
    for key, value in cube_emulator.env().items():
        monkeypatch.setenv(key, value)
    cube_emulator.faults.clear()
    cube_emulator.state.reset_counters()
    return cube_emulator
