"""Real-browser fixtures: a notebook served by Voila on loopback, driven by headless Chromium.

The browser is Debian's Chromium (``/usr/bin/chromium``, installed by ``make browser-deps``),
driven by Playwright; Playwright's own browser downloads are never used. Without that binary the
tests skip, except under ``CI=true`` where they fail (``make test`` installs it, so its absence
there is a broken set-up, not a reason to skip).

Voila runs as a subprocess on 127.0.0.1 at a port the OS picked, serving a copy of the notebook in
a temporary folder (``catalog.yaml`` beside it, as in the repository) so nothing it writes lands in
the working tree. Its kernel is this interpreter (a ``python3`` kernelspec in a temporary
``JUPYTER_PATH`` shadows any other), with ``HOME``, ``TMPDIR``, the Jupyter folders and
``CDSE_CACHE_DIR`` inside that folder and the ``CDSE_*`` endpoints of the session's emulator, so
the notebook uses that emulator instead of starting its own.

Offline, on both sides: every HTTP(S) or WebSocket request of the page to a host that is not a
loopback IP address is aborted and recorded (ipyleaflet's OpenStreetMap tiles and a CDN font
sheet, for two), host-name lookups fail inside Chromium as a second fence, and every request that
completed is recorded so a test can check that none left the machine. The kernel runs the
notebook tests' guard (tests/test_notebooks.py ``GUARD``) from an IPython startup file: it refuses
TCP connections to anything but loopback and DNS lookups of other names, and writes what it
refused to a file the test reads.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "browser"
START_TIMEOUT = 30.0  # seconds for Voila to answer HTTP (it takes ~2 s)
NOTEBOOK_TIMEOUT = 45.0  # seconds for the kernel to start and run the notebook (~5 s)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _missing(reason: str) -> None:
    """Skip locally; fail in CI, where ``make test`` provides everything these tests need."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: `make test` should have installed it)", pytrace=False)
    pytest.skip(reason)


def is_loopback_url(url: str) -> bool:
    """Whether a network URL points at a loopback IP address (data:, blob: ... count as local)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "ws", "wss"):
        return True  # data:, blob:, about: ... never leave the browser
    try:
        return ipaddress.ip_address(parts.hostname or "").is_loopback
    except ValueError:
        return False  # a host name: not allowed, even one that would resolve to loopback


def free_port() -> int:
    """A TCP port on 127.0.0.1 that the OS reports free."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class VoilaServer:
    """A running Voila serving one notebook."""

    url: str
    workdir: Path
    notebook: Path
    log: Path
    refused: Path
    process: subprocess.Popen[bytes]

    def log_tail(self, lines: int = 40) -> str:
        """The end of Voila's log (its kernels' stderr included), for failure messages."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def kernel_refused(self) -> list[str]:
        """The non-loopback connections and DNS lookups the kernel attempted (and was refused)."""
        return self.refused.read_text().splitlines() if self.refused.exists() else []


def write_kernelspec(jupyter_path: Path) -> None:
    """A ``python3`` kernelspec running ipykernel in this interpreter (the venv's)."""
    folder = jupyter_path / "kernels" / "python3"
    folder.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "cdse_intake browser tests",
        "language": "python",
        "env": {"PYDEVD_DISABLE_FILE_VALIDATION": "1"},
    }
    (folder / "kernel.json").write_text(json.dumps(spec))


def write_offline_guard(ipython_dir: Path, refused: Path) -> None:
    """An IPython startup file that makes the kernel refuse non-loopback connections.

    It is the notebook tests' guard, with each refusal also appended to ``refused``.
    """
    from tests.test_notebooks import GUARD

    startup = ipython_dir / "profile_default" / "startup"
    startup.mkdir(parents=True)
    record = f"""

class _RefusedLog(list):
    def append(self, item):
        super().append(item)
        with open({str(refused)!r}, "a") as _file:
            _file.write(str(item) + "\\n")


_offline_blocked = _RefusedLog()
"""
    (startup / "00-offline-guard.py").write_text(GUARD + record)


