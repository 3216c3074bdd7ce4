"""The OData query and download scripts (``OData_query_v1.1.py``, ``OData_download_v3.1.py``).

:func:`odata_query` takes the scripts' parameters and writes their query log, named
``OData_{params_StartTime}_{params_StopTime}_query_{querying_Time}.log``: a header listing the
parameters, a ``---------------------`` line, then the CSV table ``Id,Name,Checksum,Online,
Downloaded``. :func:`odata_download` downloads what a log lists (through
:func:`cdse_intake.download`: within the account's quota, resumable, MD5/BLAKE3-verified),
keeps its ``Downloaded`` column current (the log is rewritten after every product and on every
exit path) and returns the scripts' exit status (:data:`EXIT_CODES`).
"""

from __future__ import annotations

import ast
import contextlib
import os
import re
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..config import Endpoints, Settings
from ..errors import QueryError
from ..product import Product

__all__ = ["COLUMNS", "EXIT_CODES", "SEPARATOR", "odata_download", "odata_query", "read_log"]

#: The query log's table columns, in the scripts' order.
COLUMNS = ("Id", "Name", "Checksum", "Online", "Downloaded")
#: The line between the log's header and its CSV table.
SEPARATOR = "---------------------"
#: The download script's exit status.
EXIT_CODES = {
    0: "OK",
    1: "no argument was given on the command line",
    2: "cannot access the log file",
    3: "cannot access the file containing the token (and no credentials were found)",
    4: "could not refresh the token on the fly (CDSE refused the token or the credentials)",
    5: "session error while requesting a download (status not in {200, 401, 429})",
    6: "error outside of the errors above (local disk, unexpected)",
}
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}")
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"
#: Failures of the download session itself (the server's answer or what it sent): exit 5.
_SESSION_ERRORS = {
    "ProductNotFound",
    "ProductOffline",
    "ServiceError",
    "RateLimited",
    "DownloadError",
    "ChecksumMismatch",
    "ClientPayloadError",
    "ServerDisconnectedError",
    "ClientConnectionError",
    "ClientOSError",
    "TimeoutError",
}


def odata_query(
    params_Collect: str,
    params_Poly: str | Sequence[Sequence[float]],
    params_StartTime: str,
    params_StopTime: str,
    params_Cloud: float | str | None = None,
    params_MaxRecords: int | str = 100,
    *,
    outdir: str | os.PathLike[str] = ".",
    endpoints: Endpoints | None = None,
    settings: Settings | None = None,
) -> Path:
    """Query CDSE with the script's parameters and write its query log; returns the log's path.

    ``params_Poly``: the polygon's vertices as ``[(lon, lat), ...]`` or the script's text
    ``"lon lat, lon lat, ..."`` (closed if it is not). Times in ``%Y-%m-%dT%H:%M:%S.000``.
    """
    from ..api import search

    polygon = _polygon(params_Poly)
    start, stop = (
        _time("params_StartTime", params_StartTime),
        _time("params_StopTime", params_StopTime),
    )
    try:
        limit = int(params_MaxRecords)
    except (TypeError, ValueError):
        limit = 0
    if limit < 1:
        raise QueryError(
            f"params_MaxRecords={params_MaxRecords!r} is invalid; expected a count >= 1"
        )
    cloud = None if params_Cloud is None else _number("params_Cloud", params_Cloud)
    results = search(
        params_Collect,
        geometry=polygon,
        start=start,
        end=stop,
        cloud=cloud,
        limit=limit,
        endpoints=endpoints,
        settings=settings,
    )
    queried = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    header = [
        f"params_Collect = {params_Collect}",
        f"params_Poly = {polygon}",
        f"params_StartTime = {params_StartTime}",
        f"params_StopTime = {params_StopTime}",
        f"params_Cloud = {'' if params_Cloud is None else params_Cloud}",
        f"params_MaxRecords = {params_MaxRecords}",
        f"querying_Time = {queried}",
        f"records = {len(results)}",
    ]
    rows = [[p.id, p.name, _checksum_text(p), bool(p.online), False] for p in results]
    import pandas as pd

    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    path = Path(outdir) / f"OData_{params_StartTime}_{params_StopTime}_query_{queried}.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_log(path, "\n".join(header) + "\n", frame)
    return path


def read_log(path: str | os.PathLike[str]) -> tuple[str, Any]:
    """The header text and the table (a DataFrame) of a query log; OSError/ValueError if bad."""
    import io

    import pandas as pd

    text = Path(path).read_text(encoding="utf-8")
    head, sep, table = text.partition(SEPARATOR + "\n")
    if not sep:
        raise ValueError(f"{str(path)!r} has no {SEPARATOR!r} line: not an OData query log")
    frame = pd.read_csv(io.StringIO(table), dtype={"Id": str, "Name": str, "Checksum": str})
    missing = [c for c in ("Id", "Name") if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{str(path)!r} has no {', '.join(missing)} column: not an OData query log"
        )
    if "Downloaded" not in frame.columns:
        frame["Downloaded"] = False
    frame["Downloaded"] = frame["Downloaded"].astype(str).str.lower() == "true"
    return head, frame


