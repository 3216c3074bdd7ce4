"""cso_dataspace (CSO): the inquiry table and the downloader, over cdse_intake.

:func:`inquire` (or :class:`CSO_DataSpace_Inquire` with the tool's rc settings) searches CDSE
for a time range, collection, product type and area, and writes the tool's table: ``;``-separated
``orbit;start_time;end_time;processing;collection;processor_version;filename;href``, the fields
read from the Sentinel-5P file name (:data:`cdse_intake.readers.families.NAMES`), the href from
the ``download_url`` template. :class:`CSO_DataSpace_Downloader` keeps one token for all its
downloads (refreshed when it expires) and retries a failed file with growing delays. The tool
used CDSE's OpenSearch API, switched off on 2026-02-02; this uses OData.
"""

from __future__ import annotations

import os
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ..config import Endpoints, Settings
from ..errors import CDSEError, ProductNotFound, QueryError

__all__ = [
    "COLUMNS",
    "DOWNLOAD_URL",
    "CSO_DataSpace_Downloader",
    "CSO_DataSpace_Inquire",
    "inquire",
    "read_rc",
]

#: The inquiry table's columns, in the tool's order.
COLUMNS = (
    "orbit",
    "start_time",
    "end_time",
    "processing",
    "collection",
    "processor_version",
    "filename",
    "href",
)
#: The tool's default download URL template.
DOWNLOAD_URL = "https://zipper.dataspace.copernicus.eu/odata/v1/Products({product_id})/$value"
_HREF_ID = re.compile(r"Products\('?([0-9a-fA-F-]{36})'?\)")
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")


def inquire(
    start: str | datetime,
    end: str | datetime,
    collection: str = "Sentinel5P",
    producttype: str | None = None,
    area: str | None = None,
    download_url: str = DOWNLOAD_URL,
    output_file: str | os.PathLike[str] | None = None,
    *,
    endpoints: Endpoints | None = None,
    settings: Settings | None = None,
) -> Any:
    """The tool's inquiry table (a DataFrame of :data:`COLUMNS`), written to ``output_file``.

    ``start``/``end``: ``YYYY-MM-DD HH:MM[:SS]`` (UTC), both included; ``area``:
    ``"west,south,east,north"`` or empty for the globe; ``output_file`` may hold strftime
    patterns (``PAL_S5P_NO2_%Y-%m-%d.csv``: today's date), its folder is created.
    """
    import pandas as pd

    from ..api import search
    from ..readers.families import NAMES

    if "{product_id}" not in download_url:
        raise QueryError(f"download_url={download_url!r} has no '{{product_id}}' to fill in")
    first, last = _time("timerange.start", start), _time("timerange.end", end)
    results = search(
        _collection(collection),
        product_type=producttype or None,
        bbox=_area(area),
        start=first,
        end=last,
        sort="-start",
        endpoints=endpoints,
        settings=settings,
    )
    rows = []
    for product in results:
        parts = NAMES["sentinel-5p"].match(product.name)
        if parts is None:
            raise QueryError(
                f"{product.name!r} is not a Sentinel-5P file name: the table's orbit, processing "
                "and collection come from S5P names (S5P_<mode>_<type>_<start>_<end>_<orbit>_...)"
            )
        rows.append(
            (
                int(parts["orbit"]),
                _name_time(parts["start"]),
                _name_time(parts["end"]),
                parts["mode"].rstrip("_"),
                parts["collection"],
                parts["processor"],
                product.name,
                download_url.format(product_id=product.id),
            )
        )
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    if output_file is not None:
        path = Path(datetime.now().strftime(os.fspath(output_file)))
        path.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(path, sep=";", index=False)
    return table


