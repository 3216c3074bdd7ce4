"""Facts shared by the STAC documents: versions, auth and storage schemes, platform designators.

Values follow the items and collections that eometadatatool generates for
``stac.dataspace.copernicus.eu`` (cdse-api.md §4, EOMETA); every URL of an emulated service is
taken from :class:`~cdse_intake.emulator.server.ServiceURLs`.
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from ..catalogue import Entry, fmt_time

STAC_VERSION = "1.1.0"
#: ``processing:software`` of the real items (the generator's version string, EOMETA).
SOFTWARE = {"eometadatatool": "250924131919+dirty"}
#: ``expires`` of products that stay in the archive (cdse-api.md §4, verified NB-MIG).
NEVER_EXPIRES = "9999-01-01T00:00:00.000000Z"
MD5_MULTIHASH = "d50110"
"""Multihash prefix of an MD5 digest: code 0xd5, length 0x10 (``file:checksum``, §4)."""

#: COSPAR ids by platform (``sat:platform_international_designator``).
DESIGNATORS = {
    "sentinel-1a": "2014-016A",
    "sentinel-1b": "2016-025A",
    "sentinel-1c": "2024-235A",
    "sentinel-2a": "2015-028A",
    "sentinel-2b": "2017-013A",
    "sentinel-2c": "2024-157A",
    "sentinel-3a": "2016-011A",
    "sentinel-3b": "2018-039A",
    "sentinel-5p": "2017-064A",
}

S3_REFS = ["cdse-s3", "creodias-s3"]


def auth_schemes(identity_url: str) -> dict[str, Any]:
    """``auth:schemes``: S3 keys for ``s3://`` hrefs, an OIDC bearer token for https ones."""
    return {
        "s3": {"type": "s3"},
        "oidc": {
            "type": "openIdConnect",
            "openIdConnectUrl": f"{identity_url}/.well-known/openid-configuration",
        },
    }


def storage_schemes(s3_url: str) -> dict[str, Any]:
    """``storage:schemes``: CDSE's own S3 (the emulated one) and CREODIAS' commercial twin."""
    return {
        "cdse-s3": {
            "title": "Copernicus Data Space Ecosystem S3",
            "description": (
                "EO data on the object storage of the Copernicus Data Space Ecosystem; "
                "needs S3 credentials (see the CDSE S3 documentation)."
            ),
            "platform": s3_url,
            "requester_pays": False,
            "type": "custom-s3",
        },
        "creodias-s3": {
            "title": "CREODIAS S3",
            "description": "The EODATA archive offered by CREODIAS, the commercial side of CDSE.",
            # Not emulated: listed because real items list it, no client should call it offline.
            "platform": "https://eodata.cloudferro.com",
            "requester_pays": True,
            "type": "custom-s3",
        },
    }


def multihash_md5(hex_digest: str) -> str:
    """``file:checksum`` of an MD5 hex digest."""
    return MD5_MULTIHASH + hex_digest


def when(value: datetime) -> str:
    """STAC datetime text, CDSE style (six-digit microseconds, ``Z``)."""
    return fmt_time(value)


def entry_rng(entry: Entry, salt: str = "") -> random.Random:
    """A generator seeded by the product, for values the catalogue does not carry (angles...)."""
    return random.Random(f"{entry.id}:{salt}")


def attr(entry: Entry, name: str, default: Any = None) -> Any:
    """One OData attribute value of the entry (None when absent)."""
    return entry.attribute(name, default)
