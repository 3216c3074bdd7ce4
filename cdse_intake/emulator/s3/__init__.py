"""The emulated CDSE S3 store (``reference/cdse-api.md`` §1.8, §6): a read-only ``eodata`` bucket.

Bucket ``eodata``, region ``default``, path-style addressing. Every online product of the
catalogue is there at its ``S3Path`` key, unpacked (a folder product as a prefix of objects, a
single-file product as one object), built only when a request needs its bytes. Requests must be
signed (AWS Signature V4, header or presigned URL) with the account's keys; anonymous requests
and writes get 403 AccessDenied.

Modules: :mod:`.store` (keys -> products), :mod:`.listing` (ListObjects pages), :mod:`.sigv4`
(signature checks), :mod:`.errors` (S3's XML errors), :mod:`.service` (the request handler) and
:mod:`.server` (:class:`S3Server`).
"""

from __future__ import annotations

from .server import S3Server
from .store import BUCKET, REGION, objects

__all__ = ["BUCKET", "REGION", "S3Server", "objects"]
