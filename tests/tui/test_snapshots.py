"""Pictures of every screen (normal and presenter mode), compared with the accepted SVGs.

Regenerate after an intended change with ``pytest tests/tui --snapshot-update`` and look at
``snapshot_report.html``. The app runs on the demo sandbox with a frozen clock, so the pictures
depend on nothing but the code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from slrwizard.tui.app import WizardApp

from .scenes import SCENES, Scene, scene_params

MAIN = ["start", "inspect", "scan", "plan", "review", "progress", "role", "done"]
EXTRA = ["plan-ready", "confirm", "wrong-confirmation", "progress-failed", "role-in-use", "help"]


def _with_theme(scene: Scene, theme: str | None) -> Scene:
    async def run(pilot: Pilot[int]) -> None:
        if theme:
            pilot.app.theme = theme
        await scene(pilot)

    return run


@pytest.mark.parametrize("presenter", [False, True], ids=["normal", "presenter"])
@pytest.mark.parametrize("scene", scene_params(*MAIN))
def test_step_screens(
    snap_compare: Any, make_app: Callable[..., WizardApp], scene: str, presenter: bool
) -> None:
    app = make_app(presenter=presenter)
    assert snap_compare(app, terminal_size=(100, 30), run_before=SCENES[scene])


@pytest.mark.parametrize("scene", scene_params(*EXTRA))
def test_dialogs_and_failures(
    snap_compare: Any, make_app: Callable[..., WizardApp], scene: str
) -> None:
    assert snap_compare(make_app(), terminal_size=(100, 30), run_before=SCENES[scene])


@pytest.mark.parametrize("scene", scene_params("start", "scan", "plan", "progress", "role-in-use"))
def test_small_terminal(snap_compare: Any, make_app: Callable[..., WizardApp], scene: str) -> None:
    """80x24: nothing overlaps; long content scrolls."""
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=SCENES[scene])


@pytest.mark.parametrize("scene", scene_params(*MAIN))
def test_presenter_80x24(snap_compare: Any, make_app: Callable[..., WizardApp], scene: str) -> None:
    """A shared 80x24 screen: every step legible, the narration folded to a line, the
    PRESENTER badge in the header, no identifier cut."""
    app = make_app(presenter=True)
    assert snap_compare(app, terminal_size=(80, 24), run_before=SCENES[scene])


@pytest.mark.parametrize("scene", scene_params("scan", "review"))
def test_large_terminal(snap_compare: Any, make_app: Callable[..., WizardApp], scene: str) -> None:
    assert snap_compare(make_app(), terminal_size=(120, 36), run_before=SCENES[scene])


@pytest.mark.parametrize("scene", scene_params("inspect", "progress-failed", "role-in-use"))
def test_light_theme(snap_compare: Any, make_app: Callable[..., WizardApp], scene: str) -> None:
    run = _with_theme(SCENES[scene], "textual-light")
    assert snap_compare(make_app(), terminal_size=(100, 30), run_before=run)


@pytest.mark.shared_demo
def test_read_only_review(snap_compare: Any, make_app: Callable[..., WizardApp]) -> None:
    app = make_app(read_only=True)
    assert snap_compare(app, terminal_size=(100, 30), run_before=SCENES["review"])
