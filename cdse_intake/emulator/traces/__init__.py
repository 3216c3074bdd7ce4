"""The emulated Traceability Service (signed traces of products); see :mod:`.service`."""

from __future__ import annotations

from .keys import Signer, TraceKeys
from .service import HUGE_BYTES, routes, trace_name

__all__ = ["HUGE_BYTES", "Signer", "TraceKeys", "routes", "trace_name"]
