"""Sentinel-5P L2 product types of :mod:`.sentinel5p_more`: what each file says about itself.

Per type: the global attributes that differ (title, institution, spatial resolution, the band
the pixels are geolocated on), the ``PRODUCT`` dimensions besides scanline and ground_pixel and
the geophysical variables (name, units, long_name, standard_name), in writing order after
``qa_value``. Variable names and dimensions as the TROPOMI Product User Manuals and the readers
of real files name them (HARP's ``harp-ingestion-s5p_l2.c``: ``layer`` for HCHO/SO2/CH4/O3,
``level`` for O3__PR and CH4; user scripts reading ``PRODUCT/ozone_profile`` in mol m-3);
the sizes of ``layer``/``level`` and the titles of the less common types are inferred.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["L2_TYPES", "L2Type", "Variable"]


@dataclass(frozen=True)
class Variable:
    """A geophysical variable of ``PRODUCT``."""

    name: str
    units: str
    long_name: str
    standard_name: str | None = None


@dataclass(frozen=True)
class L2Type:
    """What differs between the L2 swath product types."""

    title: str
    institution: str
    page: str
    """The product's page under ``http://www.tropomi.eu/data-products/``."""
    resolution: str
    band: int
    dimensions: tuple[tuple[str, int], ...]
    """``PRODUCT`` dimensions besides scanline, ground_pixel, time and corner."""
    variables: tuple[Variable, ...]
    keywords: str = (
        "0345 Pollution, Urban and Regional; 0365 Troposphere, Composition and Chemistry"
    )


