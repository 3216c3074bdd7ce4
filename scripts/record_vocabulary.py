"""Record the catalogue's vocabulary into ``cdse_intake/catalogue/vocabulary.json``.

    python scripts/record_vocabulary.py                 # from the built-in emulator
    python scripts/record_vocabulary.py --stac https://stac.dataspace.copernicus.eu/v1 \\
        --odata https://catalogue.dataspace.copernicus.eu/odata/v1   # from the real service

What any client can ask (STAC ``/collections``, OData ``/Attributes``) is asked; the product
types only OData holds (no API lists them: OData has no "distinct values" query) are sampled
from product pages of every OData collection, oldest and newest first, with each type's
``processingLevel`` when it reads as a level. ``--check`` compares instead of writing (exit 1
when the file differs).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cdse_intake import vocabulary as vocab
from cdse_intake.catalogue import live_vocabulary

#: Pages sampled per OData collection and direction (1000 products each; 10 reach OData's
#: 10,000-product $skip limit).
PAGES = 10


def _sample(odata_url: str, collection: str) -> dict[str, str | None]:
    import urllib.parse
    import urllib.request

    found: dict[str, str | None] = {}
    for direction in ("asc", "desc"):
        for page in range(PAGES):
            query = urllib.parse.urlencode(
                {
                    "$filter": f"Collection/Name eq '{collection}'",
                    "$top": "1000",
                    "$skip": str(page * 1000),
                    "$orderby": f"ContentDate/Start {direction}",
                    "$expand": "Attributes",
                }
            )
            url = f"{odata_url}/Products?{query}"  # odata_url: http(s), checked in main()
            with urllib.request.urlopen(url, timeout=120) as answer:  # noqa: S310
                body = json.load(answer)
            for product in body.get("value", []):
                atts = {a["Name"]: a.get("Value") for a in product.get("Attributes", [])}
                product_type = atts.get("productType")
                if not isinstance(product_type, str):
                    continue
                level = _level(atts.get("processingLevel"))
                if found.get(product_type) is None:
                    found[product_type] = level
            if len(body.get("value", [])) < 1000:
                break
    return found


def _level(value: Any) -> str | None:
    """``LEVEL2`` -> ``L2``, ``1P`` -> ``L1P``; Landsat's ``L1TP``/``L2SP`` -> ``L1``/``L2``."""
    if not isinstance(value, str):
        return None
    parsed = vocab.normalise_level(value)
    if parsed is None:
        landsat = re.fullmatch(r"L(\d)[A-Z]{2}", value)
        return f"L{landsat.group(1)}" if landsat else None
    return f"L{parsed[0]}{parsed[1]}"


def record(stac_url: str, odata_url: str) -> dict[str, Any]:
    live = live_vocabulary.fetch(stac_url, odata_url, timeout=120)
    data = live.to_dict()
    for name, entry in data["collections"].items():
        sampled = _sample(odata_url, name)
        types = entry["product_types"]
        for product_type, level in sorted(sampled.items()):
            if product_type not in types or types[product_type] is None:
                types[product_type] = level
        entry["product_types"] = dict(sorted(types.items()))
    return data


@contextmanager
def _emulator() -> Iterator[tuple[str, str]]:
    from cdse_intake.emulator import Emulator

    with Emulator(s3=False) as emu:
        yield emu.urls.stac, emu.urls.catalogue


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stac", help="STAC API root (default: the built-in emulator's)")
    parser.add_argument("--odata", help="OData root (default: the built-in emulator's)")
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    if bool(args.stac) != bool(args.odata):
        parser.error("give both --stac and --odata, or neither (the emulator)")
    for url in (args.stac, args.odata):
        if url and not url.startswith(("https://", "http://")):
            parser.error(f"{url!r} is not an http(s) URL")
    if args.stac:
        data = record(args.stac, args.odata)
        source = args.stac
    else:
        with _emulator() as (stac_url, odata_url):
            data = record(stac_url, odata_url)
        source = "cdse_intake's emulator (mirrors the real catalogue, cdse-api.md)"
    text = json.dumps({"source": source, **data}, indent=1, sort_keys=False) + "\n"
    path: Path = vocab.SNAPSHOT
    if args.check:
        same = path.is_file() and path.read_text(encoding="utf-8") == text
        print(f"{path}: {'up to date' if same else 'differs from the catalogue'}")
        return 0 if same else 1
    path.write_text(text, encoding="utf-8")
    print(f"{path}: {len(data['collections'])} OData collections, {len(data['stac'])} STAC ones")
    return 0


if __name__ == "__main__":
    sys.exit(main())
