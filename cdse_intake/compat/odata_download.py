"""``python -m cdse_intake.compat.odata_download LOGFILE``: the download script's command.

Same argument, same exit status (:data:`~.odata_scripts.EXIT_CODES`): 0 OK, 1 no argument,
2 the log cannot be read, 3 no token file (nor credentials), 4 the token could not be
refreshed, 5 a download session failed, 6 anything else. The endpoints and credentials are
cdse_intake's usual ones (``CDSE_*`` environment, config file, ``.netrc``).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from .odata_scripts import EXIT_CODES, odata_download

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the download of ``argv[0]`` (a query log); returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        print("Usage: python -m cdse_intake.compat.odata_download ODATA_QUERY_LOG", file=sys.stderr)
        print(
            "ODATA_QUERY_LOG is a log written by odata_query() (or OData_query.py).",
            file=sys.stderr,
        )
        return 1
    code = odata_download(args[0], progress=sys.stderr.isatty())
    if code:
        print(f"{args[0]}: exit {code}: {EXIT_CODES[code]}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
