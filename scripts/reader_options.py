"""The reader options table: every option of every reader, one vocabulary.

    python scripts/reader_options.py            # write docs/reader-options.md
    python scripts/reader_options.py --check    # exit 1 if the table there is out of date

The table comes from :mod:`cdse_intake.readers.options` (the shared options, their other
names, and the options of one family only) and the readers' own signatures.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "reader-options.md"

HEADER = """# Reader options

`cdse_intake.open_product(product, **options)` (and `xr.open_dataset(..., engine="cdse")`)
pass these to the product's reader. An option means the same in every reader that has it, and
any of its names is accepted (`variables=["B04"]` for Sentinel-2, `mask_and_scale=False` for a
gridded product); two names of one option in one call are refused, and so is an option the
reader does not have (the error lists those it has). Made by `python scripts/reader_options.py`
from `cdse_intake/readers/options.py` and the readers' signatures.

"""


def render() -> str:
    sys.path.insert(0, str(ROOT))
    from cdse_intake.readers.families import FAMILIES
    from cdse_intake.readers.options import markdown_table

    return HEADER + markdown_table({f.key: f.options() for f in FAMILIES})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if not DOCS.is_file() or DOCS.read_text() != text:
            print(f"{DOCS} is out of date: run python scripts/reader_options.py")
            return 1
        return 0
    DOCS.write_text(text)
    print(f"wrote {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
