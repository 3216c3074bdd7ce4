"""What tests of the CLMS surfaces read from the emulator's land service."""

from __future__ import annotations

from typing import Any


def posts(emu: Any) -> int:
    """How many data requests were posted to the emulator's CLMS since the test began."""
    return len(emu.state.requests(path="/api/@datarequest_post"))
