"""Dates of the land datasets' files: dekads, days and months, and the instant each shows.

Real (CGLS file naming): a global 10-daily file is named by its dekad's first day
(``c_gls_NDVI300_202307010000_...``: 1, 11 and 21 of each month), a daily file by its day, a
monthly one by the month's first day. Emulated: a file shows the synthetic Earth at the middle of
its period (12:00 UTC for a day); a single-epoch dataset shows it on 1 July of its epoch, noon.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

__all__ = ["file_dates", "period_end", "period_start", "sample_instant"]


def period_start(period: str, when: date) -> date:
    """The first day of the period containing ``when``."""
    day = when if type(when) is date else when.date()  # type: ignore[union-attr]
    if period == "dekad":
        return day.replace(day=min(21, 1 + 10 * ((day.day - 1) // 10)))
    if period == "month":
        return day.replace(day=1)
    return day


def period_end(period: str, start: date) -> date:
    """The first day of the next period (exclusive end)."""
    if period == "day":
        return start + timedelta(days=1)
    next_month = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    if period == "month" or start.day == 21:
        return next_month
    return start + timedelta(days=10)


def sample_instant(period: str | None, when: date | None, epoch: int | None) -> datetime:
    """The instant the file of ``when``'s period (or the epoch) shows: the period's middle."""
    if period is None:
        return datetime(epoch or 2018, 7, 1, 12)
    assert when is not None
    start = period_start(period, when)
    end = period_end(period, start)
    begin = datetime(start.year, start.month, start.day)
    if period == "day":
        return begin + timedelta(hours=12)
    return begin + (datetime(end.year, end.month, end.day) - begin) / 2


def file_dates(period: str, first: date, last: date, start: date, end: date) -> list[date]:
    """Period starts within ``[start, end]`` and the dataset's ``[first, last]``."""
    day = period_start(period, max(start, first))
    if day < max(start, first):
        day = period_end(period, day)
    out = []
    while day <= min(end, last):
        out.append(day)
        day = period_end(period, day)
    return out
