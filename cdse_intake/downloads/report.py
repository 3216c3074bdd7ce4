"""What a download run did: one :class:`Outcome` per product, in a :class:`DownloadReport`."""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

__all__ = ["DownloadReport", "Outcome", "Status"]

Status = Literal["verified", "skipped", "failed"]


@dataclass(frozen=True)
class Outcome:
    """The result of one product.

    ``verified``: downloaded in this run and its checksum matched (or, when CDSE publishes none,
    its size and zip integrity); ``skipped``: already verified locally, no transfer; ``failed``:
    not downloaded, ``reason`` says why (a partial ``.part`` may remain for a later resume).
    """

    id: str
    name: str
    status: Status
    reason: str = ""
    path: Path | None = None
    bytes: int = 0
    """Bytes received over the network in this run (resumed bytes are not counted)."""
    seconds: float = 0.0
    mb_s: float = 0.0
    """Network throughput of this run's transfer, in MB/s (10**6 bytes)."""
    retries: int = 0
    algorithm: str = ""
    """How the file was verified: ``BLAKE3``, ``MD5`` or ``size`` (size + zip integrity)."""
    error: str = ""
    """The exception class behind a failure (``ProductOffline``, ``ChecksumMismatch``, ...)."""

    @property
    def ok(self) -> bool:
        return self.status != "failed"


@dataclass
class DownloadReport(Sequence[Outcome]):
    """The outcomes of a run, in the order the products were given."""

    outcomes: list[Outcome]
    credentials_missing: bool = False
    """No CDSE credentials (or S3 keys) were found for products that needed a transfer."""
    authentication_failed: bool = False
    """CDSE refused the credentials or a token (401/403 after a refresh)."""

    def __len__(self) -> int:
        return len(self.outcomes)

    def __getitem__(self, index: Any) -> Any:
        return self.outcomes[index]

    def __iter__(self) -> Iterator[Outcome]:
        return iter(self.outcomes)

    def _with(self, status: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def verified(self) -> list[Outcome]:
        return self._with("verified")

    @property
    def skipped(self) -> list[Outcome]:
        return self._with("skipped")

    @property
    def failed(self) -> list[Outcome]:
        return self._with("failed")

    @property
    def ok(self) -> bool:
        """No product failed."""
        return not self.failed

    @property
    def bytes(self) -> int:
        return sum(o.bytes for o in self.outcomes)

    def paths(self) -> list[Path]:
        """Local files of the verified and skipped products."""
        return [o.path for o in self.outcomes if o.ok and o.path is not None]

    def summary(self) -> str:
        return (
            f"{len(self.verified)} verified, {len(self.skipped)} skipped, "
            f"{len(self.failed)} failed; {self.bytes / 1e6:,.1f} MB transferred"
        )

    def __repr__(self) -> str:
        lines = [f"<DownloadReport: {self.summary()}>"]
        for o in self.failed[:20]:
            lines.append(f"  failed {o.name}: {o.reason}")
        if len(self.failed) > 20:
            lines.append(f"  ... and {len(self.failed) - 20} more failures")
        return "\n".join(lines)

    def to_dataframe(self) -> Any:
        """A pandas DataFrame, one row per product (columns as :class:`Outcome`'s fields)."""
        import pandas as pd

        rows = []
        for o in self.outcomes:
            row = asdict(o)
            row["path"] = "" if o.path is None else str(o.path)
            rows.append(row)
        columns = list(Outcome.__dataclass_fields__)
        return pd.DataFrame(rows, columns=columns)

    def _repr_html_(self) -> str:
        head = "".join(
            f"<th>{h}</th>" for h in ("name", "status", "MB", "s", "MB/s", "retries", "reason")
        )
        rows = []
        for o in self.outcomes[:200]:
            cells = (
                o.name,
                o.status,
                f"{o.bytes / 1e6:,.1f}",
                f"{o.seconds:.1f}",
                f"{o.mb_s:.1f}",
                o.retries,
                o.reason,
            )
            tds = "".join(f"<td>{html.escape(str(c))}</td>" for c in cells)
            rows.append(f"<tr>{tds}</tr>")
        more = len(self.outcomes) - 200
        tail = f"<p>… and {more} more</p>" if more > 0 else ""
        return (
            f"<p><b>{html.escape(self.summary())}</b></p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{tail}"
        )
