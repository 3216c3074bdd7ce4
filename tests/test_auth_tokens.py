"""TokenProvider against the emulator: one login, refreshes, re-login, concurrency, errors."""

from __future__ import annotations

import asyncio
import json
import os
import pickle
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pyotp
import pytest

from cdse_intake.auth import Credentials, TokenProvider
from cdse_intake.config import Endpoints, Settings
from cdse_intake.emulator import identity
from cdse_intake.emulator.server import Emulator
from cdse_intake.errors import AuthenticationError, RateLimited, ServiceError

TOKEN_PATH = "/auth/realms/CDSE/protocol/openid-connect/token"


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(s3=False) as emulator:
        yield emulator


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(cache_dir=tmp_path, timeout=10)


def provider_for(emu: Emulator, settings: Settings, credentials=None) -> TokenProvider:
    credentials = credentials or Credentials(emu.username, emu.password)
    return TokenProvider(credentials, emu.endpoints, settings)


def grants(emu: Emulator) -> list[tuple[str | None, int]]:
    return [(r.grant_type, r.status) for r in emu.state.requests(path=TOKEN_PATH)]


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached before the deadline")
        time.sleep(0.01)


def new_user(emu: Emulator, **kw) -> tuple[str, str]:
    username = f"user{time.monotonic_ns()}@example.org"
    password = f"pw-{time.monotonic_ns()}"
    emu.add_account(username, password, **kw)
    return username, password


# -- lifecycle ------------------------------------------------------------------------------------
def test_login_once_refresh_ahead_then_login_again(cdse_emulator_factory, settings):
    # 1 s access and 3 s refresh lifetimes: the provider refreshes a quarter before the end.
    emu = cdse_emulator_factory(access_lifetime=1, refresh_lifetime=3, s3=False)
    provider = provider_for(emu, settings)
    assert provider.pending_grant == "password" and provider.expires_in is None
    first = provider.get_token()
    assert grants(emu) == [("password", 200)]
    claims = emu.tokens.verify_access(first)
    for _ in range(20):
        assert provider.get_token() == first
    assert grants(emu) == [("password", 200)]  # no request while the token is fresh

    wait_until(lambda: provider.pending_grant == "refresh_token")
    second = provider.get_token()
    assert second != first
    assert grants(emu) == [("password", 200), ("refresh_token", 200)]
    assert emu.tokens.verify_access(second)["session_state"] == claims["session_state"]

    wait_until(lambda: provider.pending_grant == "password")  # the refresh token is due to end
    third = provider.get_token()
    assert grants(emu)[-1] == ("password", 200)
    assert [g for g, _ in grants(emu)].count("password") == 2
    assert emu.tokens.verify_access(third)["session_state"] != claims["session_state"]


def test_invalidate_after_a_401_refreshes_once(emu, settings):
    provider = provider_for(emu, settings)
    old = provider.get_token()
    emu.state.reset_counters()
    provider.invalidate(old)  # a service answered 401 to `old`
    new = provider.get_token()
    assert new != old and grants(emu) == [("refresh_token", 200)]
    emu.tokens.verify_access(new)
    provider.invalidate(old)  # a late 401 for the old token: nothing to do
    assert provider.get_token() == new and len(grants(emu)) == 1


def test_refused_refresh_falls_back_to_one_login(emu, settings):
    provider = provider_for(emu, settings)
    token = provider.get_token()
    emu.tokens.end_session(emu.tokens.verify_access(token)["session_state"])  # session gone
    emu.state.reset_counters()
    provider.invalidate()
    emu.tokens.verify_access(provider.get_token())
    assert grants(emu) == [("refresh_token", 400), ("password", 200)]


def test_logout_ends_the_session_and_next_call_logs_in(emu, settings):
    with provider_for(emu, settings) as provider:
        session = emu.tokens.verify_access(provider.get_token())["session_state"]
    assert session not in emu.tokens.sessions
    emu.state.reset_counters()
    provider.get_token()
    assert grants(emu) == [("password", 200)]


