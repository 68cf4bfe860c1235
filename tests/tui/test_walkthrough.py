"""The whole walkthrough on the demo sandbox, driven by the keyboard as an operator would."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Button, Input

from slrwizard.domain.models import ROLE_NAME
from slrwizard.exit_codes import ExitCode
from slrwizard.tui.app import WizardApp
from slrwizard.tui.screens.start import StartScreen

from .helpers import (
    actions,
    confirm_typed,
    deletions_settled,
    mutating,
    on_screen,
    settle,
    snapshot_input,
    to_plan,
    to_review,
    to_role,
    until,
)


@pytest.mark.shared_demo
async def test_first_frame_paints_before_aws_answers(make_app: Callable[..., WizardApp]) -> None:
    """The start screen explains the four steps while ``connect`` is still blocked."""
    release = threading.Event()
    app = make_app()
    connect = app._connect

    def slow_connect() -> object:
        release.wait(10)
        return connect()

    app._connect = slow_connect  # type: ignore[assignment]
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StartScreen)
        assert not screen.query("#begin")  # nothing to begin yet: no button to press
        assert "Connecting to AWS" in str(screen.query_one("#connecting").render())
        await pilot.press("n")  # refused politely
        assert isinstance(app.screen, StartScreen)
        release.set()
        await until(pilot, lambda: app.caller is not None, "connected")
        await pilot.pause()
        begin = screen.query_one("#begin", Button)
        assert not begin.disabled and begin.has_focus
        assert not screen.query_one("#connecting").display


async def test_full_walkthrough(
    make_app: Callable[..., WizardApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every step in order; a wrong typed confirmation is refused and deletes nothing."""
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await to_review(pilot)
        wizard = app.session
        assert wizard.state == "confirming"

        # A wrong account ID: explained, nothing changed, the operator may try again.
        await pilot.press("d")
        await confirm_typed(pilot, "123456789012")
        await on_screen(pilot, "ErrorDialog")
        assert "does not match" in app.screen._explanation  # type: ignore[attr-defined]
        assert wizard.state == "confirming"
        assert not mutating(pilot), "a refused confirmation must not change AWS"
        gateway = app.wiring.gateway  # type: ignore[union-attr]
        still_there = gateway.client("rds", "us-east-1").describe_db_clusters()["DBClusters"]
        assert {c["DBClusterIdentifier"] for c in still_there} >= {"orders-prod"}
        await pilot.press("escape")
        await on_screen(pilot, "ReviewScreen")

        # Cancel is the default: Enter on the dialog answers No.
        await pilot.press("d")
        await on_screen(pilot, "TypedConfirmDialog")
        await pilot.press("enter")
        await on_screen(pilot, "ReviewScreen")
        assert wizard.state == "confirming"

        await pilot.press("d")
        await confirm_typed(pilot, wizard.account)
        await on_screen(pilot, "ProgressScreen")
        await deletions_settled(pilot)
        assert all(p.finished for p in wizard.progress.values())
        await pilot.press("n")
        role = await on_screen(pilot, "RoleScreen")
        await until(pilot, lambda: role.phase == "ready", "clean re-scan")  # type: ignore[attr-defined]
        assert wizard.state == "deleting_role"

        await pilot.press("d")
        await confirm_typed(pilot, wizard.account)
        done = await on_screen(pilot, "DoneScreen")
        assert wizard.state == "done"
        headline = str(done.query_one("#done-headline").render())
        assert f"{ROLE_NAME} was deleted" in headline
        kept = [o.snapshot for o in app.outcomes if o.snapshot]
        # 15 databases, of which two are read replicas (no final snapshot: AWS refuses one)
        assert len(kept) == 13 and all("-final-20261128-0200" in s for s in kept)
        assert "iam:DeleteServiceLinkedRole" in actions(pilot)
        await pilot.press("e")  # the change-ticket report, from the journal
        report = tmp_path / f"slrwizard-{wizard.session_id}.md"
        assert report.exists()
        assert "AWSServiceRoleForRDS" in report.read_text(encoding="utf-8")
        await pilot.press("enter")
    assert app.return_code == ExitCode.OK


