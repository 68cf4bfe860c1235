"""The other ways through: no role, nothing found, failures, and the errors in between."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

from slrwizard.bootstrap import Options, Wiring, connect_wizard
from slrwizard.domain.errors import NoCredentialsError
from slrwizard.domain.models import ROLE_NAME
from slrwizard.domain.wizard import Wizard
from slrwizard.exit_codes import ExitCode
from slrwizard.tui.app import WizardApp
from slrwizard.tui.clock import FrozenClock

from .helpers import (
    FROZEN,
    app_of,
    confirm_typed,
    deletions_settled,
    on_screen,
    settle,
    snapshot_input,
    tick,
    to_inspect,
    to_plan,
    to_scan,
    until,
)


def _app(connect: Callable[[], tuple[Wizard, Wiring]], **kwargs: Any) -> WizardApp:
    return WizardApp(connect, demo=True, clock=FrozenClock(FROZEN), **kwargs)


def _connect_with(
    setup: Callable[[Wizard, Wiring], None], wirings: list[Wiring], **options: Any
) -> Callable[[], tuple[Wizard, Wiring]]:
    """A demo ``connect`` that changes the sandbox's seed before the wizard looks at it."""

    def connect() -> tuple[Wizard, Wiring]:
        wizard, wiring = connect_wizard(Options(demo=True, demo_speed=0, **options))
        wirings.append(wiring)
        setup(wizard, wiring)
        return wizard, wiring

    return connect


def _without_role(wizard: Wizard, wiring: Wiring) -> None:
    from slrwizard.sandbox import backends

    backends.iam(wizard.account).delete_role(ROLE_NAME)


def _deny_create(wizard: Wizard, wiring: Wiring) -> None:
    _without_role(wizard, wiring)
    from slrwizard.sandbox.calls import fail

    def refuse(**_: Any) -> object:
        return fail(
            "AccessDenied",
            "User is not authorized to perform: iam:CreateServiceLinkedRole",
            403,
        )

    # Clients copy the session's handlers when created: register on the IAM client itself,
    # ahead of the sandbox's own answer.
    iam = wiring.gateway.client("iam")
    iam.meta.events.register_first("before-call.iam.CreateServiceLinkedRole", refuse)


async def test_role_absent_finishes() -> None:
    wirings: list[Wiring] = []
    app = _app(_connect_with(_without_role, wirings))
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await to_inspect(pilot)
            assert app.screen.query_one("#absent").display
            await pilot.press("f")
            done = await on_screen(pilot, "DoneScreen")
            assert "does not exist" in str(done.query_one("#done-headline").render())
            assert app.session.state == "done"
            await pilot.press("q")
        assert app.return_code == ExitCode.OK
    finally:
        for wiring in wirings:
            wiring.close()


async def test_the_summarys_exit_button_leaves(tmp_path: Any, monkeypatch: Any) -> None:
    """The Exit button leaves with exit code 0 (it once wrote the report instead)."""
    monkeypatch.chdir(tmp_path)
    wirings: list[Wiring] = []
    app = _app(_connect_with(_without_role, wirings))
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await to_inspect(pilot)
            await pilot.press("f")
            await on_screen(pilot, "DoneScreen")
            await pilot.click("#exit")
            await until(pilot, lambda: app.return_code is not None, "exit")
        assert app.return_code == ExitCode.OK
        assert not list(tmp_path.glob("slrwizard-*.md")), "Exit must not write the report"
    finally:
        for wiring in wirings:
            wiring.close()


async def test_recreate_role_asks_then_explains_access_denied() -> None:
    wirings: list[Wiring] = []
    app = _app(_connect_with(_deny_create, wirings))
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await to_inspect(pilot)
            await pilot.press("c")
            await on_screen(pilot, "ConfirmDialog")
            await pilot.press("enter")  # the default answer is No
            await on_screen(pilot, "InspectScreen")
            await pilot.press("c")
            await on_screen(pilot, "ConfirmDialog")
            await pilot.press("tab", "enter")
            dialog = await on_screen(pilot, "ErrorDialog")
            assert dialog._title == "Access denied"  # type: ignore[attr-defined]
            assert "iam:CreateServiceLinkedRole" in dialog._hint  # type: ignore[attr-defined]
            assert '"iam:AWSServiceName":"rds.amazonaws.com"' in dialog._hint  # type: ignore[attr-defined]
            assert "Traceback" not in dialog._explanation  # type: ignore[attr-defined]
    finally:
        for wiring in wirings:
            wiring.close()


