# ruff: noqa: E501 - cell sources are indented here; as notebook cells they fit 100 columns
"""Write the tutorial notebooks of this folder from the cells below, outputs stripped.

The notebooks are generated so that they stay reviewable as code and identical from run to run
(fixed cell ids, no outputs, no execution counts). Edit the cells here, then:

    .venv/bin/python notebooks/_build.py          # rewrite the .ipynb files
    .venv/bin/python notebooks/_build.py --check  # exit 1 if a committed notebook differs

``tests/test_notebooks.py`` executes every notebook against the built-in emulator.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from textwrap import dedent

import nbformat

HERE = Path(__file__).resolve().parent

Cell = tuple[str, str]  # ("md" | "code", source)


def md(text: str) -> Cell:
    return ("md", dedent(text).strip())


def code(text: str) -> Cell:
    return ("code", dedent(text).strip())


# -- shared cells ------------------------------------------------------------------------------

SETUP_MD = md(
    """
    ### Where the data comes from

    The next cell starts cdse_intake's **built-in CDSE emulator** unless `CDSE_CATALOGUE_URL` is
    set: a server on 127.0.0.1 that speaks CDSE's protocols (Keycloak login, OData and STAC
    search, downloads, S3) over a synthetic catalogue of every CDSE collection (~68,000
    products). Every online product of the types cdse_intake opens downloads as a small product
    in its real format (Sentinel-1/2/3/5P, EOPF Zarr, CLMS GeoTIFF, orbit files) whose pixels show
    a synthetic Earth (land, sea, vegetation, clouds); as on CDSE, a small share cannot be served
    as listed (`404 DAT-ZIP-915`, offline, a missing or wrong checksum). Nothing leaves your
    machine and no account is needed.

    **To use the real CDSE** instead, set the catalogue address before starting Jupyter, and
    give your (free) account for downloads:

    ```bash
    export CDSE_CATALOGUE_URL=https://catalogue.dataspace.copernicus.eu/odata/v1
    export CDSE_USERNAME=you@example.org CDSE_PASSWORD=...   # or a line in ~/.netrc
    ```

    The other services default to the real ones. Real products are large (a Sentinel-2 tile
    is 0.5-1 GB), so expect downloads to take minutes rather than milliseconds.

    Everything the notebook writes (product cache, manifests, figures) goes to `output/` next to
    it, so your usual product cache is left alone.
    """
)

SETUP = code(
    """
    import os
    from pathlib import Path

    emu = None
    if "CDSE_CATALOGUE_URL" not in os.environ:  # no CDSE configured: use the built-in emulator
        from cdse_intake.emulator import Emulator

        emu = Emulator().start()  # a few seconds: it builds its catalogue
        os.environ.update(emu.env())  # CDSE_* endpoints and the emulator's demo account

    OUTPUT = Path("output").absolute()
    OUTPUT.mkdir(exist_ok=True)
    os.environ["CDSE_CACHE_DIR"] = str(OUTPUT / ("cache-emulator" if emu else "cache"))
    print("catalogue:", os.environ["CDSE_CATALOGUE_URL"])
    print("cache:    ", os.environ["CDSE_CACHE_DIR"])
    """
)

TEARDOWN = code(
    """
    if emu is not None:
        emu.stop()
    """
)

PARIS = "PARIS = (2.2, 48.8, 2.5, 48.9)  # west, south, east, north: lon/lat degrees, as CDSE wants"


# -- 01: the tour --------------------------------------------------------------------------------

TOUR: list[Cell] = [
    md(
        """
        # 01 · A tour: from the catalogue to a picture

        Browse the CDSE collections as an intake catalogue, find the Sentinel-2 scenes over Paris
        in early January 2023, download the clearest one (checksum verified while it streams),
        open it lazily with xarray and look at it.
        """
    ),
    SETUP_MD,
    SETUP,
    md(
        """
        ## The catalogue

        `catalog.yaml` (at the top of the repository) is an [intake 2](https://intake.readthedocs.io)
        catalogue with one entry per collection. It holds no address and no secret: the service
        roots come from the `CDSE_*` variables when an entry reads, so the same file serves the
        real CDSE and the emulator. `intake.from_yaml_file("../catalog.yaml")` opens it too; the
        `open_catalog` below adds the table display.
        """
    ),
    code(
        """
        from cdse_intake.intake_plugin import open_catalog

        cat = open_catalog("../catalog.yaml")
        cat
        """
    ),
    code(
        """
        for name in cat:
            print(f"{name:15} {cat[name].metadata['title']}")
        """
    ),
    md(
        """
        ## Search

        Calling an entry with search keywords gives a reader; `.read()` runs the search and
        returns a catalogue with one entry per product (newest first). Nothing is downloaded yet.
        `bbox` is (west, south, east, north) in degrees; a bare `end` date includes that whole
        day; `cloud=30` keeps scenes with at most 30 % cloud cover.
        """
    ),
    code(
        f"""
        {PARIS}

        found = cat.sentinel2_l2a(bbox=PARIS, start="2023-01-01", end="2023-01-05", cloud=30).read()
        found
        """
    ),
    md(
        """
        Each product entry carries its catalogue record (times, cloud cover, size, footprint,
        checksums), so the results are a table away:
        """
    ),
    code(
        """
        import pandas as pd

        table = pd.DataFrame([found[name].metadata for name in found])
        table[["name", "start", "cloud_cover", "size", "bounds"]]
        """
    ),
    md(
        """
        ## Download one product

        `cdse_intake.download` fetches products into the cache, checking CDSE's BLAKE3 (or MD5)
        checksum while the bytes stream, resuming interrupted transfers, and never opening more
        than the 4 connections CDSE allows an account. It returns a report rather than raising.
        """
    ),
    code(
        """
        import cdse_intake

        clearest = table.sort_values("cloud_cover").iloc[0]["name"]
        product = cdse_intake.Product.from_dict(found[clearest].data.record)
        report = cdse_intake.download([product], progress=True)
        outcome = report[0]
        print(f"{outcome.name}: {outcome.status} ({outcome.algorithm}), {outcome.bytes / 1e6:.2f} MB")
        print("in the cache at", outcome.path)
        """
    ),
    md(
        """
        ## Open it with xarray

        The catalogue entry opens the product from the cache (no second download), lazily: only
        the metadata are read now, pixels when computed. A Sentinel-2 product is a `DataTree`
        with one group per resolution, bands as variables on UTM x/y coordinates, reflectance
        already scaled for the product's processing baseline.
        """
    ),
    code(
        """
        tree = found[clearest].read()
        tree
        """
    ),
    code(
        """
        ds = tree["r10m"].to_dataset()
        print("CRS:", ds.rio.crs, "| pixel size:", ds.rio.resolution())
        print(f"mean red reflectance (B04): {float(ds.B04.mean()):.4f}")
        """
    ),
    md(
        """
        ## Quick look

        `TCI` is the 8-bit true-colour image ESA ships with every product. The same picture from
        the reflectance bands (red, green, blue = B04, B03, B02) needs a contrast stretch;
        `robust=True` maps the 2nd-98th percentiles to the full range.
        """
    ),
    code(
        """
        import matplotlib.pyplot as plt

        fig, (left, right) = plt.subplots(1, 2, figsize=(11, 5), layout="constrained")
        ds.TCI.plot.imshow(rgb="rgb", ax=left)
        left.set_title("TCI, as shipped")
        rgb = ds[["B04", "B03", "B02"]].to_dataarray("band")
        rgb.plot.imshow(rgb="band", robust=True, ax=right)
        right.set_title("B04, B03, B02 reflectance, 2-98 % stretch")
        for ax in (left, right):
            ax.set_aspect("equal")
            ax.locator_params(nbins=4)  # UTM metres: fewer ticks, readable labels
        fig.savefig(OUTPUT / "quicklook.png", dpi=80)
        plt.show()
        """
    ),
    md(
        """
        Next: `02_search_and_download.ipynb` (the query model, large searches, manifests, batch
        downloads) and `03_open_products.ipynb` (every product family, remote reads, dask).
        """
    ),
    TEARDOWN,
]


# -- 02: search and download -----------------------------------------------------------------------

SEARCH: list[Cell] = [
    md(
        """
        # 02 · Search and download

        One query model for every collection and both of CDSE's catalogues (OData and STAC):
        where, when, how cloudy, which product type, tile or orbit, name patterns and any
        catalogue attribute. Then result sets of any size, several queries at once, manifests,
        and batch downloads that resume.
        """
    ),
    SETUP_MD,
    SETUP,
    code(
        f"""
        import pandas as pd

        import cdse_intake

        {PARIS}


        def names(results):
            return [p.name for p in results]
        """
    ),
    md(
        """
        ## Where: one area, many forms

        A bbox tuple, WKT, GeoJSON (a dict, a file or a shapely geometry) all mean the same
        thing. A product matches when its footprint intersects the area, so a point works too.
        """
    ),
    code(
        """
        when = {"start": "2023-01-01", "end": "2023-01-05"}
        by_bbox = cdse_intake.search("sentinel-2-l2a", bbox=PARIS, **when)
        by_wkt = cdse_intake.search(
            "sentinel-2-l2a",
            geometry="POLYGON ((2.2 48.8, 2.5 48.8, 2.5 48.9, 2.2 48.9, 2.2 48.8))",
            **when,
        )
        by_point = cdse_intake.search(
            "sentinel-2-l2a", geometry={"type": "Point", "coordinates": [2.35, 48.85]}, **when
        )
        print(names(by_bbox))
        print("same products:", names(by_bbox) == names(by_wkt) == names(by_point))
        """
    ),
    md(
        """
        ## When, how cloudy, what

        `start` is inclusive, `end` exclusive, except that a bare date as `end` includes that
        day. `cloud` is a maximum or a (min, max) range in percent. The collection is an OData
        name (`SENTINEL-2`) or a STAC id (`sentinel-2-l2a`, which also fixes the product type);
        `product_type` narrows it. Sentinel-2 tiles are MGRS ids. Results come back as a table
        with one row per product.
        """
    ),
    code(
        """
        january = cdse_intake.search(
            "SENTINEL-2",
            product_type="S2MSI2A",
            tile="31UNE",
            start="2023-01-01",
            end="2023-01-31",
            cloud=(0, 30),
        )
        january.to_dataframe()[["name", "start", "cloud_cover", "tile", "processing_baseline"]]
        """
    ),
    md(
        """
        Sentinel-1 adds orbits: absolute `orbit`, `relative_orbit`, `orbit_direction` and the
        `platform` (S1A, S1C...).
        """
    ),
    code(
        """
        sar = cdse_intake.search("sentinel-1-grd", bbox=PARIS, start="2023-01-01", end="2023-01-10")
        print(sar.to_dataframe()[["name", "orbit", "orbit_direction", "platform"]].to_string())
        ascending = cdse_intake.search(
            "sentinel-1-grd",
            bbox=PARIS,
            start="2023-01-01",
            end="2023-01-10",
            orbit_direction="ascending",
            platform="S1A",
        )
        print("ascending S1A:", names(ascending))
        """
    ),
    md(
        """
        ## Names and attributes

        Name patterns select by anything encoded in product names (timeliness `NRTI`/`OFFL`,
        processor versions). `attributes` reaches every attribute of CDSE's catalogue, with
        comparison operators: here tile, cloud cover and processing baseline of Sentinel-2
        products of both levels.
        """
    ),
    code(
        """
        offline_no2 = cdse_intake.search(
            "SENTINEL-5P",
            name_startswith="S5P_OFFL",
            name_contains="_NO2_",
            start="2023-01-01",
            end="2023-01-01",
        )
        print(len(offline_no2), "offline-processed NO2 orbits on 1 January")

        clear = cdse_intake.search(
            "SENTINEL-2",
            attributes={"tileId": "31UNE", "cloudCover": ("<", 10), "processingBaseline": "05.09"},
            start="2023-01-01",
            end="2023-01-31",
        )
        print("\\n".join(names(clear)))
        """
    ),
    md(
        """
        ## OData or STAC: the same products

        CDSE has two catalogues. OData (the default) covers every collection and knows which
        products are online; STAC is what many tools speak. The same query gives the same
        products from both.
        """
    ),
    code(
        """
        query = {"bbox": PARIS, "start": "2023-01-01", "end": "2023-01-31", "cloud": 30}
        odata = cdse_intake.search("sentinel-2-l2a", **query)
        stac = cdse_intake.search("sentinel-2-l2a", backend="stac", **query)
        print(len(odata), "products; same from STAC:", [p.id for p in odata] == [p.id for p in stac])
        """
    ),
    md(
        """
        ## Result sets of any size

        CDSE's OData stops paging at an offset of 10,000 products. `search` splits a large query
        in time behind the scenes, so it returns every product, in order. Results stream: the
        first products are usable while the rest arrive; `len()` waits for all of them. (This is
        every Sentinel-2 product of 2023 in the emulator; in the real CDSE that would be millions,
        so narrow it there.)
        """
    ),
    code(
        """
        year = cdse_intake.search("SENTINEL-2", start="2023-01-01", end="2023-12-31", progress=True)
        print("first:", year[0].name)
        print(f"{len(year):,} products")
        starts = [p.start for p in year]
        print("unique:", len({p.id for p in year}) == len(year), "| in order:", starts == sorted(starts))
        """
    ),
    md(
        """
        ## Several queries at once

        `search_many` takes a table (a DataFrame or a list of dicts), one query per row, and
        returns one result set with a `query_id` column: handy for field sites or campaigns.
        """
    ),
    code(
        """
        queries = pd.DataFrame(
            [
                {"query_id": "paris-s2", "collection": "sentinel-2-l2a", "bbox": PARIS,
                 "start": "2023-01-01", "end": "2023-01-05", "cloud": 30},
                {"query_id": "paris-s1", "collection": "sentinel-1-grd", "bbox": PARIS,
                 "start": "2023-01-01", "end": "2023-01-01"},
                {"query_id": "no2-morning", "collection": "SENTINEL-5P", "product_type": "L2__NO2___",
                 "start": "2023-01-01T04:00", "end": "2023-01-01T06:00"},
            ]
        )  # fmt: skip
        batch = cdse_intake.search_many(queries)
        batch.to_dataframe()[["query_id", "name", "size"]]
        """
    ),
    md(
        """
        ## Manifests

        A manifest is a CSV file: the query as `#` comment lines, then one row per product
        (id, name, checksums, footprint, download state). It records what a search found, so a
        download can be re-run, shared or audited later without searching again.
        """
    ),
    code(
        """
        manifest = batch.to_manifest(OUTPUT / "paris.csv")
        again = cdse_intake.SearchResults.from_manifest(manifest)  # no request is made
        print(len(again), "products restored; same:", names(again) == names(batch))
        print("".join(manifest.read_text().splitlines(keepends=True)[:8]))
        """
    ),
    md(
        """
        ## Batch download, with a report

        Downloading a manifest keeps its `Downloaded` column current after every product. Each
        product ends verified, skipped (already verified in the cache) or failed with a reason:
        failures are reported, not raised, so one bad product does not stop a batch.

        With the emulator, we also make it drop the connection once, half-way through the
        Sentinel-1 product: the download resumes from where it stopped (an HTTP Range request)
        and still verifies. Against the real CDSE, these five products weigh several GB.
        """
    ),
    code(
        """
        if emu is not None:
            s1_name = batch.to_dataframe().query("query_id == 'paris-s1'").name.iloc[0]
            emu.faults.add("reset", product=s1_name, after_bytes=500_000)

        report = cdse_intake.download(manifest, progress=True)
        print(report.summary())
        report.to_dataframe()[["name", "status", "bytes", "retries", "algorithm", "reason"]]
        """
    ),
    code(
        """
        pd.read_csv(manifest, comment="#")[["Name", "Downloaded", "LocalPath"]]
        """
    ),
    md(
        """
        ## Resume: run it again

        Re-running the same manifest (after a crash, a lost connection, in a later session) skips
        every verified product without a request and tries only what is missing. The same from a
        shell: `cdse-intake download output/paris.csv`.
        """
    ),
    code(
        """
        rerun = cdse_intake.download(manifest, progress=False)
        print(rerun.summary())
        print("skipped:", [o.name[:40] for o in rerun.skipped])
        """
    ),
    md(
        """
        ## Bad input fails early, and says why

        Queries are checked before any request: the error names the field, the value and what
        was expected. A classic: latitude first (CDSE wants longitude first), here for Beijing.
        """
    ),
    code(
        """
        try:
            cdse_intake.search("sentinel-2-l2a", bbox=(39.8, 116.2, 40.0, 116.5))
        except cdse_intake.QueryError as err:
            print("QueryError:", err)
        """
    ),
    code(
        """
        bad_queries = [
            {"cloud": 150},
            {"tile": "31XYZ"},
            {"start": "2023-02-30"},
            {"collection": "sentinel-9"},
        ]
        for bad in bad_queries:
            try:
                cdse_intake.search(**bad)
            except cdse_intake.QueryError as err:
                print(f"{bad} -> {err}")
        """
    ),
    TEARDOWN,
]


# -- 03: open products --------------------------------------------------------------------------------

OPEN: list[Cell] = [
    md(
        """
        # 03 · Opening products with xarray

        `cdse_intake.open_product` opens every product family lazily:
        metadata are read at once, pixels only when computed, straight from the zip in the cache
        (never unpacked) or from CDSE by HTTP range requests. Each family maps to xarray the way
        its data are organised; this notebook walks through them.
        """
    ),
    SETUP_MD,
    SETUP,
    code(
        f"""
        import matplotlib.pyplot as plt
        import numpy as np
        import xarray as xr

        import cdse_intake

        {PARIS}


        def first(collection, **query):
            \"\"\"The first product (earliest) a search finds.\"\"\"
            return cdse_intake.search(collection, limit=1, **query)[0]
        """
    ),
    md(
        """
        ## Sentinel-2 Level-1C: resolutions and scaling

        A product is a `DataTree` with groups `r10m`, `r20m`, `r60m` (as ESA's new EOPF format
        names them), each band at its native resolution. Opening downloads the product into the
        cache first (verified) unless it is there already.
        """
    ),
    code(
        """
        l1c = first("sentinel-2-l1c", bbox=PARIS, start="2023-01-01", end="2023-01-01")
        tree = cdse_intake.open_product(l1c)
        for group in tree.children:
            print(group, dict(tree[group].sizes), list(tree[group].data_vars))
        """
    ),
    md(
        """
        `resolution=` picks one group as a Dataset, `bands=` a subset. Values are reflectance:
        `(DN + offset) / 10000`, with the offset (-1000 from processing baseline 04.00, January
        2022) read from the product's metadata. `scale=False` gives the raw digital numbers with
        the CF attributes that describe the same conversion.
        """
    ),
    code(
        """
        ds10 = cdse_intake.open_product(l1c, resolution=10, bands=["B04", "B08"])
        dn = cdse_intake.open_product(l1c, resolution=10, bands=["B04"], scale=False)
        pixel = {"y": 100, "x": 100}
        print("baseline", ds10.attrs["processing_baseline"])
        print("DN", int(dn.B04[pixel]), "-> reflectance", round(float(ds10.B04[pixel]), 4))
        print({k: dn.B04.attrs[k] for k in ("scale_factor", "add_offset", "_FillValue")})
        """
    ),
    md(
        """
        ## Sentinel-2 Level-2A: why the baseline matters

        Two L2A products of the same tile, processed before and after baseline 04.00: the same
        digital number means a different surface reflectance. The reader applies each product's
        own offset, so time series stay consistent. L2A also carries the scene classification
        (`SCL`), aerosol (`AOT`) and water vapour (`WVP`).
        """
    ),
    code(
        """
        old = first("sentinel-2-l2a", bbox=PARIS, start="2021-06-12", end="2021-06-12")
        new = first("sentinel-2-l2a", bbox=PARIS, start="2023-01-01", end="2023-01-05")
        for product in (old, new):
            refl = cdse_intake.open_product(product, resolution=20, bands=["B04"])
            raw = cdse_intake.open_product(product, resolution=20, bands=["B04"], scale=False)
            print(
                f"{refl.attrs['processing_baseline']}: DN {int(raw.B04[50, 50])} -> "
                f"{float(refl.B04[50, 50]):.4f}"
            )

        scl = cdse_intake.open_product(new, resolution=20, bands=["SCL"]).SCL
        meanings = scl.attrs["flag_meanings"].split()
        classes = dict(zip(scl.attrs["flag_values"].tolist(), meanings, strict=True))
        counts = np.bincount(scl.values.ravel(), minlength=len(classes))
        print({classes[value]: f"{n / counts.sum():.0%}" for value, n in enumerate(counts) if n})
        """
    ),
    md(
        """
        ## Sentinel-1 GRD: calibration and geolocation

        The image is in radar geometry (`y` = azimuth line, `x` = range pixel), with 2-D
        `latitude`/`longitude` interpolated from the product's geolocation grid.
        `calibration="sigma0"` turns digital numbers into backscatter (linear units) with the
        product's calibration tables; the metadata (orbit, calibration and noise tables...) are
        groups of the tree, in xarray-sentinel's layout.
        """
    ),
    code(
        """
        grd = first("sentinel-1-grd", bbox=PARIS, start="2023-01-01", end="2023-01-01")
        raw = cdse_intake.open_product(grd)
        sigma0 = cdse_intake.open_product(grd, calibration="sigma0")
        print("groups:", list(sigma0.children))
        vv = sigma0["VV"]
        value = float(vv[200, 250])
        print(f"DN {int(raw['VV'][200, 250])} -> sigma0 {value:.4f} ({10 * np.log10(value):.1f} dB)")
        """
    ),
    code(
        """
        db = 10 * np.log10(vv[::4, ::4])
        db.attrs["units"] = "dB"
        db.plot.pcolormesh(x="longitude", y="latitude", cmap="gray", robust=True, figsize=(6, 4))
        plt.title("Sentinel-1 VV sigma0 (dB) on its lat/lon")
        plt.show()
        """
    ),
    md(
        """
        ## Sentinel-3 OLCI: one group per grid

        A SEN3 product is a folder of netCDF files on several grids: the full-resolution image
        grid (radiances, lat/lon, per-row time) and a coarser tie-point grid (angles,
        meteorology). Each grid is a group; `grid=` opens one as a Dataset.
        """
    ),
    code(
        """
        olci = first(
            "SENTINEL-3", product_type="OL_1_EFR___", bbox=PARIS, start="2023-01-02", end="2023-01-02"
        )
        grids = cdse_intake.open_product(olci)
        for name, node in grids.children.items():
            print(f"{name:15}", dict(node.sizes))
        image = cdse_intake.open_product(olci, grid="measurements")
        oa08 = image.Oa08_radiance
        print(f"Oa08 radiance ({oa08.attrs.get('units')}) on", list(oa08.coords))
        """
    ),
    md(
        """
        ## Sentinel-5P: quality filtering

        A TROPOMI Level-2 file is one orbit; the `PRODUCT` group holds the swath on
        (`scanline`, `ground_pixel`) with latitude, longitude and per-scanline time. ESA advises
        ignoring pixels below a quality threshold (0.75 for NO2): `min_qa` masks them.
        """
    ),
    code(
        """
        no2_product = first("SENTINEL-5P", product_type="L2__NO2___", start="2023-01-01", end="2023-01-01")
        every = cdse_intake.open_product(no2_product, group="PRODUCT")
        good = cdse_intake.open_product(no2_product, group="PRODUCT", min_qa=0.75)
        column = "nitrogendioxide_tropospheric_column"
        print(f"{every[column].size} pixels, {int(good[column].count())} with qa_value >= 0.75")
        units = good[column].attrs.get("units", "")
        print(f"mean tropospheric NO2: {float(good[column].mean()):.3e} {units}")
        """
    ),
    md(
        """
        ## EOPF Zarr: CDSE's new format

        ESA's EOPF products are Zarr hierarchies; they open as one `DataTree`, decoded
        (reflectance as reflectance, no-data as NaN) and georeferenced (`spatial_ref`, so
        rioxarray's `.rio` works).
        """
    ),
    code(
        """
        zarr_product = first("sentinel-2-l2a", name_endswith=".zarr", bbox=PARIS)
        eopf = cdse_intake.open_product(zarr_product)
        print([node.path for node in eopf.subtree if node.has_data][:6], "...")
        r10m = eopf["measurements/reflectance/r10m"].to_dataset()
        print(list(r10m.data_vars), "| CRS:", r10m.rio.crs, f"| mean b04: {float(r10m.b04.mean()):.4f}")
        """
    ),
    md(
        """
        ## CLMS GeoTIFF: physical values and flags

        Copernicus Land products (here NDVI at 300 m) are GeoTIFFs of digital numbers. The
        reader returns physical values (`DN / 250 - 0.08` for NDVI), NaN where the file flags
        no data, and the raw flags in their own variable. CDSE lists each dekad in several
        editions (GeoTIFF tiles, global netCDF); the GeoTIFF is the one picked here.
        """
    ),
    code(
        """
        dekad = cdse_intake.search(
            "CLMS", product_type="NDVI300", bbox=PARIS, start="2023-01-01", end="2023-01-10"
        )
        clms = next(p for p in dekad if p.name.endswith(".tif"))
        ndvi = cdse_intake.open_product(clms)
        print(ndvi.NDVI.rio.crs, dict(ndvi.sizes), f"mean NDVI {float(ndvi.NDVI.mean()):.3f}")
        print("flags:", ndvi.flags.attrs.get("flag_meanings"))
        """
    ),
    md(
        """
        ## Reading from CDSE without downloading

        `remote=True` reads a product that is not in the cache straight from CDSE, by HTTP
        range requests: the metadata (XML files, image headers) when opening, then only the
        parts of the images a computation touches. With the emulator we can count the bytes it
        sent. (Its products are tiny, so each image is read in one 2 MB block; on a real 800 MB
        product the same window costs a few MB.)
        """
    ),
    code(
        """
        def served():
            \"\"\"Bytes the emulator has sent so far (its request log); None with the real CDSE.\"\"\"
            return None if emu is None else sum(r.bytes_sent for r in emu.state.requests())


        other = first("sentinel-2-l1c", bbox=PARIS, start="2023-01-04", end="2023-01-04")
        before = served()
        remote = cdse_intake.open_product(other, remote=True, resolution=10, bands=["B04", "B08"])
        opened = served()
        window = remote.B04.isel(y=slice(0, 64), x=slice(0, 64)).values
        after = served()
        print("source:", remote.attrs["cdse_source"])
        if emu is not None:
            print(
                f"bytes read: {opened - before:,} to open, {after - opened:,} for a 64 x 64 window "
                f"of B04; the product is {other.size:,} bytes"
            )
        """
    ),
    md(
        """
        ## The xarray engine

        The same readers are an xarray backend: `engine="cdse"` takes a product name (or id,
        `cdse://` URL, local zip). Products that are trees need `group=`.
        """
    ),
    code(
        """
        r20m = xr.open_dataset(new.name, engine="cdse", group="r20m", chunks={})
        print(list(r20m.data_vars))
        print("source:", r20m.attrs["cdse_source"])
        """
    ),
    md(
        """
        ## Scaling out with dask

        Every opened dataset pickles and computes on dask workers: each worker reads the parts
        of the product it needs itself (here remotely, by range). A local cluster in this
        process; the same code runs on a distributed cluster.
        """
    ),
    code(
        """
        from dask.distributed import Client, LocalCluster

        cluster = LocalCluster(
            processes=False,
            n_workers=2,
            threads_per_worker=2,
            dashboard_address="127.0.0.1:0",
            worker_dashboard_address="127.0.0.1:0",
        )
        client = Client(cluster)

        ndvi_remote = (remote.B08 - remote.B04) / (remote.B08 + remote.B04)
        ndvi_image = ndvi_remote.compute().rename("NDVI")
        print(f"NDVI computed on the cluster: mean {float(ndvi_image.mean()):.4f}")
        ndvi_image.plot.imshow(cmap="RdYlGn", vmin=-1, vmax=1, figsize=(5, 4))
        plt.title(f"NDVI, {other.name[:24]}")
        plt.gca().set_aspect("equal")
        plt.show()

        client.close()
        cluster.close()
        """
    ),
    TEARDOWN,
]

PANEL = [
    md(
        """
        # 04 · The search panel: search, pick, download and open with clicks

        For those who would rather click than type: `cdse_intake.SearchPanel()` is a widget panel
        (ipywidgets + ipyleaflet) that works in JupyterLab, Notebook 7, VS Code and Voila. Pick a
        collection and product type, dates, a cloud-cover limit, an area (typed, or drawn on the
        map as a rectangle or polygon), tile and orbits; invalid input is shown next to its field.
        The search runs in the background while the status line counts the products; the results
        come as a sortable table and as footprints on the map. Ticking a row highlights its
        footprint and shows its quicklook; the buttons download the selection (per-file progress
        and checksum status, cancellable), open it as xarray, save a manifest, or show the
        equivalent `cdse_intake.search(...)` code.
        """
    ),
    md(
        """
        ### Where the data comes from

        The next cell starts cdse_intake's **built-in CDSE emulator** unless `CDSE_CATALOGUE_URL`
        is set: a server on 127.0.0.1 that speaks CDSE's protocols over a synthetic catalogue.
        Every online product downloads as a small product in its real format, built when first
        listed (a small share cannot be served as listed, as on CDSE). No account, no network.

        **To use the real CDSE**, set `CDSE_CATALOGUE_URL` (and `CDSE_USERNAME`/`CDSE_PASSWORD`
        or a `~/.netrc` line for downloads) before starting Jupyter.

        Downloads go to a fresh temporary cache, so your usual product cache is left alone.
        """
    ),
    code(
        """
        import os
        import tempfile

        emu = None
        if "CDSE_CATALOGUE_URL" not in os.environ:  # no CDSE configured: use the built-in emulator
            from cdse_intake.emulator import Emulator

            emu = Emulator().start()  # a few seconds: it builds its catalogue
            os.environ.update(emu.env())  # CDSE_* endpoints and the emulator's demo account
        # (no stop at the end: the panel keeps using the emulator; it ends with the kernel)
        os.environ["CDSE_CACHE_DIR"] = tempfile.mkdtemp(prefix="cdse-panel-")
        print("catalogue:", os.environ["CDSE_CATALOGUE_URL"])
        print("cache:    ", os.environ["CDSE_CACHE_DIR"])
        """
    ),
    md(
        """
        ## The panel

        Pre-filled for Sentinel-2 L2A over Paris in the first half of January 2023: press
        **search**, tick a row or click a footprint, then **download**, **open as xarray**,
        **save manifest** or **show code**. Draw a rectangle on the map to search elsewhere.
        """
    ),
    code(
        f"""
        import cdse_intake

        {PARIS}

        panel = cdse_intake.SearchPanel(
            "sentinel-2-l2a", bbox=PARIS, start="2023-01-01", end="2023-01-15"
        )
        panel
        """
    ),
    md(
        """
        ## The same from Python: `panel.state`

        The widgets are a thin layer over `panel.state`, a plain Python object that holds the
        inputs, the results, the selection and the downloads, and runs the actions. Whatever you
        do here shows in the panel above, and the other way round. `search()`, `download()` and
        `open_in_background()` run in background threads (the kernel stays free);
        `state.wait()` waits for them.
        """
    ),
    code(
        """
        state = panel.state
        state.cloud = 200  # out of range: reported on the field, nothing is sent
        print(state.errors)
        state.cloud = None  # any cloud cover
        state.search()
        state.wait()
        print(state.status)
        state.sort_by("cloud")
        for product in state.rows:
            print(f"{product.name}  {product.cloud_cover:5.1f} %  {product.size / 1e6:8.1f} MB")
        """
    ),
    md(
        """
        Select the two scenes of 3 and 5 January and download them: every file reports its bytes
        and, once its checksum matched, `verified` with the algorithm used (BLAKE3 or MD5).
        `state.cancel()` (the panel's **cancel** button) stops a running download; its `.part`
        file stays, so the next download resumes it.
        """
    ),
    code(
        """
        from datetime import date

        wanted = {date(2023, 1, 3), date(2023, 1, 5)}
        state.select_names([p.name for p in state.results if p.start.date() in wanted])
        state.download()
        state.wait()
        for name, entry in state.downloads.items():
            print(f"{name}: {entry['status']} ({entry['algorithm']}), {entry['bytes']:,} bytes")
        print(state.status)
        """
    ),
    md(
        """
        **open as xarray** opens the focused selected product (the one ticked last) with
        `cdse_intake.open_product`; the result is `panel.selected_dataset`, here a Sentinel-2
        `DataTree`. Tick **read remotely** (`state.remote = True`) to read a product that is not
        downloaded straight from CDSE, by range.
        """
    ),
    code(
        """
        state.open_in_background()
        state.wait()
        print(state.status)
        tree = panel.selected_dataset
        tree["r10m"]
        """
    ),
    md(
        """
        **show code** prints the equivalent search, to paste into a script; **save manifest**
        writes the selection (with its query) to a manifest file that `cdse_intake.download` and
        `SearchResults.from_manifest` take.
        """
    ),
    code(
        """
        print(state.code())
        manifest = state.save_manifest(os.path.join(os.environ["CDSE_CACHE_DIR"], "panel.csv"))
        print(state.status)
        """
    ),
    md(
        """
        ## From the intake catalogue: `cat.gui`

        Every catalogue of cdse_intake has a `gui`: the catalogue of a search opens the panel
        with its query and products; the collections catalogue one filled from its parameters.
        """
    ),
    code(
        """
        from cdse_intake.intake_plugin import open_catalog

        cat = open_catalog("../catalog.yaml")
        found = cat.sentinel2_l2a(bbox=PARIS, start="2023-01-01", end="2023-01-06").read()
        found.gui
        """
    ),
]


# -- 05: CLMS ------------------------------------------------------------------------------------

CLMS: list[Cell] = [
    md(
        """
        # 05 · CLMS: land data by request, from a script to three calls

        The Copernicus Land Monitoring Service (land.copernicus.eu) does not list files: you ask
        for a dataset cut to an area, a format and a projection, CLMS queues the cut as a task,
        and minutes to hours later a zip waits behind a link that lasts 72 hours. Scripts such as
        `fetch_rasters.py` do each step by hand; `cdse_intake.clms` does them for you:

        | `fetch_rasters.py` | `cdse_intake.clms` |
        |---|---|
        | `authenticate()`: a JWT grant signed with the service key's RSA key, by hand, every run | the service key file (`CDSE_CLMS_SERVICE_KEY`); tokens made and renewed as needed |
        | `find_dataset_ids()`: pages of 25 `@search` results, a substring of `@id` | `clms.search("NDVI")`, `clms.dataset(name)` |
        | `post_data_request()`: the JSON body by hand, the task id printed | `clms.request(dataset, bbox=..., output_format=..., crs=..., time=...)`: checked against what CLMS offers, posted **once** (kept in the cache: a rerun, a crash, another process pick the same task up) |
        | a polling loop | `job.wait()`: polite (never faster than `CDSE_CLMS_POLL_INTERVAL`, 60 s by default; CLMS answers 429 to faster polling) |
        | `requests.get(url)` to a file | `job.download()`: fetched once, size-checked, unzipped |
        | `rasterio.open(...)` per file | `open_clms_result(zip)`: one lazy xarray Dataset, physical values, dates stacked on `time` |

        The same steps are a command line (`cdse-intake clms search|request|status|download|cancel|jobs`)
        and catalogue entries (`cat.clms_datasets`), shown at the end.
        """
    ),
    SETUP_MD,
    SETUP,
    md(
        """
        ## The service key

        A CLMS data request needs a **service key**: on land.copernicus.eu, your profile,
        *API tokens*, *Create new token* gives a JSON file. Keep it private (mode 0600) and point
        `CDSE_CLMS_SERVICE_KEY` at it (or `clms_service_key` in the config file, or
        `service_key=` in each call). Searching needs no key.

        The emulator has its own CLMS API (a second host on 127.0.0.3) and a demo key; its
        tasks end in about a second, so the next cell lets the client poll every half second
        instead of every minute.
        """
    ),
    code(
        """
        if emu is not None:
            os.environ["CDSE_CLMS_POLL_INTERVAL"] = "0.5"  # the emulated CLMS allows one per 0.2 s
        print("CLMS API:   ", os.environ.get("CDSE_CLMS_URL", "https://land.copernicus.eu/api"))
        print("service key:", os.environ.get("CDSE_CLMS_SERVICE_KEY", "(none: set CDSE_CLMS_SERVICE_KEY)"))
        """
    ),
    md(
        """
        ## Find the dataset

        `clms.search(text)` reads every page of the CLMS catalogue for you and gives the datasets
        as a table; a dataset is named by its UID, which a data request uses.
        """
    ),
    code(
        """
        from cdse_intake import clms

        found = clms.search("NDVI")
        found
        """
    ),
    code(
        """
        ndvi = next(d for d in found if "300 m" in d.title and "version 2" in d.title)
        print(ndvi.title)
        print("UID:", ndvi.uid, "| product:", ndvi.product, "| source format:", ndvi.to_dict()["formats"])
        """
    ),
    md(
        """
        ## Request a cut

        The Po delta and the Adriatic coast from Venice to Rimini, for June 2023, as GeoTIFF in EPSG:4326. The format and the projection are
        checked against CLMS's own lists before anything is posted (a typo fails at once, naming
        the accepted values); the task id is kept in the cache before anything else happens.
        """
    ),
    code(
        """
        PO_DELTA = (11.0, 44.2, 13.0, 45.6)  # west, south, east, north: degrees
        JUNE = ("2023-06-01", "2023-06-30")

        job = clms.request(ndvi, bbox=PO_DELTA, output_format="Geotiff", crs="EPSG:4326", time=JUNE)
        print("task:", job.task_id)
        print("status now:", job.status().status)
        """
    ),
    md(
        """
        ## Wait, download, open

        `wait()` polls at the pace CLMS allows (a 429 waits for its `Retry-After`) and returns
        when the result is ready; `timeout=` gives up with the job kept. `download()` fetches the
        zip once into the cache (`<cache>/clms/results/<task>`), checks its size, and unpacks it;
        a second call reads nothing.
        """
    ),
    code(
        """
        status = job.wait(timeout=600)
        print(status.status, f"({status.file_size:,} bytes)")
        files = job.download()
        print(files[0].name, "holds:")
        for path in files[1:]:
            print("  ", path.relative_to(job.result_dir))
        """
    ),
    md(
        """
        `open_clms_result` opens the zip in place as one lazy Dataset: the three 10-daily NDVI
        rasters of June stacked along `time`, digital numbers scaled to NDVI
        (`DN * 0.004 - 0.08`), sea and missing pixels as NaN and their flags in `NDVI_flags`.
        """
    ),
    code(
        """
        from cdse_intake.readers import open_clms_result

        ds = open_clms_result(files[0])
        ds
        """
    ),
    code(
        """
        import matplotlib.pyplot as plt
        import numpy as np

        june = ds.NDVI.mean("time")
        fig, ax = plt.subplots(figsize=(8, 5), layout="constrained")
        june.plot(ax=ax, cmap="RdYlGn", vmin=-0.08, vmax=0.92, cbar_kwargs={"label": "NDVI"})
        ax.set_aspect(1 / np.cos(np.radians(45)))  # degrees of longitude are shorter up here
        ax.set_title("NDVI 300 m, mean of June 2023: the Po delta (sea: no data)")
        fig.savefig(OUTPUT / "clms_ndvi.png", dpi=80)
        plt.show()
        print(f"mean NDVI: {float(ds.NDVI.mean()):.3f} over {int(ds.NDVI.notnull().sum()):,} valid pixels")
        """
    ),
    md(
        """
        ## Run it again: the same task

        The request is kept in the cache under a key made of the request and the service key,
        so asking again (this notebook rerun, tomorrow's script, a run killed mid-wait) picks the
        same task up: nothing is posted, nothing downloaded twice. A failed or expired task
        raises instead, until `resubmit=True` posts it anew. The emulator's request log counts
        the posts.
        """
    ),
    code(
        """
        again = clms.request(ndvi, bbox=PO_DELTA, output_format="Geotiff", crs="EPSG:4326", time=JUNE)
        print("first task:", job.task_id)
        print("again:     ", again.task_id)
        print("same files:", again.download() == files)
        if emu is not None:
            print("POSTs to @datarequest_post:", len(emu.state.requests(path="/api/@datarequest_post")))
        for kept in clms.jobs():
            print("kept job:", kept.task_id, kept.record["state"])
        """
    ),
    md(
        """
        ## CDSE's own copy: no queue

        CDSE holds some global CLMS products itself (NDVI 300 m among them): whole files, no
        cutting, no reprojection, but no queue and no expiring link either, verified and cached
        as every CDSE product. `clms.cdse_copy` names the CDSE collection of a dataset and the
        search for the same time and area.
        """
    ),
    code(
        """
        import cdse_intake

        copy = clms.cdse_copy(ndvi, time=JUNE, bbox=PO_DELTA)
        print("CDSE collection:", copy.stac_collection, "| product type:", copy.product_type)
        products = cdse_intake.search(**copy.search_kwargs("stac"))  # the version's own collection
        for product in products:
            print(product.start.date(), product.name)
        """
    ),
    md(
        """
        ## The same from the catalogue and the shell

        `catalog.yaml` has an entry `clms_datasets`: a catalogue of CLMS datasets whose entries
        read as above (request, wait, download, open), driven by the catalogue's `area`, `since`
        and `until` and by `land_format` and `land_crs`. Same request, same task:
        """
    ),
    code(
        """
        from cdse_intake.intake_plugin import open_catalog

        cat = open_catalog("../catalog.yaml")
        land = cat(area=list(PO_DELTA), since=JUNE[0], until=JUNE[1]).clms_datasets(text="NDVI").read()
        entry = next(name for name in land if land[name].metadata["uid"] == ndvi.uid)
        print("entry:", entry)
        print("task from the catalogue:", land[entry].read().attrs["clms_task_id"])
        """
    ),
    md(
        """
        From a shell, with the same environment:

        ```bash
        cdse-intake clms search NDVI
        cdse-intake clms request efd6feb1a61debc1459e6b0237ee7be9 --bbox 11 44.2 13 45.6 \\
            --format Geotiff --crs EPSG:4326 --start 2023-06-01 --end 2023-06-30 --download out/
        cdse-intake clms jobs
        ```
        """
    ),
    TEARDOWN,
]


# -- 06: cubes -------------------------------------------------------------------------------------

CUBES: list[Cell] = [
    md(
        """
        # 06 · Cubes: a season of scenes as one array

        Time series and mosaics need every scene on one grid: "all Sentinel-2 L2A over my field
        for the spring, 10 m, clouds masked, as one `(time, y, x)` array". `cdse_intake.load()`
        (and `results.load()`) builds that cube lazily from CDSE's own products, zipped SAFE
        included: only the image tiles under the area are read (by range from CDSE, or from the
        cache), values are reflectance harmonised across processing baselines, and products of
        one solar day are mosaicked. The grid is an [odc-geo](https://odc-geo.readthedocs.io)
        `GeoBox`, so `.odc` and `.rio` work on the result.
        """
    ),
    SETUP_MD,
    SETUP,
    md(
        """
        ## Sentinel-2: a field through the spring

        A 3.6 km field south of Paris, April and May 2023. `mask="cloud"` drops the pixels the
        scene classification (SCL) calls cloud, cloud shadow, cirrus, saturated or no data; they
        become NaN in every band.
        """
    ),
    code(
        """
        import cdse_intake

        FIELD = (2.30, 48.80, 2.42, 48.90)  # west, south, east, north
        found = cdse_intake.search(collection="sentinel-2-l2a", bbox=FIELD, start="2023-04-01", end="2023-06-01")
        cube = found.load(bands=["B04", "B08", "SCL"], mask="cloud")
        print(f"{len(found)} products -> time steps: {cube.sizes['time']}, grid {cube.sizes['y']} x {cube.sizes['x']}")
        print("CRS:", cube.attrs["crs"], "| pixel:", cube.odc.geobox.resolution.x, "m")
        cube
        """
    ),
    md(
        """
        Nothing has been read but headers. Computing reads the tiles under the field (the
        emulator counts the bytes it served):
        """
    ),
    code(
        """
        if emu is not None:
            emu.state.reset_counters()
        cube = cube.compute()
        if emu is not None:
            served = sum(r.bytes_sent for r in emu.state.requests())
            print(f"bytes read: {served:,} of {sum(p.size for p in found):,} in the products")
        ndvi = (cube.B08 - cube.B04) / (cube.B08 + cube.B04)
        clear = cube.B04.notnull().mean(("y", "x"))
        print(f"NDVI range: {float(ndvi.min()):.2f} .. {float(ndvi.max()):.2f}")
        """
    ),
    code(
        """
        import matplotlib.pyplot as plt

        fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 5), sharex=True, layout="constrained")
        ndvi.median(("y", "x")).plot(ax=top, marker="o")
        top.set_ylabel("median NDVI (clear pixels)")
        top.set_title("Spring green-up over the field, clouds masked")
        (100 * clear).plot(ax=bottom, marker=".", color="grey")
        top.set_xlabel("")
        bottom.set_title("")
        bottom.set_ylabel("clear pixels (%)")
        fig.savefig(OUTPUT / "cube_ndvi_series.png", dpi=80)
        plt.show()
        """
    ),
    md(
        """
        A cloud-free composite is one reduction away: the median of every clear observation.
        """
    ),
    code(
        """
        composite = ndvi.median("time")
        fig, ax = plt.subplots(figsize=(6, 5), layout="constrained")
        composite.plot(ax=ax, cmap="RdYlGn", vmin=0, vmax=0.9, cbar_kwargs={"label": "NDVI"})
        ax.set_aspect("equal")
        ax.set_title("Median NDVI, April-May 2023 (UTM 31N, 10 m)")
        fig.savefig(OUTPUT / "cube_ndvi_composite.png", dpi=80)
        plt.show()
        print(f"composite: {int(composite.notnull().sum()):,} of {composite.size:,} pixels have a clear view")
        """
    ),
    md(
        """
        ## Another grid

        `crs=`, `resolution=` and `bbox=` (or an odc-geo `geobox=`) set the grid; bands come from
        the product's image closest to the pixel size (a 20 m cube reads the 20 m files) and are
        warped with GDAL (`resampling="nearest"` by default; classes such as SCL always nearest).
        Processing baselines are harmonised: from baseline 04.00 on, products carry a -1000 DN
        offset, applied per product from its metadata.
        """
    ),
    code(
        """
        laea = found.load(bands=["B04", "B08"], crs="EPSG:3035", resolution=20, groupby=None)
        print("grid:", laea.attrs["crs"], dict(laea.sizes), "| pixel:", laea.odc.geobox.resolution.x, "m")
        print("baselines:", laea.attrs["processing_baselines"], "|", laea.attrs["radiometry"])
        """
    ),
    md(
        """
        ## Sentinel-5P: a NO2 mean on a 0.05 degree grid

        Swaths have no grid: each pixel centre is binned into the cell that holds it, pixels
        below ESA's quality threshold (`min_qa`, 0.75 for NO2) dropped. Each step carries
        `count`, so `temporal_mean` weighs every pixel of the period the same. On real orbits
        (5.5 x 3.5 km pixels) a 0.05 degree grid fills; the emulator's orbits are thinned to a
        few hundred pixels over France, so this map bins them on 0.5 degree.
        """
    ),
    code(
        """
        from cdse_intake.cubes.swaths import temporal_mean

        FRANCE = (-5.0, 42.0, 9.0, 51.5)
        orbits = cdse_intake.search(collection="SENTINEL-5P", product_type="L2__NO2___", bbox=FRANCE, start="2023-01-01", end="2023-01-08")
        no2 = cdse_intake.load(orbits, bbox=FRANCE, resolution=0.05 if emu is None else 0.5)
        mean = temporal_mean(no2, "1MS").compute()
        column = mean.nitrogendioxide_tropospheric_column[0]
        print(f"{len(orbits)} orbits, {int(mean['count'].sum()):,} pixels binned; mean NO2: {float(column.mean()) * 1e6:.1f} umol/m2")
        fig, ax = plt.subplots(figsize=(7, 5), layout="constrained")
        (column * 1e6).plot(ax=ax, cmap="magma_r", cbar_kwargs={"label": "NO2 tropospheric column (umol/m2)"})
        ax.set_title(f"Sentinel-5P NO2, first week of January 2023, {abs(no2.odc.geobox.resolution.x):g} degree")
        fig.savefig(OUTPUT / "cube_no2.png", dpi=80)
        plt.show()
        """
    ),
    md(
        """
        ## Sentinel-1: backscatter geocoded

        GRD images are in radar geometry; `load()` geocodes them from their ground control
        points onto the grid (thin-plate spline through GDAL), calibrated as asked
        (`calibration="sigma0"` by default).
        """
    ),
    code(
        """
        import numpy as np

        grds = cdse_intake.search(collection="SENTINEL-1", product_type="IW_GRDH_1S", bbox=FIELD, start="2023-01-01", end="2023-04-01")
        sar = cdse_intake.load(grds, bbox=FIELD, resolution=20).compute()
        vv_db = 10 * np.log10(sar.VV.median(("y", "x")))
        print(f"{sar.sizes['time']} acquisitions; VV sigma0 median {float(vv_db.median()):.1f} dB")
        fig, ax = plt.subplots(figsize=(9, 3), layout="constrained")
        vv_db.plot(ax=ax, marker="o")
        ax.set_ylabel("VV sigma0 (dB)")
        ax.set_title("Sentinel-1 backscatter over the field")
        fig.savefig(OUTPUT / "cube_s1_series.png", dpi=80)
        plt.show()
        """
    ),
    md(
        """
        ## On a dask cluster

        The graph pickles without a secret and workers read the products themselves, inside the
        account's connection budget (CDSE allows 4 connections per account, shared here by every
        worker through a cluster-wide semaphore).
        """
    ),
    code(
        """
        from dask.distributed import Client, LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=2, processes=False, dashboard_address=None) as cluster, Client(cluster) as client:
            lazy = found.load(bands=["B04"], groupby=None)
            if emu is not None:
                emu.state.reset_counters()
            on_cluster = client.compute(lazy).result()
        print("computed on the cluster:", dict(on_cluster.sizes))
        if emu is not None:
            print("most connections at once:", max(emu.state.peak_downloads.values(), default=0))
        """
    ),
    md(
        """
        ## From a shell, intake and the panel

        ```bash
        cdse-intake load --collection sentinel-2-l2a --bbox 2.30,48.80,2.42,48.90 \\
            --start 2023-04-01 --end 2023-06-01 --bands B04,B08,SCL --mask cloud -o field.zarr
        ```

        In intake, a search entry reads as a cube with `cat.sentinel2_l2a(...).to_cube(bands=...)`;
        in the search panel, select products and press *open as cube*.

        **odc-stac or stackstac users**: `found.to_pystac()` gives CDSE's STAC items. CDSE's
        items carry `raster:scale` 0.0001 and `raster:offset` -0.1 per band, which odc-stac does
        not apply: apply them yourself, or reflectance comes out 0.1 too bright.
        """
    ),
    TEARDOWN,
]


NOTEBOOKS: dict[str, list[Cell]] = {
    "01_catalog_tour.ipynb": TOUR,
    "02_search_and_download.ipynb": SEARCH,
    "03_open_products.ipynb": OPEN,
    "04_search_panel.ipynb": PANEL,
    "05_clms.ipynb": CLMS,
    "06_cubes.ipynb": CUBES,
}


def build(name: str) -> nbformat.NotebookNode:
    """The notebook ``name`` with fixed cell ids and no outputs."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {
            "name": "python3",
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
        },
        "language_info": {"name": "python"},
    }
    stem = name.split("_", 1)[0]
    for index, (kind, source) in enumerate(NOTEBOOKS[name]):
        make = nbformat.v4.new_markdown_cell if kind == "md" else nbformat.v4.new_code_cell
        nb.cells.append(make(source, id=f"nb{stem}-{index:02d}"))
    nbformat.validate(nb)
    return nb


def render(name: str) -> str:
    return nbformat.writes(build(name)) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a notebook differs")
    args = parser.parse_args(argv)
    stale = []
    for name in NOTEBOOKS:
        path = HERE / name
        text = render(name)
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(name)
        else:
            path.write_text(text)
            print("wrote", path)
    if stale:
        print("out of date (run notebooks/_build.py):", ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