@pytest.mark.shared_demo
async def test_choices_survive_the_review_and_the_scan(
    make_app: Callable[..., WizardApp],
) -> None:
    """Back from the review, then back to the scan and forward again: the choices are as left."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await to_review(pilot)
        await pilot.press("escape")
        await on_screen(pilot, "PlanScreen")
        await settle(pilot)
        box = snapshot_input(pilot, "us-east-1/orders-prod")
        box.focus()
        await pilot.press("end", *"-by-hand")
        await pilot.pause()
        typed = box.value
        assert typed.endswith("-final-20261128-0200-by-hand")
        await pilot.click("#back")
        await on_screen(pilot, "ScanScreen")
        await pilot.press("n")  # sa-east-1 was accepted on the way in: no question this time
        await on_screen(pilot, "PlanScreen")
        assert snapshot_input(pilot, "us-east-1/orders-prod").value == typed
        await pilot.press("ctrl+n")
        await on_screen(pilot, "ReviewScreen")
        await settle(pilot)
        plan = app.session.plan  # the plan the wizard took for confirmation
        assert plan is not None
        kept = {r.key: r.final_snapshot_id for r in plan.resources}
        assert kept["us-east-1/orders-prod"] == typed


@pytest.mark.shared_demo
async def test_snapshot_skip_needs_its_own_choice(make_app: Callable[..., WizardApp]) -> None:
    """Every resource keeps a final snapshot by default; an empty name is a problem, not a skip."""
    from slrwizard.tui.screens.plan import PlanScreen
    from slrwizard.tui.widgets.choice import ResourceChoice

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await to_plan(pilot)
        screen = app.screen
        assert isinstance(screen, PlanScreen)
        cards = screen.cards
        # Read replicas skip theirs (AWS refuses one): the green side of the Blue/Green
        # deployment and the Multi-AZ DB cluster's replica; every other keeps one.
        replicas = {"us-east-1/legacy-rpt-green", "eu-central-1/events-maz-replica"}
        assert {c.resource.key for c in cards if c.draft.skip} == replicas
        assert all(c.draft.snapshot for c in cards if c.resource.key not in replicas)

        card = next(c for c in cards if c.resource.key == "us-west-2/session-cache-old")
        box = card.query_one("Input.snapshot", Input)
        box.focus()
        await pilot.pause()
        box.value = ""
        await settle(pilot)
        plan, problems = screen._plan()
        assert plan is None and any("cannot be empty" in p for p in problems)
        assert screen.query_one("#review", Button).disabled

        skip = card.query_one("Checkbox.skip")
        skip.focus()
        await pilot.press("space")
        await settle(pilot)
        assert box.disabled
        assert card.query_one(".skip-warning").display
        entry = card.resource_plan()
        assert entry is not None
        assert entry.skip_final_snapshot and entry.final_snapshot_id is None
        others = [c.resource_plan() for c in cards if c is not card]
        others = [o for o in others if o is not None and o.key not in replicas]
        assert len(others) == len(cards) - 3 and all(o.final_snapshot_id for o in others)
        assert isinstance(card, ResourceChoice)


@pytest.mark.shared_demo
async def test_protection_lift_needs_its_own_tick(make_app: Callable[..., WizardApp]) -> None:
    from slrwizard.tui.screens.plan import PlanScreen

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await to_plan(pilot)
        screen = app.screen
        assert isinstance(screen, PlanScreen)
        assert screen.query_one("#review", Button).disabled
        await pilot.press("ctrl+n")  # refused: focus goes to the first protected resource
        await settle(pilot)
        assert isinstance(app.screen, PlanScreen)
        assert app.session.state == "reviewing"
        focused = app.screen.focused
        assert focused is not None and "lift" in focused.classes
        await pilot.press("space")
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, PlanScreen)
        await pilot.press("space")
        await pilot.press("ctrl+n")
        await on_screen(pilot, "ReviewScreen")
        plan = app.session.plan
        assert plan is not None
        lifted = {r.key for r in plan.resources if r.lift_protection}
        assert lifted == {"us-east-1/orders-prod", "ap-southeast-2/crm-mysql"}


async def test_role_in_use_failure_and_the_way_back(make_app: Callable[..., WizardApp]) -> None:
    """AWS refuses (a cluster appeared after the re-scan): its regions, and one key back."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await to_role(pilot)
        assert app.wiring is not None and app.wiring.seed_client is not None
        app.wiring.seed_client("rds", "eu-west-1").create_db_cluster(
            DBClusterIdentifier="late-arrival",
            Engine="aurora-postgresql",
            MasterUsername="dbadmin",
            MasterUserPassword="demo-password-1",
        )
        await pilot.press("d")
        await confirm_typed(pilot, app.session.account)
        role = app.screen
        await until(pilot, lambda: role.phase == "failed", "refusal")  # type: ignore[attr-defined]
        await settle(pilot)
        usage = role.query_one("#usage")
        rows = [usage.get_row_at(i) for i in range(usage.row_count)]  # type: ignore[attr-defined]
        assert rows[0][0] == "eu-west-1" and rows[0][1].endswith(":cluster:late-arrival")
        assert app.session.role_deletion_failed

        await pilot.press("b")
        scan = await on_screen(pilot, "ScanScreen")
        await until(pilot, lambda: scan.result is not None, "scan of the named regions")  # type: ignore[attr-defined]
        grid = scan.query_one("#regions")
        assert grid.regions == ["eu-west-1"]  # type: ignore[attr-defined]
        assert [c.identifier for c in scan.result.clusters] == ["late-arrival"]  # type: ignore[attr-defined]

        await pilot.press("n")
        await on_screen(pilot, "PlanScreen")
        await pilot.press("ctrl+n")
        await on_screen(pilot, "ReviewScreen")
        await pilot.press("d")
        await confirm_typed(pilot, app.session.account)
        await on_screen(pilot, "ProgressScreen")
        await deletions_settled(pilot)
        await pilot.press("n")
        role = await on_screen(pilot, "RoleScreen")
        await until(pilot, lambda: role.phase == "ready", "clean re-scan")  # type: ignore[attr-defined]
        await pilot.press("d")
        await confirm_typed(pilot, app.session.account)
        await on_screen(pilot, "DoneScreen")
        assert len(app.outcomes) == 16  # both rounds are in the summary