def wait_until_serving(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Poll ``url`` until it answers, the process exits, or START_TIMEOUT passes."""
    deadline = time.monotonic() + START_TIMEOUT
    last: Exception | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"voila exited with {process.returncode}:\n{log.read_text()}")
        try:
            # a static file: GET / would start a kernel and run the notebook
            with urllib.request.urlopen(url + "voila/static/extension.js", timeout=2):
                return
        except urllib.error.HTTPError:
            return  # any HTTP answer means the server is up
        except OSError as err:  # refused: not listening yet
            last = err
        time.sleep(0.1)  # polling interval, not a wait for the result
    raise TimeoutError(
        f"voila did not answer at {url} within {START_TIMEOUT} s ({last}):\n{log.read_text()}"
    )


@contextlib.contextmanager
def run_voila(notebook: Path, workdir: Path, env: dict[str, str]) -> Iterator[VoilaServer]:
    """Serve a copy of ``notebook`` from ``workdir`` with Voila on 127.0.0.1; stop it after."""
    voila = shutil.which("voila", path=str(Path(sys.executable).parent))
    if voila is None:
        _missing(f"voila is not installed beside {sys.executable} (the test extra has it)")
    here = workdir / "notebooks"
    here.mkdir(parents=True)
    shutil.copy(notebook, here / notebook.name)
    shutil.copy(ROOT / "catalog.yaml", workdir / "catalog.yaml")
    jupyter = workdir / "jupyter"
    write_kernelspec(jupyter / "path")
    home, tmp = workdir / "home", workdir / "tmp"
    home.mkdir()
    tmp.mkdir()
    refused = workdir / "kernel-refused.txt"
    write_offline_guard(jupyter / "ipython", refused)
    (jupyter / "runtime").mkdir(parents=True)
    env = {
        **env,
        "HOME": str(home),
        "TMPDIR": str(tmp),  # for a notebook that makes its own temporary cache
        "CDSE_CACHE_DIR": str(workdir / "cache"),
        "JUPYTER_PATH": str(jupyter / "path"),
        "JUPYTER_CONFIG_DIR": str(jupyter / "config"),
        "JUPYTER_DATA_DIR": str(jupyter / "data"),
        "JUPYTER_RUNTIME_DIR": str(jupyter / "runtime"),
        "JUPYTER_PLATFORM_DIRS": "1",
        "IPYTHONDIR": str(jupyter / "ipython"),
        "PYTHONUNBUFFERED": "1",
    }
    port = free_port()
    command = [
        voila,
        notebook.name,
        f"--port={port}",
        "--Voila.port_retries=0",  # exactly the port chosen, or fail loudly
        "--Voila.ip=127.0.0.1",
        "--ServerApp.ip=127.0.0.1",
        "--no-browser",
        "--show_tracebacks=True",
        "--Voila.log_level=INFO",
        f"--Voila.connection_dir_root={jupyter / 'runtime'}",
    ]
    log = workdir / "voila.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=here, env=env, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}/"
    server = VoilaServer(url, workdir, here / notebook.name, log, refused, process)
    try:
        wait_until_serving(server.url, process, log)
        yield server
    finally:
        process.terminate()  # SIGTERM: Voila shuts its kernels down and exits
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(log, ARTIFACTS / f"voila-{notebook.stem}.log")


# -- browser ---------------------------------------------------------------------------------------


@pytest.fixture
def chromium() -> Iterator[Any]:
    """Headless Debian Chromium under Playwright, for one test.

    Not session-wide: Playwright's sync API keeps an asyncio loop running in the main thread
    while it is open, and every later test calling ``asyncio.run`` would fail.
    """
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} not found: run `make browser-deps` (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                # CI containers run as root, where Chromium's sandbox cannot start; the page is
                # our own notebook on loopback and nothing else is reachable
                "--no-sandbox",
                "--disable-dev-shm-usage",  # /dev/shm is tiny in containers
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@dataclass
class OfflinePage:
    """A Playwright page whose non-loopback requests are aborted.

    ``blocked``: the URLs aborted; ``completed``: the URLs of every request that got an answer
    (a non-loopback one there would have left the machine).
    """

    page: Any
    blocked: list[str] = field(default_factory=list)
    completed: list[str] = field(default_factory=list)

    def escaped(self) -> list[str]:
        """Requests to non-loopback hosts that were answered: must be none."""
        return [url for url in self.completed if not is_loopback_url(url)]


@pytest.fixture
def offline_page(chromium: Any) -> Iterator[OfflinePage]:
    """A fresh browser context and page that can reach loopback IP addresses only."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    result = OfflinePage(page=None)

    def block(route: Any) -> None:
        result.blocked.append(route.request.url)
        route.abort("blockedbyclient")

    def block_ws(ws: Any) -> None:
        result.blocked.append(ws.url)
        ws.close()

    def outside(url: str) -> bool:
        return not is_loopback_url(url)

    context.route(outside, block)
    context.route_web_socket(outside, block_ws)
    context.on("requestfinished", lambda request: result.completed.append(request.url))
    context.on("websocket", lambda ws: result.completed.append(ws.url))
    result.page = context.new_page()
    result.page.set_default_timeout(30_000)
    yield result
    context.close()


def open_notebook(offline: OfflinePage, server: VoilaServer, ready: str) -> Any:
    """Load the Voila page and wait for ``ready`` (a CSS selector) to show; the locator.

    Fails at once, with the traceback, if a cell of the notebook raised (Voila renders it as
    stderr output), rather than waiting for a widget that will never come.
    """
    page = offline.page
    page.goto(server.url)
    target = page.locator(ready)
    error = page.locator("[data-mime-type='application/vnd.jupyter.stderr']", has_text="Traceback")
    try:
        target.or_(error).first.wait_for(timeout=NOTEBOOK_TIMEOUT * 1000)
    except Exception as err:
        raise AssertionError(
            f"{ready} did not show in {NOTEBOOK_TIMEOUT} s ({err});\n"
            f"voila log:\n{server.log_tail()}"
        ) from err
    if error.count():
        raise AssertionError("a notebook cell failed:\n" + "\n".join(error.all_inner_texts()))
    return target


#: The height of the page's content, its scrolling panels included (Voila scrolls a <div>, which a
#: plain full-page screenshot would cut at the window's height).
_CONTENT_HEIGHT = """() => Math.max(document.documentElement.scrollHeight,
    ...[...document.querySelectorAll("div")]
        .filter(e => ["auto", "scroll"].includes(getComputedStyle(e).overflowY))
        .map(e => e.scrollHeight))"""


def screenshot(page: Any, name: str) -> Path:
    """Save a PNG of the whole page under test-artifacts/browser/ and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    viewport = page.viewport_size
    height = min(int(page.evaluate(_CONTENT_HEIGHT)), 10_000)
    if height > viewport["height"]:
        page.set_viewport_size({"width": viewport["width"], "height": height})
    try:
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(viewport)
    return path


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """Keep each phase's report on the item, so fixtures can tell that the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def failure_screenshot(request: pytest.FixtureRequest, offline_page: OfflinePage) -> Iterator[None]:
    """On failure, save what the page showed (test-artifacts/browser/<test>-failed.png)."""
    yield
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        with contextlib.suppress(Exception):  # the page may be gone; the failure is what matters
            screenshot(offline_page.page, f"{request.node.name}-failed")
