"""Presenter mode: what onlookers of a shared screen may see, and what they are told.

Account IDs are masked everywhere (``4815****4201``), including inside ARNs, because a shared
screen is often recorded. Masking is a pure function over display text, so every widget can apply
it at render time and a toggle (``p``) re-renders without touching any data. The narration texts
explain each step to people who are watching rather than driving.
"""

from __future__ import annotations

import re

# Twelve digits not touching other digits: account IDs on their own, inside ARNs
# (arn:aws:iam::123456789012:role/...) and as the console writes them (1234-5678-9012).
_ACCOUNT_ID = re.compile(r"(?<!\d)(\d{4})(-?)\d{4}(-?)(\d{4})(?!\d)")


def mask(text: str) -> str:
    """Hide the middle four digits of every account ID in ``text``."""
    return _ACCOUNT_ID.sub(r"\1\2****\3\4", text)


def group_account(account: str) -> str:
    """``481516234201`` as the console writes it, ``4815-1623-4201``: easier to read aloud."""
    if len(account) == 12 and account.isdigit():
        return f"{account[:4]}-{account[4:8]}-{account[8:]}"
    return account


NARRATION: dict[str, str] = {
    "start": (
        "We are about to remove the RDS service-linked role AWSServiceRoleForRDS from this "
        "account. AWS only lets it go once no database (DB cluster or standalone instance) is "
        "left in any region, so the wizard finds them, deletes them with final snapshots, then "
        "deletes the role. "
        "Nothing is changed without a typed confirmation."
    ),
    "inspect": (
        "Step 1 only reads. We look at the role itself: who may assume it, its policy, and "
        "when RDS last used it. Recent use means databases still depend on it."
    ),
    "scan": (
        "Step 2 only reads. Every enabled region is scanned at once for databases: DB clusters "
        "and standalone instances (Aurora, Neptune, DocumentDB and plain RDS all keep the role "
        "in use). "
        "Regions we cannot see are listed with the reason."
    ),
    "plan": (
        "Step 3, choosing. Each database gets a final snapshot unless we explicitly skip it, "
        "and deletion protection is lifted only where we tick it. Nothing has changed yet."
    ),
    "review": (
        "Step 3, reviewing. This is the exact order of AWS calls the wizard will make. It "
        "starts only after the operator types the account ID."
    ),
    "progress": (
        "Step 3, deleting. The wizard works through every database at once, in the order AWS "
        "requires. A failure stops only that database and can be retried or left alone."
    ),
    "role": (
        "Step 4. Every region is scanned again: the role can go only if no database is found "
        "in the regions the scan can read, and the operator accepts any it cannot. Then one "
        "more typed confirmation, and AWS deletes the role in the background, or refuses if "
        "something still uses it."
    ),
    "done": (
        "Finished. This is the record for the change ticket: which databases were deleted "
        "and which final snapshots were kept."
    ),
}