async def test_quitting_mid_deletion_asks_first(make_app: Callable[..., WizardApp]) -> None:
    """``q`` while AWS works asks; No keeps going; Yes stops after the current call."""
    app = make_app(speed=1.0)  # deletions take seconds: there is time to ask
    async with app.run_test(size=(100, 30)) as pilot:
        await to_review(pilot)
        await pilot.press("d")
        await confirm_typed(pilot, app.session.account)
        await on_screen(pilot, "ProgressScreen")
        await until(pilot, lambda: app.changing, "deletions running")
        await pilot.press("q")
        dialog = await on_screen(pilot, "ConfirmDialog")
        assert dialog.focused is not None and dialog.focused.id == "no"
        await pilot.press("enter")  # the default: keep going
        await on_screen(pilot, "ProgressScreen")
        assert app.changing and app.session.state == "deleting_clusters"
        await pilot.press("q")
        await on_screen(pilot, "ConfirmDialog")
        await pilot.press("tab", "enter")
        await until(pilot, lambda: app.return_code is not None, "exit", timeout=60)
        assert app.session.state == "aborted"
    assert app.return_code == 130


@pytest.mark.shared_demo
async def test_read_only_offers_nothing_destructive(make_app: Callable[..., WizardApp]) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await to_review(pilot)
        screen = app.screen
        assert not screen.query("#delete")  # only what read-only does: no Delete button
        await pilot.press("d")
        await pilot.pause()
        assert type(app.screen).__name__ == "ReviewScreen"
        await pilot.press("n")
        role = await on_screen(pilot, "RoleScreen")
        assert role.phase == "preview"  # type: ignore[attr-defined]
        assert not role.query_one("#delete", Button).display
        assert app.session.state == "reviewing"
        assert not mutating(pilot)
