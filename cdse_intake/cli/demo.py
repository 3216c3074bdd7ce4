"""``make demo`` / ``cdse-intake demo``: the catalogue tour, headless, on the built-in emulator.

Starts the emulator and points the ``CDSE_*`` environment at it, exactly as a user would with
``eval "$(cdse-intake emulator)"``; then, through the intake catalogue ``catalog.yaml``: lists the
collections, searches Sentinel-2 L2A over Wellington's coast in the southern summer, writes a
manifest, downloads a partly cloudy product through CDSE's cross-host redirect (progress bars,
checksums verified while streaming), opens it as xarray, prints it, writes a quick-look PNG (land,
sea and clouds of the emulator's synthetic Earth, and their NDVI), reads a window of another
product straight from the remote store, and says where every file is. Unset the variables (and
configure credentials) and the same calls use the real CDSE.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = ["run_demo"]

OUT = Path("demo-output")
#: Wellington's coast (west, south, east, north): fields, the sea and, in January, summer.
WELLINGTON = (174.7, -41.4, 174.9, -41.2)
#: The product opened: the earliest found with some clouds but mostly clear (cloud cover in %).
PARTLY_CLOUDY = (10.0, 60.0)


def _say(text: str = "") -> None:
    print(text, flush=True)


def run_demo() -> int:
    """Run the tour; returns the process exit code."""
    import cdse_intake
    from cdse_intake.emulator import Emulator
    from cdse_intake.intake_plugin import catalog_file, open_catalog

    OUT.mkdir(exist_ok=True)
    _say("Starting the built-in CDSE emulator ...")
    with Emulator() as emu:
        os.environ.update(emu.env())  # what `eval "$(cdse-intake emulator)"` does in a shell
        # The demo's products are synthetic: keep them out of the user's own product cache.
        os.environ["CDSE_CACHE_DIR"] = str((OUT / "cache").resolve())
        endpoints = cdse_intake.Endpoints.from_env()
        _say(f"  catalogue  {endpoints.catalogue}")
        _say(f"  download   {endpoints.download}   (a different host, as on CDSE)")
        _say(f"  identity   {endpoints.identity}")
        _say()

        cat = open_catalog(catalog_file())
        _say(f"The intake catalogue {catalog_file()} lists:")
        for name in cat:
            _say(f"  {name:<18} {cat[name].metadata.get('description', '')}"[:100])
        live = cat.collections.read()
        _say(f"and the live catalogue offers {len(list(live))} collections")
        _say()

        _say("Searching Sentinel-2 L2A over Wellington, 1-15 January 2023 (cat.sentinel2_l2a(...))")
        found = cat.sentinel2_l2a(bbox=WELLINGTON, start="2023-01-01", end="2023-01-15").read()
        names = list(found)
        _say(f"{'name':<66} {'sensing start':<17} {'cloud':>6} {'MB':>8}")
        for name in names:
            md = found[name].metadata
            cloud = "-" if md.get("cloud_cover") is None else f"{md['cloud_cover']:.1f}"
            when = str(md.get("start", "?"))[:16].replace("T", " ")
            _say(f"{name:<66} {when:<17} {cloud:>6} {(md.get('size') or 0) / 1e6:>8.1f}")
        results = cdse_intake.search(
            "sentinel-2-l2a", bbox=WELLINGTON, start="2023-01-01", end="2023-01-15", cache=False
        )
        manifest = results.to_manifest(OUT / "wellington.csv")
        _say(f"manifest: {manifest}")
        _say()

        lo, hi = PARTLY_CLOUDY
        partly = [n for n in names if lo <= (found[n].metadata.get("cloud_cover") or 0) <= hi]
        chosen = min(partly or names, key=lambda n: str(found[n].metadata.get("start")))
        product = next(p for p in results if p.name == chosen)
        _say(f"Downloading {product.stem} ...")
        report = cdse_intake.download([product], manifest=manifest)
        outcome = report.outcomes[0]
        if not outcome.ok:
            _say(f"  failed: {outcome.reason}")
            return 1
        _say(
            f"  {outcome.bytes / 1e6:.1f} MB in {outcome.seconds:.2f} s; "
            f"{outcome.algorithm} matches the catalogue's checksum"
        )
        _say(f"  in the product cache: {Path(outcome.path).resolve()}")
        _say()

        _say(f"Opening it as xarray (found[{product.name[:20]!r}...].read()) ...")
        tree = found[product.name].read()  # from the cache: no second download
        ds = tree["r10m"].to_dataset()
        _say(str(ds))
        png = _quicklook(ds, OUT / "quicklook.png", product.name)
        _say(f"quick look: {png.resolve()}")
        _say()

        _remote_window(emu, cdse_intake)
        _say()
        _say("Files:")
        _say(f"  manifest    {manifest.resolve()}")
        _say(f"  product     {Path(outcome.path).resolve()}")
        _say(f"  quick look  {png.resolve()}")
    _say()
    _say("The same against the real CDSE: unset the CDSE_*_URL variables and CDSE_CACHE_DIR, and")
    _say("set CDSE_USERNAME/CDSE_PASSWORD (or ~/.netrc machine identity.dataspace.copernicus.eu);")
    _say("`intake.from_yaml_file('catalog.yaml')` and every call above then reach the real CDSE.")
    return 0


def _quicklook(ds: Any, path: Path, title: str) -> Path:
    """True colour and NDVI side by side, written as a PNG."""
    import matplotlib

    matplotlib.use("Agg")  # headless: no display needed
    import matplotlib.pyplot as plt

    ndvi = ((ds["B08"] - ds["B04"]) / (ds["B08"] + ds["B04"])).rename("NDVI")
    ndvi.attrs = {"long_name": "NDVI", "units": "1"}
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.6), constrained_layout=True)
    ds["TCI"].plot.imshow(ax=left, rgb="rgb")
    left.set_title("true colour (TCI)")
    ndvi.plot.imshow(ax=right, cmap="RdYlGn", vmin=-0.2, vmax=0.9)
    right.set_title("NDVI from B08 and B04 reflectance")
    for ax in (left, right):
        ax.set_aspect("equal")
    fig.suptitle(title, fontsize=8)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def _remote_window(emu: Any, cdse_intake: Any) -> None:
    """Read a window of an EOPF Zarr product from the remote store, by range requests."""
    (entry,) = [e for e in emu.catalogue.materialised if e.family == "eopf_zarr"][:1]
    _say(f"Reading straight from CDSE without downloading: {entry.name}")
    emu.state.reset_counters()
    tree = cdse_intake.open_product(f"cdse://{entry.name}")
    b04 = tree["measurements/reflectance/r10m"]["b04"][:64, :64]
    mean = float(b04.mean())
    sent = sum(r.bytes_sent for r in emu.state.requests())
    _say(
        f"  mean B04 reflectance of a 64x64 window: {mean:.4f}; "
        f"{sent / 1e3:.0f} kB transferred of a {entry.payload.size / 1e3:.0f} kB product"
    )
