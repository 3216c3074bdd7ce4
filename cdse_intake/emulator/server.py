"""The emulator server: the CDSE services on loopback, in a background thread or in the foreground.

Layout, as on the real CDSE where the catalogue and download hosts differ (so cross-host redirects
drop or keep the ``Authorization`` header exactly as they do in production):

=================  =====================================================  ====================
service            root                                                   real equivalent
=================  =====================================================  ====================
identity           ``http://127.0.0.1:<p>/auth/realms/CDSE``               identity.dataspace…
OData catalogue    ``http://127.0.0.1:<p>/odata/v1``                       catalogue.dataspace…
STAC               ``http://127.0.0.1:<p>/stac/v1``                        stac.dataspace…/v1
download           ``http://127.0.0.2:<q>/odata/v1``                       download.dataspace…
S3                 ``http://127.0.0.1:<r>`` bucket ``eodata``               eodata.dataspace…
CLMS API           ``http://127.0.0.3:<l>/api``                            land.copernicus.eu/api
CLMS results       ``http://127.0.0.4:<f>/clmsdatadownload/results``       copernicus-fme.eea…
traceability       ``http://127.0.0.1:<p>/trace/api``                      trace.dataspace…/api
USGS M2M API       ``http://127.0.0.1:<p>/usgs/api/api/json/stable``       m2m.cr.usgs.gov/api…
=================  =====================================================  ====================

The CLMS hosts fall back to the main host where they cannot be bound (see :mod:`.land`).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import errno
import gc
import logging
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .catalogue import Catalogue, build_catalogue
from .http import BYTES_SENT, GRANT_TYPE, STARTED, USER, request_id
from .sizes import apply_sizes
from .state import EmulatorState, FaultRegistry, RequestRecord
from .tokens import TokenService

__all__ = ["Emulator", "EmulatorStartError", "ServiceContext", "ServiceURLs", "check_address"]

log = logging.getLogger(__name__)

DEMO_USERNAME = "demo@cdse-emulator.local"
USGS_DEMO_USERNAME = "demo-usgs"
STATE_KEY = web.AppKey("state", EmulatorState)


class EmulatorStartError(RuntimeError):
    """The emulator could not start; the message says why in one line (busy port, ...)."""


@dataclass(frozen=True)
class ServiceURLs:
    """Roots of the emulated services (what a client's endpoint settings point at)."""

    identity: str
    catalogue: str
    download: str
    stac: str
    s3: str
    clms: str = ""  # the CLMS API root (``.../api``); default for five-root callers
    odp: str = ""  # the On-Demand Production API root (orders of offline products)
    keys_manager: str = ""  # the S3 keys manager's root (temporary S3 keys)
    trace: str = ""  # the Traceability Service's root (signed traces of products)
    usgs: str = ""  # the USGS M2M API's root (Landsat scenes through USGS; not CDSE's)


@dataclass
class ServiceContext:
    """What every service module's ``routes(ctx)`` receives."""

    catalogue: Catalogue
    state: EmulatorState
    tokens: TokenService
    urls: ServiceURLs

    @property
    def faults(self) -> FaultRegistry:
        return self.state.faults


RouteFactory = Callable[[ServiceContext], Iterable[web.AbstractRouteDef]]


def _can_bind(host: str) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((host, 0))
        except OSError:
            return False
    return True


@web.middleware
async def _log_requests(request: web.Request, handler: Callable) -> web.StreamResponse:
    """Time, log and record every request; turn unexpected errors into a JSON 500."""
    request[STARTED] = time.perf_counter()
    state = request.app[STATE_KEY]
    state.begin_request()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    except (asyncio.CancelledError, ConnectionResetError):
        status = 499  # the client went away
        raise
    except Exception:
        log.exception("emulator error on %s %s", request.method, request.path)
        status = 500
        return web.json_response(
            {"detail": {"message": "Internal server error", "request_id": request_id(request)}},
            status=500,
        )
    finally:
        state.record(
            RequestRecord(
                host=request.host,
                method=request.method,
                path=request.path,
                query=request.query_string,
                status=status,
                user=request.get(USER),
                grant_type=request.get(GRANT_TYPE),
                bytes_sent=request.get(BYTES_SENT, 0),
                range=request.headers.get("Range"),
            )
        )


class Emulator:
    """A CDSE emulator on loopback.

    >>> with Emulator() as emu:            # doctest: +SKIP
    ...     emu.endpoints.catalogue        # 'http://127.0.0.1:41234/odata/v1'

    ``seed`` and ``scale`` select the deterministic catalogue; ``access_lifetime`` and
    ``refresh_lifetime`` are the token lifetimes in seconds (CDSE: 600 and 3600); ``s3`` serves
    the read-only ``eodata`` bucket (every online product, built on request). The demo account
    is ``username``/``password``. ``deliver``: ``"all"`` (every product of a family with a
    writer, built when first listed or fetched) or ``"showcase"`` (a few per family; the rest
    answer DAT-ZIP-915); see :data:`.catalogue.DELIVER`. ``sizes``: ``"small"`` (every product
    a few hundred KB) or ``"realistic"`` (the showcase's Sentinel-2 L2A products full-size,
    ~200 MB, built on first use); see :mod:`.sizes`. ``faults``: the share of products carrying
    each fault (``{"offline": 0.05}``; others at 0; ``{}``: none; default
    :data:`.catalogue.FAULT_SHARES`). ``land``: settings of the CLMS service (``delays``,
    ``min_poll_interval``, ``token_lifetime``, ``failure_share``; also settable later on
    :attr:`land`, a :class:`.land.service.LandService`), served on ``land_host`` (API) and
    ``files_host`` (result files).
    """

    def __init__(
        self,
        *,
        seed: int = 42,
        scale: float = 1.0,
        host: str = "127.0.0.1",
        download_host: str = "127.0.0.2",
        port: int = 0,
        download_port: int = 0,
        access_lifetime: float = 600.0,
        refresh_lifetime: float = 3600.0,
        s3: bool = True,
        password: str | None = None,
        deliver: str = "all",
        sizes: str = "small",
        faults: Mapping[str, float] | None = None,
        land_host: str = "127.0.0.3",
        files_host: str = "127.0.0.4",
        land: Mapping[str, Any] | None = None,
    ) -> None:
        from .land.service import LandService

        self.land = LandService(**(land or {}))  # first: its key pair is made meanwhile
        # Built once per process and (seed, scale, deliver), copied so products added to one
        # emulator (large benchmark products, full-size ones) do not appear in another.
        self.catalogue = build_catalogue(
            seed=seed, scale=scale, deliver=deliver, faults=faults
        ).copy()
        apply_sizes(self.catalogue, sizes)
        # The catalogue is ~500k long-lived objects; keep the garbage collector from rescanning
        # them on every collection (it tripled the cost of building STAC pages).
        gc.freeze()
        self.state = EmulatorState(faults=FaultRegistry(seed))
        self.username = DEMO_USERNAME
        self.password = password or secrets.token_urlsafe(12)
        self.state.add_account(self.username, self.password)
        self.host = host
        self.download_host = download_host if _can_bind(download_host) else host
        self._ports = (port, download_port)
        self._access_lifetime = access_lifetime
        self._refresh_lifetime = refresh_lifetime
        self._with_s3 = s3
        self._land_hosts = tuple(h if _can_bind(h) else host for h in (land_host, files_host))
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runners: list[web.AppRunner] = []
        self._s3: Any = None
        self.urls: ServiceURLs | None = None
        self.tokens: TokenService | None = None
        from .traces import TraceKeys

        #: The trace-signing CA (its root's PEM: ``CDSE_TRACE_ROOTS`` of :meth:`env`).
        self.trace_keys = TraceKeys()
        from .usgs import UsgsService

        #: The USGS M2M API's state and switches; the demo user's account and application token.
        self.usgs = UsgsService()
        self.usgs_username = USGS_DEMO_USERNAME
        self.usgs_token = self.usgs.add_account(self.usgs_username)

    # -- public conveniences ---------------------------------------------------------------------
    @property
    def faults(self) -> FaultRegistry:
        return self.state.faults

    @property
    def endpoints(self) -> ServiceURLs:
        """The service roots, as any client's ``endpoints=`` takes them (cdse_intake's
        ``Endpoints.coerce`` reads these five attributes; the emulator imports nothing of the
        client, so that a client bug cannot hide behind the same code in the server)."""
        return self._require_urls()

    def env(self) -> dict[str, str]:
        """Every ``CDSE_*`` environment variable a client needs to use this emulator (and
        ``USGS_USERNAME``/``USGS_TOKEN``, the demo user's account on its USGS M2M API)."""
        urls = self._require_urls()
        env = {
            "CDSE_IDENTITY_URL": urls.identity,
            "CDSE_CATALOGUE_URL": urls.catalogue,
            "CDSE_DOWNLOAD_URL": urls.download,
            "CDSE_STAC_URL": urls.stac,
            "CDSE_S3_ENDPOINT": urls.s3,
            "CDSE_USERNAME": self.username,
            "CDSE_PASSWORD": self.password,
            "CDSE_CLMS_URL": urls.clms,
            "CDSE_ODP_URL": urls.odp,
            "CDSE_S3_KEYS_URL": urls.keys_manager,
            "CDSE_TRACE_URL": urls.trace,
            "CDSE_USGS_URL": urls.usgs,
            "USGS_USERNAME": self.usgs_username,
            "USGS_TOKEN": self.usgs_token,
            "CDSE_TRACE_ROOTS": str(self.trace_keys.root_path()),
            "CDSE_CLMS_SERVICE_KEY": str(self.land.service_key_path),
            # The pace this CLMS allows (the real one: a poll a minute, the client's default).
            "CDSE_CLMS_POLL_INTERVAL": f"{max(0.5, 2 * self.land.min_poll_interval):g}",
        }
        if self._s3 is not None:
            env["CDSE_S3_ACCESS_KEY"], env["CDSE_S3_SECRET_KEY"] = self._s3.credentials
        return env

    def clms_service_key(self) -> dict[str, Any]:
        """The demo user's CLMS service key (the JSON of ``CDSE_CLMS_SERVICE_KEY``)."""
        self._require_urls()
        return dict(self.land.service_key)

    def add_account(self, username: str, password: str, **kw: Any) -> None:
        """Another user (``totp_secret=`` for 2FA, ``max_sessions=`` for service accounts)."""
        self.state.add_account(username, password, **kw)

    def expire_tokens(self) -> None:
        """Make every access token issued so far expired, as if their 10 minutes had passed."""
        self._require_tokens().expire_all()

    def delete_product(
        self, key: str, cause: str = "Obsolete product or Other", replaced_by: str | None = None
    ) -> Any:
        """Delete the product with id or name ``key`` now: gone from ``/Products``, STAC, S3 and
        downloads, listed in ``/DeletedProducts`` with ``cause`` (see :mod:`.deleted`)."""
        from .deleted import delete_product

        return delete_product(self.catalogue, key, cause, replaced_by)

    def reprocess_product(self, key: str) -> Any:
        """Replace the product with id or name ``key`` by a newer processing (a new name and
        id, same sensing); the old one is deleted as obsolete. Returns the new entry."""
        from .deleted import reprocess_product

        return reprocess_product(self.catalogue, key)

    def publish(self, product: Any, when: Any = None) -> Any:
        """Publish a new product now (an ``Entry``, or one like the product with this id or
        name): searchable and downloadable at once, and running subscriptions notified (see
        :mod:`.subscriptions.publish`). Returns the new entry."""
        from .subscriptions import publish

        return publish(self.catalogue, product, when)[0]

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> Emulator:
        """Start in a background thread; returns when every service accepts connections."""
        if self._thread is not None:
            return self
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._start_services())
            except BaseException as err:  # reported to the starting thread
                failure.append(err)
                with contextlib.suppress(Exception):
                    loop.run_until_complete(self._stop_services())  # S3 may have started
                loop.close()
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._stop_services())
            loop.close()

        self._thread = threading.Thread(target=run, name="cdse-emulator", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self._thread = None
            if isinstance(failure[0], EmulatorStartError):
                raise failure[0]
            raise EmulatorStartError(
                f"the CDSE emulator failed to start: {failure[0]}"
            ) from failure[0]
        return self

    def stop(self) -> None:
        """Stop every service and the background thread."""
        if self._thread is None or self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)
        self._thread = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def serve_forever(self, on_ready: Callable[[Emulator], None] | None = None) -> None:
        """Run in the current event loop until cancelled (the CLI's foreground mode).

        ``on_ready(self)`` is called once every service accepts connections.
        """
        try:
            await self._start_services()
        except BaseException:
            with contextlib.suppress(Exception):
                await self._stop_services()  # what did start (S3, a first socket) is released
            raise
        if on_ready is not None:
            on_ready(self)
        try:
            await asyncio.Event().wait()
        finally:
            await self._stop_services()

    # -- internals -------------------------------------------------------------------------------
    def _require_urls(self) -> ServiceURLs:
        if self.urls is None:
            raise RuntimeError("the emulator is not started; call start() or use it as a context")
        return self.urls

    def _require_tokens(self) -> TokenService:
        if self.tokens is None:
            raise RuntimeError("the emulator is not started; call start() or use it as a context")
        return self.tokens

    async def _serve(self, app: web.Application, sock: socket.socket) -> None:
        # Long $filter expressions (polygons, or-lists of names) exceed aiohttp's default 8190-byte
        # request line; real CDSE accepts them (its limit is not documented), so allow 64 KiB.
        runner = web.AppRunner(
            app,
            access_log=None,
            handle_signals=False,
            max_line_size=65536,
            max_field_size=65536,
        )
        await runner.setup()
        await web.SockSite(runner, sock).start()
        self._runners.append(runner)

    async def _start_services(self) -> None:
        from . import (
            bursts,
            download,
            identity,
            odata,
            odp,
            s3keys,
            stac,
            subscriptions,
            traces,
            usgs,
        )

        main_sock = _listening_socket(self.host, self._ports[0])
        try:
            dl_sock = _listening_socket(self.download_host, self._ports[1])
        except BaseException:
            main_sock.close()
            raise
        root = f"http://{self.host}:{main_sock.getsockname()[1]}"
        s3_url = root
        s3_sock = None
        if self._with_s3:
            from .s3 import S3Server

            try:
                s3_sock = _listening_socket(self.host, 0)
            except BaseException:
                main_sock.close()
                dl_sock.close()
                raise
            s3_url = f"http://{self.host}:{s3_sock.getsockname()[1]}"
            self._s3 = S3Server(self.catalogue, host=self.host, state=self.state)
            self._s3.endpoint = s3_url
        self.urls = ServiceURLs(
            identity=f"{root}/auth/realms/CDSE",
            catalogue=f"{root}/odata/v1",
            download=f"http://{self.download_host}:{dl_sock.getsockname()[1]}/odata/v1",
            stac=f"{root}/stac/v1",
            s3=s3_url,
        )
        self.tokens = TokenService(
            issuer=self.urls.identity,
            access_lifetime=self._access_lifetime,
            refresh_lifetime=self._refresh_lifetime,
        )
        try:
            land_socks = [_listening_socket(h, 0) for h in self._land_hosts]
        except BaseException:
            for sock in (main_sock, dl_sock, s3_sock):
                if sock is not None:
                    sock.close()
            raise
        land_site, files_site = (
            f"http://{h}:{sock.getsockname()[1]}"
            for h, sock in zip(self._land_hosts, land_socks, strict=True)
        )
        self.urls = dataclasses.replace(
            self.urls,
            clms=f"{land_site}/api",
            odp=f"{root}/odp/odata/v1",
            keys_manager=f"{root}/s3-keys-manager",
            trace=f"{root}/trace/api",
            usgs=f"{root}/usgs/api/api/json/stable",
        )
        self.land.start(land_site, files_site)
        ctx = ServiceContext(self.catalogue, self.state, self.tokens, self.urls)
        main = _application(
            self.state,
            ctx,
            [
                ("/auth/realms/CDSE", identity.routes),
                ("/odata/v1", odata.routes),
                ("/odata/v1", download.catalogue_routes),
                ("/odata/v1", bursts.routes),
                ("/odata/v1", subscriptions.routes),
                ("/stac/v1", stac.routes),
                ("/odp/odata/v1", odp.routes),  # real: its own host (odp.dataspace…)
                ("/s3-keys-manager", s3keys.routes),  # real: s3-keys-manager.cloudferro.com
                # real: trace.dataspace.copernicus.eu/api
                ("/trace/api", lambda c: traces.routes(c, self.trace_keys)),
                ("", lambda c: usgs.routes(c, self.usgs)),  # real: m2m.cr.usgs.gov
            ],
        )
        # Bursts first: the download host's last route answers every other path.
        dl = _application(
            self.state, ctx, [("/odata/v1", bursts.download_routes), ("/odata/v1", download.routes)]
        )
        await self._serve(main, main_sock)
        await self._serve(dl, dl_sock)
        from .land import api as land_api
        from .land import files as land_files

        for sock, module in zip(land_socks, (land_api, land_files), strict=True):
            routes = module.routes(self.land)
            app = _application(self.state, ctx, [("", lambda _ctx, r=routes: r)])
            await self._serve(app, sock)
        if self._s3 is not None and s3_sock is not None:
            s3 = self._s3.application(middlewares=[_log_requests])
            s3[STATE_KEY] = self.state
            await self._serve(s3, s3_sock)

    async def _stop_services(self) -> None:
        for runner in reversed(self._runners):
            with contextlib.suppress(Exception):
                await runner.cleanup()
        self._runners.clear()
        self.land.stop()
        self.trace_keys.close()
        if self._s3 is not None:
            self._s3.close()
            self._s3 = None


