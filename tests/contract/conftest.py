"""Two implementations of the Gateway port, each with a way to arrange its account.

``fake``: :class:`fakes.FakeGateway`, arranged by writing its :class:`fakes.FakeAccount`.
``boto3``: the real :class:`Boto3Gateway` on the demo sandbox (moto plus the AWS behaviours moto
lacks: role deletion tasks that fail while resources remain, statuses that pass through
``deleting``), instant (``time_scale=0``), arranged through a plain boto3 client on the same
sandbox, the way someone else would change the account.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from backends import Arrange, Boto3Arrange, FakeArrange, new_session
from fakes import ACCOUNT, FakeAccount, FakeGateway

from slrwizard.domain.ports import Gateway


@pytest.fixture(params=["fake", "boto3"])
def backend(request: pytest.FixtureRequest) -> Iterator[tuple[Gateway, Arrange]]:
    """A gateway and its arranger: the in-memory fake, or boto3 on the demo sandbox."""
    if request.param == "fake":
        account = FakeAccount(account=ACCOUNT)
        yield FakeGateway(account), FakeArrange(account)
        return
    from slrwizard.aws.gateway import Boto3Gateway, GatewaySettings
    from slrwizard.sandbox import Sandbox

    box = Sandbox(time_scale=0, account_id=ACCOUNT)
    box.start()
    try:
        settings = GatewaySettings(
            region="us-east-1",
            demo=True,
            early_listings=False,  # not part of the contract (test_engine_gateway has them)
            poll_seconds=0.01,
            max_attempts=3,
            wait_timeout=5,
        )
        gateway = Boto3Gateway(settings, new_session())
        box.install(gateway.events)
        seeding = new_session()
        box.install(seeding.events)
        yield gateway, Boto3Arrange(seeding, gateway, box)
        gateway.settle()
    finally:
        box.stop()
