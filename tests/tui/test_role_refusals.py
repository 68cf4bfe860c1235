"""Step 4 when AWS refuses the role for something a scan cannot find: no loop back to step 2.

The account is the in-memory fake (tests/fakes); AWS's refusal is what a FAILED deletion task
answers on a real account: a RoleUsageList naming an RDS Proxy, or naming nothing while a session
of the role is still active.
"""

from __future__ import annotations

from typing import Any

import pytest
from fakes import ACCOUNT, FakeAccount, FakeGateway
from textual.widgets import Static

from slrwizard.domain.models import RoleDeletionState, RoleDeletionStatus, RoleUsage
from slrwizard.tui.app import WizardApp
from slrwizard.tui.screens import role as role_screen

from .helpers import confirm_typed, fake_connect, on_screen, until

PROXY = f"arn:aws:rds:eu-west-1:{ACCOUNT}:db-proxy:prx-0123456789abcdef0"


class RefusingOnce(FakeGateway):
    """The fake account, whose first role deletion task ends FAILED with ``usage``."""

    def __init__(self, account: FakeAccount, usage: list[RoleUsage]) -> None:
        super().__init__(account)
        self.refusals = 1
        self.usage = usage

    def role_deletion_status(self, task_id: str) -> RoleDeletionStatus:
        if self.refusals:
            self.refusals -= 1
            return RoleDeletionStatus(
                task_id=task_id,
                state=RoleDeletionState.FAILED,
                reason="The role is still in use.",
                usage=self.usage,
            )
        return super().role_deletion_status(task_id)


def _app(usage: list[RoleUsage]) -> WizardApp:
    account = FakeAccount()
    account.add_role()
    return WizardApp(fake_connect(lambda: RefusingOnce(account, usage)))


async def _refused(pilot: Any) -> str:
    """Walk to step 4 (nothing to delete), confirm the role's deletion; the screen's text."""
    app = pilot.app
    await until(pilot, lambda: app.caller is not None, "connected")
    await pilot.press("n")
    await on_screen(pilot, "InspectScreen")
    # Step 1, then step 2 finds nothing in the one region: n goes on to step 4.
    for _ in range(100):
        if type(app.screen).__name__ == "RoleScreen":
            break
        if app.wizard is not None and app.wizard.inspection is not None:
            await pilot.press("n")
        await pilot.pause(0.1)
    screen = await on_screen(pilot, "RoleScreen")
    await until(pilot, lambda: screen.phase == "ready", "ready to delete")
    await pilot.press("d")
    await confirm_typed(pilot, ACCOUNT)
    await until(pilot, lambda: screen.phase == "failed", "AWS's refusal")
    return _text(pilot)


def _text(pilot: Any) -> str:
    return "\n".join(str(w.render()) for w in pilot.app.screen.query(Static))


async def test_a_proxy_is_named_with_its_command_and_b_does_not_loop_back() -> None:
    app = _app([RoleUsage(region="eu-west-1", resources=[PROXY])])
    async with app.run_test(size=(120, 40)) as pilot:
        text = await _refused(pilot)
        assert "RDS Proxy prx-0123456789abcdef0 in eu-west-1" in text
        assert "aws rds delete-db-proxy --region eu-west-1" in text
        assert "back to step 2" not in text
        await pilot.press("b")  # no way back to a scan that cannot find a proxy
        await pilot.pause()
        assert type(app.screen).__name__ == "RoleScreen"
        await pilot.press("t")  # the proxy was removed: ask AWS again
        await on_screen(pilot, "DoneScreen")
    assert app.wizard is not None and app.wizard.state == "done"


async def test_an_empty_usage_list_waits_for_the_session_then_tries_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(role_screen, "WAIT_BEFORE_RETRY", 2)
    app = _app([])
    async with app.run_test(size=(120, 40)) as pilot:
        text = await _refused(pilot)
        assert "a session of the role is still active" in text
        await pilot.press("t")
        await pilot.pause()
        assert "Trying again in" in _text(pilot)
        await on_screen(pilot, "DoneScreen")
    assert app.wizard is not None and app.wizard.role_deletion_succeeded
