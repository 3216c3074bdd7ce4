"""Secrets never leak: not in logs (any logger, DEBUG), reprs, errors, tracebacks or pickles.

A canary password, TOTP secret and S3 secret, plus every token actually obtained, are searched
for in everything the auth code can show or serialise during a full login / refresh / re-login /
logout / failure cycle against the emulator.
"""

from __future__ import annotations

import logging
import os
import pickle
import socket
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import pyotp
import pytest

from cdse_intake.auth import Credentials, S3Keys, TokenProvider, accounts
from cdse_intake.auth._loop import io_loop
from cdse_intake.config import Endpoints, Settings
from cdse_intake.emulator.server import Emulator
from cdse_intake.errors import CDSEError

CANARY_PASSWORD = "CANARY-pw-Zq81xT"
WRONG_PASSWORD = "CANARY-wrong-Hv27pL"
CANARY_S3_SECRET = "CANARY-s3-Wm55rB"
CANARY_TOTP = pyotp.random_base32()
USERNAME = "canary@example.org"
LOGGERS = ("", "aiohttp", "asyncio", "urllib3", "cdse_intake", "botocore")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))
        self.lines.append(repr(record.args))


@pytest.fixture
def all_logs() -> Iterator[_Collect]:
    handler = _Collect()
    root = logging.getLogger()
    saved = {name: logging.getLogger(name).level for name in LOGGERS}
    root.addHandler(handler)
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    logging.captureWarnings(True)
    loop = io_loop()
    loop.set_debug(True)  # asyncio's own debug logging on the token loop
    try:
        yield handler
    finally:
        loop.set_debug(False)
        logging.captureWarnings(False)
        root.removeHandler(handler)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def error_texts(err: BaseException) -> list[str]:
    return [
        str(err),
        repr(err),
        repr(err.args),
        "".join(traceback.format_exception(err)),
        # what verbose tracebacks (IPython's "Verbose" mode, rich) show: every frame's locals
        "".join(traceback.TracebackException.from_exception(err, capture_locals=True).format()),
    ]


def failure(call: Callable[[], object]) -> CDSEError:
    """The error ``call`` raises, caught in a frame whose locals hold nothing secret (verbose
    tracebacks show the locals of every frame from here down)."""
    try:
        call()
    except CDSEError as err:
        return err
    raise AssertionError("no error")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_no_secret_anywhere(all_logs, cdse_emulator_factory, tmp_path, monkeypatch):
    emu: Emulator = cdse_emulator_factory(s3=False)
    emu.add_account(USERNAME, CANARY_PASSWORD, totp_secret=CANARY_TOTP)
    settings = Settings(cache_dir=tmp_path, timeout=10)
    texts: list[str] = []
    blobs: list[bytes] = []
    tokens: set[str] = set()
    errors: list[BaseException] = []

    credentials = Credentials(USERNAME, CANARY_PASSWORD, totp_secret=CANARY_TOTP)
    provider = TokenProvider(credentials, emu.endpoints, settings)

    def note_tokens() -> None:
        grant = provider._grant  # the test needs the refresh token to search for it
        assert grant is not None
        tokens.update({grant.access_token, grant.refresh_token or ""} - {""})
        texts.extend([repr(provider), str(provider), repr(grant)])

    # login, refresh, refused refresh + re-login, logout
    provider.get_token()
    note_tokens()
    provider.invalidate()
    provider.get_token()
    note_tokens()
    emu.tokens.end_session(emu.tokens.verify_access(provider.get_token())["session_state"])
    provider.invalidate()
    provider.get_token()
    note_tokens()
    blobs.append(pickle.dumps(provider))
    provider.logout()

    # failures: wrong password, missing TOTP, unreachable service, missing credentials, bad netrc
    for creds in (Credentials(USERNAME, WRONG_PASSWORD), Credentials(USERNAME, CANARY_PASSWORD)):
        errors.append(
            failure(lambda c=creds: TokenProvider(c, emu.endpoints, settings).get_token())
        )
    unreachable = Endpoints(identity=f"http://127.0.0.1:{free_port()}/auth/realms/CDSE")
    errors.append(failure(lambda: TokenProvider(credentials, unreachable, settings).get_token()))
    errors.append(failure(lambda: TokenProvider(endpoints=emu.endpoints, settings=settings)))
    netrc = Path(os.environ["HOME"]) / ".netrc"
    machine = f"machine identity.dataspace.copernicus.eu login {USERNAME} password"
    netrc.write_text(f"{machine}\n\n{CANARY_PASSWORD} x\n")  # broken: the password is misplaced
    netrc.chmod(0o644)  # also triggers the permission warning
    errors.append(failure(Credentials.resolve))
    netrc.write_text(f"{machine} {CANARY_PASSWORD}\n")
    assert len(errors) == 5

    # every auth object's repr, str and pickle
    s3 = S3Keys("AKIACANARY", CANARY_S3_SECRET)
    monkeypatch.setenv("CDSE_USERNAME", USERNAME)
    monkeypatch.setenv("CDSE_PASSWORD", CANARY_PASSWORD)
    objects = [credentials, provider, s3, *accounts(), Credentials.resolve()]
    for obj in objects:
        texts += [repr(obj), str(obj)]
        blobs.append(pickle.dumps(obj))
    for err in errors:
        texts += error_texts(err)
        blobs.append(pickle.dumps(err))
    texts += [repr(record) for record in emu.state.log]
    texts += all_logs.lines

    assert len(tokens) == 6  # three grants: access and refresh token each
    assert any("logging in to CDSE" in line for line in all_logs.lines)
    assert any("chmod 600" in line for line in all_logs.lines)
    secrets = [CANARY_PASSWORD, WRONG_PASSWORD, CANARY_S3_SECRET, CANARY_TOTP, *tokens]
    haystack = "\n".join(texts)
    for secret in secrets:
        assert secret not in haystack
        for blob in blobs:
            assert secret.encode() not in blob
