"""One aiobotocore session per thread, for every S3 client of the process (downloads, s3fs).

A session keeps the service models it loaded; a new one reads botocore's JSON again (~0.3 s on a
2-core machine, 0.7 s cold), which every ``download(via="s3")`` call and every product read
through S3 used to pay. One per thread, because botocore's sessions are not thread-safe.
"""

from __future__ import annotations

import threading
from typing import Any

__all__ = ["thread_session"]

_local = threading.local()


def thread_session() -> Any:
    """This thread's ``aiobotocore.session.AioSession`` (made on first use)."""
    session = getattr(_local, "session", None)
    if session is None:
        from aiobotocore.session import get_session

        session = _local.session = get_session()
    return session
