"""The one place that wires the program together: gateway, demo sandbox, journal, wizard.

The CLI calls these functions; the TUI and the report receive what they build and construct
nothing themselves. Heavy imports (boto3, moto) happen here, lazily, so ``--help`` stays fast.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slrwizard.aws.gateway import Boto3Gateway
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


@dataclass
class Wiring:
    """The collaborators a run needs; ``sandbox`` is set in demo mode only."""

    gateway: Boto3Gateway
    sandbox: Sandbox | None = None

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
    sandbox = Sandbox(time_scale=options.demo_speed, account_id=DEMO_ACCOUNT)
    sandbox.start()
    region = options.region or sandbox.home_region
    settings = GatewaySettings(
        region=region,
        demo=True,
        poll_seconds=max(0.05, min(1.0, options.demo_speed)),
        connect_timeout=2,
        read_timeout=10,
    )
    gateway = Boto3Gateway(settings, make_session(None, region))
    sandbox.install(gateway.events)
    sandbox.seed(gateway.client)
    return Wiring(gateway, sandbox)