async def test_recreate_role_in_read_only_is_disabled_with_a_reason() -> None:
    wirings: list[Wiring] = []
    app = _app(_connect_with(_without_role, wirings), read_only=True)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await to_inspect(pilot)
            assert app.screen.query_one("#recreate").disabled
            note = str(app.screen.query_one("#recreate-note").render())
            assert "Read-only" in note
            await pilot.press("c")
            await pilot.pause()
            assert type(app.screen).__name__ == "InspectScreen"
    finally:
        for wiring in wirings:
            wiring.close()


async def test_nothing_found_goes_straight_to_step_4() -> None:
    """A scan that finds nothing skips step 3; AWS may still refuse (other regions)."""
    wirings: list[Wiring] = []
    app = _app(_connect_with(lambda w, x: None, wirings, regions=["ca-central-1"]))
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await to_inspect(pilot)
            await pilot.press("n")
            role = await on_screen(pilot, "RoleScreen")
            assert app.session.state == "deleting_role"
            assert role.phase == "ready"  # type: ignore[attr-defined]
            await pilot.press("d")
            await confirm_typed(pilot, app.session.account)
            await until(pilot, lambda: role.phase == "failed", "refusal")  # type: ignore[attr-defined]
            assert "us-east-1" in app.session.role_status.usage_regions  # type: ignore[union-attr]
    finally:
        for wiring in wirings:
            wiring.close()


async def test_connection_failure_is_explained_then_exits() -> None:
    def connect() -> tuple[Wizard, Wiring]:
        raise NoCredentialsError(
            "No AWS credentials were found.", hint="Run `aws sso login` or pass --profile."
        )

    app = _app(connect)
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await on_screen(pilot, "ErrorDialog")
        assert dialog._title == "No AWS credentials"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await until(pilot, lambda: app.return_code is not None, "exit")
    assert app.return_code == ExitCode.FAILURE


