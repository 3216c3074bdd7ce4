"""No secret in any pickle, repr, str, log line or error, for every public class of the package.

The classes are found by walking ``cdse_intake``'s modules (not a hand list): every public class
that takes a secret, or an object holding one (credentials, S3 keys, tokens, a token provider, a
downloader, a filesystem...), is built with canary secrets in every accepted form, and its pickle,
repr and str must not contain them. Then the main flows (login, download, ``cdse://`` reads, a
refused login) run against the emulator with every logger at DEBUG, and neither their logs, their
reports nor their errors may contain the canaries or the tokens obtained.

The emulator (``cdse_intake.emulator``) is left out: it is the server, which knows its accounts'
passwords by design, and no client object holds it.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import logging
import pickle
import pkgutil
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest

import cdse_intake
from cdse_intake.auth import Credentials, S3Keys, TokenProvider
from cdse_intake.config import Endpoints, Settings
from cdse_intake.errors import CDSEError, ConfigurationError
from cdse_intake.fs import CDSEFileSystem

USERNAME = "canary-user@example.org"
PASSWORD = "CANARY-pw-Nq73vB"
WRONG_PASSWORD = "CANARY-wrong-Ty48sK"
S3_ACCESS = "AKIACANARYPUBLIC"
S3_SECRET = "CANARY-s3-Rk29wQ"
ACCESS_TOKEN = "CANARY-at-Jd61mZ"
REFRESH_TOKEN = "CANARY-rt-Xc05pL"
TOTP_SECRET = pyotp.random_base32()
CANARIES = [PASSWORD, WRONG_PASSWORD, S3_SECRET, ACCESS_TOKEN, REFRESH_TOKEN, TOTP_SECRET]

#: Parameters that take a secret, or an object that holds one: a class with any of these is
#: built with canaries (and must be: see test_every_secret_holding_class_was_built).
SECRET_PARAMETERS = {
    "password",
    "totp_secret",
    "secret",
    "secret_key",
    "access_token",
    "refresh_token",
    "token",
    "credentials",
    "s3_keys",
    "keys",
    "tokens",
    "downloader",
    "fs",
    "transport",
    "budget",
    "service_key",
    "private_key",
}
LOGGERS = ("", "aiohttp", "asyncio", "urllib3", "cdse_intake", "botocore", "fsspec", "s3fs")


# -- discovery ------------------------------------------------------------------------------------
def public_classes() -> list[type]:
    """Every public class defined in a module of cdse_intake (the emulator left out)."""
    found: dict[str, type] = {}
    for info in pkgutil.walk_packages(cdse_intake.__path__, "cdse_intake."):
        name = info.name
        if name.startswith("cdse_intake.emulator") or name.endswith("__main__"):
            continue
        try:
            module = importlib.import_module(name)
        except ImportError:  # an optional extra that is not installed
            continue
        for attr, obj in vars(module).items():
            if attr.startswith("_") or not inspect.isclass(obj) or obj.__module__ != name:
                continue
            if issubclass(obj, BaseException):
                continue  # errors are checked where the flows raise them
            found[f"{name}.{attr}"] = obj
    return [found[k] for k in sorted(found)]


def parameters(cls: type) -> dict[str, inspect.Parameter]:
    init = cls.__init__ if "__init__" in vars(cls) or cls.__init__ is not object.__init__ else None
    try:
        sig = inspect.signature(cls)
        if all(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in sig.parameters.values()):
            sig = inspect.signature(init) if init else sig  # a metaclass hides the real one
    except (TypeError, ValueError):
        return {}
    return {n: p for n, p in sig.parameters.items() if n not in ("self", "cls")}


def holds_secrets(cls: type) -> bool:
    return bool(SECRET_PARAMETERS & set(parameters(cls)))


# -- canary values for each parameter, in every accepted form -----------------------------------
def canary_service_key(folder: Path) -> tuple[Path, str]:
    """A CLMS service key file with a fresh RSA key; its path and a line of the key's body."""
    import json

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
        .decode()
    )
    path = folder / "clms-service-key.json"
    fields = {"client_id": "canary-client", "user_id": "canary-user"}
    token_uri = "https://land.copernicus.eu/@@oauth2-token"
    path.write_text(json.dumps({**fields, "token_uri": token_uri, "private_key": pem}))
    return path, pem.splitlines()[4]


