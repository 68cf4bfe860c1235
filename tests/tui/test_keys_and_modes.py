"""The keys an operator's hands already know, and the read-only and presenter modes (issue 15).

What is asserted is what the operator sees: the footer's keys as rendered, which screen is up,
the values in the fields, the files an export writes, the journal's last word and the exit code.
"""

from __future__ import annotations

import json
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fakes import FakeAccount, FakeGateway
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Input, Static

from slrwizard.domain.wizard import Wizard
from slrwizard.exit_codes import ExitCode
from slrwizard.tui.app import WizardApp

from .helpers import (
    deletions_settled,
    fake_connect,
    lift_all_protection,
    on_screen,
    settle,
    to_plan,
    to_progress,
    to_review,
    until,
)


def footer(screen: Screen[Any]) -> str:
    """The footer's keys as rendered (a key that cannot act is not listed)."""
    return " | ".join(str(key.render()).strip() for key in screen.query("FooterKey"))


def _fake_connect(gate: threading.Event | None = None) -> Callable[[], tuple[Wizard, Any]]:
    """The role and one cluster (orders, one reader) in eu-west-1."""

    def gateway() -> FakeGateway:
        account = FakeAccount()
        account.add_role()
        account.add_cluster("eu-west-1", "orders", readers=1)
        return FakeGateway(account)

    return fake_connect(gateway, gate=gate)


async def test_connecting_offers_no_next_key() -> None:
    gate = threading.Event()
    app = WizardApp(_fake_connect(gate))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "Next" not in footer(app.screen)  # n would be ignored: it is not offered
        assert "Help" in footer(app.screen)
        gate.set()
        await until(pilot, lambda: app.caller is not None, "connected")
        await until(pilot, lambda: "n Next" in footer(app.screen), "n offered once connected")
        await pilot.press("q")


async def test_p_unmasks_at_once_unless_the_session_started_presenting() -> None:
    app = WizardApp(_fake_connect())
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.caller is not None, "connected")
        await pilot.press("p")
        assert app.presenter
        await pilot.press("p")
        await pilot.pause()
        assert not app.presenter
        assert type(app.screen).__name__ == "StartScreen"  # no question asked
        await pilot.press("q")


async def test_p_asks_before_unmasking_a_shared_screen() -> None:
    app = WizardApp(_fake_connect(), presenter=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.caller is not None, "connected")
        await pilot.press("p")
        dialog = await on_screen(pilot, "ConfirmDialog")
        assert "Show account IDs" in str(dialog.query_one(".dialog-box").border_title)
        await pilot.press("escape")  # keep them masked
        await on_screen(pilot, "StartScreen")
        assert app.presenter
        await pilot.press("p")
        await on_screen(pilot, "ConfirmDialog")
        await pilot.click("#yes")
        await on_screen(pilot, "StartScreen")
        assert not app.presenter
        await pilot.press("q")


