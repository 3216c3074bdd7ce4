"""Fixtures of the search-panel tests: a PanelState over the emulator, filled for Paris."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cdse_intake.emulator import Emulator

#: west, south, east, north: where the emulator's Sentinel-2 products with data lie
PARIS = (2.2, 48.8, 2.5, 48.9)
INPUTS = {"area": "2.2, 48.8, 2.5, 48.9", "start": "2023-01-01", "end": "2023-01-15"}
#: Seconds any background work may take before a test gives up (waits end as soon as it is done).
DEADLINE = 60.0


@pytest.fixture
def with_data(cdse_emulator: Emulator) -> list[str]:
    """Names of the emulator's Sentinel-2 L2A products that hold data, in time order."""
    found = [
        e
        for e in cdse_emulator.catalogue.materialised
        if e.family == "sentinel2_l2a" and (e.start.year, e.start.month) == (2023, 1)
    ]
    assert len(found) >= 2
    return [e.name for e in sorted(found, key=lambda e: e.start)]


@pytest.fixture
def make_state(cdse_env: dict[str, str]) -> Callable[..., Any]:
    """``make_state(**inputs)``: a PanelState for Sentinel-2 L2A over Paris (emulator)."""
    from cdse_intake.widgets import PanelState

    made: list[Any] = []

    def make(collection: str | None = "sentinel-2-l2a", **inputs: Any) -> Any:
        state = PanelState(collection, **{**INPUTS, **inputs})
        made.append(state)
        return state

    yield make
    for state in made:
        state.cancel()
        assert state.wait(DEADLINE)


def finish(state: Any) -> None:
    """Wait for the state's background work, failing if it outlives the deadline."""
    assert state.wait(DEADLINE), f"background work still running: {state.status}"


@pytest.fixture
def searched(make_state: Callable[..., Any]) -> Any:
    """A state whose search (Sentinel-2 L2A, Paris, 2023-01-01..15) has finished."""
    state = make_state()
    assert state.search() is not None
    finish(state)
    assert state.results, state.status
    return state
