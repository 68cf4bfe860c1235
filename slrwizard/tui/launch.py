"""Start the terminal UI: wire the session's ``connect``, run the app, close what it opened.

``connect`` is ``connect_wizard`` with the command line's options. It runs in the app's first
worker; if the journal holds an unfinished walkthrough of the same account, it asks the app
(``on_unfinished``) whether to resume it, and the app shows the journal's summary.

SIGTERM and SIGHUP (a dropped SSH session) end the session in the journal before the app exits:
running deletions stop after their current AWS call, the wizard records the abort.

Exit codes (returned to ``slrwizard.cli``):

- ``0``: the walkthrough finished: the role was deleted, or it did not exist.
- ``1``: the session could not start (credentials, configuration, journal), or an unexpected
  failure.
- ``130``: the operator quit before the end (mid-deletion only after confirming; each resource
  stops after its current AWS call and the journal records where); 129/143 after SIGHUP/SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
from typing import TYPE_CHECKING

from slrwizard.collector import freeze_loaded
from slrwizard.exit_codes import ExitCode

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from slrwizard.bootstrap import Options, Wiring
    from slrwizard.domain.resume import PriorSession
    from slrwizard.domain.wizard import Wizard
    from slrwizard.tui.app import WizardApp


def launch(
    options: Options,
    args: argparse.Namespace,
    connect_wizard: Callable[..., tuple[Wizard, Wiring]],
) -> int:
    """Run the wizard's UI for ``options``; returns the process exit code.

    ``connect_wizard`` is :func:`slrwizard.bootstrap.connect_wizard`, handed down by the CLI (the
    wiring sits above the UI, which never builds a gateway itself).
    """
    from slrwizard.journal import signals
    from slrwizard.tui.app import WizardApp

    read_only = bool(getattr(args, "read_only", False))
    app: WizardApp | None = None

    def on_unfinished(prior: PriorSession) -> bool:
        # Called from the connect worker once the app runs, so ``app`` is bound by then.
        return app.ask_resume(prior) if app is not None else False

    journal_path = getattr(args, "journal", None)
    # The demo's sandbox is born anew each run, so an earlier demo walkthrough has nothing to
    # resume: offer it only when the operator points --journal at one on purpose (a rehearsal).
    offer_resume = not options.demo or journal_path is not None
    connect = functools.partial(
        connect_wizard,
        options,
        read_only=read_only,
        journal_path=journal_path,
        on_unfinished=on_unfinished if offer_resume else None,
    )
    app = WizardApp(
        connect,
        presenter=bool(getattr(args, "presenter", False)),
        read_only=read_only,
        demo=bool(getattr(args, "demo", False)),
    )
    # Textual and the first screen are loaded by now and stay (slrwizard.collector); boto3 and
    # moto load later, in the worker.
    freeze_loaded()
    ender = signals.end_session_on_signal(
        lambda: app.wizard if app is not None else None,
        then=functools.partial(_exit_from_signal, app),
    )
    try:
        with signals.install(ender, ("SIGTERM", "SIGHUP")):
            code = app.run()
    finally:
        if app.wiring is not None:
            app.wiring.close()
    final = code if isinstance(code, int) else (app.return_code or ExitCode.FAILURE)
    journal = app.wiring.journal_path if app.wiring is not None else None
    for line in farewell(app.wizard, int(final), journal, demo=options.demo):
        print(line)
    return final


def farewell(wizard: Wizard | None, code: int, journal: Path | None, *, demo: bool) -> list[str]:
    """The two or three lines left on the terminal once the full screen is gone.

    Whoever scrolls back (or reads a screen share's recording) sees how the walkthrough ended,
    which session recorded it, where its report comes from, and how to go on.
    """
    if wizard is None:
        return [f"slrwizard: ended before a session started (exit {code})."]
    session = wizard.session_id
    # A read-only walkthrough finished on purpose ends with 0 in any state (it changed nothing).
    finished = wizard.state == "done" or (wizard.read_only and code == ExitCode.OK)
    if finished and wizard.read_only:
        outcome = "finished (read-only): nothing was changed"
    elif wizard.state == "done" and wizard.role_deletion_succeeded:
        outcome = "done: AWSServiceRoleForRDS is deleted"
    elif wizard.state == "done":
        outcome = "done: AWSServiceRoleForRDS was not there to delete"
    else:
        outcome = f"stopped before the end (exit {code}); nothing more will change"
    lines = [f"slrwizard: {outcome}. Session {session}."]
    from slrwizard.paths import default_journal

    where = f" --journal {journal}" if journal is not None and journal != default_journal() else ""
    lines.append(f"Report: slrwizard{where} journal export {session} --format markdown")
    if not finished:
        if demo:
            lines.append("The demo sandbox ended with this process: a new demo starts afresh.")
        else:
            lines.append("To resume: run slrwizard again for this account; it offers the session.")
    return lines


def _exit_from_signal(app: WizardApp, name: str) -> None:
    """Ask the app to exit from a signal handler: through the loop, never inside it."""
    from slrwizard.journal.signals import exit_code

    code = exit_code(name)
    try:
        loop = asyncio.get_event_loop()
    except RuntimeError:  # no loop any more: the app has already finished
        return
    loop.call_soon_threadsafe(app.finish, code)
