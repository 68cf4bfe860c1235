"""What step 4 says in each of its phases, kept apart from the screen that shows it.

Each phase of the role screen (re-scanning, a region not covered, resources left, ready, deleting,
refused) explains itself in three places: an intro line, the result panel and the note beside the
buttons, plus a sentence for the presenter's narration. Writing them as one function of the facts
keeps the wording in one place and the screen about behaviour.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, NamedTuple

from textual.content import Content

from slrwizard.domain.models import (
    ROLE_NAME,
    RegionList,
    RegionSource,
    RoleDeletionStatus,
    ScanResult,
)
from slrwizard.domain.usage import WAIT_BEFORE_RETRY, RefusalAdvice
from slrwizard.tui.text import english_list, plural, when
from slrwizard.tui.widgets.regions import describe

Phase = Literal[
    "preview",
    "rescanning",
    "rescan-failed",
    "unscanned",
    "leftovers",
    "ready",
    "deleting",
    "failed",
    "done",
]


@dataclass(frozen=True)
class RoleFacts:
    """Everything the texts depend on (account already formatted and masked as needed)."""

    phase: Phase
    scan: ScanResult | None
    status: RoleDeletionStatus | None
    account: str
    read_only: bool
    answered: int
    total: int
    unaccepted: list[str]
    scanned_at: datetime | None
    mask: Callable[[str], str]
    given: tuple[str, ...] = ()
    """The regions named with ``--regions`` (empty: every enabled region is scanned)."""
    advice: RefusalAdvice | None = None
    """After a refusal: what AWS named, read resource by resource."""
    retry_in: int | None = None
    """Seconds until the wizard asks AWS again (the operator chose to wait and try again)."""


def given_regions(region_list: RegionList | None) -> tuple[str, ...]:
    """The regions the operator named with ``--regions``, if that is what the scans cover."""
    if region_list is None or region_list.source is not RegionSource.USER:
        return ()
    return tuple(region_list.regions)


class RoleTexts(NamedTuple):
    """The words of one phase."""

    intro: str
    result: Content
    note: str
    narration: str = ""


def role_texts(facts: RoleFacts) -> RoleTexts:
    """The intro, result panel, action note and narration for ``facts.phase``."""
    phase, scan, mask, account = facts.phase, facts.scan, facts.mask, facts.account
    if phase == "preview":
        return RoleTexts(
            "Read-only preview of step 4: nothing runs.",
            Content(
                "After the deletions, the wizard scans every region again. Only if it finds no "
                "database (and you accept any region it cannot read) does it offer to delete "
                "the role, after you type the account ID. "
                "AWS then deletes it in the background; if something still uses the role, "
                "AWS names the regions and the wizard takes you back to scan them."
            ),
            "Read-only mode: the role will not be deleted.",
        )
    if phase == "rescanning":
        which = (
            f"only the regions given with --regions ({', '.join(facts.given)})"
            if facts.given
            else "every region"
        )
        return RoleTexts(
            f"Re-scanning {which}: {facts.answered} of {facts.total} answered.",
            Content("The role can go only if this scan finds no database in any region it reads."),
            "Scanning…",
        )
    if phase == "rescan-failed":
        return RoleTexts(
            "The re-scan did not finish, so nothing proves the role is unused yet.",
            Content("See the explanation that was shown; then press r to scan again."),
            "r: re-scan every region.",
        )
    if phase == "unscanned":
        assert scan is not None
        missing = [r for r in scan.incomplete_regions if r.region in facts.unaccepted]
        body = "\n".join(f"• {mask(describe(r.region, r))}" for r in missing)
        return RoleTexts(
            f"{_found_nothing(scan)}, but the re-scan could not read every region.",
            Content.assemble(
                ("Not scanned:\n", "bold $text-warning"),
                body,
                (
                    "\nDatabases there are invisible to the wizard. Accept to go on (AWS "
                    "will still refuse if something uses the role), or go back and scan "
                    "again.",
                    "dim",
                ),
            ),
            "a: accept and go on; b: back to step 2.",
        )
    if phase == "leftovers":
        lines = scan.blockers() if scan else []
        body = "\n".join(f"• {line}" for line in lines) or "The re-scan did not finish."
        return RoleTexts(
            "The re-scan found databases that still keep the role in use.",
            Content.assemble(("Still there:\n", "bold $text-warning"), body),
            "b: back to step 2 to delete them (or leave the role).",
        )
    if phase in ("ready", "deleting"):
        if phase == "deleting":
            note = "AWS deletes the role in the background; the wizard keeps checking."
            narration = "AWS is deleting the role now."
        elif facts.read_only:
            note, narration = "Read-only mode: the role will not be deleted.", ""
        else:
            note = "d: type the account ID to delete the role."
            narration = f"{_known(facts)} The role can be deleted."
        return RoleTexts(
            f"{_known(facts)} Step 4 can delete {ROLE_NAME} from account {account}.",
            _proof(facts),
            note,
            narration,
        )
    return _refused(facts)


def _refused(facts: RoleFacts) -> RoleTexts:
    """AWS refused: what it named, and the one way forward that can work.

    Clusters and instances: back to step 2 for exactly their regions. Other kinds: named, with
    the console page and CLI command that remove them, then try again (a scan would not find
    them, so going back would loop). Nothing named: a session of the role is still active; wait
    and try again. A region no longer enabled: enable it first.
    """
    status, mask, advice = facts.status, facts.mask, facts.advice
    reason = status.reason if status and status.reason else "AWS gave no reason."
    parts: list[str | tuple[str, str]] = [("AWS says: ", "bold $text-error"), mask(reason)]
    if advice is not None and advice.unhandled:
        parts.append(("\nNot databases the wizard deletes; remove each, then try again:", "bold"))
        for item in advice.unhandled:
            parts.append(f"\n• {item.what} {mask(item.name)} in {item.region or '?'}")
            parts.append((f"\n  console: {mask(item.console_url)}", "dim"))
            if item.cli_command:
                parts.append((f"\n  AWS CLI: {mask(item.cli_command)}", "dim"))
    if advice is not None and advice.disabled_regions:
        regions = english_list(advice.disabled_regions)
        parts.append(
            (
                f"\n{regions} is no longer enabled for this account: enable it again (Account "
                "settings, AWS Regions) so that what is there can be found and deleted.",
                "bold $text-warning",
            )
        )
    if advice is not None and advice.likely_active_session:
        parts.append(
            "\nAWS named no resource. Most often a session of the role is still active: it "
            "cannot be revoked, and the AWS guide says to wait for it to end, then try again."
        )
        if facts.retry_in is not None:
            parts.append((f"\nTrying again in {facts.retry_in} s…", "bold"))
        note = (
            f"t: wait {WAIT_BEFORE_RETRY} s and try again."
            if facts.retry_in is None
            else "Waiting for the session to end."
        )
        return RoleTexts(
            "AWS refused to delete the role, without naming what uses it.",
            Content.assemble(*parts),
            note,
            "AWS refused, naming nothing: a session of the role is still active. We wait.",
        )
    if advice is None or advice.can_scan_again:
        regions = english_list(advice.regions_to_scan) if advice else ""
        if status is not None and not regions:
            regions = ", ".join(status.usage_regions)
        parts.append(
            (
                "\nThese were not in the last scan: created since, or in a region the scan "
                "could not read. The list may be partial; the wizard scans the regions again.",
                "dim",
            )
        )
        return RoleTexts(
            "AWS refused to delete the role: it is still in use.",
            Content.assemble(*parts),
            f"b: back to step 2 for exactly these regions: {regions or 'all regions'}.",
            "AWS refused: the role is still used. We go back for those regions.",
        )
    return RoleTexts(
        "AWS refused to delete the role: something the wizard does not delete still uses it.",
        Content.assemble(*parts),
        "t: try again once they are removed.",
        "AWS refused: something outside the wizard's reach still uses the role.",
    )


def _found_nothing(scan: ScanResult) -> str:
    """``Nothing found in 17 of 18 regions``, or ``in any of the 18 regions``."""
    total = len(scan.regions)
    scanned = total - len(scan.incomplete_regions)
    if scanned == total:
        return f"Nothing found in any of the {plural(total, 'region')}"
    return f"Nothing found in {scanned} of {plural(total, 'region')}"


def _known(facts: RoleFacts) -> str:
    """What the last scan proves, and no more: which regions it could not read, and that the
    operator accepted them (``ready`` is reached only once every unread region is accepted)."""
    scan = facts.scan
    if scan is None:
        return "Step 2 found no database."
    text = _found_nothing(scan)
    if facts.given:
        text += " given with --regions"
    missing = [r.region for r in scan.incomplete_regions]
    if missing:
        it = "it" if len(missing) == 1 else "them"
        text += f"; {english_list(missing)} not scanned (you accepted {it})"
    if facts.given:
        return f"{text}; other regions were not scanned."
    return f"{text}." if missing else f"{text}: nothing keeps the role in use."


def _proof(facts: RoleFacts) -> Content:
    scan = facts.scan
    if scan is None:
        return Content("")
    scanned = len(scan.regions) - len(scan.incomplete_regions)
    parts: list[str | tuple[str, str]] = [
        ("✓ ", "$text-success"),
        f"Scan at {when(facts.scanned_at)}: no database in {plural(scanned, 'region')}.",
    ]
    if facts.given:
        parts += [
            "\n",
            ("! ", "$text-warning"),
            f"Only the regions given with --regions were checked ({', '.join(facts.given)}). "
            "A resource in any other region still keeps the role in use: AWS would then refuse "
            "to delete it and name that region.",
        ]
    for region in scan.incomplete_regions:
        parts += ["\n", ("! ", "$text-warning"), facts.mask(describe(region.region, region))]
    if scan.incomplete_regions:
        parts += [
            "\n",
            (
                "You chose to go on without these regions. If they hide resources, AWS will "
                "refuse to delete the role and name them.",
                "dim",
            ),
        ]
    return Content.assemble(*parts)
