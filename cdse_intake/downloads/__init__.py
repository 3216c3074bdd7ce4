"""Downloads that just work: verified, resumable, within CDSE's quota, never corrupt.

``download(results | products | ids or names | "manifest.csv", dest=None)`` brings every product
to the product cache (or ``dest``) and returns a :class:`DownloadReport` with one
:class:`Outcome` per product:

- at most ``max_connections`` (4) connections per account, shared by every process using the
  same cache (:mod:`cdse_intake.budget`); several accounts are used round-robin;
- streamed with constant memory into ``<file>.part``, hashed while written (BLAKE3 when CDSE
  publishes it, else MD5, else size + zip integrity), renamed into place only once verified;
  a checksum mismatch restarts the product once, then quarantines it;
- an interrupted download resumes with ``Range`` from its ``.part`` (hash state rebuilt from
  the file); a server ignoring the Range (200) restarts it cleanly;
- 429 (Retry-After honoured), 5xx, resets and cut bodies are retried with backoff and jitter;
  404 and offline products are reported, not retried; verified products are skipped without
  a network call;
- a manifest given as ``items`` (or ``manifest=``) is rewritten after every product and on
  every exit path, Ctrl-C included.

Modules: :mod:`.core` (the run), :mod:`.https` and :mod:`.s3` (one product's transfer),
:mod:`.partfile` (the ``.part`` on disk), :mod:`.writes` (gathered chunks written with one
``pwritev``, no joined copy), :mod:`.present` (what a target already holds), :mod:`.process`
(the file threads and cache index each process shares between calls), :mod:`.cluster` (spread
over dask workers),
:mod:`.retry`, :mod:`.accounts`, :mod:`.plan` (items and manifests), :mod:`.keys` (ids and
names looked up in the catalogue), :mod:`.progress`,
:mod:`.report`, :mod:`.runner`, :mod:`.local` (``ensure_local``: the cache, else a download).
"""

from .cluster import download_on_cluster
from .core import Downloader, download
from .jobs import start_download as start_download
from .local import ensure_local
from .report import DownloadReport, Outcome

__all__ = [
    "DownloadReport",
    "Downloader",
    "Outcome",
    "download",
    "download_on_cluster",
    "ensure_local",
]
