"""Scenes: each walks the demo to one screen and leaves it still, for a picture.

Shared by the snapshot tests and ``scripts/screenshots.py``. Every scene ends the same way: workers
done, notifications cleared, so the picture depends on nothing but the app and its frozen clock.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from .helpers import (
    app_of,
    confirm_typed,
    deletions_settled,
    lift_all_protection,
    on_screen,
    settle,
    snapshot_input,
    tick,
    to_inspect,
    to_plan,
    to_progress,
    to_review,
    to_role,
    to_scan,
    until,
)

Scene = Callable[[Pilot[int]], Awaitable[None]]


async def still(pilot: Pilot[int]) -> None:
    """Let everything finish and clear the toasts."""
    await settle(pilot)
    pilot.app.clear_notifications()
    await pilot.pause()


async def start(pilot: Pilot[int]) -> None:
    await until(pilot, lambda: app_of(pilot).caller is not None, "connected")
    await still(pilot)


async def inspect(pilot: Pilot[int]) -> None:
    await to_inspect(pilot)
    await still(pilot)


async def scan(pilot: Pilot[int]) -> None:
    await to_scan(pilot)
    await still(pilot)


async def skip_one_snapshot(pilot: Pilot[int]) -> None:
    """On the plan: skip one final snapshot (ticked the way a user does) and show it."""
    await tick(pilot, "ap-southeast-2/inventory-apac", "skip")
    snapshot_input(pilot, "ap-southeast-2/inventory-apac").scroll_visible(animate=False)


async def plan(pilot: Pilot[int]) -> None:
    """The choices, with one snapshot skipped and the protection still to lift."""
    await to_plan(pilot)
    await skip_one_snapshot(pilot)
    await still(pilot)


async def plan_ready(pilot: Pilot[int]) -> None:
    """The choices further down: protection lifted on the protected cluster."""
    await to_plan(pilot)
    await lift_all_protection(pilot)
    await still(pilot)


async def review(pilot: Pilot[int]) -> None:
    await to_review(pilot)
    await still(pilot)


async def confirm(pilot: Pilot[int]) -> None:
    await to_review(pilot)
    await pilot.press("d")
    await on_screen(pilot, "TypedConfirmDialog")
    await pilot.press(*"4815")
    await still(pilot)


async def wrong_confirmation(pilot: Pilot[int]) -> None:
    await to_review(pilot)
    await pilot.press("d")
    await confirm_typed(pilot, "123456789012")
    await on_screen(pilot, "ErrorDialog")
    await still(pilot)


async def progress(pilot: Pilot[int]) -> None:
    await to_progress(pilot)
    await deletions_settled(pilot)
    await still(pilot)


async def progress_failed(pilot: Pilot[int]) -> None:
    """A resource failed in place (its final snapshot name is taken)."""
    await to_plan(pilot)
    snapshot_input(pilot, "us-east-1/orders-prod").value = "orders-prod-pre-upgrade"
    await lift_all_protection(pilot)
    await pilot.press("ctrl+n")
    await on_screen(pilot, "ReviewScreen")
    await pilot.press("d")
    await confirm_typed(pilot, app_of(pilot).session.account)
    screen = await on_screen(pilot, "ProgressScreen")
    await deletions_settled(pilot)
    view = screen.views["us-east-1/orders-prod"]  # type: ignore[attr-defined]
    view.focus()
    view.scroll_visible(animate=False)
    await still(pilot)


async def role(pilot: Pilot[int]) -> None:
    await to_role(pilot)
    await still(pilot)


async def role_in_use(pilot: Pilot[int]) -> None:
    """AWS refused: a cluster appeared in eu-west-1 after the re-scan."""
    await to_role(pilot)
    app = app_of(pilot)
    assert app.wiring is not None
    assert app.wiring.seed_client is not None
    app.wiring.seed_client("rds", "eu-west-1").create_db_cluster(
        DBClusterIdentifier="late-arrival",
        Engine="aurora-postgresql",
        MasterUsername="dbadmin",
        MasterUserPassword="demo-password-1",
    )
    await pilot.press("d")
    await confirm_typed(pilot, app.session.account)
    screen = app.screen
    await until(pilot, lambda: getattr(screen, "phase", "") == "failed", "refusal")
    await still(pilot)


async def done(pilot: Pilot[int]) -> None:
    await to_role(pilot)
    await pilot.press("d")
    await confirm_typed(pilot, app_of(pilot).session.account)
    await on_screen(pilot, "DoneScreen")
    await still(pilot)


async def help_screen(pilot: Pilot[int]) -> None:
    await to_scan(pilot)
    await pilot.press("question_mark")
    await on_screen(pilot, "HelpScreen")
    await still(pilot)


SCENES: dict[str, Scene] = {
    "start": start,
    "inspect": inspect,
    "scan": scan,
    "plan": plan,
    "plan-ready": plan_ready,
    "review": review,
    "confirm": confirm,
    "wrong-confirmation": wrong_confirmation,
    "progress": progress,
    "progress-failed": progress_failed,
    "role": role,
    "role-in-use": role_in_use,
    "done": done,
    "help": help_screen,
}

CHANGE_THE_ACCOUNT = frozenset({"progress", "progress-failed", "role", "role-in-use", "done"})
"""Scenes that delete (or create) something: each needs a demo sandbox of its own. The others
only look, and run on the shared demo account (``tests/tui/conftest.py``)."""


def scene_params(*names: str) -> list[Any]:
    """``names`` as test parameters, those that only look marked ``shared_demo``."""
    return [
        pytest.param(name, marks=() if name in CHANGE_THE_ACCOUNT else pytest.mark.shared_demo)
        for name in names
    ]
