"""The ``cdse://`` fsspec filesystem (entry point ``fsspec.specs: cdse``).

>>> import fsspec                                                    # doctest: +SKIP
>>> fs = fsspec.filesystem("cdse")                                   # doctest: +SKIP
>>> fs.ls("cdse://S2A_MSIL2A_20230103T102531_N0509_R001_T31UNE_20230103T110348")  # doctest: +SKIP
>>> fsspec.open("blockcache::cdse://<name>/GRANULE/…/B04_10m.jp2")  # doctest: +SKIP
"""

from .file import CDSEFile
from .filesystem import CDSEFileSystem

__all__ = ["CDSEFile", "CDSEFileSystem"]
