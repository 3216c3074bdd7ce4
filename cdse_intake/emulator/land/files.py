"""The file server (``https://copernicus-fme.eea.europa.eu``): result zips and auxiliary files.

Real (recorded ``DownloadURL``; CLMS docs): a public link, no Authorization, to
``/clmsdatadownload/results/<FMETaskId>.zip``, valid 72 hours. Emulated: ``Range`` and ``HEAD``
(aiohttp's file responses), ``Content-Length`` equal to the task's ``FileSize``; an expired,
unknown or purged link answers 404 with a short text [unverified: what FME answers]; the
auxiliary API's files (:mod:`.auxiliary`) are built on first request and kept in the service's
private folder.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiohttp import web

from ..http import BYTES_SENT
from . import auxiliary
from .service import LandService

__all__ = ["routes"]


def _not_found() -> web.Response:
    return web.Response(status=404, text="404 Not Found: the requested file does not exist")


def routes(land: LandService) -> list[web.RouteDef]:
    """The file host's routes, bound to ``land``."""

    async def result(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        task = land.tasks.by_fme(int(name)) if name.isdigit() else None
        if task is None or task.status != "Finished_ok" or task.link_expires is None:
            return _not_found()
        if land.clock.now() >= task.link_expires:
            return _not_found()
        path = land.result_path(task)
        if not path.exists():
            return _not_found()
        return _send(request, path)

    async def aux(request: web.Request) -> web.StreamResponse:
        uid, tag, name = (request.match_info[k] for k in ("uid", "tag", "name"))
        assert land.folder is not None
        path = land.folder / "aux" / uid / tag / name
        if not path.exists():
            data = await asyncio.get_running_loop().run_in_executor(
                None, auxiliary.file_bytes, uid, tag, name
            )
            if data is None:
                return _not_found()
            path.parent.mkdir(parents=True, exist_ok=True)
            part = path.with_suffix(".part")
            part.write_bytes(data)
            part.replace(path)
        return _send(request, path)

    return [
        web.route("GET", "/clmsdatadownload/results/{name}.zip", result),
        web.route("HEAD", "/clmsdatadownload/results/{name}.zip", result),
        web.route("GET", "/webResources/catalogTree/{uid}/{tag}/{name}", aux),
        web.route("HEAD", "/webResources/catalogTree/{uid}/{tag}/{name}", aux),
    ]


def _send(request: web.Request, path: Path) -> web.FileResponse:
    if request.method == "GET" and "Range" not in request.headers:
        request[BYTES_SENT] = path.stat().st_size
    return web.FileResponse(path)
