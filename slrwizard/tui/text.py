"""Small formatting helpers shared by the screens: dates, ages and durations, said plainly."""

from __future__ import annotations

from datetime import datetime, timezone

from slrwizard.domain.words import databases, english_list, kinds, plural

__all__ = ["ago", "databases", "duration", "english_list", "kinds", "plural", "utc", "when"]


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC (naive datetimes are taken to be UTC already, as moto keeps them)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def when(moment: datetime | None) -> str:
    """An unambiguous timestamp for a shared screen: ``2019-03-14 09:26 UTC``."""
    if moment is None:
        return "never"
    return utc(moment).strftime("%Y-%m-%d %H:%M UTC")


def ago(moment: datetime | None, now: datetime) -> str:
    """How long before ``now`` it was, in the largest unit that reads naturally."""
    if moment is None:
        return "never"
    seconds = (utc(now) - utc(moment)).total_seconds()
    if seconds < 0:
        return "just now"
    for size, unit in ((86400 * 365, "year"), (86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"


def duration(seconds: float) -> str:
    """An elapsed time as ``m:ss`` (or ``h:mm:ss``), the way a stopwatch shows it."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"
