"""Where the CDSE services are and how the client behaves.

Precedence, for every value: explicit argument > environment variable > config file > the real
CDSE defaults. The config file is TOML, ``$CDSE_CONFIG`` or ``<user config dir>/cdse_intake/
config.toml``, with tables ``[endpoints]`` and ``[settings]`` whose keys are the field names below.

``Endpoints.from_env()`` and ``Settings.from_env()`` resolve the precedence; ``coerce`` takes what
a caller gave (the object, a mapping, None for the environment). :func:`resolve` does it once for
a public entry point, with the transport (``via``) checked, into a frozen :class:`Context` that
the layers below receive. The emulator prints the environment variables that point a client at
it, and ``Emulator.endpoints`` gives the same in process.
"""

from __future__ import annotations

import dataclasses
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

from . import config_checks as checks
from .config_checks import read_config_file, suggestion
from .errors import ConfigurationError

__all__ = [
    "VIA",
    "Context",
    "Endpoints",
    "Settings",
    "check_via",
    "config_file_path",
    "load_config_file",
    "origin_of",
    "public_credentials",
    "resolve",
    "state_dir",
]

#: The transports to CDSE's products: the download service (``$value``, Nodes) or the S3 bucket.
VIA = ("https", "s3")

#: The real CDSE service roots.
REAL_IDENTITY = "https://identity.dataspace.copernicus.eu/auth/realms/CDSE"
REAL_CATALOGUE = "https://catalogue.dataspace.copernicus.eu/odata/v1"
REAL_DOWNLOAD = "https://download.dataspace.copernicus.eu/odata/v1"
REAL_STAC = "https://stac.dataspace.copernicus.eu/v1"
REAL_S3 = "https://eodata.dataspace.copernicus.eu"
#: The Copernicus Land Monitoring Service API (Plone REST); its token is not CDSE's.
REAL_CLMS = "https://land.copernicus.eu/api"
#: The On-Demand Production API (orders of offline products), a host of its own.
REAL_ODP = "https://odp.dataspace.copernicus.eu/odata/v1"
#: The real CLMS API's origin (https): with the configured CLMS root, the only receiver of a CLMS
#: token (never a CDSE host, never the public result file server).
REAL_CLMS_ORIGIN = ("https", "land.copernicus.eu", 443)

#: Hosts of the real service allowed to receive a bearer token, over https (also across redirects).
REAL_TOKEN_HOSTS = frozenset(
    {
        "identity.dataspace.copernicus.eu",
        "catalogue.dataspace.copernicus.eu",
        "download.dataspace.copernicus.eu",
        "zipper.dataspace.copernicus.eu",
        "stac.dataspace.copernicus.eu",
        "odp.dataspace.copernicus.eu",
    }
)


