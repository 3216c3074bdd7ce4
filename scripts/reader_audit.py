"""The readers audit: does every product type the emulator's catalogue lists open?

For each (collection, product type) of the default emulator catalogue (seed 42, scale 1,
``deliver="all"``) one online product without a fault is downloaded from an in-process emulator
(one per writer family when a type has several, e.g. SAFE and EOPF Zarr ``S2MSI2A``) and opened
with :func:`cdse_intake.open_product`. A row says whether it opens: ``yes`` (a few values of the
first data variable read), ``metadata-only`` (opened, but no data variable with values) or
``no`` (the exception, or no product bytes in the emulator), with the reader family that opened
it and the product's format (from its file names).

    python scripts/reader_audit.py            # write docs/readers-audit.md
    python scripts/reader_audit.py --check    # exit 1 if the table there is out of date

Kept out of ``cdse_intake/readers/``: that layer may import neither the emulator nor the public
face (``tests/test_architecture.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "readers-audit.md"
SEED = 42
SCALE = 1.0
#: The demo account allows 4 connections.
WORKERS = 4
HEADER = "| Collection | Product type | Opens | Reader | Format | Why |"
RANK = {"no": 0, "metadata-only": 1, "yes": 2}


@dataclass(frozen=True)
class Row:
    """One audited product (or, merged, one product type)."""

    collection: str
    product_type: str
    opens: str
    """``yes``, ``metadata-only`` or ``no``."""
    reader: str
    format: str
    why: str

    def markdown(self) -> str:
        cells = (self.collection, self.product_type, self.opens, self.reader, self.format, self.why)
        return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or "—"


def kinds(entries: Iterable[Any]) -> dict[tuple[str, str], list[Any]]:
    """The catalogue's entries by (collection, product type), in catalogue order."""
    found: dict[tuple[str, str], list[Any]] = {}
    for entry in entries:
        found.setdefault((entry.collection, entry.product_type), []).append(entry)
    return found


def pick(entries: Sequence[Any]) -> list[Any]:
    """One online deliverable product without a fault per writer family (first in order)."""
    from cdse_intake.emulator.payloads import deliverable

    chosen: dict[str, Any] = {}
    for entry in entries:
        if entry.online and deliverable(entry) and not entry.extra.get("fault"):
            chosen.setdefault(entry.family, entry)
    return [chosen[family] for family in sorted(chosen)]


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0] if text else ''}".rstrip(": ")


def _extension(name: str) -> str:
    """``.jp2`` of ``B02.jp2``, ``.zarray`` of ``.zarray``; ``""`` for none or a number (a Zarr
    chunk key, a version)."""
    base = name.rsplit("/", 1)[-1]
    ext = base.rsplit(".", 1)[-1] if "." in base else ""
    return f".{ext.lower()}" if ext and not ext[0].isdigit() else ""


def _format(source: Any) -> str:
    """The container and the most common file extensions inside it."""
    if source.single_file:
        return f"single file ({_extension(source.name) or 'no extension'})"
    suffix = _extension(source.name)
    container = f"{source.name[-len(suffix) :]} folder" if suffix else "folder"
    if source.origin == "zip":
        container = f"zip of a {container}"
    counts = Counter(ext for f in source.files() if (ext := _extension(f)))
    common = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:4]
    return f"{container}: {', '.join(ext for ext, _ in common)}" if common else container


def _datasets(opened: Any) -> list[Any]:
    if hasattr(opened, "subtree"):  # a DataTree
        return [node.to_dataset(inherit=False) for node in opened.subtree]
    return [opened]


def classify(opened: Any) -> tuple[str, str]:
    """``(opens, why)`` for an opened product: a few values of its first data variable read."""
    variables = [(name, var) for ds in _datasets(opened) for name, var in ds.data_vars.items()]
    if not variables:
        # a reader that is metadata only by design says why in ``data_note``
        return "metadata-only", opened.attrs.get("data_note") or "opened with no data variables"
    for name, var in variables:
        if var.size:
            values = var.isel({d: slice(0, 2) for d in var.dims}).values
            return "yes", f"{_count(len(variables))}; read `{name}` {values.shape}"
    return "metadata-only", f"{_count(len(variables))}, all empty"


def _count(n: int) -> str:
    return f"{n} data variable{'s' if n != 1 else ''}"


def audit_product(entry: Any, context: Any) -> Row:
    """Download ``entry`` (with the client, into the cache of ``context``) and open it."""
    from cdse_intake import open_product
    from cdse_intake.errors import UnsupportedProduct
    from cdse_intake.readers.api import resolve_source
    from cdse_intake.readers.families import detect

    base = {"collection": entry.collection, "product_type": entry.product_type}
    try:
        source = resolve_source(entry.id, context)
    except Exception as err:
        return Row(**base, opens="no", reader="", format="", why="download: " + _first_line(err))
    fmt = _format(source)
    try:
        opened = open_product(
            source.product,
            chunks=None,
            endpoints=context.endpoints,
            settings=context.settings,
            credentials=context.credentials,
        )
    except Exception as err:
        try:
            reader = detect(source).key
        except UnsupportedProduct:
            reader = "none detected"
        return Row(**base, opens="no", reader=reader, format=fmt, why=_first_line(err))
    try:
        opens, why = classify(opened)
    except Exception as err:
        opens, why = "no", "reading values: " + _first_line(err)
    finally:
        opened.close()
    return Row(**base, opens=opens, reader=opened.attrs["cdse_family"], format=fmt, why=why)


