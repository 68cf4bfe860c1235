"""Pilot helpers: wait for a condition by polling, and walk the wizard to a given step."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from textual.events import Paste
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Checkbox, Input

from slrwizard.domain.wizard import Wizard
from slrwizard.tui.app import WizardApp

FROZEN = datetime(2026, 11, 28, 2, 0, tzinfo=timezone.utc)
"""The instant every picture pretends to be taken at (2 a.m., naturally)."""

MUTATING_VERBS = ("Delete", "Modify", "Remove", "Start", "Promote", "Create")
"""How the names of the AWS actions that change an account begin."""


def pin_sandbox_times(wizard: Any) -> None:
    """Make the sandbox's time-dependent data fixed (its role was 'last used 6 hours ago').

    This seeds test data; the code under test is untouched: the app's own time comes from the
    FrozenClock it is given.
    """
    from slrwizard.domain.models import ROLE_NAME
    from slrwizard.sandbox import backends

    role = backends.find_role(wizard.account, ROLE_NAME)
    if role is not None:
        role.last_used = (FROZEN - timedelta(hours=6)).replace(tzinfo=None)
    wizard.session_id = "snapshot-session"


async def until(
    pilot: Pilot[int], predicate: Callable[[], bool], what: str, timeout: float = 20.0
) -> None:
    """Poll ``predicate`` (letting the app run) until true; fail with ``what`` after timeout."""
    loops = int(timeout / 0.02)
    for _ in range(loops):
        if predicate():
            return
        await pilot.pause(0.02)
    app = pilot.app
    raise AssertionError(
        f"timed out waiting for: {what}; screens {app.screen_stack}, focus {app.focused}"
    )


def app_of(pilot: Pilot[int]) -> WizardApp:
    app = pilot.app
    assert isinstance(app, WizardApp)
    return app


async def settle(pilot: Pilot[int]) -> None:
    """Let every running worker finish and the screen catch up."""
    app = app_of(pilot)
    await app.workers.wait_for_complete()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def on_screen(pilot: Pilot[int], name: str) -> Screen[object]:
    """Wait until the active screen's class is ``name``; return it."""
    await until(pilot, lambda: type(pilot.app.screen).__name__ == name, f"screen {name}")
    await pilot.pause()
    return pilot.app.screen


# Each ``to_<step>`` walks from the start; each ``onto_<step>`` goes one step on from the step
# before it, so that one walk can stop at every step (the snapshot albums).
async def connected(pilot: Pilot[int]) -> None:
    app = app_of(pilot)
    await until(pilot, lambda: app.caller is not None, "connected")
    await pilot.pause()


async def onto_inspect(pilot: Pilot[int]) -> None:
    await pilot.press("n")
    await on_screen(pilot, "InspectScreen")
    await settle(pilot)


async def to_inspect(pilot: Pilot[int]) -> None:
    await connected(pilot)
    await onto_inspect(pilot)


async def onto_scan(pilot: Pilot[int]) -> None:
    await pilot.press("n")
    screen = await on_screen(pilot, "ScanScreen")
    await until(pilot, lambda: getattr(screen, "result", None) is not None, "scan result")
    await settle(pilot)


async def to_scan(pilot: Pilot[int]) -> None:
    await to_inspect(pilot)
    await onto_scan(pilot)


async def accept_unscanned(pilot: Pilot[int]) -> None:
    """Answer 'Go on without them' for the regions the scan could not cover (sa-east-1)."""
    await on_screen(pilot, "ConfirmDialog")
    await pilot.press("tab", "enter")


async def onto_plan(pilot: Pilot[int]) -> None:
    await pilot.press("n")
    await accept_unscanned(pilot)
    await on_screen(pilot, "PlanScreen")
    await settle(pilot)


async def to_plan(pilot: Pilot[int]) -> None:
    await to_scan(pilot)
    await onto_plan(pilot)


def card(pilot: Pilot[int], key: str) -> object:
    from slrwizard.tui.widgets.choice import ResourceChoice

    for found in pilot.app.screen.query(ResourceChoice).results(ResourceChoice):
        if found.resource.key == key:
            return found
    raise AssertionError(f"no card for {key}")


async def tick(pilot: Pilot[int], key: str, which: str) -> None:
    """Tick a card's checkbox ('skip' or 'lift') the way a user does: focus it, press space."""
    from slrwizard.tui.widgets.choice import ResourceChoice

    found = card(pilot, key)
    assert isinstance(found, ResourceChoice)
    box = found.query_one(f"Checkbox.{which}", Checkbox)
    box.focus()
    await pilot.pause()
    await pilot.press("space")
    await pilot.pause()


