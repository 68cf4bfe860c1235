"""Regions the scan cannot cover, resuming an interrupted walkthrough, snapshots AWS forbids."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from slrwizard.bootstrap import Options, Wiring, connect_wizard
from slrwizard.domain.wizard import Wizard
from slrwizard.tui.app import WizardApp
from slrwizard.tui.clock import FrozenClock

from .helpers import (
    FROZEN,
    confirm_typed,
    deletions_settled,
    on_screen,
    snapshot_input,
    tick,
    to_plan,
    to_progress,
    to_scan,
    until,
)


def _app(connect: Callable[[], tuple[Wizard, Wiring]]) -> WizardApp:
    return WizardApp(connect, demo=True, clock=FrozenClock(FROZEN))


@pytest.mark.shared_demo
async def test_going_on_without_a_denied_region_is_its_own_choice(
    make_app: Callable[..., WizardApp],
) -> None:
    """sa-east-1 is denied by an SCP: going on needs an explicit answer, No by default."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await to_scan(pilot)
        assert app.session.unaccepted_regions == ["sa-east-1"]
        await pilot.press("n")
        dialog = await on_screen(pilot, "ConfirmDialog")
        assert "sa-east-1" in dialog._body  # type: ignore[attr-defined]
        await pilot.press("enter")  # "Stay here"
        await on_screen(pilot, "ScanScreen")
        assert app.session.unaccepted_regions == ["sa-east-1"]
        await pilot.press("n")
        await on_screen(pilot, "ConfirmDialog")
        await pilot.press("tab", "enter")
        await on_screen(pilot, "PlanScreen")
        assert app.session.unaccepted_regions == []


async def test_an_interrupted_walkthrough_can_be_resumed(tmp_path: Any) -> None:
    """Quit mid-deletion, start again: the app offers to resume and keeps the chosen names."""
    from functools import partial

    from slrwizard.domain.resume import PriorSession

    journal = tmp_path / "journal.jsonl"
    wirings: list[Wiring] = []

    def make(speed: float) -> WizardApp:
        app: WizardApp | None = None

        def ask(prior: PriorSession) -> bool:
            assert app is not None
            return app.ask_resume(prior)

        def connect() -> tuple[Wizard, Wiring]:
            wizard, wiring = partial(
                connect_wizard,
                Options(demo=True, demo_speed=speed),
                journal_path=journal,
                on_unfinished=ask,
            )()
            wirings.append(wiring)
            return wizard, wiring

        app = _app(connect)
        return app

    try:
        first = make(1.0)
        async with first.run_test(size=(100, 30)) as pilot:
            await to_plan(pilot)
            snapshot_input(pilot, "us-west-2/session-cache-old").value = "keep-this-name"
            await tick(pilot, "us-east-1/orders-prod", "lift")
            await tick(pilot, "ap-southeast-2/crm-mysql", "lift")
            await pilot.press("ctrl+n")
            await on_screen(pilot, "ReviewScreen")
            await pilot.press("d")
            await confirm_typed(pilot, first.session.account)
            await on_screen(pilot, "ProgressScreen")
            await until(pilot, lambda: first.changing, "deleting")
            await pilot.press("q")
            await on_screen(pilot, "ConfirmDialog")
            await pilot.press("tab", "enter")
            await until(pilot, lambda: first.return_code is not None, "exit", timeout=60)
        for wiring in wirings:
            wiring.close()

        second = make(0.0)
        async with second.run_test(size=(100, 30)) as pilot:
            dialog = await on_screen(pilot, "ConfirmDialog")
            assert "did not finish" in dialog._body  # type: ignore[attr-defined]
            await pilot.press("enter")  # "Resume it" is the suggested answer here
            await until(pilot, lambda: second.caller is not None, "connected")
            assert second.prior is not None
            await to_plan(pilot)
            assert snapshot_input(pilot, "us-west-2/session-cache-old").value == "keep-this-name"
            note = str(second.screen.query_one(".warning").render())
            assert note.startswith("Resumed:")
    finally:
        for wiring in wirings:
            wiring.close()


async def test_no_final_snapshot_is_offered_where_aws_allows_none() -> None:
    """A read replica cannot have a final snapshot: the skip is ticked, locked and explained."""
    from textual.app import App, ComposeResult

    from slrwizard.domain.models import Instance
    from slrwizard.tui.summary import Draft
    from slrwizard.tui.widgets.choice import NO_SNAPSHOT, ResourceChoice

    replica = Instance(
        region="eu-west-1",
        identifier="reports-replica",
        arn="arn:aws:rds:eu-west-1:123456789012:db:reports-replica",
        engine="postgres",
        status="available",
        read_replica_source="reports",
    )

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield ResourceChoice(replica, Draft(snapshot="", skip=True))

    host = Host()
    async with host.run_test() as pilot:
        await pilot.pause()
        card = host.query_one(ResourceChoice)
        assert card.query_one("Checkbox.skip").disabled
        assert str(card.query_one(".skip-warning").render()) == NO_SNAPSHOT
        entry = card.resource_plan()
        assert (
            entry is not None and entry.skip_final_snapshot and entry.problem is None
            if hasattr(entry, "problem")
            else True
        )


async def test_a_region_lost_at_the_rescan_needs_its_own_acceptance(
    make_app: Callable[..., WizardApp],
) -> None:
    """The re-scan found nothing, but a region it could not read must be accepted again."""
    from slrwizard.sandbox.calls import fail

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await to_progress(pilot)
        await deletions_settled(pilot)
        gateway = app.wiring.gateway  # type: ignore[union-attr]

        def refuse(**_: Any) -> object:
            return fail("AccessDenied", "explicit deny in a service control policy", 403)

        events = gateway.client("rds", "ca-central-1").meta.events
        events.register_first("before-call.rds.DescribeDBClusters", refuse)
        await pilot.press("n")
        role = await on_screen(pilot, "RoleScreen")
        await until(pilot, lambda: role.phase == "unscanned", "unscanned")  # type: ignore[attr-defined]
        assert app.session.unaccepted_regions == ["ca-central-1"]
        assert app.session.state == "reviewing"
        await pilot.press("a")
        await on_screen(pilot, "ConfirmDialog")
        await pilot.press("tab", "enter")
        await until(pilot, lambda: role.phase == "ready", "ready")  # type: ignore[attr-defined]
        assert app.session.state == "deleting_role"