def merge(collection: str, product_type: str, rows: Sequence[Row], families: Sequence[str]) -> Row:
    """One row per product type: the worst outcome of its products, every reader and format."""
    if not rows:
        return Row(
            collection,
            product_type,
            "no",
            "",
            "",
            "no product bytes in the emulator (emulator family: "
            + (", ".join(sorted({str(f) for f in families})) or "none")
            + ")",
        )
    if len(rows) == 1:
        return rows[0]
    worst = min(rows, key=lambda r: RANK[r.opens]).opens
    return Row(
        collection,
        product_type,
        worst,
        ", ".join(dict.fromkeys(r.reader for r in rows)),
        "; ".join(dict.fromkeys(r.format for r in rows)),
        "; ".join(f"{r.reader}: {r.why}" for r in rows),
    )


def audit(catalogue_entries: Iterable[Any], context: Any, workers: int = WORKERS) -> list[Row]:
    """The audit table of ``catalogue_entries``, sorted by collection and product type.

    Downloads run ``workers`` at a time; products are opened one at a time.
    """
    by_kind = kinds(catalogue_entries)
    chosen = {kind: pick(entries) for kind, entries in by_kind.items()}
    products = [entry for kind in sorted(chosen) for entry in chosen[kind]]
    if workers > 1:  # download first, in parallel; the opens below find them in the cache
        from cdse_intake.readers.api import resolve_source

        def fetch(entry: Any) -> None:
            # a failure is retried, and recorded, by audit_product
            with contextlib.suppress(Exception):
                resolve_source(entry.id, context)

        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(fetch, products))
    rows = []
    for kind in sorted(by_kind):
        found = [audit_product(entry, context) for entry in chosen[kind]]
        rows.append(merge(*kind, found, [e.family for e in by_kind[kind]]))
    return rows


def render(rows: Sequence[Row], when: str) -> str:
    """The Markdown page: how it was made, the counts, the table."""
    counts = Counter(r.opens for r in rows)
    lines = [
        "# Readers audit: does every product type open?",
        "",
        f"Produced by `python scripts/reader_audit.py` on {when}, from the built-in emulator's "
        f'catalogue (seed {SEED}, scale {SCALE:g}, `deliver="all"`, small products): for each '
        "(collection, product type) one online product without a fault per writer family was "
        "downloaded with the client and opened with `cdse_intake.open_product(chunks=None)`. "
        "**yes**: a few values of the first data variable read; **metadata-only**: opened with no "
        "data variable holding values; **no**: the exception's type and first line (or why there "
        "are no bytes). Reader: the family that opened it (`attrs['cdse_family']`, else the one "
        "detected); format: from the product's file names. `python scripts/reader_audit.py "
        "--check` fails when this table is out of date.",
        "",
        f"{len(rows)} product types: {counts['yes']} yes, {counts['metadata-only']} "
        f"metadata-only, {counts['no']} no.",
        "",
        HEADER,
        "|---|---|---|---|---|---|",
        *(row.markdown() for row in rows),
        "",
    ]
    return "\n".join(lines)


def table_lines(text: str) -> list[str]:
    """The table's rows of a rendered page (the header paragraph and date left out)."""
    return [line for line in text.splitlines() if line.startswith("|")]


def table_kinds(text: str) -> list[tuple[str, str]]:
    """(collection, product type) of each row of a rendered page's table."""
    rows = table_lines(text)[2:]
    return [tuple(c.strip() for c in line.strip("|").split("|")[:2]) for line in rows]  # type: ignore[misc]


def run(workers: int = WORKERS) -> list[Row]:
    """Start the emulator in-process and audit its whole catalogue."""
    from cdse_intake.config import Settings, resolve
    from cdse_intake.emulator.server import Emulator

    with (
        tempfile.TemporaryDirectory(prefix="reader-audit-") as tmp,
        Emulator(seed=SEED, scale=SCALE, deliver="all", s3=False) as emu,
    ):
        context = resolve(
            endpoints=emu.endpoints,
            settings=Settings(cache_dir=Path(tmp) / "cache", query_cache_age=0),
            credentials=(emu.username, emu.password),
        )
        return audit(copy.copy(emu.catalogue.entries), context, workers)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the docs, write nothing")
    parser.add_argument("--output", type=Path, default=DOCS, help=f"default: {DOCS}")
    parser.add_argument("--workers", type=int, default=WORKERS, help="parallel downloads")
    args = parser.parse_args(argv)
    page = render(run(args.workers), datetime.now(UTC).date().isoformat())
    if args.check:
        current = args.output.read_text() if args.output.exists() else ""
        if table_lines(current) != table_lines(page):
            print(f"{args.output} is out of date: run python scripts/reader_audit.py")
            return 1
        print(f"{args.output} is up to date")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(page)
    print(page.split("\n\n")[2])
    return 0


if __name__ == "__main__":
    sys.exit(main())
