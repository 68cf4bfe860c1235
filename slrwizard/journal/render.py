"""Text for people: the Markdown export, the session list and one session's timeline.

Kept apart from :mod:`slrwizard.journal.export` so the evidence (what is true) and its wording
(how it reads in a ticket or a terminal) can change independently.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from slrwizard.domain.records import (
    ConfirmationRefused,
    PlanConfirmed,
    Record,
    RoleCreated,
    RoleCreationRequested,
    RoleDeletionRecord,
    RoleInspected,
    ScanCompleted,
    SessionEnded,
    SessionStarted,
    StepRecord,
    UnscannedRegionsAccepted,
)
from slrwizard.domain.words import plural
from slrwizard.journal.export import PlanExport, RoleAttemptEvidence, SessionExport
from slrwizard.journal.sessions import JournalView, Session

Writer = Callable[[str], None]
"""Where the Markdown sections write (the report's ``list.append``)."""


def _t(at: datetime | None) -> str:
    return f"{at:%Y-%m-%d %H:%M:%S} UTC" if at else "-"


def _cell(text: object) -> str:
    """A Markdown table cell: pipes escaped, one line."""
    return str(text if text is not None else "-").replace("|", "\\|").replace("\n", " ")


def _row(*cells: object) -> str:
    return "| " + " | ".join(_cell(c) for c in cells) + " |\n"


def render_markdown(export: SessionExport) -> str:
    """The report pasted into the change ticket."""
    out: list[str] = [f"# slrwizard session {export.session_id}\n\n"]
    w = out.append
    w("| | |\n|---|---|\n")
    w(_row("Account", export.account))
    w(_row("Caller", export.caller_arn))
    w(_row("Operator(s)", ", ".join(export.operators)))
    w(_row("Tool", f"slrwizard {export.tool_version}"))
    mode = "demo sandbox" if export.demo else "live AWS account"
    w(_row("Mode", mode + (" (read-only)" if export.read_only else "")))
    w(_row("Started", _t(export.started)))
    w(_row("Ended", f"{_t(export.ended)}: {export.end_state}"))
    if len(export.chain) > 1:
        w(_row("Sessions", " -> ".join(export.chain) + " (each resumed the one before)"))
    _outcome(export, w)
    _found(export, w)
    _confirmed(export, w)
    _done(export, w)
    _snapshots(export, w)
    if export.unreadable_lines:
        lines = ", ".join(str(n) for n in export.unreadable_lines)
        w(f"\n## Journal problems\n\nUnreadable journal lines (skipped): {lines}.\n")
    return "".join(out)


def _outcome(export: SessionExport, w: Writer) -> None:
    role = export.role
    w("\n## Outcome\n\n")
    if role.final_state == "SUCCEEDED":
        w(f"- Role AWSServiceRoleForRDS: **deleted** (task {role.task_id}).\n")
    elif role.final_state:
        w(f"- Role AWSServiceRoleForRDS: deletion **{role.final_state}**: {role.reason or ''}\n")
        if role.usage_regions:
            w(f"  - still used in: {', '.join(role.usage_regions)}\n")
    elif role.gone_confirmed_at:
        w(
            "- Role AWSServiceRoleForRDS: **deleted** (requested at "
            f"{_t(role.deletion_requested_at)}; found gone at {_t(role.gone_confirmed_at)}).\n"
        )
    elif role.refused:
        w(f"- Role AWSServiceRoleForRDS: deletion refused: {role.refused}\n")
    elif role.task_id:
        w(f"- Role AWSServiceRoleForRDS: deletion requested (task {role.task_id}), no end seen.\n")
    elif role.existed_at_start is False:
        w("- Role AWSServiceRoleForRDS: did not exist when the session started.\n")
    else:
        w("- Role AWSServiceRoleForRDS: not deleted by this session.\n")
    if len(role.attempts) > 1:
        w(f"- The role's deletion was requested {len(role.attempts)} times:\n")
        for n, attempt in enumerate(role.attempts, 1):
            w(f"  {n}. {_attempt_line(attempt)}\n")
    if role.created_at:
        w(f"- The role was re-created at {_t(role.created_at)}.\n")
    counts: dict[str, int] = {}
    for r in export.resources:
        counts[r.outcome] = counts.get(r.outcome, 0) + 1
    if counts:
        w("- Databases: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) + ".\n")
    for r in export.resources:
        if r.error:
            w(f"  - {r.resource}: {r.error}\n")


def _attempt_line(attempt: RoleAttemptEvidence) -> str:
    """One role deletion request, as a sentence: when, its task, and what AWS said."""
    text = f"{_t(attempt.requested_at)}: **{attempt.outcome}**"
    if attempt.task_id:
        text += f" (task {attempt.task_id})"
    if attempt.refused:
        text += f": {attempt.refused}"
    elif attempt.reason:
        text += f": {attempt.reason}"
    if attempt.usage_regions:
        text += f"; still used in {', '.join(attempt.usage_regions)}"
    if attempt.usage_resources:
        text += f" by {', '.join(attempt.usage_resources)}"
    return text


def _found(export: SessionExport, w: Writer) -> None:
    w("\n## What was found\n")
    for scan in export.scans:
        where = f" (session {scan.session_id})" if len(export.chain) > 1 else ""
        w(
            f"\n### {scan.purpose.capitalize()} at {_t(scan.at)}{where}: "
            f"{plural(scan.regions_scanned, 'region')} scanned, "
            f"{len(scan.incomplete)} incomplete\n\n"
        )
        for line in scan.incomplete:
            w(f"- not scanned: {line}\n")
        for line in scan.resources:
            w(f"- {line}\n")
        if not scan.resources:
            w("- no database (DB cluster or standalone instance) in the scanned regions\n")
        for line in scan.beside:
            w(f"- beside the databases: {line}\n")
        for line in scan.unchecked:
            w(f"- {line}\n")


def _confirmed(export: SessionExport, w: Writer) -> None:
    w("\n## What was confirmed\n\n")
    if not export.confirmations:
        w("Nothing was confirmed.\n")
    for i, c in enumerate(export.confirmations):
        typed = "typed the account ID, which matched" if c.typed_matched else "did not match"
        w("\n" if i else "")
        w(f"Confirmed by **{c.confirmed_by}** at {_t(c.at)} (session {c.session_id}; {typed}):\n\n")
        w(_row("resource", "kind", "final snapshot", "lift protection"))
        w("|---|---|---|---|\n")
        for ch in c.choices:
            snap = ch.final_snapshot_id or "**none (skipped on purpose)**"
            w(_row(ch.resource, ch.kind, snap, "yes" if ch.lift_protection else "no"))
    if export.refused_confirmations:
        mistyped = plural(export.refused_confirmations, "mistyped confirmation")
        w(f"\n{mistyped} changed nothing.\n")
    for a in export.unscanned_accepted:
        w(
            f"\n**{a.accepted_by}** accepted at {_t(a.at)} (session {a.session_id}) that these "
            "regions could not be scanned, so there only AWS's own check at the role's deletion "
            f"stood guard: {'; '.join(a.regions)}.\n"
        )


def _done(export: SessionExport, w: Writer) -> None:
    """Every changing call, the role's deletion requests among them, in the order they happened."""
    w("\n## AWS calls that change something\n\n")
    role = export.role
    if not export.calls and not role.attempts:
        w("None.\n")
        return
    w(_row("time", "session", "resource", "call", "status", "request id / note"))
    w("|---|---|---|---|---|---|\n")
    rows: list[tuple[datetime, str]] = []
    for c in export.calls:
        detail = c.request_id or c.note
        if c.error_code:
            detail = f"{c.error_code}: {c.note}"
        rows.append(
            (c.at, _row(_t(c.at), c.session_id, c.resource, c.description, c.status, detail))
        )
    for a in role.attempts:
        detail = a.refused or " ".join(
            part
            for part in (
                f"task {a.task_id}" if a.task_id else "",
                f"- {a.reason}" if a.reason else "",
                f"(still used in {', '.join(a.usage_regions)})" if a.usage_regions else "",
            )
            if part
        )
        rows.append(
            (
                a.requested_at,
                _row(
                    _t(a.requested_at),
                    a.session_id,
                    "AWSServiceRoleForRDS",
                    "DeleteServiceLinkedRole",
                    a.outcome,
                    detail,
                ),
            )
        )
    for _, row in sorted(rows, key=lambda pair: pair[0]):
        w(row)


def _snapshots(export: SessionExport, w: Writer) -> None:
    w("\n## Final snapshots\n\n")
    if not export.snapshots:
        w("No final snapshot was requested.\n")
        return
    live = export.live_verified_at is not None
    header = ["resource", "region", "snapshot", "verified by the session"]
    w(_row(*header, *(["live status"] if live else [])))
    w("|---|---|---|---|" + ("---|" if live else "") + "\n")
    for s in export.snapshots:
        session = f"{s.session_status} ({_t(s.verified_at)})" if s.verified_at else s.session_status
        w(_row(s.resource, s.region, s.snapshot_id, session, *([s.live_status] if live else [])))
    if live:
        w(f"\nRe-verified in the live account at {_t(export.live_verified_at)}.\n")
    else:
        w(
            "\nStatuses are those the session verified. `slrwizard journal export "
            f"{export.session_id} --verify` re-checks them in the live account.\n"
        )


def render_plan_markdown(export: PlanExport) -> str:
    """A read-only walkthrough's plan, for the ticket that asks approval before the deletion."""
    out: list[str] = [f"# slrwizard plan for approval (session {export.session_id})\n\n"]
    w = out.append
    w(
        "Prepared in read-only mode: **nothing was deleted or confirmed**. A writable "
        "walkthrough would make these calls, after the operator types the account ID.\n\n"
    )
    w("| | |\n|---|---|\n")
    w(_row("Account", export.account))
    w(_row("Caller", export.caller_arn))
    w(_row("Operator", ", ".join(export.operators)))
    w(_row("Tool", f"slrwizard {export.tool_version}"))
    w(_row("Mode", "demo sandbox" if export.demo else "live AWS account"))
    w(_row("Prepared", _t(export.prepared_at)))
    w("\n## What the scan found\n\n")
    for scan in export.scans:
        incomplete = f"; not covered: {'; '.join(scan.incomplete)}" if scan.incomplete else ""
        w(f"- {_t(scan.at)}: {scan.regions_scanned} regions scanned{incomplete}.\n")
    for a in export.unscanned_accepted:
        w(f"- {a.accepted_by} went on without: {'; '.join(a.regions)}.\n")
    w("\n## The choices\n\n")
    w(_row("resource", "kind", "final snapshot", "lift protection"))
    w("|---|---|---|---|\n")
    for r in export.resources:
        snap = r.final_snapshot_id or "**none (skipped on purpose)**"
        w(_row(r.resource, r.kind, snap, "yes" if r.lift_protection else "no"))
    w("\n## The calls, in order\n\n")
    w("Resources are deleted at the same time; each one's calls run in this order.\n")
    for number, r in enumerate(export.resources, start=1):
        w(f"\n{number}. **{r.resource}** ({r.kind})\n")
        for index, step in enumerate(r.steps, start=1):
            w(f"   {index}. {step}\n")
    return "".join(out)


def session_rows(view: JournalView) -> list[tuple[str, str, str, str, str]]:
    """``journal show``'s list: id, account, operator, started, state (oldest first)."""
    rows = []
    for s in sorted(view.sessions.values(), key=lambda s: s.started_at):
        state = s.state_label()
        later = view.resumed_by(s.session_id)
        if later:
            state += " -> resumed by " + ", ".join(x.session_id for x in later)
        if s.read_only:
            state += " (read-only)"
        rows.append((s.session_id, s.account or "?", s.operator, _t(s.started_at), state))
    return rows


def timeline(session: Session) -> list[str]:
    """One line per record of ``session``, for ``journal show SESSION``."""
    ordered = sorted(session.records, key=lambda r: r.at)  # threads may append slightly late
    return [f"{r.at:%Y-%m-%d %H:%M:%S}  {describe(r)}" for r in ordered]


def describe(record: Record) -> str:
    """One line saying what a record means."""
    if isinstance(record, SessionStarted):
        resumed = f", resuming {record.resumed_from}" if record.resumed_from else ""
        mode = " read-only" if record.read_only else ""
        demo = " (demo sandbox)" if record.caller.demo else ""
        return (
            f"session started{mode} by {record.operator} as {record.caller.arn} in account "
            f"{record.caller.account}{demo}{resumed}"
        )
    if isinstance(record, RoleInspected):
        role = record.inspection.role
        return f"role inspected: {'exists ' + role.arn if role else 'does not exist'}"
    if isinstance(record, ScanCompleted):
        scan = record.scan
        return (
            f"{record.purpose} completed: {plural(scan.resource_count, 'database')} in "
            f"{plural(len(scan.regions), 'region')}, {len(scan.incomplete_regions)} incomplete"
        )
    if isinstance(record, PlanConfirmed):
        return (
            f"plan confirmed by {record.confirmed_by} (typed text matched: "
            f"{record.typed_matched}): {plural(len(record.plan.resources), 'database')}"
        )
    if isinstance(record, ConfirmationRefused):
        return f"confirmation refused ({record.what}); nothing changed"
    if isinstance(record, StepRecord):
        text = f"{record.resource} step {record.index + 1}/{record.total} {record.status.value}: "
        text += record.step.description
        extra = record.error or record.note
        if record.request_id:
            extra = f"request id {record.request_id}" + (f"; {extra}" if extra else "")
        return text + (f" ({extra})" if extra else "")
    if isinstance(record, RoleDeletionRecord):
        if record.phase == "refused":
            return f"role deletion refused: {record.error}"
        if record.phase == "requested":
            return (
                f"role deletion requested (task {record.task_id})"
                if record.task_id
                else ("role deletion about to be requested")
            )
        state = record.status.state.value if record.status else "?"
        return f"role deletion task {record.task_id}: {state}"
    if isinstance(record, RoleCreationRequested):
        return "role creation about to be requested"
    if isinstance(record, RoleCreated):
        return f"role created: {record.arn}"
    if isinstance(record, UnscannedRegionsAccepted):
        return (
            f"{record.accepted_by} accepted that {plural(len(record.regions), 'region')} could "
            f"not be scanned (only AWS's own check guards them): {', '.join(record.regions)}"
        )
    if isinstance(record, SessionEnded):
        return f"session ended ({record.state}): {record.reason}"
    return record.kind  # pragma: no cover - every kind is handled above
