"""``make demo`` / ``cdse-intake demo``: the library's round trip against the built-in emulator.

Starts the emulator and points the ``CDSE_*`` environment at it, exactly as a user would with
``eval "$(cdse-intake emulator)"``; then logs in, searches, writes a manifest and downloads a
product through CDSE's cross-host redirect, verified against the catalogue's checksums while
streaming. Unset the variables (and configure credentials) and the same calls use the real CDSE.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["run_demo"]

OUT = Path("demo-output")


def _say(text: str = "") -> None:
    print(text, flush=True)


def run_demo() -> int:
    """Run the round trip; returns the process exit code."""
    import cdse_intake
    from cdse_intake.auth.shared import shared_provider
    from cdse_intake.emulator import Emulator

    _say("Starting the built-in CDSE emulator ...")
    with Emulator() as emu:
        os.environ.update(emu.env())  # what `eval "$(cdse-intake emulator)"` does in a shell
        endpoints, settings = cdse_intake.Endpoints.from_env(), cdse_intake.Settings.from_env()
        _say(f"  catalogue  {endpoints.catalogue}")
        _say(f"  download   {endpoints.download}   (a different host, as on CDSE)")
        _say(f"  identity   {endpoints.identity}")
        _say(f"  {len(emu.catalogue):,} products in its catalogue")
        _say()

        tokens = shared_provider(None, endpoints, settings)  # the login every call below shares
        tokens.get_token()
        _say(f"Logged in as {tokens.username}; token valid for {tokens.expires_in:.0f} s")
        _say()

        _say("Searching: Sentinel-2 L2A over Paris, 1-15 January 2023")
        results = cdse_intake.search(
            "sentinel-2-l2a",
            bbox=(2.2, 48.8, 2.5, 48.9),
            start="2023-01-01",
            end="2023-01-15",
            cache=False,
        )
        _say(f"{'name':<66} {'sensing start':<17} {'cloud':>6} {'MB':>8}")
        for p in results:
            when = p.start.strftime("%Y-%m-%d %H:%M") if p.start else "?"
            cloud = f"{p.cloud_cover:.1f}" if p.cloud_cover is not None else "-"
            _say(f"{p.name:<66} {when:<17} {cloud:>6} {(p.size or 0) / 1e6:>8.1f}")
        OUT.mkdir(exist_ok=True)
        manifest = results.to_manifest(OUT / "paris.csv")
        _say(f"manifest: {manifest}")
        _say()

        product = results[0]
        _say(f"Downloading {product.stem} ...")
        report = cdse_intake.download([product], dest=OUT, manifest=manifest)
        outcome = report.outcomes[0]
        if not outcome.ok:
            _say(f"  failed: {outcome.reason}")
            return 1
        _say(
            f"  {outcome.bytes / 1e6:.1f} MB in {outcome.seconds:.2f} s; "
            f"{outcome.algorithm} matches the catalogue's checksum"
        )
        _say(f"  written to {Path(outcome.path).resolve()}")
        tokens.logout()
    _say()
    _say("The same against the real CDSE: unset the CDSE_*_URL variables and set")
    _say("CDSE_USERNAME/CDSE_PASSWORD (or ~/.netrc machine identity.dataspace.copernicus.eu).")
    return 0