class Values:
    def __init__(self, emu: Any, tmp: Path) -> None:
        self.endpoints = Endpoints.coerce(emu.endpoints)
        self.settings = Settings(cache_dir=tmp / "cache", timeout=10)
        self.tmp = tmp
        self.credentials = Credentials(USERNAME, PASSWORD, totp_secret=TOTP_SECRET)
        self.service_key_path, self.private_key_canary = canary_service_key(tmp)
        CANARIES.append(self.private_key_canary)  # removed again by the fixture

    def provider(self) -> TokenProvider:
        return TokenProvider(self.credentials, self.endpoints, self.settings)

    def downloader(self) -> Any:
        from cdse_intake.downloads import Downloader

        return Downloader(
            self.tmp / "dest",
            endpoints=self.endpoints,
            settings=self.settings,
            credentials=(USERNAME, PASSWORD),
            progress=False,
        )

    def filesystem(self) -> CDSEFileSystem:
        return CDSEFileSystem(
            credentials=(USERNAME, PASSWORD),
            s3_keys=(S3_ACCESS, S3_SECRET),
            endpoints=self.endpoints,
            settings=self.settings,
            skip_instance_cache=True,
        )

    def variants(self, name: str, param: inspect.Parameter) -> list[Any]:
        """Values for parameter ``name`` (several forms for the secret ones); [] if unknown."""
        from cdse_intake.auth.service_key import ServiceKey
        from cdse_intake.clms.requests import CLMSRequest
        from cdse_intake.config import Context
        from cdse_intake.net.budget import ConnectionBudget
        from cdse_intake.net.transport import Transport

        table: dict[str, Callable[[], list[Any]]] = {
            "password": lambda: [PASSWORD],
            "totp_secret": lambda: [TOTP_SECRET],
            "secret": lambda: [S3_SECRET],
            "secret_key": lambda: [S3_SECRET],
            "access_token": lambda: [ACCESS_TOKEN],
            "refresh_token": lambda: [REFRESH_TOKEN],
            "token": lambda: [ACCESS_TOKEN],
            "access_key": lambda: [S3_ACCESS],
            "username": lambda: [USERNAME],
            "login": lambda: [USERNAME],
            "user": lambda: [USERNAME],
            "account": lambda: [USERNAME],
            "name": lambda: [USERNAME],
            "host": lambda: ["identity.dataspace.copernicus.eu"],
            "credentials": lambda: [
                self.credentials,
                (USERNAME, PASSWORD),
                {"username": USERNAME, "password": PASSWORD, "totp_secret": TOTP_SECRET},
                [(USERNAME, PASSWORD), ("second@example.org", PASSWORD)],
                self.provider(),
            ],
            "s3_keys": lambda: [S3Keys(S3_ACCESS, S3_SECRET), (S3_ACCESS, S3_SECRET)],
            "keys": lambda: [S3Keys(S3_ACCESS, S3_SECRET)],
            "tokens": lambda: [self.provider()],
            "downloader": lambda: [self.downloader()],
            "fs": lambda: [self.filesystem()],
            "transport": lambda: [Transport(None, self.endpoints, self.provider())],
            "budget": lambda: [ConnectionBudget(self.tmp, USERNAME, 4)],
            "endpoints": lambda: [self.endpoints],
            "endpoint": lambda: [self.endpoints.s3],
            "settings": lambda: [self.settings],
            "path": lambda: ["S2A_PRODUCT/file.txt"],
            "items": lambda: [[]],
            "limit": lambda: [4],
            "size": lambda: [10],
            "via": lambda: ["https"],
            "session": lambda: [None],
            "root": lambda: [str(self.tmp)],
            "origin": lambda: ["remote"],
            "location": lambda: ["cdse://S2A_PRODUCT"],
            "service_key": lambda: [
                ServiceKey.load(self.service_key_path),
                str(self.service_key_path),
                self.service_key_path,
            ],
            "context": lambda: [Context(self.endpoints, self.settings)],
            "request": lambda: [CLMSRequest("u" * 32, "i", "Geotiff", nuts="IT")],
        }
        if name in table:
            return table[name]()
        if param.default is not param.empty:
            return []  # optional: its default
        annotation = str(param.annotation)
        for kind, value in (("float", 1.0), ("int", 1), ("bool", False), ("str", "x")):
            if annotation.startswith(kind):
                return [value]
        return []


