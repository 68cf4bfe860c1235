"""Counts said as English, shared by the screens, the report and the journal's ticket.

What the wizard deletes is called a *database* everywhere: a DB cluster (with its member
instances) or a standalone DB instance. Every count of them goes through :func:`databases`, so
no screen or record says "1 clusters" or "1 cluster and 0 standalone instances". The helpers live
in the domain layer because the TUI, the report and the journal all use them and may not import
each other.
"""

from __future__ import annotations

DATABASE = "database"
"""The one word for what is deleted: a DB cluster or a standalone DB instance."""


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 cluster``, ``2 clusters``, ``0 clusters``."""
    word = singular if count == 1 else (plural_form or f"{singular}s")
    return f"{count} {word}"


def english_list(items: list[str], conjunction: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c``: how a sentence lists things."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def kinds(clusters: int, instances: int) -> str:
    """``2 clusters and 1 standalone instance``, leaving out a kind there are none of."""
    parts = [
        plural(count, word)
        for count, word in ((clusters, "cluster"), (instances, "standalone instance"))
        if count
    ]
    return english_list(parts) or "no database"


def databases(clusters: int, instances: int) -> str:
    """``3 databases (2 clusters and 1 standalone instance)``; ``1 database (1 cluster)``.

    The total comes first because it is what the operator confirms; the split follows only when
    there is one to tell.
    """
    total = clusters + instances
    if total == 0:
        return "no database"
    return f"{plural(total, DATABASE)} ({kinds(clusters, instances)})"
