"""The issue-19 table: each measure, our figure, the peer or ceiling it is set against, the goal.

Built from the figures the benchmark scripts print as their JSON line (gathered by
``run_all.py``); a row whose script did not run, or did not give the figure, says so. Every
ratio is one the scripts measured in the same run (ours and the peer side by side), never a
figure carried over from another day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["ROWS", "Row", "render", "rows_json"]

Figures = dict[str, Any]


@dataclass(frozen=True)
class Row:
    """One measure: where its figures are, how they read, and when the goal is met."""

    measure: str
    script: str
    ours: Callable[[Figures], str]
    versus: Callable[[Figures], str]
    goal: str
    met: Callable[[Figures], bool]


def _g(figures: Figures, *keys: str) -> Any:
    for key in keys:
        figures = figures[key]
    return figures


def _n(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


ROWS = [
    Row(
        "enumerate a result beyond the 10,000 offset",
        "search_throughput",
        lambda f: f"{_n(_g(f, 'deep', 'ours_per_s'))} products/s ({_n(_g(f, 'deep', 'products'))})",
        lambda f: (
            f"bare sequential page loop {_n(_g(f, 'deep', 'bare_loop_per_s'))}/s "
            f"({_g(f, 'deep', 'ratio'):.2f}x)"
        ),
        ">= 1.0x the bare loop",
        lambda f: _g(f, "deep", "ratio") >= 1.0,
    ),
    Row(
        "enumerate ~3,500 products (full records)",
        "search_throughput",
        lambda f: (
            f"{_n(_g(f, 'full_records', 'ours_per_s'))}/s ({_n(_g(f, 'full_records', 'products'))})"
        ),
        lambda f: (
            f"cdsetool {_n(_g(f, 'full_records', 'cdsetool_per_s'))}/s "
            f"({_g(f, 'full_records', 'ratio_vs_cdsetool'):.2f}x)"
            + (
                f", eodag {_n(f['full_records']['eodag_per_s'])}/s"
                if f["full_records"].get("eodag_per_s")
                else ""
            )
        ),
        ">= 1.0x cdsetool, same records",
        lambda f: _g(f, "full_records", "ratio_vs_cdsetool") >= 1.0,
    ),
    Row(
        "one 1 GB verified download",
        "download_throughput",
        lambda f: f"{_n(_g(f, 'large', 'ours_mb_s'))} MB/s",
        lambda f: (
            f"plain copy {_n(_g(f, 'large', 'plain_copy_mb_s'))} MB/s "
            f"({_g(f, 'large', 'ratio'):.2f}x)"
        ),
        ">= 0.95x the plain copy",
        lambda f: _g(f, "large", "ratio") >= 0.95,
    ),
    Row(
        "8 x 42 MB unthrottled, 4 connections",
        "download_throughput",
        lambda f: f"{_n(_g(f, 'batch_unthrottled', 'ours_mb_s'))} MB/s verified",
        lambda f: (
            f"eodag {_n(_g(f, 'batch_unthrottled', 'eodag_mb_s') or 0)}, cdsetool "
            f"{_n(_g(f, 'batch_unthrottled', 'cdsetool_mb_s') or 0)} MB/s "
            f"({_g(f, 'batch_unthrottled', 'ratio_vs_best_peer'):.2f}x the best)"
        ),
        ">= 1.0x the best peer",
        lambda f: _g(f, "batch_unthrottled", "ratio_vs_best_peer") >= 1.0,
    ),
    Row(
        "7 small products",
        "download_throughput",
        lambda f: f"{_g(f, 'small', 'ours_s'):.3f} s",
        lambda f: (
            f"eodag {_g(f, 'small', 'eodag_s') or float('nan'):.3f} s, cdsetool "
            f"{_g(f, 'small', 'cdsetool_s') or float('nan'):.3f} s "
            f"({_g(f, 'small', 'ratio_vs_best_peer'):.2f}x the best)"
        ),
        ">= 1.0x the best peer",
        lambda f: _g(f, "small", "ratio_vs_best_peer") >= 1.0,
    ),
    Row(
        "batch throttled to 20 MB/s per connection",
        "download_throughput",
        lambda f: (
            f"{_g(f, 'throttled', 'fraction_of_quota'):.3f} of the quota, "
            f"{_g(f, 'throttled', 'fraction_with_resets'):.3f} with 5% resets"
        ),
        lambda f: "4 x 20 MB/s = 80 MB/s",
        ">= 0.98 of the quota, also with resets",
        lambda f: (
            min(_g(f, "throttled", "fraction_of_quota"), _g(f, "throttled", "fraction_with_resets"))
            >= 0.98
        ),
    ),
    Row(
        "remote 512x512 window of one S2 band",
        "open_products",
        lambda f: (
            f"{_g(f, 'remote_window', 'sent_mb'):.2f} MB in "
            f"{_g(f, 'remote_window', 'requests')} requests "
            f"({_g(f, 'remote_window', 'sent_over_needed'):.2f}x needed)"
        ),
        lambda f: (
            f"GDAL /vsicurl/ {_g(f, 'remote_window', 'gdal_sent_mb'):.2f} MB in "
            f"{_g(f, 'remote_window', 'gdal_requests')} requests"
        ),
        "<= 1.2x needed, <= 4 requests, fewer than GDAL",
        lambda f: (
            _g(f, "remote_window", "sent_over_needed") <= 1.2
            and _g(f, "remote_window", "requests") <= 4
            and _g(f, "remote_window", "requests") < _g(f, "remote_window", "gdal_requests")
        ),
    ),
    Row(
        "peak RSS, 1 GB download",
        "download_throughput",
        lambda f: f"{_n(_g(f, 'peak_rss_mb'))} MB",
        lambda f: "",
        "<= 150 MB",
        lambda f: _g(f, "peak_rss_mb") <= 150,
    ),
]


def _cells(row: Row, report: dict[str, Any]) -> tuple[str, str, str]:
    figures = (report.get(row.script) or {}).get("figures")
    if not figures:
        return f"({row.script} did not run)", "", "-"
    try:
        return row.ours(figures), row.versus(figures), "yes" if row.met(figures) else "no"
    except (KeyError, TypeError, ValueError) as err:
        return f"({row.script} gave no {err})", "", "-"


def rows_json(report: dict[str, Any]) -> list[dict[str, str]]:
    """The table as JSON rows: measure, ours, versus, goal, met."""
    out = []
    for row in ROWS:
        ours, versus, met = _cells(row, report)
        out.append(
            {"measure": row.measure, "ours": ours, "versus": versus, "goal": row.goal, "met": met}
        )
    return out


def render(report: dict[str, Any]) -> str:
    """The table as Markdown."""
    lines = ["| measure | ours | peers / ceiling (ratio) | goal | met |", "|---|---|---|---|---|"]
    for r in rows_json(report):
        lines.append(f"| {r['measure']} | {r['ours']} | {r['versus']} | {r['goal']} | {r['met']} |")
    return "\n".join(lines)
