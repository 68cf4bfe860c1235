"""Keys an operator's hands already know do what they expect, on the in-memory fake account."""

from __future__ import annotations

from fakes import FakeAccount, FakeGateway

from slrwizard.exit_codes import ExitCode
from slrwizard.tui.app import WizardApp

from .helpers import fake_connect


def _gateway() -> FakeGateway:
    account = FakeAccount()
    account.add_role()
    account.add_cluster("eu-west-1", "orders", readers=1)
    return FakeGateway(account)


async def test_ctrl_c_quits_as_q_does_before_anything_changes() -> None:
    app = WizardApp(fake_connect(_gateway))
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.caller is not None  # connected: the start screen offers Begin
        await pilot.press("ctrl+c")
        await pilot.pause()
    assert app.return_code == ExitCode.INTERRUPTED
    assert app.wizard is not None and app.wizard.state == "aborted"
