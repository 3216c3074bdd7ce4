"""Global attributes and the ``METADATA`` tree of the L1B and NPP-VIIRS files.

Shaped after the real ``S5P_OFFL_L2__NP_BD3_…nc`` in ``reference/samples/products/sentinel-5p``:
global attributes (Conventions, institution, source, tracking_id, time_reference,
time_coverage_*, orbit, product/processor_version, summary, processing_status, title,
references), ``GRANULE_DESCRIPTION`` (GranuleStart/End, TAI2010At0Z, InstrumentName,
MissionName, ProcessLevel, ProcessingCenter/Node, ProcessorVersion, ProductFormatVersion,
ProcessingMode as the four-letter class, ProductShortName), ``ALGORITHM_SETTINGS``,
``QA_STATISTICS``, ``ISO_METADATA``, ``EOP_METADATA`` and ``ESA_METADATA/earth_explorer_header/
fixed_header`` (with its ``source``). The L1B files are taken to share that layout (inferred).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from . import _xml
from ._netcdf import NcGroup
from ._s5p_headers import fixed_header, iso_and_eop

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["Identity", "global_attributes", "metadata"]


class Identity:
    """Who made a file and what it is: read from the entry and its name."""

    def __init__(self, entry: Entry, title: str, institution: str, level: str) -> None:
        self.entry = entry
        self.stem = entry.name.removesuffix(".nc")
        parts = self.stem.split("_")
        self.mode = parts[1]
        self.created = datetime.strptime(parts[-1], "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
        self.day = entry.start.replace(hour=0, minute=0, second=0, microsecond=0)
        self.orbit = int(entry.attribute("orbitNumber", entry.extra.get("orbit", 0)))
        self.version = str(entry.attribute("processorVersion", "02.06.00"))
        self.title = title
        self.institution = institution
        self.level = level
        """``1b`` or ``2``."""


def global_attributes(who: Identity, summary: str, references: str) -> dict[str, Any]:
    """The root attributes, as the NPP-VIIRS sample has them (all strings)."""
    e = who.entry
    return {
        "Conventions": "CF-1.7",
        "institution": who.institution,
        "source": f"Sentinel 5 precursor, space-borne remote sensing, L{who.level.upper()}",
        "history": " ",
        "comment": " ",
        "tracking_id": str(uuid.uuid5(uuid.NAMESPACE_URL, e.name)),
        "id": who.stem,
        "time_reference": _xml.iso(who.day, 0),
        "time_coverage_start": _xml.iso(e.start, 0),
        "time_coverage_end": _xml.iso(e.end, 0),
        "orbit": str(who.orbit),
        "product_version": who.version,
        "processor_version": who.version,
        "summary": summary,
        "processing_status": "Nominal",
        "title": who.title,
        "references": references,
        "date_created": _xml.iso(who.created, 0),
        "platform": "S5P",
        "sensor": "TROPOMI",
        "cdm_data_type": "Swath",
    }


def metadata(
    g: NcGroup, who: Identity, processor: str, settings: dict[str, str], qa: dict[str, Any]
) -> None:
    """The ``METADATA`` groups."""
    e = who.entry
    algorithm = g.create_group("ALGORITHM_SETTINGS")
    for key, value in {"ProcessorName": processor, "ProcessorVersion": who.version,
                       **settings}.items():  # fmt: skip
        algorithm.attrs[key] = value
    granule = g.create_group("GRANULE_DESCRIPTION")
    for key, value in {
        "GranuleStart": _xml.iso(e.start, 0),
        "GranuleEnd": _xml.iso(e.end, 0),
        "TAI2010At0Z": "0.0",
        "InstrumentName": "TROPOMI",
        "MissionName": "Sentinel-5 precursor",
        "MissionShortName": "S5P",
        "ProcessLevel": who.level,
        "ProcessingCenter": "PDGS-OP",
        "ProcessingNode": "s5p-off-pn21",
        "ProcessorVersion": who.version,
        "ProductFormatVersion": "1",
        "ProcessingMode": who.mode,
        "ProductShortName": e.product_type,
    }.items():
        granule.attrs[key] = value
    stats = g.create_group("QA_STATISTICS")
    for key, value in qa.items():
        stats.attrs[key] = value
    eop = iso_and_eop(g, who.stem, e.product_type, f"{who.created:%Y-%m-%d}")
    processing = eop.create_group("eop:metaDataProperty").create_group("eop:processing")
    processing.attrs["eop:processingMode"] = who.mode
    processing.attrs["eop:processorVersion"] = who.version
    fixed = fixed_header(g, who.stem, who.title, who.mode, e.product_type, " ", "1")
    source = fixed.create_group("source")
    for key, value in (
        ("objectType", "Source"),
        ("System", "PDGS-OP"),
        ("Creator", processor),
        ("Creator_Version", who.version),
        ("Creation_Date", who.created.strftime("%Y-%m-%dT%H:%M:%S.%f")),
    ):
        source.attrs[key] = value
