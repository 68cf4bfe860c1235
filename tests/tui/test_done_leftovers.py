"""The Done screen names a global database left behind (its primary deleted, AWS refused the
global database itself), on the in-memory fake account."""

from __future__ import annotations

from fakes import FakeAccount, FakeGateway
from textual.widgets import DataTable

from slrwizard.domain import errors as e
from slrwizard.domain.plan import StepKind
from slrwizard.tui.app import WizardApp

from .helpers import confirm_typed, fake_connect, on_screen, settle, until

EU = "eu-west-1"


def _gateway() -> FakeGateway:
    account = FakeAccount()
    account.add_role()
    account.add_cluster(EU, "pay", global_id="pay-global")  # a global database of one
    account.add_instance(EU, "solo")
    account.refuse(
        StepKind.DELETE_GLOBAL_CLUSTER.value,
        e.AccessDeniedError(
            "Access denied: rds:DeleteGlobalCluster", action="rds:DeleteGlobalCluster"
        ),
    )
    return FakeGateway(account)


async def test_a_global_database_left_behind_has_its_own_row_and_note() -> None:
    app = WizardApp(fake_connect(_gateway))
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: app.caller is not None, "connected")
        await pilot.press("n")
        await on_screen(pilot, "InspectScreen")
        await settle(pilot)
        await pilot.press("n")
        scan = await on_screen(pilot, "ScanScreen")
        await until(pilot, lambda: getattr(scan, "result", None) is not None, "scan")
        await settle(pilot)
        await pilot.press("n")
        await on_screen(pilot, "PlanScreen")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await on_screen(pilot, "ReviewScreen")
        await pilot.press("d")
        await confirm_typed(pilot, app.session.account)
        await on_screen(pilot, "ProgressScreen")
        key = f"{EU}/pay"
        await until(
            pilot, lambda: app.session.progress[key].state.value == "failed", "global refused"
        )
        await until(pilot, lambda: app.session.progress[f"{EU}/solo"].finished, "solo deleted")
        await settle(pilot)
        await pilot.press("x")  # leave it as it is
        await settle(pilot)
        await pilot.press("n")
        role = await on_screen(pilot, "RoleScreen")
        await until(pilot, lambda: getattr(role, "phase", "") == "ready", "clean re-scan")
        await pilot.press("d")
        await confirm_typed(pilot, app.session.account)
        done = await on_screen(pilot, "DoneScreen")

        table = done.query_one("#outcomes", DataTable)
        rows = {str(table.get_row_at(i)[1]): str(table.get_row_at(i)[2]) for i in range(3)}
        assert table.row_count == 3
        assert rows == {
            "pay": "deleted",
            "solo": "deleted",
            "pay-global (global database)": "left behind",
        }
        notes = str(done.query_one("#done-notes").render())
        assert "global database pay-global" in notes and "delete-global-cluster" in notes
        headline = str(done.query_one("#done-headline").render())
        assert "2 databases deleted" in headline