def _listening_socket(host: str, port: int) -> socket.socket:
    """A bound socket (port 0: the OS chooses), so the URLs are known before the apps exist."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise EmulatorStartError(_bind_problem(host, port, err)) from err
    sock.listen(512)
    sock.setblocking(False)
    return sock


def check_address(host: str, port: int) -> None:
    """Raise :class:`EmulatorStartError` now if ``host:port`` cannot be listened on.

    The CLI asks before the catalogue is built (seconds), so a busy port fails at once.
    """
    _listening_socket(host, port).close()


def _bind_problem(host: str, port: int, err: OSError) -> str:
    """One line saying why ``host:port`` cannot be listened on, and what to do instead."""
    if err.errno == errno.EADDRINUSE:
        return (
            f"port {port} on {host} is already in use (another emulator or server?); "
            "choose another port, or 0 for any free port"
        )
    if err.errno == errno.EADDRNOTAVAIL:
        return f"{host} is not an address of this machine; use a loopback address such as 127.0.0.1"
    if err.errno == errno.EACCES:
        return f"port {port} on {host} needs privileges; choose a port above 1023, or 0"
    return f"cannot listen on {host}:{port}: {err.strerror or err}"


def _application(
    state: EmulatorState, ctx: ServiceContext, services: list[tuple[str, RouteFactory]]
) -> web.Application:
    app = web.Application(middlewares=[_log_requests], client_max_size=16 * 2**20)
    app[STATE_KEY] = state
    for prefix, factory in services:
        for route in factory(ctx):
            assert isinstance(route, web.RouteDef)
            # Services declare HEAD explicitly where the real service answers it, so GET routes
            # never get aiohttp's implicit HEAD (allow_head is dropped).
            options = {k: v for k, v in route.kwargs.items() if k != "allow_head"}
            app.router.add_route(route.method, prefix + route.path, route.handler, **options)
    return app