async def lift_all_protection(pilot: Pilot[int]) -> None:
    from slrwizard.tui.widgets.choice import ResourceChoice

    for found in list(pilot.app.screen.query(ResourceChoice).results(ResourceChoice)):
        if found.resource.deletion_protection:
            await tick(pilot, found.resource.key, "lift")


async def onto_review(pilot: Pilot[int]) -> None:
    """From the plan, protection lifted where the demo has it."""
    await lift_all_protection(pilot)
    await pilot.press("ctrl+n")
    await on_screen(pilot, "ReviewScreen")
    await settle(pilot)


async def to_review(pilot: Pilot[int]) -> None:
    await to_plan(pilot)
    await onto_review(pilot)


async def type_into_focused(pilot: Pilot[int], text: str) -> None:
    await pilot.press(*list(text))


async def paste(pilot: Pilot[int], text: str) -> None:
    """Paste ``text`` as a terminal does (bracketed paste): one event, to the focused widget.

    Typing a 12-digit ID key by key costs the Pilot two idle-waits a key; the tests that are
    about typing (the wrong account ID, the albums' typed digits) still type.
    """
    pilot.app.post_message(Paste(text))
    await pilot.pause()


def snapshot_input(pilot: Pilot[int], key: str) -> Input:
    found = card(pilot, key)
    return found.query_one("Input.snapshot", Input)  # type: ignore[attr-defined, no-any-return]


async def confirm_typed(pilot: Pilot[int], typed: str) -> None:
    """Open nothing: paste ``typed`` into the open TypedConfirmDialog (the focus starts on
    Cancel; the paste lands in the box) and submit."""
    await on_screen(pilot, "TypedConfirmDialog")
    await paste(pilot, typed)
    await pilot.press("enter")
    await pilot.pause()


async def onto_progress(pilot: Pilot[int]) -> None:
    """From the review: confirm with the right account ID, wait for the progress screen."""
    await pilot.press("d")
    await confirm_typed(pilot, app_of(pilot).session.account)
    await on_screen(pilot, "ProgressScreen")


async def to_progress(pilot: Pilot[int]) -> None:
    await to_review(pilot)
    await onto_progress(pilot)


async def deletions_settled(pilot: Pilot[int]) -> None:
    """Wait until every resource is deleted or left (or failed)."""
    from slrwizard.domain.executor import ResourceState

    app = app_of(pilot)

    def settled() -> bool:
        progress = app.session.progress
        return bool(progress) and all(
            p.state not in (ResourceState.RUNNING, ResourceState.PENDING) for p in progress.values()
        )

    await until(pilot, settled, "deletions settled", timeout=60)
    await settle(pilot)


async def to_role(pilot: Pilot[int]) -> None:
    """Delete everything and arrive at step 4 with the re-scan done."""
    await to_progress(pilot)
    await onto_role(pilot)


async def onto_role(pilot: Pilot[int]) -> None:
    """From the progress screen: every deletion finished, then step 4 with the re-scan done."""
    await deletions_settled(pilot)
    progress = app_of(pilot).session.progress
    failed = {k: (p.state.value, p.error) for k, p in progress.items() if not p.finished}
    assert not failed, f"deletions did not all finish: {failed}"
    await pilot.press("n")
    screen = await on_screen(pilot, "RoleScreen")
    await until(pilot, lambda: getattr(screen, "phase", "") != "rescanning", "re-scan")
    await settle(pilot)


def actions(pilot: Pilot[int]) -> set[str]:
    """IAM actions the gateway has called so far (the gateway records them)."""
    wiring = app_of(pilot).wiring
    assert wiring is not None
    return set(wiring.gateway.actions_called)


def mutating(pilot: Pilot[int]) -> set[str]:
    """The calls so far that change AWS."""
    return {a for a in actions(pilot) if a.split(":")[1].startswith(MUTATING_VERBS)}


# -- an app on the in-memory fake account (tests/fakes) ------------------------------------------
class NoWiring:
    """What the app closes on exit; the real wiring stops the demo sandbox."""

    journal_path = None

    def close(self) -> None:
        pass


def fake_connect(
    make_gateway: Callable[[], Any], *, gate: threading.Event | None = None
) -> Callable[[], tuple[Wizard, Any]]:
    """The app's ``connect`` on a fake gateway, one region (eu-west-1); with ``gate``, it waits
    until the gate opens (the app is then still connecting)."""

    def connect() -> tuple[Wizard, Any]:
        if gate is not None:
            gate.wait(10)
        wizard = Wizard(make_gateway(), regions=["eu-west-1"], operator="tester")
        wizard.start()
        return wizard, NoWiring()

    return connect