def instances(cls: type, values: Values) -> Iterator[Any]:
    """``cls`` built with canaries: one instance per form of each secret-holding parameter."""
    params = parameters(cls)
    base: dict[str, Any] = {}
    varied: list[tuple[str, list[Any]]] = []
    for name, param in params.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        options = values.variants(name, param)
        if not options:
            if param.default is param.empty:
                return  # a required parameter we cannot make: reported by the caller
            continue
        base[name] = options[0]
        if len(options) > 1:
            varied.append((name, options))
    combos = [dict(base)] + [{**base, n: v} for n, opts in varied for v in opts[1:]]
    for kwargs in combos:
        try:
            obj = cls(**kwargs)
        except ConfigurationError:
            continue  # a form this class refuses (a list of accounts where one is due)
        yield obj


def artefacts(obj: Any) -> tuple[list[str], list[bytes]]:
    texts = [repr(obj), str(obj)]
    blobs: list[bytes] = []
    # not picklable at all: nothing leaks through a pickle
    with contextlib.suppress(TypeError, AttributeError, pickle.PicklingError, NotImplementedError):
        blobs.append(pickle.dumps(obj))
    return texts, blobs


def assert_clean(texts: list[str], blobs: list[bytes], secrets: list[str], where: str) -> None:
    leaks = []
    for secret in secrets:
        if any(secret in text for text in texts):
            leaks.append(f"{where}: text holds {secret[:10]}…")
        if any(secret.encode() in blob for blob in blobs):
            leaks.append(f"{where}: pickle holds {secret[:10]}…")
    assert leaks == [], "\n".join(leaks)


# -- the tests -----------------------------------------------------------------------------------
def test_the_walk_finds_the_classes_that_hold_secrets():
    names = {f"{c.__module__}.{c.__qualname__}" for c in public_classes() if holds_secrets(c)}
    for known in (
        "cdse_intake.auth.credentials.Credentials",
        "cdse_intake.auth.s3keys.S3Keys",
        "cdse_intake.auth.tokens.TokenProvider",
        "cdse_intake.downloads.core.Downloader",
        "cdse_intake.fs.filesystem.CDSEFileSystem",
        "cdse_intake.net.transport.Transport",
        "cdse_intake.auth.service_key.ServiceKeyTokens",
        "cdse_intake.clms.job.CLMSJob",
    ):
        assert known in names  # the discovery works (this is no list of what is checked)


@pytest.fixture
def values(cdse_emulator, tmp_path, monkeypatch) -> Values:
    # What another process would find: the canary account in the environment.
    monkeypatch.setenv("CDSE_USERNAME", USERNAME)
    monkeypatch.setenv("CDSE_PASSWORD", PASSWORD)
    monkeypatch.setenv("CDSE_S3_ACCESS_KEY", S3_ACCESS)
    monkeypatch.setenv("CDSE_S3_SECRET_KEY", S3_SECRET)
    CDSEFileSystem.clear_instance_cache()
    made = Values(cdse_emulator, tmp_path)
    yield made
    CANARIES.remove(made.private_key_canary)
    CDSEFileSystem.clear_instance_cache()


