"""Fixtures of the download-service tests: a private emulator with known products per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cdse_intake.emulator import Emulator

from .test_download_support import Products, make_emulator


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Emulator, Products]]:
    emu, products = make_emulator()
    yield emu, products
    emu.stop()


@pytest.fixture
def emu(served: tuple[Emulator, Products]) -> Iterator[Emulator]:
    """The module's emulator with no faults, no throttle and a fresh request log."""
    emulator = served[0]
    emulator.faults.clear()
    emulator.state.reset_counters()
    emulator.state.throttle = None
    yield emulator
    emulator.faults.clear()
    emulator.state.throttle = None


@pytest.fixture
def products(served: tuple[Emulator, Products]) -> Products:
    return served[1]
