"""The ``ISO_METADATA``, ``EOP_METADATA`` and ``ESA_METADATA`` groups that every Sentinel-5P
file's ``METADATA`` ends with (the L2 writer's and the L1B/NPP-VIIRS writers')."""

from __future__ import annotations

from typing import Any

from ._netcdf import NcGroup

__all__ = ["fixed_header", "iso_and_eop"]


def iso_and_eop(g: NcGroup, stem: str, product_type: str, date_stamp: str) -> NcGroup:
    """``ISO_METADATA`` and ``EOP_METADATA`` of the file ``stem``; the latter group."""
    iso = g.create_group("ISO_METADATA")
    for key, value in (
        ("gmd:dateStamp", date_stamp),
        ("gmd:fileIdentifier", f"urn:ogc:def:EOP:ESA:SENTINEL.S5P_TROP_{product_type}"),
        ("gmd:hierarchyLevelName", "EO Product Collection"),
        ("objectType", "gmi:MI_Metadata"),
    ):
        iso.attrs[key] = value
    eop = g.create_group("EOP_METADATA")
    eop.attrs["gml:id"] = f"{stem}.ID"
    eop.attrs["objectType"] = "atm:EarthObservation"
    return eop


def fixed_header(
    g: NcGroup,
    stem: str,
    description: str,
    mode: str,
    product_type: str,
    notes: str,
    version: Any,
) -> NcGroup:
    """``ESA_METADATA/earth_explorer_header/fixed_header`` of the file ``stem``; that group."""
    header = g.create_group("ESA_METADATA").create_group("earth_explorer_header")
    header.attrs["objectType"] = "Earth_Explorer_Header"
    fixed = header.create_group("fixed_header")
    for key, value in (
        ("objectType", "Fixed_Header"),
        ("File_Name", stem),
        ("File_Description", description),
        ("Notes", notes),
        ("Mission", "S5P"),
        ("File_Class", mode),
        ("File_Type", product_type),
        ("File_Version", version),
    ):
        fixed.attrs[key] = value
    return fixed
