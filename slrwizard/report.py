"""``slrwizard report``: a read-only picture of the account, as a table, Markdown or JSON.

The JSON is the pydantic models' own serialisation, so it has the same fields as the journal.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from enum import Enum

from pydantic import BaseModel, ConfigDict

from slrwizard.domain.models import (
    Caller,
    RegionOutcome,
    RegionSource,
    RoleInspection,
    ScanResult,
)
from slrwizard.domain.ports import Gateway
from slrwizard.domain.words import english_list, plural
from slrwizard.exit_codes import ExitCode


class Verdict(str, Enum):
    DELETABLE = "deletable"
    BLOCKED = "blocked"
    UNKNOWN = "unknown"
    ABSENT = "absent"


class AccountReport(BaseModel):
    """Everything ``report`` shows."""

    model_config = ConfigDict(frozen=True)

    generated: datetime
    caller: Caller
    role: RoleInspection
    scan: ScanResult
    verdict: Verdict
    blockers: list[str]

    @property
    def exit_code(self) -> int:
        """0: every region scanned; 3: some region disabled, denied or failed."""
        return ExitCode.OK if self.scan.complete else ExitCode.INCOMPLETE


def collect(gateway: Gateway, regions: Sequence[str] | None = None) -> AccountReport:
    """Ask AWS everything the report needs; caller, role and regions are looked up side by side.

    Nothing here waits for an answer it does not need: the role, the region list (the scan's only
    prerequisite) and sts:GetCallerIdentity are asked for side by side, so the report costs the
    role's three round trips (GetRole, then Access Advisor's two), not six (benchmarks/scan.py).
    The caller is still checked before the scan starts, so bad credentials are reported as such,
    not as 30 failed regions.
    """
    started = datetime.now(timezone.utc)
    with ThreadPoolExecutor(max_workers=3, thread_name_prefix="report") as pool:
        # The role first: its chain (GetRole, then Access Advisor's two calls) is the report's
        # longest, and every region's listing competes with it for the CPU once they start.
        role_f = pool.submit(gateway.inspect_role)
        regions_f = None if regions else pool.submit(gateway.list_regions)
        caller_f = pool.submit(gateway.caller)
        caller = caller_f.result()
        if regions_f is None:
            targets, source, note = list(regions or []), RegionSource.USER, None
        else:
            region_list = regions_f.result()
            targets, source, note = region_list.regions, region_list.source, region_list.note
        scans = gateway.scan_regions(targets)
        role = role_f.result()
    scan = ScanResult(
        regions=sorted(scans, key=lambda r: r.region),
        region_source=source,
        region_note=note,
        started=started,
        finished=datetime.now(timezone.utc),
    )
    blockers = scan.blockers()
    if not role.exists:
        verdict = Verdict.ABSENT
    elif blockers:
        verdict = Verdict.BLOCKED
    elif not scan.complete:
        verdict = Verdict.UNKNOWN
        blockers = [
            f"region {r.region} was not scanned ({r.outcome.value}: {r.reason})"
            for r in scan.incomplete_regions
        ]
    else:
        verdict = Verdict.DELETABLE
    return AccountReport(
        generated=started, caller=caller, role=role, scan=scan, verdict=verdict, blockers=blockers
    )


def verdict_text(report: AccountReport) -> str:
    """The verdict in a sentence that claims only what the scan saw: a region it could not read
    is named as not scanned, never counted as empty."""
    scan = report.scan
    total = len(scan.regions)
    missing = [r.region for r in scan.incomplete_regions]
    if report.verdict is Verdict.ABSENT:
        return "The role does not exist in this account."
    if report.verdict is Verdict.BLOCKED:
        return "The role cannot be deleted yet: these databases keep it in use."
    if report.verdict is Verdict.UNKNOWN:
        return (
            f"No database found in {total - len(missing)} of {plural(total, 'region')}; "
            f"{english_list(missing)} not scanned, so the role may still be in use there."
        )
    return (
        "The role can be deleted now: no database (DB cluster or standalone instance) in any "
        f"of the {plural(total, 'region')}."
    )


def _fmt_time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "never"


def render_json(report: AccountReport) -> str:
    return report.model_dump_json(indent=2) + "\n"


def render_markdown(report: AccountReport) -> str:
    c, out = report.caller, io.StringIO()
    w = out.write
    w("# AWSServiceRoleForRDS: account report\n\n")
    w(f"- Generated: {_fmt_time(report.generated)}\n")
    w(f"- Account: `{c.account}`\n- Caller: `{c.arn}`\n")
    w(f"- Profile: {c.profile or '(default chain)'}; home region: {c.home_region}")
    w(" (demo sandbox)\n" if c.demo else "\n")
    if c.endpoint_url:
        w(f"- Endpoint: {c.endpoint_url}\n")
    w(f"\n## Verdict: {report.verdict.value}\n\n{verdict_text(report)}\n\n")
    for line in report.blockers:
        w(f"- {line}\n")
    w("\n## Role\n\n")
    role = report.role.role
    if role is None:
        w("The role `AWSServiceRoleForRDS` does not exist.\n")
    else:
        w("| field | value |\n|---|---|\n")
        rows = [
            ("ARN", f"`{role.arn}`"),
            ("Path", f"`{role.path}`"),
            ("Trusted service", ", ".join(role.trust_principals) or "-"),
            ("Attached policies", ", ".join(role.attached_policies) or "-"),
            ("Created", _fmt_time(role.created)),
            ("Last used", f"{_fmt_time(role.last_used)} {role.last_used_region or ''}".strip()),
            ("Description", role.description or "-"),
        ]
        for key, value in rows:
            w(f"| {key} | {value} |\n")
        if role.access_advisor:
            w("\nAccess Advisor:\n\n| service | last authenticated | region |\n|---|---|---|\n")
            for a in role.access_advisor:
                w(
                    f"| {a.service_name} | {_fmt_time(a.last_authenticated)} | "
                    f"{a.last_authenticated_region or '-'} |\n"
                )
        if role.access_advisor_note:
            w(f"\n_{role.access_advisor_note}_\n")
    scan = report.scan
    w(f"\n## Regions ({len(scan.regions)}, from {scan.region_source.value})\n\n")
    if scan.region_note:
        w(f"_{scan.region_note}_\n\n")
    w("| region | outcome | clusters | instances | note |\n|---|---|---|---|---|\n")
    for r in scan.regions:
        w(
            f"| {r.region} | {r.outcome.value} | {len(r.clusters)} | {len(r.instances)} | "
            f"{r.reason or ''} |\n"
        )
    w(f"\n## DB clusters ({len(scan.clusters)})\n\n")
    if scan.clusters:
        w(
            "| region | cluster | engine | status | instances | protection | global |\n"
            "|---|---|---|---|---|---|---|\n"
        )
        for cl in scan.clusters:
            members = ", ".join(
                f"{m.identifier} ({'writer' if m.is_writer else 'reader'})" for m in cl.members
            )
            glob = cl.global_cluster_id or "-"
            if cl.global_cluster_id:
                glob += " (primary)" if cl.global_cluster_primary else " (secondary)"
            w(
                f"| {cl.region} | {cl.identifier} | {cl.engine_label} {cl.engine_version} | "
                f"{cl.status} | {members or '-'} | {'on' if cl.deletion_protection else 'off'} "
                f"| {glob} |\n"
            )
    w(f"\n## Standalone DB instances ({len(scan.instances)})\n\n")
    if scan.instances:
        w("| region | instance | engine | class | status | protection |\n")
        w("|---|---|---|---|---|---|\n")
        for i in scan.instances:
            w(
                f"| {i.region} | {i.identifier} | {i.engine_label} {i.engine_version} | "
                f"{i.instance_class} | {i.status} | {'on' if i.deletion_protection else 'off'} |\n"
            )
    _markdown_beside(scan, w)
    return out.getvalue()


def _markdown_beside(scan: ScanResult, w: Callable[[str], object]) -> None:
    """What stands beside the databases, and the listings that could not be made."""
    w(f"\n## Beside the databases ({len(scan.related)})\n\n")
    if scan.related:
        w("| region | kind | identifier | attached to | status | for the role | the wizard |\n")
        w("|---|---|---|---|---|---|---|\n")
        for x in scan.related:
            attached = ", ".join([*x.attached_to, *(f"{g} (green)" for g in x.green)]) or "-"
            w(
                f"| {x.region} | {x.label} | {x.shown_name} | {attached} | {x.status} | "
                f"{x.role_effect} | {x.handling} |\n"
            )
    for line in scan.unchecked:
        w(f"- {line}\n")


def _table_beside(scan: ScanResult) -> list[str]:
    """One line per related resource and per listing not made (never cut: the terminal wraps)."""
    lines = [
        f"  {x.region}/{x.shown_name} ({x.label}, {x.status}"
        + (f", on {', '.join(x.attached_to)}" if x.attached_to else "")
        + f"): {x.role_effect} {x.handling}"
        for x in scan.related
    ]
    return lines + [f"  {line}" for line in scan.unchecked]


def render_table(report: AccountReport, width: int | None = None) -> str:
    """A terminal rendering with rich (which Textual already brings).

    ``width`` defaults to the terminal's (``COLUMNS``, else the terminal of standard output); a
    file or a pipe gets each row on one line. Identifiers, regions and ARNs are never cut: a
    table too wide for the terminal becomes one line per resource.
    """
    import shutil

    from rich import box
    from rich.console import Console
    from rich.measure import Measurement
    from rich.table import Table

    if width is None:
        # A terminal (or COLUMNS) sets the width; a file or a pipe gets every row on one line.
        to_terminal = sys.stdout.isatty() or "COLUMNS" in os.environ
        width = shutil.get_terminal_size((120, 24)).columns if to_terminal else 10_000
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=False, color_system=None)
    c = report.caller
    # soft_wrap: the terminal wraps these lines, so rich never cuts an ARN.
    console.print(
        f"Account {c.account}  caller {c.arn}  home region {c.home_region}", soft_wrap=True
    )
    role = report.role.role
    if role is None:
        console.print("Role AWSServiceRoleForRDS: absent")
    else:
        console.print(
            f"Role {role.arn}  trust {', '.join(role.trust_principals)}  "
            f"policies {', '.join(role.attached_policies)}  last used "
            f"{_fmt_time(role.last_used)} {role.last_used_region or ''}",
            soft_wrap=True,
        )
    regions = Table(
        title=f"Regions (from {report.scan.region_source.value})",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )
    regions.add_column("region", no_wrap=True)
    for col in ("outcome", "clusters", "instances", "note"):
        regions.add_column(col, overflow="fold")
    for r in report.scan.regions:
        regions.add_row(
            r.region, r.outcome.value, str(len(r.clusters)), str(len(r.instances)), r.reason or ""
        )
    console.print(regions, crop=False)  # a region's name and note are never cut
    columns = ("region", "kind", "identifier", "engine", "status", "members", "protected")
    rows = [
        (
            cl.region,
            "cluster",
            cl.identifier,
            cl.engine_label,
            cl.status,
            str(len(cl.members)),
            "yes" if cl.deletion_protection else "no",
            cl.global_cluster_id or "",
        )
        for cl in report.scan.clusters
    ] + [
        (
            i.region,
            "standalone instance",
            i.identifier,
            i.engine_label,
            i.status,
            "",
            "yes" if i.deletion_protection else "no",
            "",
        )
        for i in report.scan.instances
    ]
    title = "Resources that keep the role in use"
    resources = Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for col in (*columns, "global database"):
        resources.add_column(col, no_wrap=True)
    for row in rows:
        resources.add_row(*row)
    unbounded = console.options.update_width(10_000)  # the table's natural width
    if Measurement.get(console, unbounded, resources).maximum <= width:
        console.print(resources)
    elif rows:
        # Too narrow for a table whose cells are never cut: one line per resource, which the
        # terminal wraps (a name an operator may type elsewhere is never shortened).
        console.print(f"\n{title}:")
        for row in rows:
            facts = [
                f"{name} {value}"
                for name, value in zip(columns[3:], row[3:7], strict=True)
                if value
            ]
            if row[7]:
                facts.append(f"global database {row[7]}")
            console.print(f"  {row[0]}/{row[2]} ({row[1]}): {', '.join(facts)}", soft_wrap=True)
    beside = _table_beside(report.scan)
    if beside:
        console.print("\nBeside the databases:")
        for line in beside:
            console.print(line, soft_wrap=True)
    console.print(f"Verdict: {report.verdict.value}. {verdict_text(report)}")
    for line in report.blockers:
        console.print(f"  - {line}", soft_wrap=True)
    return buffer.getvalue()


RENDERERS = {"json": render_json, "markdown": render_markdown, "table": render_table}

__all__ = ["RENDERERS", "AccountReport", "RegionOutcome", "Verdict", "collect"]