def config_file_path() -> Path:
    """The config file: ``$CDSE_CONFIG`` or ``<user config dir>/cdse_intake/config.toml``."""
    explicit = os.environ.get("CDSE_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("cdse_intake")) / "config.toml"


def load_config_file(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """Read the TOML config file: an absent file is an empty config; a broken one, one that is not
    UTF-8 text, an unknown table or key (typos included) are errors naming the file."""
    return read_config_file(path or config_file_path())


#: ``CDSE_*`` variables of cdse_intake besides the endpoints' and settings' (auth reads these).
OTHER_ENV = frozenset({
    "CDSE_CONFIG", "CDSE_USERNAME", "CDSE_PASSWORD", "CDSE_TOTP_SECRET", "CDSE_S3_ACCESS_KEY",
    "CDSE_S3_SECRET_KEY", "CDSE_TRACE_ROOTS",  # the latter: trace signatures' CAs (PEM)
    "CDSE_CLIENT_ID", "CDSE_CLIENT_SECRET",  # an OAuth service client (auth.client_credentials)
    "CDSE_REFERENCE_DIR",  # the test suite's reference material
    "CDSE_BENCH_DIR",  # the benchmarks' folder
})  # fmt: skip
#: Prefixes of variable families that are ours too (the emulator's own settings).
OTHER_ENV_PREFIXES = ("CDSE_EMULATOR_",)
_warned: set[str] = set()


def warn_unknown_environment() -> None:
    """Warn once per process about each ``CDSE_*`` variable that is not one of ours.

    A warning, not an error: the environment is shared with other programs (and is not ours to
    fix per call), so a stray variable must not stop every call; but a typo such as
    ``CDSE_TIMOUT`` would otherwise be ignored in silence.
    """
    known = {*Endpoints._ENV.values(), *Settings._ENV.values(), *OTHER_ENV}
    for name in list(os.environ):
        if not name.upper().startswith("CDSE_") or name in known or name in _warned:
            continue
        if name.startswith(OTHER_ENV_PREFIXES):
            continue
        _warned.add(name)
        warnings.warn(
            f"environment variable {name} is not a cdse_intake variable and is ignored"
            f"{suggestion(name.upper(), known) or suggestion(name, known)}; "
            "unset it or fix its name",
            UserWarning,
            stacklevel=3,
        )


def _pick(
    name: str, env: str, override: Any, file_values: Mapping[str, Any]
) -> tuple[Any, str | None]:
    """The value of ``name`` (argument > environment > file) and where it came from."""
    if override is not None:
        return override, None
    value = os.environ.get(env)
    if value is not None and value != "":
        return value, f"environment variable {env}"
    if name in file_values:
        return file_values[name], f"config file {config_file_path()}"
    return None, None


def _check_file_values(cls: Any, file_values: Mapping[str, Any]) -> None:
    """Every value of the config file checked, also those an argument or the environment
    overrides: a mistake in the file is an error whenever the file is read."""
    if file_values:
        source = f"config file {config_file_path()}"
        _build(cls, dict(file_values), dict.fromkeys(file_values, source))


def _build(cls: Any, values: dict[str, Any], sources: dict[str, str | None]) -> Any:
    """``cls(**values)``; an error about a value says where the value came from."""
    try:
        return cls(**values)
    except ConfigurationError as err:
        where = next(
            (src for name, src in sources.items() if src and f" {name}=" in f" {err}"), None
        )
        if where is None:
            raise
        raise ConfigurationError(f"{err} (from the {where})") from None


def origin_of(url: str) -> tuple[str, str, int] | None:
    """``(scheme, host, port)`` of an http(s) URL, the port made explicit; None for any other."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a malformed URL or port
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or (443 if scheme == "https" else 80)


@dataclass(frozen=True)
class Endpoints:
    """The service roots the client talks to. Defaults are the real CDSE."""

    identity: str = REAL_IDENTITY
    """Keycloak realm root; the token endpoint is ``<identity>/protocol/openid-connect/token``."""
    catalogue: str = REAL_CATALOGUE
    """OData service root (``<catalogue>/Products``)."""
    download: str = REAL_DOWNLOAD
    """OData download root (``<download>/Products(<id>)/$value``)."""
    stac: str = REAL_STAC
    """STAC API root."""
    s3: str = REAL_S3
    """S3 endpoint URL of the ``eodata`` bucket."""
    clms: str = REAL_CLMS
    """CLMS API root (``<clms>/@search``, ``<clms>/@datarequest_post``); its own service-key
    token, never the CDSE one (see :attr:`token_origins` and :attr:`clms_token_origins`)."""
    odp: str = REAL_ODP
    """On-Demand Production API root (``<odp>/ProductionOrder/OData.CSC.Order``): orders of
    offline products; CDSE's token."""
    keys_manager: str = "https://s3-keys-manager.cloudferro.com"
    """S3 keys manager root (``<keys_manager>/api/user/credentials``): temporary S3 keys."""
    trace: str = "https://trace.dataspace.copernicus.eu/api"  # Traceability Service; no token
    usgs: str = "https://m2m.cr.usgs.gov/api/api/json/stable"  # USGS M2M API; never CDSE's token

    _ENV: ClassVar[dict[str, str]] = {
        "identity": "CDSE_IDENTITY_URL",
        "catalogue": "CDSE_CATALOGUE_URL",
        "download": "CDSE_DOWNLOAD_URL",
        "stac": "CDSE_STAC_URL",
        "s3": "CDSE_S3_ENDPOINT",
        "clms": "CDSE_CLMS_URL",
        "odp": "CDSE_ODP_URL",
        "keys_manager": "CDSE_S3_KEYS_URL",
        "trace": "CDSE_TRACE_URL",
        "usgs": "CDSE_USGS_URL",
    }
    _NOT_CDSE: ClassVar[frozenset[str]] = frozenset({"clms", "trace", "usgs"})  # no CDSE token
    #: Endpoints an object given to :meth:`coerce` may lack (then the default).
    _OPTIONAL: ClassVar[frozenset[str]] = _NOT_CDSE | {"odp", "keys_manager"}

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            object.__setattr__(self, f.name, checks.url(f.name, getattr(self, f.name)))

    @property
    def token_url(self) -> str:
        """The Keycloak token endpoint."""
        return f"{self.identity}/protocol/openid-connect/token"

    @property
    def token_hosts(self) -> frozenset[str]:
        """Host names of :attr:`token_origins` (for display; the token follows the origins)."""
        return frozenset(host for _, host, _ in self.token_origins)

    @property
    def token_origins(self) -> frozenset[tuple[str, str, int]]:
        """The exact origins ``(scheme, host, port)`` that may receive the bearer token: the
        configured endpoints' and the real CDSE hosts' over https. The same host on another
        port or scheme (a redirect from https to http) is another origin and gets no token."""
        mine = {
            origin_of(getattr(self, f.name))
            for f in dataclasses.fields(self)
            if f.name not in self._NOT_CDSE
        }
        real = {("https", host, 443) for host in REAL_TOKEN_HOSTS}
        clms = self.clms_token_origins
        return frozenset({o for o in mine if o is not None and o not in clms} | real)

    @property
    def clms_token_origins(self) -> frozenset[tuple[str, str, int]]:
        """The origins that may receive the CLMS token: the configured CLMS API's and the real
        one's over https. Never a CDSE host, never the result file server (a public link)."""
        mine = origin_of(self.clms)
        if mine is None or mine[1] in REAL_TOKEN_HOSTS:
            return frozenset({REAL_CLMS_ORIGIN})  # a CDSE host never gets the CLMS token
        return frozenset({REAL_CLMS_ORIGIN, mine})

    @classmethod
    def from_env(cls, **overrides: str | None) -> Endpoints:
        """Endpoints from arguments, then ``CDSE_*`` environment variables, then the config file."""
        checks.check_keys(overrides, cls._ENV, "endpoint")
        warn_unknown_environment()
        file_values = load_config_file().get("endpoints", {})
        _check_file_values(cls, file_values)
        values: dict[str, Any] = {}
        sources: dict[str, str | None] = {}
        for name, env in cls._ENV.items():
            value, sources[name] = _pick(name, env, overrides.get(name), file_values)
            if value is not None:
                values[name] = value
        return _build(cls, values, sources)

    @classmethod
    def coerce(cls, value: Any = None, *, from_env: bool = True) -> Endpoints:
        """Endpoints from what a caller gave: Endpoints, a mapping of URLs, any object with the five
        CDSE URL attributes (the emulator's ``ServiceURLs``; optional ones if given), or None.

        The layers below the public entry points pass ``from_env=False``: they take what the
        entry point resolved, and None there is a bug, not a request for the environment's.
        """
        if value is None:
            return cls.from_env() if from_env else _unresolved("endpoints")
        if isinstance(value, Endpoints):
            return value
        if isinstance(value, Mapping):
            return cls(**checks.checked_mapping(value, cls._ENV, "endpoint"))
        names = [f.name for f in dataclasses.fields(cls) if f.name not in cls._OPTIONAL]
        if all(isinstance(getattr(value, n, None), str) for n in names):
            optional = {  # absent or empty: the default
                n: getattr(value, n)
                for n in cls._OPTIONAL
                if isinstance(getattr(value, n, None), str) and getattr(value, n)
            }
            return cls(**{n: getattr(value, n) for n in names}, **optional)
        raise ConfigurationError(
            f"endpoints={value!r} is not usable; expected Endpoints, a mapping or an object with "
            f"the URLs {', '.join(names)}"
        )

    def to_env(self) -> dict[str, str]:
        """The environment variables that reproduce these endpoints."""
        return {env: getattr(self, name) for name, env in self._ENV.items()}


@dataclass(frozen=True)
class Settings:
    """How the client behaves: cache, concurrency, retries, timeouts."""

    cache_dir: Path = field(default_factory=lambda: _default_cache_dir())
    """Root of the product cache and of the client's state (locks, token cache, query cache)."""
    max_connections: int = 4
    """Concurrent download connections per account (CDSE allows 4; service accounts 20)."""
    retries: int = 5
    """Attempts after the first for a retryable failure (429, 5xx, reset, truncation)."""
    timeout: float = 60.0
    """Seconds without progress after which a request is abandoned and retried."""
    refresh_margin: float = 60.0
    """Seconds before expiry at which a token is refreshed."""
    query_cache_age: float = 3600.0
    """Seconds a search's results are reused for the identical query (0: never)."""
    min_rate: float = 1024.0
    """Bytes/s a download must average over every ``timeout`` seconds; a slower one releases its
    connection and is retried, within ``retries`` (0: no minimum)."""
    transfer_deadline: float = 21600.0
    """Seconds one product may hold connections in a run, all attempts together; then it fails
    and its ``.part`` stays for a later run (0: no deadline)."""
    clms_service_key: str = ""
    """Path of the CLMS API service key JSON (land.copernicus.eu profile, "API tokens"), as
    text ("": none): read when a CLMS request needs a token; the path, never the key, is kept.
    Text rather than a Path so that settings stay plain JSON values (filesystem options)."""
    clms_poll_interval: float = 60.0
    """Least seconds between two status requests of a CLMS task (CLMS answers 429 to faster
    polling; its documentation asks for about a minute)."""

    _ENV: ClassVar[dict[str, str]] = {
        "cache_dir": "CDSE_CACHE_DIR",
        "max_connections": "CDSE_MAX_CONNECTIONS",
        "retries": "CDSE_RETRIES",
        "timeout": "CDSE_TIMEOUT",
        "refresh_margin": "CDSE_REFRESH_MARGIN",
        "query_cache_age": "CDSE_QUERY_CACHE_AGE",
        "min_rate": "CDSE_MIN_RATE",
        "transfer_deadline": "CDSE_TRANSFER_DEADLINE",
        "clms_service_key": "CDSE_CLMS_SERVICE_KEY",
        "clms_poll_interval": "CDSE_CLMS_POLL_INTERVAL",
    }

    #: Most connections and retries accepted (CDSE gives service accounts 20 connections; a
    #: larger number is a typo, and the connection budget keeps a slot file per connection).
    MAX_CONNECTIONS: ClassVar[int] = 100
    MAX_RETRIES: ClassVar[int] = 100

    def __post_init__(self) -> None:
        def put(name: str, value: Any) -> None:
            object.__setattr__(self, name, value)

        put("cache_dir", checks.folder("cache_dir", self.cache_dir))
        put(
            "max_connections",
            checks.whole_number("max_connections", self.max_connections, 1, self.MAX_CONNECTIONS),
        )
        put("retries", checks.whole_number("retries", self.retries, 0, self.MAX_RETRIES))
        put("timeout", checks.number("timeout", self.timeout, positive=True, unit="seconds"))
        for name in ("refresh_margin", "query_cache_age", "transfer_deadline"):
            put(name, checks.number(name, getattr(self, name), positive=False, unit="seconds"))
        put("min_rate", checks.number("min_rate", self.min_rate, positive=False, unit="bytes/s"))
        if self.clms_service_key not in ("", None):
            key = checks.file_path("clms_service_key", self.clms_service_key)
            put("clms_service_key", str(key))
        else:
            put("clms_service_key", "")
        put(
            "clms_poll_interval",
            checks.number(
                "clms_poll_interval", self.clms_poll_interval, positive=True, unit="seconds"
            ),
        )

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        """Settings from arguments, then ``CDSE_*`` environment variables, then the config file."""
        checks.check_keys(overrides, cls._ENV, "setting")
        warn_unknown_environment()
        file_values = load_config_file().get("settings", {})
        _check_file_values(cls, file_values)
        values: dict[str, Any] = {}
        sources: dict[str, str | None] = {}
        for name, env in cls._ENV.items():
            value, sources[name] = _pick(name, env, overrides.get(name), file_values)
            if value is not None:
                values[name] = value
        return _build(cls, values, sources)

    @classmethod
    def coerce(cls, value: Any = None, *, from_env: bool = True) -> Settings:
        """Settings from what a caller gave: Settings, a mapping, or None (:meth:`from_env`;
        ``from_env=False`` as for :meth:`Endpoints.coerce`)."""
        if value is None:
            return cls.from_env() if from_env else _unresolved("settings")
        if isinstance(value, Settings):
            return value
        if isinstance(value, Mapping):
            return cls(**checks.checked_mapping(value, cls._ENV, "setting"))
        raise ConfigurationError(
            f"settings={value!r} is not usable; expected Settings or a mapping of its fields"
        )


def _unresolved(name: str) -> Any:
    raise ConfigurationError(
        f"{name}=None reached a layer below the public entry points; pass the {name} of a "
        "Context from cdse_intake.config.resolve()"
    )


def check_via(via: Any) -> str:
    """``via`` itself when it names a transport, else the one error every entry point raises."""
    if via not in VIA:
        raise ConfigurationError(
            f"via={via!r} is not a CDSE transport; expected 'https' (the download service) or "
            "'s3' (the eodata bucket)"
        )
    return str(via)


@dataclass(frozen=True)
class Context:
    """What a public entry point resolved once for the layers below it.

    Nothing below the entry points reads the environment: they take endpoints, settings,
    credentials and the transport from here. ``credentials`` is what the caller gave (None: the
    environment's or ``.netrc``'s account, looked up by :mod:`cdse_intake.auth` when a token is
    first needed, so anonymous searches need none).
    """

    endpoints: Endpoints
    settings: Settings
    credentials: Any = field(default=None, repr=False)
    via: str = "https"

    def __post_init__(self) -> None:
        check_via(self.via)

    def __reduce__(self) -> tuple[Any, ...]:
        # A context travels (dask) without secrets: see public_credentials.
        return (
            type(self),
            (self.endpoints, self.settings, public_credentials(self.credentials), self.via),
        )


def public_credentials(credentials: Any) -> Any:
    """``credentials`` as they may be pickled: a ``(username, password)`` pair or a mapping becomes
    its username, a list each of its accounts; objects with a safe pickle of their own (auth's
    ``Credentials`` and ``TokenProvider`` pickle their username only) and usernames stay.

    The receiving process finds the password again by username: the credentials
    :mod:`cdse_intake.auth` remembers from this process's use (same process), else its own
    environment or ``.netrc`` (a dask worker's), as a pickled ``Credentials`` does.
    """
    if isinstance(credentials, Mapping):
        return credentials.get("username")
    if isinstance(credentials, tuple) and len(credentials) == 2 and isinstance(credentials[0], str):
        return credentials[0]
    if isinstance(credentials, list | tuple):
        return [public_credentials(c) for c in credentials]
    return credentials


def resolve(
    context: Context | None = None,
    *,
    endpoints: Any = None,
    settings: Any = None,
    credentials: Any = None,
    via: str | None = None,
) -> Context:
    """The :class:`Context` of a call: ``context`` with any of the other arguments replacing its
    values, or built from them (argument > environment > config file > the real CDSE)."""
    if context is not None:
        return Context(
            Endpoints.coerce(endpoints) if endpoints is not None else context.endpoints,
            Settings.coerce(settings) if settings is not None else context.settings,
            credentials if credentials is not None else context.credentials,
            check_via(via) if via is not None else context.via,
        )
    return Context(
        Endpoints.coerce(endpoints),
        Settings.coerce(settings),
        credentials,
        check_via(via if via is not None else "https"),
    )


def state_dir() -> Path:
    """The user's own state folder on this machine (``<user state dir>/cdse_intake``, e.g.
    ``~/.local/state/cdse_intake``): what belongs to the user rather than to one cache, such as
    the accounts' connection slots shared by every process whatever cache it uses."""
    import platformdirs

    return Path(platformdirs.user_state_dir("cdse_intake"))


def _default_cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("cdse_intake"))
