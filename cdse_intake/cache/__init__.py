"""The product cache: layout and safe names, the index of verified products, checksums, cleaning.

- :mod:`.index`: :class:`ProductCache` (paths, per-product locks, the SQLite index, verify);
- :mod:`.layout`: a product's local file name; :mod:`.safety`: names from servers kept inside
  their folder, zips checked;
- :mod:`.checksums`: BLAKE3/MD5/size hashers; :mod:`.clean`: what ``cache clean`` removes;
- :mod:`.audit`: each indexed file ok, missing or corrupt; moved files found again (``relink``);
- :mod:`.markers`: the list of verified products a destination folder carries with it.
"""

from __future__ import annotations

from .checksums import ALGORITHMS, hash_file, new_hasher
from .index import CacheEntry, ProductCache
from .layout import FOLDER_SUFFIXES, file_name

__all__ = [
    "ALGORITHMS",
    "FOLDER_SUFFIXES",
    "CacheEntry",
    "ProductCache",
    "file_name",
    "hash_file",
    "new_hasher",
]