def test_every_secret_holding_class_keeps_its_secrets(values):
    classes = [c for c in public_classes() if holds_secrets(c)]
    built: dict[str, int] = {}
    not_built: dict[str, str] = {}
    leaks: list[str] = []
    for cls in classes:
        name = f"{cls.__module__}.{cls.__qualname__}"
        try:
            for obj in instances(cls, values):
                built[name] = built.get(name, 0) + 1
                texts, blobs = artefacts(obj)
                try:
                    assert_clean(texts, blobs, CANARIES, name)
                except AssertionError as err:
                    leaks.append(str(err))
        except AssertionError:
            raise
        except Exception as err:
            not_built[name] = f"{type(err).__name__}: {err}"[:200]
        if name not in built and name not in not_built:
            not_built[name] = "a required parameter has no canary value"
    print(f"\n{len(built)} secret-holding classes built ({sum(built.values())} instances)")
    # No leak, and every class that takes a secret was built (else it would escape the check).
    assert (leaks, not_built) == ([], {}), "\n".join([*leaks, *map(str, not_built.items())])
    assert len(built) >= 10


def test_objects_that_travel_to_dask_workers_work_again_there(values, cdse_emulator, monkeypatch):
    """What pickles without its secret finds it again by username: in this process the
    credentials given earlier (remembered by cdse_intake.auth: an in-process dask worker), in
    another its environment or .netrc (as a worker of a cluster has them)."""
    from .test_download_common import materialised

    cdse_emulator.add_account(USERNAME, PASSWORD)
    downloader, fs = values.downloader(), values.filesystem()
    blobs = [pickle.dumps(downloader), pickle.dumps(fs)]
    for key in ("CDSE_USERNAME", "CDSE_PASSWORD"):  # nothing to find but what was remembered
        monkeypatch.delenv(key)
    downloader, fs = (pickle.loads(blob) for blob in blobs)
    report = downloader.download(materialised(cdse_emulator)[:1])
    assert report.ok, [o.reason for o in report.failed]
    entry = next(e for e in cdse_emulator.catalogue.materialised if e.payload.single_file)
    assert fs.cat_file(f"cdse://{entry.id}", start=0, end=4) == entry.payload.data[:4]


# -- the main flows, every logger at DEBUG ---------------------------------------------------------
class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))
        self.lines.append(repr(record.args))
        if record.exc_info:
            self.lines.append("".join(traceback.format_exception(*record.exc_info)))


@pytest.fixture
def all_logs() -> Iterator[_Collect]:
    handler = _Collect()
    root = logging.getLogger()
    saved = {name: logging.getLogger(name).level for name in LOGGERS}
    root.addHandler(handler)
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def error_texts(err: BaseException) -> list[str]:
    return [
        str(err),
        repr(err),
        "".join(traceback.format_exception(err)),
        "".join(traceback.TracebackException.from_exception(err, capture_locals=True).format()),
    ]


