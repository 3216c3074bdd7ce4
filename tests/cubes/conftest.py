"""One emulator delivering every listed product, shared by the cube tests of a worker (the session
emulator delivers only a showcase; starting one costs seconds)."""

from __future__ import annotations

import pytest

from cdse_intake.emulator import Emulator


@pytest.fixture(scope="session")
def cube_emulator():
    with Emulator(deliver="all", faults={}) as emu:
        yield emu


@pytest.fixture
def cube_env(cube_emulator, monkeypatch):
    """The CDSE_* environment pointing at :func:`cube_emulator`; its counters reset."""
    for key, value in cube_emulator.env().items():
        monkeypatch.setenv(key, value)
    cube_emulator.faults.clear()
    cube_emulator.state.reset_counters()
    return cube_emulator
