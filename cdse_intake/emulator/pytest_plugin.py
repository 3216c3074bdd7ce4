"""pytest fixtures for testing code that talks to CDSE, against the built-in emulator.

Installed with cdse_intake (entry point ``pytest11``), so in any project:

.. code-block:: python

    def test_my_pipeline(cdse_emulator, cdse_env):
        # cdse_env has set CDSE_* so cdse_intake (or your code) talks to the emulator
        cdse_emulator.faults.add("reset", after_bytes=1000)   # inject a fault for this test
        ...

``cdse_emulator`` is one emulator per test session; faults, the request log and counters are reset
around each test. Every online product it lists downloads (built on first use; the ini option
``cdse_emulator_deliver = "showcase"`` limits that to a few per family, for suites that list
tens of thousands of products; ``cdse_emulator_faults = "offline=0.05"`` sets the share of
products carrying each catalogue fault). ``cdse_emulator_factory(**kw)`` starts a private one
(e.g. with short token lifetimes), stopped at the end of the test.

The plugin is loaded by every pytest run in an environment where cdse_intake is installed, also
without the ``emulator`` extra: it imports the emulator only when a fixture is used, and then says
what to install if the extra is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .server import Emulator

INSTALL_HINT = "pip install 'cdse-intake[emulator]'"


def _rewrite_the_plugin_only() -> None:
    """Take cdse_intake off pytest's list of packages whose asserts it rewrites.

    pytest marks every module of a distribution with a ``pytest11`` entry point for assertion
    rewriting: all of cdse_intake, because of this plugin. Each of its modules imported in a
    pytest process was then parsed and rewritten from source instead of loaded from its bytecode
    (about 13 s of CPU for the package on a 2-core machine, in every test process of every
    project with cdse_intake installed). The library's asserts are internal invariants with
    nothing for pytest to explain; this module (already imported) keeps its mark. Uses the
    hook's private set: if a pytest release renames it, nothing happens.
    """
    import sys

    for finder in sys.meta_path:
        marked = getattr(finder, "_must_rewrite", None)
        hook = type(finder).__name__ == "AssertionRewritingHook" and isinstance(marked, set)
        if hook and "cdse_intake" in marked:
            marked.discard("cdse_intake")
            marked.add(__name__)
            cache = getattr(finder, "_marked_for_rewrite_cache", None)
            if isinstance(cache, dict):
                cache.clear()


_rewrite_the_plugin_only()


def _emulator_class() -> type[Emulator]:
    """The Emulator class, or a test failure naming the extra to install."""
    try:
        from .server import Emulator
    except ImportError as err:
        pytest.fail(
            f"the cdse_intake emulator fixtures need the 'emulator' extra ({err}); "
            f"install it with: {INSTALL_HINT}",
            pytrace=False,
        )
    return Emulator


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "cdse_emulator_deliver",
        'which products the session emulator delivers: "all" (default; each built when first '
        'listed or fetched) or "showcase" (a few per family: faster listings of thousands)',
        default="all",
    )
    parser.addini(
        "cdse_emulator_faults",
        "share of the session emulator's products carrying each fault, e.g. "
        '"offline=0.05,unavailable=0" (others at 0; "none": no faults; default: a small '
        "realistic share)",
        default="",
    )


@pytest.fixture(scope="session")
def _cdse_emulator_session(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    deliver = str(request.config.getini("cdse_emulator_deliver") or "all")
    text = str(request.config.getini("cdse_emulator_faults") or "").strip()
    faults = None
    if text:
        from .records.delivery import parse_fault_shares

        faults = parse_fault_shares(text)
    with _emulator_class()(deliver=deliver, faults=faults) as emu:
        yield emu


@pytest.fixture
def cdse_emulator(_cdse_emulator_session: Emulator) -> Iterator[Emulator]:
    """The session's CDSE emulator, with no faults and a fresh request log for this test; its
    land service (CLMS) at its defaults, no task of an earlier test still pending."""
    emu = _cdse_emulator_session
    emu.faults.clear()
    # not waiting for an earlier test's stragglers (a test counting its own requests resets, or
    # reads as its own account)
    emu.state.reset_counters(settle=False)
    emu.state.throttle = None
    emu.land.reset()
    yield emu
    emu.faults.clear()
    emu.state.throttle = None
    emu.land.reset()


@pytest.fixture
def cdse_emulator_factory() -> Iterator[Callable[..., Emulator]]:
    """Start private emulators with custom settings; all are stopped after the test."""
    started: list[Emulator] = []
    emulator = _emulator_class()

    def make(**kwargs: Any) -> Emulator:
        emu = emulator(**kwargs).start()
        started.append(emu)
        return emu

    yield make
    for emu in started:
        emu.stop()


@pytest.fixture
def cdse_env(cdse_emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Point CDSE_* environment variables (endpoints and demo credentials) at the emulator."""
    env = cdse_emulator.env()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env