def read_rc(rcfile: str | os.PathLike[str]) -> dict[str, str]:
    """``key : value`` settings of a CSO rc file (``!`` comments, ``${key}`` of other keys)."""
    values: dict[str, str] = {}
    for number, raw in enumerate(Path(rcfile).read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("!", 1)[0].strip() if not raw.lstrip().startswith("!") else ""
        if not line:
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise ValueError(f"{str(rcfile)!r} line {number}: {raw!r} is not 'key : value'")
        values[key.strip()] = value.strip()
    for _ in range(5):  # nested substitutions
        for key, value in values.items():
            values[key] = re.sub(r"\$\{([^}]+)\}", lambda m: values.get(m[1], m[0]), value)
    return values


class CSO_DataSpace_Inquire:
    """The tool's inquiry class: settings from an rc file, table written on construction.

    Reads ``<rcbase>.timerange.start``/``.end``, ``.collection``, ``.producttype``, ``.area``,
    ``.download_url`` and ``.output.file`` (``.url``, the OpenSearch root, is ignored).
    """

    def __init__(
        self,
        rcfile: str | os.PathLike[str],
        rcbase: str = "",
        env: dict[str, Any] | None = None,
        indent: str = "",
        *,
        endpoints: Endpoints | None = None,
        settings: Settings | None = None,
    ) -> None:
        rc = read_rc(rcfile)
        prefix = f"{rcbase}." if rcbase else ""

        def get(key: str, default: str | None = None) -> str | None:
            return rc.get(prefix + key, default)

        start, end = get("timerange.start"), get("timerange.end")
        if start is None or end is None:
            raise QueryError(f"{str(rcfile)!r} lacks {prefix}timerange.start or .end")
        self.table = inquire(
            start,
            end,
            get("collection", "Sentinel5P") or "Sentinel5P",
            get("producttype"),
            get("area"),
            get("download_url", DOWNLOAD_URL) or DOWNLOAD_URL,
            get("output.file"),
            endpoints=endpoints,
            settings=settings,
        )


class CSO_DataSpace_Downloader:
    """Downloads single files; one token for all of them, reused until it expires.

    ``credentials``: ours (a pair, Credentials, ...; default the environment or ``.netrc``).
    """

    def __init__(
        self,
        credentials: Any = None,
        *,
        endpoints: Endpoints | None = None,
        settings: Settings | None = None,
    ) -> None:
        from ..auth.shared import token_providers

        self.endpoints = Endpoints.coerce(endpoints)
        self.settings = Settings.coerce(settings)
        self.tokens = token_providers(credentials, self.endpoints, self.settings)[0]
        self.attempts = 0
        """Attempts made by the last :meth:`DownloadFile`."""

    def CreateToken(self, href: str = "", indent: str = "") -> str:
        """A valid access token (the current one while it lasts)."""
        return self.tokens.get_token()

    def DownloadFile(
        self,
        href: str,
        output_file: str | os.PathLike[str],
        maxtry: int = 10,
        nsec_wait: float = 5,
        nsec_wait_max: float = 600,
        dmode: int | None = None,
        indent: str = "",
    ) -> Path:
        """Download the product of ``href`` (``.../Products(<id>)/$value``) to ``output_file``.

        Verified against CDSE's checksum; a failure is tried again up to ``maxtry`` times, the
        delay doubling from ``nsec_wait`` up to ``nsec_wait_max`` seconds. ``dmode``: mode of
        created folders (e.g. ``0o775``). Raises the last error when every attempt failed.
        """
        from ..downloads import download
        from ..fs import CDSEFileSystem

        match = _HREF_ID.search(href)
        if match is None:
            raise ValueError(
                f"href={href!r} has no product id; expected '.../Products(<id>)/$value'"
            )
        if isinstance(maxtry, bool) or not isinstance(maxtry, int) or maxtry < 1:
            raise ValueError(f"maxtry={maxtry!r} is invalid; expected a whole number >= 1")
        target = Path(output_file)
        if dmode is not None and not target.parent.exists():
            target.parent.mkdir(parents=True, mode=dmode)
        fs = CDSEFileSystem(endpoints=self.endpoints, settings=self.settings)
        wait, self.attempts, error = float(nsec_wait), 0, ""
        for attempt in range(maxtry):
            self.attempts = attempt + 1
            try:
                record = fs.product(match[1])
            except ProductNotFound:
                raise
            except (CDSEError, OSError) as err:
                error = str(err)
            else:
                # The record under the caller's file name: the downloader writes it there.
                product = type(record)(**{**_fields(record), "name": target.name})
                report = download(
                    [product],
                    target.parent,
                    progress=False,
                    endpoints=self.endpoints,
                    settings=self.settings,
                    credentials=self.tokens,
                )
                if report.ok:
                    return target
                error = report.failed[0].reason
                if report.failed[0].error in ("ProductNotFound", "ProductOffline"):
                    break
            if attempt + 1 < maxtry:
                time.sleep(wait)
                wait = min(wait * 2, float(nsec_wait_max))
        raise OSError(
            f"could not download {href} to {str(target)!r} in {self.attempts} tries: {error}"
        )


def _fields(record: Any) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__dataclass_fields__}


def _collection(name: str) -> str:
    """The OData collection of a CSO name (``Sentinel5P`` -> ``SENTINEL-5P``)."""
    upper = str(name).strip().upper()
    return re.sub(r"^SENTINEL-?(?=\d)", "SENTINEL-", upper)


def _area(area: str | None) -> tuple[float, float, float, float] | None:
    if area is None or not str(area).strip():
        return None
    try:
        west, south, east, north = (float(v) for v in str(area).split(","))
    except ValueError:
        raise QueryError(f"area={area!r} is invalid; expected 'west,south,east,north'") from None
    return west, south, east, north


def _time(name: str, value: str | datetime) -> datetime:
    """A UTC time from the rc form; the end of its precision is included (``23:59`` -> 23:59:59)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    for fmt in _TIME_FORMATS:
        try:
            parsed = datetime.strptime(str(value).strip(), fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
        if name.endswith("end"):  # included: up to the end of its last unit
            step = {"%Y-%m-%d": timedelta(days=1), "%Y-%m-%d %H:%M": timedelta(minutes=1)}
            parsed += step.get(fmt, timedelta(seconds=1))
        return parsed
    raise QueryError(f"{name}={value!r} is invalid; expected 'YYYY-MM-DD HH:MM[:SS]'")


def _name_time(text: str) -> str:
    return datetime.strptime(text, "%Y%m%dT%H%M%S").strftime("%Y-%m-%d %H:%M:%S")
