"""``slrwizard journal show [SESSION]`` and ``slrwizard journal export SESSION``.

``show`` lists the sessions of the journal (or one session's timeline); ``export`` writes the
change ticket's report. Both read the journal only, except ``export --verify``, which asks the
live account whether each final snapshot is still ``available``: that needs AWS credentials for
the session's account. A ``--demo`` session cannot be re-verified (its sandbox died with it).

Exit codes: 0 done; 1 the journal cannot be read, AWS cannot be asked, or ``--verify`` found a
snapshot that is not ``available``; 2 no such session, or an option that makes no sense here.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from slrwizard.domain import errors as e
from slrwizard.exit_codes import ExitCode
from slrwizard.journal.export import SessionExport, build_export, verify_live
from slrwizard.journal.render import render_markdown, session_rows, timeline
from slrwizard.journal.sessions import SessionNotFoundError, load
from slrwizard.paths import default_journal, write_private

if TYPE_CHECKING:
    from collections.abc import Callable

    from slrwizard.bootstrap import Wiring
    from slrwizard.domain.ports import Gateway

    Build = Callable[[], Wiring]


def run(args: argparse.Namespace, build: Build) -> int:
    """Carry out ``journal show`` or ``journal export`` as parsed by :mod:`slrwizard.cli`.

    ``build`` wires a gateway for ``--verify`` with the command line's profile and region
    (``slrwizard.bootstrap.build``, handed down by the CLI: the wiring sits above this module).
    """
    path: Path = getattr(args, "journal", None) or default_journal()
    try:
        if args.journal_command == "show":
            return _show(path, getattr(args, "session", None))
        return _export(path, args, build)
    except SessionNotFoundError as exc:
        _err(f"slrwizard: {exc}\n  `slrwizard journal show` lists the sessions of {path}.")
        return ExitCode.USAGE


def _err(text: str) -> None:
    print(text, file=sys.stderr)


def _show(path: Path, session_ref: str | None) -> int:
    view = load(path)
    if session_ref is None:
        if not view.sessions:
            print(f"No sessions in {path} yet.")
            return ExitCode.OK
        rows = [("SESSION", "ACCOUNT", "OPERATOR", "STARTED", "STATE"), *session_rows(view)]
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        for row in rows:
            print("  ".join(c.ljust(widths[i]) for i, c in enumerate(row[:4])) + "  " + row[4])
    else:
        session = view.get(session_ref)
        print(f"Session {session.session_id} ({session.state_label()}), from {path}:")
        for line in timeline(session):
            print(f"  {line}")
    if view.unreadable:
        _err(f"slrwizard: skipped unreadable journal line(s): {view.unreadable}")
    return ExitCode.OK


def _export(path: Path, args: argparse.Namespace, build: Build) -> int:
    view = load(path)
    export = build_export(view, view.get(args.session))
    code = ExitCode.OK
    if args.verify:
        problem = _cannot_verify(export, args)
        if problem:
            _err(f"slrwizard: {problem}")
            return ExitCode.USAGE
        export = _verify(export, args, build)
        bad = [s for s in export.snapshots if s.live_status != "available"]
        for snap in bad:
            _err(f"slrwizard: final snapshot {snap.snapshot_id} is {snap.live_status}")
        code = ExitCode.FAILURE if bad else ExitCode.OK
    text = (
        render_markdown(export)
        if args.format == "markdown"
        else export.model_dump_json(indent=2) + "\n"
    )
    output: Path | None = getattr(args, "output", None)
    if output is None:
        sys.stdout.write(text)
    else:
        _err(f"Wrote {write_private(output, text)} (readable by you only, as the journal is)")
    return code


def _cannot_verify(export: SessionExport, args: argparse.Namespace) -> str | None:
    if getattr(args, "demo", False) or export.demo:
        return (
            "--verify checks the final snapshots in the live AWS account; the demo sandbox "
            "died with its process, so a demo session has nothing left to verify. Export "
            "without --verify to see what the session itself verified."
        )
    if not export.account:
        return "The session has no start record, so its account is unknown: cannot verify."
    return None


def _verify(export: SessionExport, args: argparse.Namespace, build: Build) -> SessionExport:
    """Ask the live account, with the credentials in use, about every final snapshot.

    Raises:
        WizardError: no credentials, or they belong to another account.
    """
    wiring = build()
    try:
        return _verify_with(export, wiring.gateway)
    finally:
        wiring.close()


def _verify_with(export: SessionExport, gateway: Gateway) -> SessionExport:
    caller = gateway.caller()
    if caller.account != export.account:
        raise e.ConfigurationError(
            f"These credentials are for account {caller.account}, but session "
            f"{export.session_id} ran in account {export.account}.",
            hint="Use a profile for the session's account (--profile) to verify its snapshots.",
            code="WrongAccount",
        )

    def lookup(region: str, snapshot_id: str, cluster: bool) -> str:
        return gateway.snapshot_status(region, snapshot_id, cluster) or "missing"

    return verify_live(export, lookup)
