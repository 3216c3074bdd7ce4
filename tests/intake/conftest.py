"""The repository's catalogue file and the emulator's materialised products, for intake tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from cdse_intake.emulator import Emulator
from cdse_intake.emulator.catalogue import Entry

CATALOG = Path(__file__).resolve().parents[2] / "catalog.yaml"


@pytest.fixture
def catalog(cdse_env: dict[str, str]) -> Any:
    """``catalog.yaml`` opened by intake 2, with CDSE_* pointing at the emulator."""
    import intake

    return intake.from_yaml_file(str(CATALOG))


@pytest.fixture
def materialised(cdse_emulator: Emulator) -> Callable[[str], Entry]:
    """``materialised(family)``: the emulator's first product of a family that has a payload."""

    def get(family: str) -> Entry:
        found = [e for e in cdse_emulator.catalogue.materialised if e.family == family]
        assert found, f"the emulator materialises no {family} product"
        return found[0]

    return get


def around(entry: Entry, minutes: int = 1) -> dict[str, str]:
    """Search keywords for a time window around ``entry``'s sensing start."""
    return {
        "start": (entry.start - timedelta(minutes=minutes)).isoformat(),
        "end": (entry.start + timedelta(minutes=minutes)).isoformat(),
    }