async def test_unexpected_errors_show_no_traceback(tmp_path: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("SLRWIZARD_STATE_DIR", str(tmp_path))

    def connect() -> tuple[Wizard, Wiring]:
        raise RuntimeError("boom")

    app = _app(connect)
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await on_screen(pilot, "ErrorDialog")
        assert dialog._title == "Unexpected error"  # type: ignore[attr-defined]
        assert "RuntimeError: boom" in dialog._explanation  # type: ignore[attr-defined]
        assert "Traceback" not in dialog._explanation  # type: ignore[attr-defined]
    assert "Traceback" in (tmp_path / "crash.log").read_text()


async def test_a_failed_resource_can_be_retried_or_left(
    make_app: Callable[..., WizardApp],
) -> None:
    """A taken snapshot name fails in place, with AWS's explanation; x leaves it for later."""
    from slrwizard.tui.screens.progress import ProgressScreen

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await to_plan(pilot)
        box = snapshot_input(pilot, "us-east-1/orders-prod")
        box.value = "orders-prod-pre-upgrade"  # already exists in the demo account
        await tick(pilot, "us-east-1/orders-prod", "lift")
        await tick(pilot, "ap-southeast-2/crm-mysql", "lift")
        await pilot.press("ctrl+n")
        await on_screen(pilot, "ReviewScreen")
        await pilot.press("d")
        await confirm_typed(pilot, app.session.account)
        screen = await on_screen(pilot, "ProgressScreen")
        await deletions_settled(pilot)
        assert isinstance(screen, ProgressScreen)
        view = screen.views["us-east-1/orders-prod"]
        assert view.failed
        error = str(view.query_one(".progress-error").render())
        assert "already exists" in error
        assert screen.query_one("#next").disabled  # not before the failure is dealt with

        view.focus()
        await pilot.press("r")
        await deletions_settled(pilot)
        assert view.failed  # the name is still taken
        await pilot.press("x")
        await until(pilot, lambda: not view.failed, "left in place")
        await settle(pilot)
        assert not screen.query_one("#next").disabled
        await pilot.press("n")
        role = await on_screen(pilot, "RoleScreen")
        await until(pilot, lambda: role.phase == "leftovers", "the re-scan finds it")  # type: ignore[attr-defined]
        assert app.session.state == "reviewing"
        await pilot.press("b")
        scan = await on_screen(pilot, "ScanScreen")
        assert [c.identifier for c in scan.result.clusters] == ["orders-prod"]  # type: ignore[attr-defined]
        outcome = next(o for o in app.outcomes if o.key == "us-east-1/orders-prod")
        assert outcome.result == "left in place"


@pytest.mark.shared_demo
async def test_scan_table_sorts_and_filters_by_keyboard(
    make_app: Callable[..., WizardApp],
) -> None:
    from slrwizard.tui.widgets.resources import ResourceTable

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await to_scan(pilot)
        table = app.screen.query_one(ResourceTable)
        assert [r.region for r in table.shown_rows] == sorted(r.region for r in table.shown_rows)
        await pilot.press("s")  # by name
        names = [r.name for r in table.shown_rows]
        assert names == sorted(names)
        await pilot.press("S")
        assert [r.name for r in table.shown_rows] == sorted(names, reverse=True)
        await pilot.press("slash", *"neptune", "enter")
        assert [r.name for r in table.shown_rows] == ["fraud-graph"]
        assert table.has_focus
        await pilot.press("slash", "escape")
        assert len(table.shown_rows) == 22  # 15 databases, and 7 related resources beside them

        # The denied region explains itself when selected.
        grid = app.screen.query_one("#regions")
        grid.focus()
        region = grid.regions.index("sa-east-1")  # type: ignore[attr-defined]
        for _ in range(region // grid._columns):  # type: ignore[attr-defined]
            await pilot.press("down")
        for _ in range(region % grid._columns):  # type: ignore[attr-defined]
            await pilot.press("right")
        await pilot.pause()
        detail = str(app.screen.query_one("#detail").render())
        assert "sa-east-1 (denied)" in detail and "service control policy" in detail


@pytest.mark.shared_demo
async def test_presenter_mode_masks_every_account_id(make_app: Callable[..., WizardApp]) -> None:
    app = make_app(presenter=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await to_inspect(pilot)
        svg = app.export_screenshot()
        assert "4815" in svg and "1623" not in svg
        assert app.screen.query_one("Narration").display
        await pilot.press("p")  # started presenting: the screen is shared, so it asks first
        await on_screen(pilot, "ConfirmDialog")
        await pilot.click("#yes")
        await on_screen(pilot, "InspectScreen")
        assert "1623" in app.export_screenshot()
        assert not app.screen.query_one("Narration").display
        await pilot.press("p")
        await pilot.pause()
        assert "1623" not in app.export_screenshot()


@pytest.mark.shared_demo
async def test_help_and_command_palette_offer_the_actions(
    make_app: Callable[..., WizardApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await to_scan(pilot)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Next", "Filter", "Sort", "Rescan", "Presenter mode", "Help"} <= titles
        await pilot.press("question_mark")
        helper = await on_screen(pilot, "HelpScreen")
        text = str(helper.query_one("Static").render())
        assert "Step 2 of 4 - Find databases" in text and "Rescan" in text
        await pilot.press("escape")
        await on_screen(pilot, "ScanScreen")
        await pilot.press("ctrl+p")
        await on_screen(pilot, "CommandPalette")
        await pilot.press(*"rescan")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await on_screen(pilot, "ScanScreen")
        await until(pilot, lambda: app_of(pilot).screen.scanning is False, "rescan")  # type: ignore[attr-defined]


def test_step_screens_never_import_the_app() -> None:
    """Screens see the app's narrow side (tui/actions.py) only; the app alone routes the steps."""
    code = (
        "import importlib, pkgutil, sys, slrwizard.tui.screens as screens\n"
        "for found in pkgutil.iter_modules(screens.__path__):\n"
        "    importlib.import_module(f'slrwizard.tui.screens.{found.name}')\n"
        "assert 'slrwizard.tui.app' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
