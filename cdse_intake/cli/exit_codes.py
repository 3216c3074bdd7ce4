"""The exit codes of every ``cdse-intake`` subcommand: one table, one meaning per number.

Scripts can tell "fix your arguments" (2) from "your password was refused" (3), "CDSE is having
trouble" (4), "no credentials anywhere" (7), "the batch finished but some products failed" (8),
"a cached file is corrupt" (9), "a cached file is missing: moved or deleted" (10) and "a cached
product was withdrawn from the catalogue" (11) without parsing messages. README.md shows the
same table (a test keeps them equal) and the mapping from the codes of the OData query/download
scripts that many users migrate from.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["MIGRATION", "ExitCode", "describe", "epilog", "for_error", "markdown_table"]


class ExitCode(IntEnum):
    """What a ``cdse-intake`` process's exit status means."""

    OK = 0
    USAGE = 2
    AUTH = 3
    SERVICE = 4
    ERROR = 5
    INPUT = 6
    CREDENTIALS = 7
    FAILED = 8
    MISMATCH = 9
    MISSING = 10
    WITHDRAWN = 11
    INTERRUPTED = 130
    PIPE = 141

    @property
    def meaning(self) -> str:
        return _MEANINGS[self]


_MEANINGS = {
    ExitCode.OK: "success",
    ExitCode.USAGE: "bad arguments, query or configuration (nothing was sent)",
    ExitCode.AUTH: "credentials refused, or a token could not be obtained or refreshed",
    ExitCode.SERVICE: "CDSE answered with an error or could not be reached",
    ExitCode.ERROR: "any other failure (e.g. a product that cannot be opened, "
    "an emulator that cannot start)",
    ExitCode.INPUT: "an input file (manifest) cannot be read",
    ExitCode.CREDENTIALS: "no credentials found (arguments, CDSE_USERNAME/CDSE_PASSWORD, ~/.netrc)",
    ExitCode.FAILED: "some products failed; the others are done (report and manifest say which)",
    ExitCode.MISMATCH: "a cached product is corrupt: its file no longer matches its checksum",
    ExitCode.MISSING: "a cached product's file is missing (moved or deleted): "
    "'cache relink DIR' finds moved ones, 'cache forget --missing' drops them",
    ExitCode.WITHDRAWN: "a cached product is no longer in the catalogue (deleted, or replaced "
    "by a newer processing): 'cache audit' says which",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C); run the same command again to resume",
    ExitCode.PIPE: "the reader of the output closed it early (e.g. piped into head), as SIGPIPE",
}

#: The exit status of the OData batch download script (``OData_download_v3.1.py``) -> ours.
MIGRATION: dict[int, tuple[str, ExitCode]] = {
    0: ("OK", ExitCode.OK),
    1: ("no argument was given", ExitCode.USAGE),
    2: ("cannot access the log file", ExitCode.INPUT),
    3: ("cannot access the token file", ExitCode.CREDENTIALS),
    4: ("could not refresh the token", ExitCode.AUTH),
    5: ("session error (status not 200, 401 or 429)", ExitCode.FAILED),
    6: ("any other error", ExitCode.ERROR),
}


def for_error(err: BaseException) -> ExitCode:
    """The exit code for an exception that ended a subcommand."""
    from ..errors import (
        AuthenticationError,
        ConfigurationError,
        CredentialsMissing,
        QueryError,
        RateLimited,
        ServiceError,
        ServiceKeyError,
    )
    from ..manifest import ManifestError

    if isinstance(err, KeyboardInterrupt):
        return ExitCode.INTERRUPTED
    if isinstance(err, QueryError | ConfigurationError):
        return ExitCode.USAGE
    if isinstance(err, CredentialsMissing):
        return ExitCode.CREDENTIALS
    if isinstance(err, AuthenticationError | ServiceKeyError):  # refused, or a key unusable
        return ExitCode.AUTH
    if isinstance(err, ManifestError):
        return ExitCode.INPUT
    if isinstance(err, ServiceError | RateLimited):
        return ExitCode.SERVICE
    return ExitCode.ERROR


def describe(err: BaseException) -> str:
    """The one line that tells the user what ended a subcommand (no traceback: ``--debug``)."""
    from ..errors import CDSEError

    code = for_error(err)
    if code == ExitCode.INTERRUPTED:
        return "interrupted: run the same command again to resume"
    if code == ExitCode.AUTH:
        return f"authentication failed: {err}"
    if code == ExitCode.SERVICE:
        return f"service error: {err}"
    if isinstance(err, CDSEError):
        return f"error: {err}"
    if isinstance(err, OSError):  # the system refused: a full disk, a permission, a lost mount
        where = f": {err.filename!r}" if err.filename is not None else ""
        return f"error: {err.strerror or err}{where}"
    if isinstance(err, UnicodeError):
        return f"error: a file or value is not valid text ({err}); --debug shows which"
    if isinstance(err, MemoryError | RecursionError):
        return f"error: out of memory or nesting too deep ({type(err).__name__})"
    return f"error: unexpected {type(err).__name__}: {err} (a bug: --debug shows where)"


def epilog(*codes: ExitCode) -> str:
    """An argparse epilog listing these codes (all of them when none are named)."""
    chosen = codes or tuple(ExitCode)
    return "exit codes: " + "; ".join(f"{int(c)} {c.meaning}" for c in chosen)


def markdown_table() -> str:
    """The table README.md shows: our codes and the seed download script's codes beside them."""
    seed: dict[ExitCode, list[str]] = {}
    for old, (_, new) in MIGRATION.items():
        seed.setdefault(new, []).append(str(old))
    lines = ["| code | meaning | OData download script |", "|---|---|---|"]
    for code in ExitCode:
        lines.append(f"| {int(code)} | {code.meaning} | {', '.join(seed.get(code, [])) or '-'} |")
    return "\n".join(lines)
