"""The one place that wires the program together: gateway, demo sandbox, journal, wizard.

The CLI calls these functions; the TUI and the report receive what they build and construct
nothing themselves. Heavy imports (boto3, moto) happen here, lazily, so ``--help`` stays fast.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from slrwizard.aws.gateway import Boto3Gateway
    from slrwizard.domain.resume import PriorSession
    from slrwizard.domain.wizard import Wizard
    from slrwizard.sandbox import Sandbox

DEMO_ACCOUNT = "481516234201"


@dataclass
class Options:
    """What the command line asked for (shared by the wizard and the report)."""

    profile: str | None = None
    region: str | None = None
    regions: Sequence[str] | None = None
    demo: bool = False
    demo_speed: float = 1.0
    demo_late_arrival: bool = False
    """Demo only: a cluster appears during the role deletion, so AWS refuses it (the wizard)."""


@dataclass
class Wiring:
    """The collaborators a run needs; ``sandbox`` is set in demo mode only."""

    gateway: Boto3Gateway
    sandbox: Sandbox | None = None
    seed_client: Callable[[str, str], Any] | None = None
    """Demo mode: a boto3 client for ``(service, region)`` that may arrange the sandbox's account
    (create clusters, roles) behind the wizard's back, as a colleague or a CI job would."""
    journal_path: Path | None = None
    """Where this run's journal is written (set by :func:`connect_wizard`)."""

    def close(self) -> None:
        if self.sandbox is not None:
            self.sandbox.stop()


def build(options: Options) -> Wiring:
    """A gateway for the live account, or for the embedded demo sandbox.

    Raises:
        WizardError: unknown profile or another configuration problem, explained.
    """
    from slrwizard.aws.gateway import Boto3Gateway, GatewaySettings, make_session

    if not options.demo:
        settings = GatewaySettings(profile=options.profile, region=options.region)
        return Wiring(Boto3Gateway(settings))

    from slrwizard.sandbox import Sandbox

    # The demo is self-contained: the operator's profile and endpoint must not leak into it.
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"):
        os.environ.pop(name, None)
    sandbox = Sandbox(
        time_scale=options.demo_speed,
        account_id=DEMO_ACCOUNT,
        late_arrival=options.demo_late_arrival,
    )
    sandbox.start()
    region = options.region or sandbox.home_region
    settings = GatewaySettings(
        region=region,
        demo=True,
        early_listings=False,  # in-process: no round trip to save (aws/session.py)
        poll_seconds=max(0.05, min(1.0, options.demo_speed)),
        connect_timeout=2,
        read_timeout=10,
    )
    gateway = Boto3Gateway(settings, make_session(None, region))
    sandbox.install(gateway.events)
    # The seed arranges the sandbox's account (clusters, instances, the role) through the
    # gateway's own session and cached clients: they know every operation, and are made under
    # the gateway's lock (a boto3 session does not make clients thread-safely). Calls made on
    # them directly are not recorded as the gateway's actions.
    seed_client = gateway.client
    sandbox.seed(seed_client)
    return Wiring(gateway, sandbox, seed_client)


def connect_wizard(
    options: Options,
    *,
    read_only: bool = False,
    journal_path: Path | None = None,
    on_unfinished: Callable[[PriorSession], bool] | None = None,
) -> tuple[Wizard, Wiring]:
    """Build the gateway, open the journal, identify the caller: a wizard ready for step 1.

    The journal (``journal_path``, default :func:`slrwizard.paths.default_journal`) is opened
    before AWS is touched, so an unwritable journal stops the run before anything happens; the
    wizard's records then reach it synchronously. If ``on_unfinished`` is given and the journal
    holds an unfinished session of the caller's account, it is called with that session
    (from this thread: a UI shows the summary and blocks until the operator chooses); True makes
    the new session resume it (``SessionStarted.resumed_from``), see
    :mod:`slrwizard.domain.resume` for the walkthrough that follows.

    Blocks (STS, and moto's start-up in demo mode): call it from a worker thread.

    Raises:
        JournalError: the journal cannot be written.
        WizardError: no credentials, unknown profile and the like, explained.
    """
    from slrwizard.domain.wizard import Wizard
    from slrwizard.journal.resume import find_unfinished
    from slrwizard.journal.store import Journal
    from slrwizard.paths import default_journal

    journal = Journal(journal_path or default_journal()).open()
    wiring = build(options)
    wiring.journal_path = journal.path
    try:
        journal.add_secrets(_credential_values(wiring.gateway))
        resumed_from = None
        if on_unfinished is not None and not read_only:
            caller = wiring.gateway.caller()
            prior = find_unfinished(journal.path, caller.account, demo=caller.demo)
            if prior is not None and on_unfinished(prior):
                resumed_from = prior.session_id
        wizard = Wizard(
            wiring.gateway,
            regions=options.regions,
            read_only=read_only,
            listeners=[journal.append],
        )
        wizard.start(resumed_from=resumed_from)
    except BaseException:
        wiring.close()
        raise
    return wizard, wiring


def _credential_values(gateway: Boto3Gateway) -> list[str]:
    """The session's key id, secret and token: the journal blanks them if they ever show up."""
    try:
        credentials = gateway.session.get_credentials()
        if credentials is None:
            return []
        frozen = credentials.get_frozen_credentials()
    except Exception:  # unresolvable credentials: the STS call that follows explains why
        return []
    return [v for v in (frozen.access_key, frozen.secret_key, frozen.token) if v]