_MOL = "mol m-2"
L2_TYPES: dict[str, L2Type] = {
    "L2__AER_AI": L2Type(
        "TROPOMI/S5P Aerosol Index 1-Orbit L2 Swath 5.5x3.5km",
        "KNMI",
        "uv-aerosol-index",
        "5.5x3.5km2",
        3,
        (),
        (
            Variable(
                "aerosol_index_354_388",
                "1",
                "Aerosol index from 388 and 354 nm",
                "ultraviolet_aerosol_index",
            ),
            Variable(
                "aerosol_index_340_380",
                "1",
                "Aerosol index from 380 and 340 nm",
                "ultraviolet_aerosol_index",
            ),
        ),
    ),
    "L2__AER_LH": L2Type(
        "TROPOMI/S5P Aerosol Layer Height 1-Orbit L2 Swath 5.5x3.5km",
        "KNMI",
        "aerosol-layer-height",
        "5.5x3.5km2",
        6,
        (),
        (
            Variable(
                "aerosol_mid_height", "m", "Height of center of aerosol layer relative to geoid"
            ),
            Variable(
                "aerosol_mid_pressure", "Pa", "Pressure at center of aerosol layer", "air_pressure"
            ),
            Variable(
                "aerosol_optical_thickness",
                "1",
                "Aerosol optical thickness at 760 nm",
                "atmosphere_absorption_optical_thickness_due_to_ambient_aerosol",
            ),
        ),
    ),
    "L2__CLOUD_": L2Type(
        "TROPOMI/S5P Cloud 1-Orbit L2 Swath 5.5x3.5km",
        "DLR-IMF",
        "cloud",
        "5.5x3.5km2",
        6,
        (),
        (
            Variable(
                "cloud_fraction",
                "1",
                "Retrieved effective radiometric cloud fraction",
                "cloud_area_fraction",
            ),
            Variable(
                "cloud_top_pressure",
                "Pa",
                "Retrieved atmospheric pressure at the level of cloud top",
                "air_pressure_at_cloud_top",
            ),
            Variable(
                "cloud_top_height", "m", "Retrieved altitude of the cloud top", "cloud_top_altitude"
            ),
            Variable(
                "cloud_base_pressure",
                "Pa",
                "Retrieved atmospheric pressure at the level of cloud base",
                "air_pressure_at_cloud_base",
            ),
            Variable(
                "cloud_optical_thickness",
                "1",
                "Retrieved cloud optical thickness",
                "atmosphere_optical_thickness_due_to_cloud",
            ),
        ),
    ),
    "L2__HCHO__": L2Type(
        "TROPOMI/S5P HCHO 1-Orbit L2 Swath 5.5x3.5km",
        "BIRA-IASB",
        "formaldehyde",
        "5.5x3.5km2",
        3,
        (("layer", 34),),
        (
            Variable(
                "formaldehyde_tropospheric_vertical_column",
                _MOL,
                "Tropospheric vertical column of formaldehyde",
                "troposphere_mole_content_of_formaldehyde",
            ),
            Variable(
                "formaldehyde_tropospheric_vertical_column_precision",
                _MOL,
                "Precision of the tropospheric vertical column of formaldehyde",
            ),
        ),
    ),
    "L2__SO2___": L2Type(
        "TROPOMI/S5P SO2 1-Orbit L2 Swath 5.5x3.5km",
        "DLR-IMF",
        "sulphur-dioxide",
        "5.5x3.5km2",
        3,
        (("layer", 34),),
        (
            Variable(
                "sulfurdioxide_total_vertical_column",
                _MOL,
                "Total vertical column of "
                "sulfur dioxide for the polluted scenario derived from the total slant "
                "column",
                "atmosphere_mole_content_of_sulfur_dioxide",
            ),
            Variable(
                "sulfurdioxide_total_vertical_column_precision",
                _MOL,
                "Random component of "
                "the uncertainty on the total vertical column of sulfur dioxide",
            ),
        ),
    ),
    "L2__CH4___": L2Type(
        "TROPOMI/S5P CH4 1-Orbit L2 Swath 5.5x7km",
        "SRON",
        "methane",
        "5.5x7km2",
        7,
        (("layer", 12), ("level", 13)),
        (
            Variable(
                "methane_mixing_ratio",
                "1e-9",
                "column averaged dry air mixing ratio of methane",
                "dry_atmosphere_mole_fraction_of_methane",
            ),
            Variable(
                "methane_mixing_ratio_precision",
                "1e-9",
                "precision of the column averaged dry air mixing ratio of methane",
            ),
            Variable(
                "methane_mixing_ratio_bias_corrected",
                "1e-9",
                "column-averaged dry air mixing ratio of methane, bias corrected",
                "dry_atmosphere_mole_fraction_of_methane",
            ),
        ),
        keywords="0300 Atmospheric Composition and Structure; 0322 Constituent Sources and Sinks",
    ),
    "L2__O3____": L2Type(
        "TROPOMI/S5P Total Ozone 1-Orbit L2 Swath 5.5x3.5km",
        "DLR-IMF",
        "total-ozone-column",
        "5.5x3.5km2",
        3,
        (("layer", 14), ("level", 15)),
        (
            Variable(
                "ozone_total_vertical_column",
                _MOL,
                "total vertical ozone column",
                "atmosphere_mole_content_of_ozone",
            ),
            Variable(
                "ozone_total_vertical_column_precision",
                _MOL,
                "total vertical ozone column precision",
            ),
        ),
        keywords="0340 Middle Atmosphere, Composition and Chemistry; 0341 Middle Atmosphere, "
        "Constituent Transport and Chemistry",
    ),
    "L2__O3__PR": L2Type(
        "TROPOMI/S5P Ozone Profile 1-Orbit L2 Swath 28x21km",
        "KNMI",
        "ozone-profile",
        "28x21km2",
        1,
        (("level", 33),),
        (
            Variable(
                "ozone_profile",
                "mol m-3",
                "Ozone number density profile",
                "mole_concentration_of_ozone_in_air",
            ),
            Variable(
                "ozone_total_column", _MOL, "Ozone total column", "atmosphere_mole_content_of_ozone"
            ),
            Variable(
                "ozone_tropospheric_column",
                _MOL,
                "Ozone tropospheric column",
                "troposphere_mole_content_of_ozone",
            ),
        ),
        keywords="0340 Middle Atmosphere, Composition and Chemistry",
    ),
}
