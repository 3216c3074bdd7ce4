"""The land catalogue's product families: 198 datasets, as the recorded catalogue counted.

Real names, UIDs and download-information ids for the datasets of the docs' examples (Land Cover
100 m collection 3 epochs 2015-2019, the deprecated collection 2 epoch, CLC 2018, the two Water
Bodies datasets clms.downloadtool refuses NetCDF for); the other records follow the CLMS
portfolio (global vegetation, energy and water products; CORINE; the High Resolution Layers;
Urban Atlas; riparian, Natura 2000 and coastal zones; HR-VPP; HR snow and ice) with derived ids.
The EEA datasets are in :mod:`.families_eea`, the time series in :mod:`.families_global`.
"""

from __future__ import annotations

from collections.abc import Iterator

from .datasets import Dataset, Info
from .families_eea import eea_datasets
from .families_global import VITO_META, WATER_BODIES_NO_NETCDF, global_datasets, hr_timeseries

__all__ = ["WATER_BODIES_NO_NETCDF", "build"]

#: The recorded Land Cover 100 m collection 3 epochs: year -> (UID, download information id).
_LC100 = {
    2019: ("a8d945f0edd143a0a5240c28bafa23da", "f328dbcc-9069-4240-b8bb-6d5df918671a"),
    2018: ("a08da3f50c8d4b38bec35b831382162b", "00058a15-088e-4461-9c35-b6d4467f34ca"),
    2017: ("884325e8871049848a423de02d3cac4d", "21f1bf13-e98e-4b49-be5a-76638638c1b7"),
    2016: ("55e6e9c97459484a9c4d258da7376560", "1e07edaa-9c9b-4f31-a122-dc544b30788e"),
    2015: ("59846f949047465f9670b0c9ef490a52", "6d7945b4-8e43-4fef-93e9-581f6425e37c"),
}
_LC_DESCRIPTION = (
    "Land cover maps represent spatial information on different types (classes) of physical "
    "coverage of the Earth's surface, e.g. forests, grasslands, croplands, lakes, wetlands."
)


def _land_cover() -> Iterator[Dataset]:
    for year, (uid, info_id) in _LC100.items():
        yield Dataset(
            uid=uid,
            product="global-dynamic-land-cover",
            slug=f"copernicus-global-land-service-land-cover-100m-collection-3-epoch-{year}-globe",
            title=f"Land Cover 100m: collection 3: epoch {year}: Globe",
            description="",
            kind="lc100",
            resolution=100.0,
            epoch=year,
            geographic=True,
            infos=(Info(info_id, "RASTER", "Geotiff", f"v3.0.1/{year}", "LANDCOVER", "100m"),),
            stem=f"PROBAV_LC100_global_v3.0.1_{year}-conso_Discrete-Classification-map",
            metadata=(VITO_META.format("urn:cgls:global:lcc100_v3_100m"),),
            keywords=("land cover", "LC100", "PROBA-V"),
        )
    yield Dataset(
        uid="10080477095e422692a0a11bc4c6810e",
        product="global-dynamic-land-cover",
        slug="copernicus-global-land-service-land-cover-100m-collection-2-epoch-2015-globe",
        title="DEPRECATED - Land Cover 100m: collection 2: epoch 2015: Globe",
        description=_LC_DESCRIPTION,
        kind="lc100",
        resolution=100.0,
        epoch=2015,
        geographic=True,
        review_state="private",
        full_format="Geotiff",
        image="",
        infos=(
            Info(
                "d7a12f49-630a-433d-8215-85069b535395",
                "RASTER",
                "Geotiff",
                "2015",
                "LANDCOVER",
                format_object=True,
            ),
        ),
        stem="PROBAV_LC100_global_v2.0.2_2015_Discrete-Classification-map",
    )


def build() -> list[Dataset]:
    """The catalogue, in listing order (land cover first, as the recorded search)."""
    out = [*_land_cover(), *eea_datasets(), *global_datasets(), *hr_timeseries()]
    assert len({d.uid for d in out}) == len(out), "duplicate UIDs"
    return out