# -- concurrency ----------------------------------------------------------------------------------
def hammer(provider: TokenProvider, threads: int = 20, tasks: int = 50) -> list[str]:
    """Threads and tasks on two event loops ask at the same moment; returns every token."""
    go = threading.Event()
    # Every caller thread checks in before the start is given: a condition, not a pause.
    ready = threading.Barrier(threads + 2 + 1)
    tokens: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def keep(value: str) -> None:
        with lock:
            tokens.append(value)

    def sync_caller() -> None:
        ready.wait(30)
        go.wait()
        try:
            keep(provider.get_token())
        except BaseException as err:
            errors.append(err)

    def async_callers(count: int) -> None:
        async def main() -> None:
            ready.wait(30)  # this thread's loop is running: its tasks start together below
            await asyncio.get_running_loop().run_in_executor(None, go.wait)
            results = await asyncio.gather(*(provider.get_token_async() for _ in range(count)))
            for value in results:
                keep(value)

        try:
            asyncio.run(main())
        except BaseException as err:
            errors.append(err)

    workers = [threading.Thread(target=sync_caller) for _ in range(threads)]
    workers += [
        threading.Thread(target=async_callers, args=(n,)) for n in (tasks // 2, tasks - tasks // 2)
    ]
    for worker in workers:
        worker.start()
    ready.wait(30)
    go.set()
    for worker in workers:
        worker.join(30)
    assert not errors, errors
    assert len(tokens) == threads + tasks
    return tokens


def test_concurrent_first_calls_make_one_login(emu, settings):
    emu.state.reset_counters()
    provider = provider_for(emu, settings)
    tokens = hammer(provider)
    assert len(set(tokens)) == 1
    assert grants(emu) == [("password", 200)]


def test_concurrent_calls_at_expiry_make_one_refresh(emu, settings):
    provider = provider_for(emu, settings)
    old = provider.get_token()
    emu.state.reset_counters()
    provider.invalidate()
    tokens = hammer(provider)
    assert set(tokens) == {provider.get_token()} and old not in tokens
    assert grants(emu) == [("refresh_token", 200)]


def test_concurrent_calls_at_natural_expiry_make_one_refresh(cdse_emulator_factory, settings):
    emu = cdse_emulator_factory(access_lifetime=1, refresh_lifetime=60, s3=False)
    provider = provider_for(emu, settings)
    provider.get_token()
    wait_until(lambda: provider.pending_grant == "refresh_token")
    emu.state.reset_counters()
    tokens = hammer(provider, threads=10, tasks=20)
    assert len(set(tokens)) == 1
    assert grants(emu) == [("refresh_token", 200)]


def test_sync_call_inside_a_running_loop_does_not_deadlock(emu, settings):
    provider = provider_for(emu, settings)

    async def main() -> str:
        return provider.get_token()  # e.g. a sync library call inside a notebook cell

    emu.tokens.verify_access(asyncio.run(main()))


def test_cancelled_caller_does_not_cancel_the_others(emu, settings):
    provider = provider_for(emu, settings)
    emu.state.reset_counters()

    async def main() -> str:
        first = asyncio.ensure_future(provider.get_token_async())
        second = asyncio.ensure_future(provider.get_token_async())
        await asyncio.sleep(0)
        first.cancel()
        return await second

    emu.tokens.verify_access(asyncio.run(main()))
    assert grants(emu) == [("password", 200)]


# -- credentials from the environment and .netrc ------------------------------------------------
def test_credentials_from_the_environment(emu, settings, monkeypatch):
    monkeypatch.setenv("CDSE_USERNAME", emu.username)
    monkeypatch.setenv("CDSE_PASSWORD", emu.password)
    provider = TokenProvider(endpoints=emu.endpoints, settings=settings)
    assert provider.username == emu.username
    emu.tokens.verify_access(provider.get_token())


def test_credentials_from_netrc_for_the_emulator_host(emu, settings):
    host = emu.endpoints.identity.split("//")[1].split(":")[0]
    netrc = Path(os.environ["HOME"]) / ".netrc"
    netrc.write_text(f"machine {host} login {emu.username} password {emu.password}\n")
    netrc.chmod(0o600)
    provider = TokenProvider(endpoints=emu.endpoints, settings=settings)
    emu.tokens.verify_access(provider.get_token())


def test_endpoints_and_settings_come_from_the_environment(emu, monkeypatch):
    for key, value in emu.env().items():
        monkeypatch.setenv(key, value)
    provider = TokenProvider()
    assert provider.token_url == emu.endpoints.identity + "/protocol/openid-connect/token"
    emu.tokens.verify_access(provider.get_token())


def test_missing_credentials_fail_at_construction(emu, settings):
    with pytest.raises(AuthenticationError, match="CDSE_USERNAME"):
        TokenProvider(endpoints=emu.endpoints, settings=settings)


def test_pickled_provider_logs_in_again_from_the_environment(emu, settings, monkeypatch):
    provider = provider_for(emu, settings)
    provider.get_token()
    clone = pickle.loads(pickle.dumps(provider))
    assert clone is not provider and clone.username == emu.username
    assert clone.pending_grant == "password"
    with pytest.raises(AuthenticationError, match="no CDSE credentials found"):
        clone.get_token()  # nothing in this environment
    monkeypatch.setenv("CDSE_USERNAME", emu.username)
    monkeypatch.setenv("CDSE_PASSWORD", emu.password)
    clone = pickle.loads(pickle.dumps(provider))
    emu.state.reset_counters()
    emu.tokens.verify_access(clone.get_token())
    assert grants(emu) == [("password", 200)]


# -- two-factor accounts --------------------------------------------------------------------------
def test_two_factor_account_with_a_totp_secret(emu, settings):
    secret = pyotp.random_base32()
    username, password = new_user(emu, totp_secret=secret)
    provider = provider_for(emu, settings, Credentials(username, password, totp_secret=secret))
    emu.tokens.verify_access(provider.get_token())
    session = emu.tokens.verify_access(provider.get_token())["session_state"]
    emu.tokens.end_session(session)
    provider.invalidate()
    emu.tokens.verify_access(provider.get_token())  # a fresh code for the second login


def test_two_factor_account_without_a_code_is_refused_with_a_hint(emu, settings):
    username, password = new_user(emu, totp_secret=pyotp.random_base32())
    emu.state.reset_counters()
    provider = provider_for(emu, settings, Credentials(username, password))
    with pytest.raises(AuthenticationError, match="two-factor") as info:
        provider.get_token()
    assert (info.value.status, info.value.code) == (401, "invalid_grant")
    assert grants(emu) == [("password", 401)]


def test_one_time_code_serves_one_login(emu, settings):
    secret = pyotp.random_base32()
    username, password = new_user(emu, totp_secret=secret)
    code = pyotp.TOTP(secret).now()
    provider = provider_for(emu, settings, Credentials(username, password, totp=code))
    token = provider.get_token()
    provider.invalidate()
    provider.get_token()  # a refresh needs no code
    emu.tokens.end_session(emu.tokens.verify_access(token)["session_state"])
    provider.invalidate()
    emu.state.reset_counters()
    with pytest.raises(AuthenticationError, match="one-time TOTP code was used"):
        provider.get_token()
    assert grants(emu) == [("refresh_token", 400)]  # no doomed login attempt


# -- errors ---------------------------------------------------------------------------------------
def test_bad_credentials_raise_once_without_retrying(emu, settings):
    emu.state.reset_counters()
    provider = provider_for(emu, settings, Credentials(emu.username, "wrong-password"))
    with pytest.raises(AuthenticationError) as info:
        provider.get_token()
    err = info.value
    assert isinstance(err, PermissionError)
    assert (err.status, err.code) == (401, "invalid_grant")
    assert "Invalid user credentials" in str(err) and emu.username in str(err)
    assert grants(emu) == [("password", 401)]
    with pytest.raises(AuthenticationError, match="Invalid user credentials"):
        provider.get_token()  # remembered: no second attempt (Keycloak locks out brute force)
    assert len(grants(emu)) == 1


def test_concurrent_callers_with_bad_credentials_make_one_request(emu, settings):
    emu.state.reset_counters()
    provider = provider_for(emu, settings, Credentials(emu.username, "wrong-password"))
    failures: list[BaseException] = []

    def call() -> None:
        try:
            provider.get_token()
        except AuthenticationError as err:
            failures.append(err)

    workers = [threading.Thread(target=call) for _ in range(10)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert len(failures) == 10 and grants(emu) == [("password", 401)]


def test_session_cap_is_a_clear_error(monkeypatch, cdse_emulator_factory, settings):
    monkeypatch.setattr(identity, "SESSION_LIMIT", 1)
    monkeypatch.setattr(identity, "SESSION_LIMIT_BEHAVIOUR", "deny")
    emu = cdse_emulator_factory(s3=False)
    provider_for(emu, settings).get_token()
    second = provider_for(emu, settings)
    with pytest.raises(AuthenticationError, match="too many active sessions") as info:
        second.get_token()
    assert (info.value.status, info.value.code) == (403, "sessionLimitExceeded")
    assert "100" in str(info.value)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_identity_is_a_service_error_and_not_remembered(settings):
    endpoints = Endpoints(identity=f"http://127.0.0.1:{free_port()}/auth/realms/CDSE")
    provider = TokenProvider(Credentials("a@x.org", "pw"), endpoints, settings)
    for _ in range(2):  # tried again on the next call
        with pytest.raises(ServiceError, match="cannot reach CDSE's identity service") as info:
            provider.get_token()
        assert isinstance(info.value, ConnectionError) and info.value.__cause__ is not None


class _Scripted(BaseHTTPRequestHandler):
    """A broken identity service: answers what the test scripted, counts the requests."""

    answers: ClassVar[list[tuple[int, dict[str, str], bytes]]] = []
    seen: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).seen.append(self.path)
        status, headers, body = type(self).answers.pop(0)
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def scripted() -> Iterator[tuple[type[_Scripted], Endpoints]]:
    handler = type("Handler", (_Scripted,), {"answers": [], "seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    identity_url = f"http://127.0.0.1:{server.server_address[1]}/auth/realms/CDSE"
    yield handler, Endpoints(identity=identity_url)
    server.shutdown()
    server.server_close()


JSON = {"Content-Type": "application/json"}


def test_server_errors_rate_limits_and_malformed_answers(scripted, settings):
    handler, endpoints = scripted
    provider = TokenProvider(Credentials("a@x.org", "pw"), endpoints, settings)
    handler.answers += [
        (503, JSON, b'{"error":"unavailable"}'),
        (429, {**JSON, "Retry-After": "7"}, b"{}"),
        (200, JSON, b'{"token_type":"Bearer"}'),
        (302, {"Location": "http://127.0.0.1:1/elsewhere"}, b""),
        (
            200,
            JSON,
            json.dumps({"access_token": "t", "expires_in": 600, "token_type": "Bearer"}).encode(),
        ),
    ]
    with pytest.raises(ServiceError, match="HTTP 503") as info:
        provider.get_token()
    assert (info.value.status, info.value.code) == (503, "unavailable")
    with pytest.raises(RateLimited) as limited:
        provider.get_token()
    assert limited.value.retry_after == 7
    with pytest.raises(ServiceError, match=r"malformed token response.*no access_token"):
        provider.get_token()
    with pytest.raises(ServiceError, match="redirected"):
        provider.get_token()
    assert provider.get_token() == "t"  # no refresh token: the next login is a password grant
    provider.invalidate()
    assert provider.pending_grant == "password"
    assert len(handler.seen) == 5


def test_unknown_client_is_reported(scripted, settings):
    handler, endpoints = scripted
    body = json.dumps(
        {
            "error": "invalid_client",
            "error_description": "Invalid client or Invalid client credentials",
        }
    ).encode()
    handler.answers.append((401, JSON, body))
    provider = TokenProvider(Credentials("a@x.org", "pw"), endpoints, settings)
    with pytest.raises(AuthenticationError, match="client id 'cdse-public' was refused") as info:
        provider.get_token()
    assert info.value.code == "invalid_client"


def test_repr_tells_the_state_without_secrets(emu, settings):
    provider = provider_for(emu, settings)
    assert "no token yet" in repr(provider)
    token = provider.get_token()
    text = repr(provider)
    assert emu.username in text and "token valid" in text
    assert token not in text and emu.password not in text