def test_main_flows_show_no_secret(cdse_emulator, all_logs, tmp_path, monkeypatch):
    from cdse_intake.auth.shared import shared_provider
    from cdse_intake.downloads import download

    from .test_download_common import materialised

    emu = cdse_emulator
    emu.add_account(USERNAME, PASSWORD)
    for key in ("CDSE_USERNAME", "CDSE_PASSWORD"):
        monkeypatch.delenv(key, raising=False)
    CDSEFileSystem.clear_instance_cache()
    endpoints = Endpoints.coerce(emu.endpoints)
    settings = Settings(cache_dir=tmp_path / "cache", timeout=10, retries=0)
    texts: list[str] = []
    blobs: list[bytes] = []

    # download, with the account given as a plain tuple (the riskiest form)
    products = materialised(emu)[:2]
    report = download(
        products,
        progress=False,
        endpoints=endpoints,
        settings=settings,
        credentials=(USERNAME, PASSWORD),
    )
    assert report.ok, [o.reason for o in report.failed]
    texts += [repr(report), str(report), *(repr(o) for o in report.outcomes)]

    # cdse:// reads
    entry = next(e for e in emu.catalogue.materialised if not e.payload.single_file)
    fs = CDSEFileSystem(credentials=(USERNAME, PASSWORD), endpoints=endpoints, settings=settings)
    names = fs.ls(f"cdse://{entry.stem}", detail=False)
    first = next(n for n in names if fs.isfile(n))
    with fs.open(first) as f:
        f.read(10)
        texts += [repr(f), str(f)]
        blobs.append(pickle.dumps(f))
    texts += [repr(fs), str(fs), fs.to_json()]
    blobs.append(pickle.dumps(fs))

    # refused logins: the downloader reports, the filesystem raises
    refused = download(
        products[:1],
        progress=False,
        endpoints=endpoints,
        settings=Settings(cache_dir=tmp_path / "other-cache", timeout=10, retries=0),
        credentials=(USERNAME, WRONG_PASSWORD),
    )
    assert not refused.ok
    texts += [repr(refused), *(o.reason for o in refused.outcomes)]
    wrong = CDSEFileSystem(
        credentials=(USERNAME, WRONG_PASSWORD),
        endpoints=endpoints,
        settings=settings,
        skip_instance_cache=True,
    )
    with pytest.raises(CDSEError) as info:
        wrong.cat_file(first)
    texts += error_texts(info.value)
    blobs.append(pickle.dumps(info.value))

    # the tokens these flows obtained are secrets too
    provider = shared_provider(Credentials(USERNAME, PASSWORD), endpoints, settings)
    grant = provider._grant  # the test needs the tokens to search for them
    assert grant is not None
    tokens = [grant.access_token, *([grant.refresh_token] if grant.refresh_token else [])]
    texts += all_logs.lines
    texts += [repr(record) for record in emu.state.log]
    assert any("cdse_intake" in line for line in all_logs.lines)  # the logs were collected
    assert_clean(texts, blobs, [*CANARIES, *tokens], "main flows")


def _clms_request_error(path: Path) -> CDSEError:
    """The error of a CLMS request with the key at ``path``, from a frame holding the path only
    (the test's own frame holds the keys, and error_texts shows every frame's locals)."""
    from cdse_intake import clms

    try:
        clms.request("a8d945f0edd143a0a5240c28bafa23da", nuts="ITC11", service_key=path)
    except CDSEError as err:
        return err
    raise AssertionError("a revoked key was accepted")


def test_the_clms_flow_shows_no_secret(cdse_emulator, cdse_env, all_logs, tmp_path, monkeypatch):
    """A CLMS request posted, polled (through an expired token) and downloaded, and a revoked
    key refused, every logger at DEBUG: no private key, grant or access token anywhere."""
    import json

    from cdse_intake import clms
    from cdse_intake.clms.job import _TOKENS

    land = getattr(cdse_emulator, "land", None)
    if land is None or "CDSE_CLMS_URL" not in cdse_env:
        pytest.skip("this emulator has no CLMS API")
    monkeypatch.setenv("CDSE_CLMS_POLL_INTERVAL", "0.2")
    land.reset()
    land.delays = (0.1, 0.2)
    key = dict(land.service_key)
    secrets = key["private_key"].strip().splitlines()[1:-1]
    texts: list[str] = []
    blobs: list[bytes] = []

    job = clms.request("a8d945f0edd143a0a5240c28bafa23da", bbox=(2.35, 45.88, 2.6, 46.05))
    land.expire_tokens()
    job.wait(timeout=30)
    files = job.download()
    texts += [repr(job), str(job), repr(files), json.dumps(job.record)]
    texts += [p.read_text() for p in (tmp_path / "..").glob("**/clms/requests/*.json")]
    blobs.append(pickle.dumps(job))

    revoked = land.issue_key()
    path = tmp_path / "revoked.json"
    path.write_text(json.dumps(revoked))
    land.revoke_key(revoked["client_id"])
    texts += error_texts(_clms_request_error(path))
    secrets += revoked["private_key"].strip().splitlines()[1:-1]

    tokens = [p._token for p in _TOKENS.values() if p._token]  # the test needs them to look
    assert tokens
    texts += all_logs.lines
    texts += [repr(record) for record in cdse_emulator.state.log]
    assert any("cdse_intake" in line for line in all_logs.lines)
    land.reset()
    assert_clean(texts, blobs, [*secrets, *tokens], "CLMS flow")