def write_log(path: str | os.PathLike[str], header: str, frame: Any) -> None:
    """Write a query log atomically (a crash leaves the old log or the new one)."""
    target = Path(path)
    text = f"{header}{SEPARATOR}\n{frame.to_csv(index=False)}"
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def odata_download(
    logfile: str | os.PathLike[str] | None,
    *,
    token_file: str | os.PathLike[str] | None = None,
    credentials: Any = None,
    dest: str | os.PathLike[str] | None = None,
    endpoints: Endpoints | None = None,
    settings: Settings | None = None,
    progress: bool = False,
) -> int:
    """Download the products a query log lists; returns the script's exit status (0-6).

    Authentication: ``credentials`` (ours: a pair, Credentials, ...) if given, else the token
    file (``token_file``, default ``CopernicusDataspace_token.json`` in the working folder) if
    it exists, else our usual credentials (environment, ``.netrc``). ``dest``: where the files
    go (default: the working folder, as the script does). Rows already ``Downloaded`` are
    skipped; the log is rewritten after each product and whatever happens.
    """
    from ._tokenfile import TOKEN_FILE, TokenFileError, TokenFileProvider

    if logfile is None or str(logfile) == "":
        return 1
    path = Path(logfile)
    try:
        header, frame = read_log(path)
    except (OSError, ValueError, UnicodeDecodeError):
        return 2
    endpoints = Endpoints.coerce(endpoints)
    settings = Settings.coerce(settings)
    if credentials is None:
        token_path = Path(token_file) if token_file is not None else Path.cwd() / TOKEN_FILE
        if token_path.exists():
            try:
                credentials = TokenFileProvider(token_path, endpoints, settings)
            except TokenFileError:
                return 3
        elif token_file is not None:
            return 3  # named explicitly and absent
    return _run(path, header, frame, credentials, dest, endpoints, settings, progress)


def _run(
    path: Path,
    header: str,
    frame: Any,
    credentials: Any,
    dest: str | os.PathLike[str] | None,
    endpoints: Endpoints,
    settings: Settings,
    progress: bool,
) -> int:
    from ..downloads import download

    todo = [_product(row) for row in frame.itertuples(index=False) if not row.Downloaded]
    position = {pid: i for i, pid in enumerate(frame["Id"])}

    def record(step: Any) -> None:
        if step.status in ("verified", "skipped", "failed") and step.id in position:
            frame.loc[position[step.id], "Downloaded"] = step.status != "failed"
            with contextlib.suppress(OSError):  # the final write reports a lasting problem
                write_log(path, header, frame)

    code = 6
    try:
        if not todo:
            return 0
        report = download(
            todo,
            Path.cwd() if dest is None else dest,
            progress=progress,
            endpoints=endpoints,
            settings=settings,
            credentials=credentials,
            on_progress=record,
        )
        code = _exit_code(report)
    except KeyboardInterrupt:
        code = 6
    except Exception:
        code = 6
    finally:
        try:
            write_log(path, header, frame)
        except OSError:
            code = 2
    return code


def _exit_code(report: Any) -> int:
    if report.credentials_missing:
        return 3
    if report.authentication_failed or any(o.error == "AuthenticationError" for o in report.failed):
        return 4
    if any(o.error not in _SESSION_ERRORS for o in report.failed):
        return 6
    return 5 if report.failed else 0


def _product(row: Any) -> Product:
    online = str(getattr(row, "Online", "True")).lower() != "false"
    return Product(
        id=str(row.Id), name=str(row.Name), checksums=_checksums(row.Checksum), online=online
    )


def _checksums(text: Any) -> dict[str, str]:
    """The log's Checksum cell: the scripts' list of ``{'Value', 'Algorithm'}`` or a bare MD5."""
    if not isinstance(text, str) or not text.strip():
        return {}
    text = text.strip()
    if text.startswith("["):
        try:
            entries = ast.literal_eval(text)
            return {str(e["Algorithm"]).upper(): str(e["Value"]) for e in entries}
        except (ValueError, SyntaxError, KeyError, TypeError):
            return {}
    return {"MD5": text} if re.fullmatch(r"[0-9a-fA-F]{32}", text) else {}


def _checksum_text(product: Product) -> str:
    """The Checksum cell as the scripts write it (pandas' text of CDSE's Checksum list)."""
    entries = [
        {"Value": product.checksums[alg], "Algorithm": alg}
        for alg in ("MD5", "BLAKE3")
        if product.checksums.get(alg)
    ]
    return str(entries)


def _time(name: str, value: str) -> datetime:
    if not isinstance(value, str) or not _TIME.fullmatch(value):
        raise QueryError(f"{name}={value!r} is invalid; expected %Y-%m-%dT%H:%M:%S.000 (UTC)")
    return datetime.strptime(value, _TIME_FORMAT).replace(tzinfo=UTC)


def _number(name: str, value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise QueryError(f"{name}={value!r} is invalid; expected a percentage (0-100)") from None


def _polygon(vertices: str | Sequence[Sequence[float]]) -> str:
    """WKT of the polygon through ``vertices`` (closed); QueryError naming what is wrong."""
    points: list[tuple[float, float]] = []
    try:
        if isinstance(vertices, str):
            inner = vertices.strip().strip("()")
            pairs = [p.split() for p in inner.split(",") if p.strip()]
        else:
            pairs = [list(p) for p in vertices]
        for pair in pairs:
            if len(pair) != 2:
                raise ValueError(f"vertex {pair!r} is not a (lon, lat) pair")
            points.append((float(pair[0]), float(pair[1])))
    except (TypeError, ValueError) as err:
        raise QueryError(
            f"params_Poly={vertices!r} is invalid ({err}); expected vertices as "
            "[(lon, lat), ...] or 'lon lat, lon lat, ...'"
        ) from None
    if len(points) >= 1 and points[0] != points[-1]:
        points.append(points[0])
    if len(points) < 4:
        raise QueryError(f"params_Poly={vertices!r} has fewer than 3 distinct vertices")
    return "POLYGON((" + ", ".join(f"{x:g} {y:g}" for x, y in points) + "))"