@pytest.mark.shared_demo
async def test_step_3_opens_on_the_list_and_n_is_next(make_app: Callable[..., WizardApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await to_plan(pilot)
        names = {i.id: i.value for i in app.screen.query(Input)}
        assert isinstance(app.focused, VerticalScroll)
        assert "n Next: review plan" in footer(app.screen)
        await pilot.press("n")  # protection is not lifted yet: it says so, types nothing
        await pilot.pause()
        assert type(app.screen).__name__ == "PlanScreen"
        assert {i.id: i.value for i in app.screen.query(Input)} == names
        await pilot.press("p")  # presenter mode, not a letter in the first name
        await pilot.pause()
        assert app.presenter
        await pilot.press("question_mark")
        await on_screen(pilot, "HelpScreen")
        await pilot.press("escape")
        await on_screen(pilot, "PlanScreen")
        assert {i.id: i.value for i in app.screen.query(Input)} == names
        app.screen.query(Input).first().focus()  # inside a name, F1 still opens the help
        await pilot.press("f1")
        await on_screen(pilot, "HelpScreen")
        await pilot.press("escape")
        await on_screen(pilot, "PlanScreen")
        assert {i.id: i.value for i in app.screen.query(Input)} == names
        await lift_all_protection(pilot)
        await pilot.press("n")
        screen = await on_screen(pilot, "ReviewScreen")
        await settle(pilot)
        # The plan has the focus, its border says how to scroll, and PageDown scrolls it.
        plan = screen.query_one("#plan-list", VerticalScroll)
        assert app.focused is plan
        assert "PgDn" in str(plan.border_subtitle)
        await pilot.press("pagedown")
        await pilot.pause()
        assert plan.scroll_y > 0


async def test_progress_shows_only_keys_that_act_and_enter_never_advances(
    make_app: Callable[..., WizardApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await to_progress(pilot)
        await deletions_settled(pilot)
        await pilot.pause()
        keys = footer(app.screen)
        assert "Retry" not in keys and "Skip" not in keys  # nothing failed
        assert "n Next" in keys and "Steps" in keys
        await pilot.press("enter")  # out of habit: opens the focused card's steps
        await pilot.pause()
        assert type(app.screen).__name__ == "ProgressScreen"
        assert "Steps" in footer(app.screen)
        await pilot.press("n")
        await on_screen(pilot, "RoleScreen")


def _journal_end(path: Path) -> dict[str, Any]:
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    ended = [line for line in lines if line.get("kind") == "session-ended"]
    assert len(ended) == 1, ended
    return ended[0]


@pytest.mark.shared_demo
async def test_read_only_shows_what_it_does_exports_the_plan_and_finishes(
    make_app: Callable[..., WizardApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app(read_only=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await to_review(pilot)
        screen = app.screen
        keys = footer(screen)
        assert "Delete" not in keys and not screen.query("#delete")
        assert "e Export plan" in keys and "f Finish" in keys
        summary = str(screen.query_one("#review-summary", Static).render())
        assert summary.startswith("A writable walkthrough would delete")

        await pilot.press("e")
        await until(pilot, lambda: len(list(tmp_path.glob("*-plan.*"))) == 2, "plan written")
        markdown = next(tmp_path.glob("*-plan.md"))
        report = json.loads(next(tmp_path.glob("*-plan.json")).read_text())
        assert stat.S_IMODE(markdown.stat().st_mode) == 0o600
        text = markdown.read_text()
        assert "nothing was deleted or confirmed" in text
        assert "| us-east-1/orders-prod | cluster | orders-prod-final-" in text
        assert "Turn off deletion protection on orders-prod" in text
        assert report["read_only"] is True and report["demo"] is True
        assert len(report["resources"]) == 15
        assert all(r["steps"] for r in report["resources"])

        await pilot.press("n")  # step 4, previewed
        role = await on_screen(pilot, "RoleScreen")
        await settle(pilot)
        assert "Delete" not in footer(role)
        assert not role.query_one("#delete", Button).display
        assert role.query_one("#finish-read-only", Button).display
        journal = app.journal_path
        await pilot.click("#finish-read-only")
        await pilot.pause()
    assert app.return_code == ExitCode.OK
    assert journal is not None
    end = _journal_end(journal)
    assert end["state"] != "aborted" and "read-only" in end["reason"]


@pytest.mark.shared_demo
async def test_quitting_a_read_only_walkthrough_is_still_an_interruption(
    make_app: Callable[..., WizardApp],
) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await to_review(pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == ExitCode.INTERRUPTED
    assert app.wizard is not None and app.wizard.state == "aborted"


def test_a_read_only_walkthrough_finished_on_purpose_says_so_on_the_terminal() -> None:
    from slrwizard.tui.launch import farewell

    account = FakeAccount()
    account.add_role()
    account.add_cluster("eu-west-1", "orders", readers=1)
    wizard = Wizard(FakeGateway(account), regions=["eu-west-1"], operator="t", read_only=True)
    wizard.start()
    wizard.inspect()
    wizard.scan()
    lines = farewell(wizard, ExitCode.OK, None, demo=False)
    assert lines[0].startswith("slrwizard: finished (read-only): nothing was changed.")
    assert not any("resume" in line for line in lines)
