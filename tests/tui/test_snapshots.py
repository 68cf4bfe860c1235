"""Pictures of every screen, compared with the accepted SVGs.

Each test is an *album*: one walk through the demo that stops at every step and takes its
pictures there, at several terminal sizes and themes (``Pilot.resize_terminal``, ``App.theme``),
instead of walking the demo again from the start screen for each picture. A picture is taken
the way ``snap_compare`` takes one (animations finished, then ``App.export_screenshot``) and
compared through syrupy with pytest-textual-snapshot's own SVG extension, so the accepted files
and ``--snapshot-update`` work as for ``snap_compare``. Every picture of an album is compared
before the test fails, and those that differ are written beside the test's ``tmp_path`` to look at.

Regenerate after an intended change with ``pytest tests/tui/test_snapshots.py --snapshot-update``.
The app runs on the demo sandbox with a frozen clock, so the pictures depend on nothing but the
code.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytest_textual_snapshot import SVGImageExtension
from syrupy.assertion import SnapshotAssertion
from textual.pilot import Pilot

from slrwizard.tui.app import WizardApp

from . import scenes
from .helpers import (
    app_of,
    confirm_typed,
    connected,
    deletions_settled,
    on_screen,
    onto_inspect,
    onto_plan,
    onto_progress,
    onto_review,
    onto_role,
    onto_scan,
)

NORMAL = (100, 30)
SMALL = (80, 24)
LARGE = (120, 36)
LIGHT = "textual-light"


class Album:
    """The pictures of one walk, each compared with its accepted SVG when taken."""

    def __init__(self, pilot: Pilot[int], snapshot: SnapshotAssertion, out: Path) -> None:
        self.pilot = pilot
        self.snapshot = snapshot.use_extension(SVGImageExtension)
        self.out = out
        self.title = pilot.app.title
        self.differ: list[str] = []
        self.size = NORMAL

    async def take(self, name: str, *sizes: tuple[int, int], themes: tuple[str, ...] = ()) -> None:
        """Pictures of the screen as it is now: at each of ``sizes`` (100x30 if none), then in
        each of ``themes`` at 100x30. The walk goes on at 100x30 in the default theme."""
        await scenes.still(self.pilot)
        for size in sizes or (NORMAL,):
            await self._resize(size)
            await self._compare(name if size == NORMAL else f"{name}-{size[0]}x{size[1]}")
        await self._resize(NORMAL)
        app = self.pilot.app
        default = app.theme
        for theme in themes:
            app.theme = theme
            await self._compare(f"{name}-{theme}")
        if themes:
            app.theme = default
            await self.pilot.pause()

    async def _resize(self, size: tuple[int, int]) -> None:
        if size != self.size:
            await self.pilot.resize_terminal(*size)
            self.size = size
            await scenes.still(self.pilot)

    async def _compare(self, name: str) -> None:
        pilot = self.pilot
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        svg = pilot.app.export_screenshot(title=self.title, simplify=True)
        matched = self.snapshot(name=name) == svg  # syrupy records the comparison
        if not matched:
            self.differ.append(name)
            (self.out / f"{name}.svg").write_text(svg)

    def check(self) -> None:
        assert not self.differ, (
            f"pictures differ from the accepted SVGs: {', '.join(self.differ)} "
            f"(the new ones are in {self.out})"
        )


Walk = Callable[[Album], Any]


async def photograph(
    app: WizardApp, snapshot: SnapshotAssertion, out: Path, walk: Callable[[Album], Any]
) -> None:
    async with app.run_test(size=NORMAL) as pilot:
        album = Album(pilot, snapshot, out)
        await walk(album)
        album.check()


async def main_steps(album: Album) -> None:
    """Every step, the dialogs on the way and the help: normal mode, three sizes, two themes."""
    pilot = album.pilot
    await connected(pilot)
    await album.take("start", NORMAL, SMALL)
    await onto_inspect(pilot)
    await album.take("inspect", themes=(LIGHT,))
    await onto_scan(pilot)
    await album.take("scan", NORMAL, SMALL, LARGE)
    await pilot.press("question_mark")
    await on_screen(pilot, "HelpScreen")
    await album.take("help")
    await pilot.press("escape")
    await on_screen(pilot, "ScanScreen")
    await onto_plan(pilot)
    await scenes.skip_one_snapshot(pilot)
    await album.take("plan", NORMAL, SMALL)
    await onto_review(pilot)
    await album.take("review", NORMAL, LARGE)
    await pilot.press("d")
    await on_screen(pilot, "TypedConfirmDialog")
    await pilot.press(*"4815")
    await album.take("confirm")
    await pilot.press(*["backspace"] * 4)
    await pilot.press(*"123456789012", "enter")
    await on_screen(pilot, "ErrorDialog")
    await album.take("wrong-confirmation")
    await pilot.press("escape")
    await on_screen(pilot, "ReviewScreen")
    await onto_progress(pilot)
    await deletions_settled(pilot)
    await album.take("progress", NORMAL, SMALL)
    await onto_role(pilot)
    await album.take("role")
    await pilot.press("d")
    await confirm_typed(pilot, app_of(pilot).session.account)
    await on_screen(pilot, "DoneScreen")
    await album.take("done")


async def presenter_steps(album: Album) -> None:
    """Every step in presenter mode, on a 100x30 screen and on a shared 80x24 one (the
    narration folded to a line, the PRESENTER badge in the header, no identifier cut)."""
    pilot = album.pilot
    await connected(pilot)
    await album.take("start", NORMAL, SMALL)
    await onto_inspect(pilot)
    await album.take("inspect", NORMAL, SMALL)
    await onto_scan(pilot)
    await album.take("scan", NORMAL, SMALL)
    await onto_plan(pilot)
    await album.take("plan", NORMAL, SMALL)
    await onto_review(pilot)
    await album.take("review", NORMAL, SMALL)
    await onto_progress(pilot)
    await deletions_settled(pilot)
    await album.take("progress", NORMAL, SMALL)
    await onto_role(pilot)
    await album.take("role", NORMAL, SMALL)
    await pilot.press("d")
    await confirm_typed(pilot, app_of(pilot).session.account)
    await on_screen(pilot, "DoneScreen")
    await album.take("done", NORMAL, SMALL)


async def failed_resource(album: Album) -> None:
    """A resource failed in place (its final snapshot name is taken), in both themes."""
    await scenes.progress_failed(album.pilot)
    await album.take("progress-failed", themes=(LIGHT,))


async def role_in_use(album: Album) -> None:
    """AWS refused the role deletion: a cluster appeared after the re-scan."""
    await scenes.role_in_use(album.pilot)
    await album.take("role-in-use", NORMAL, SMALL, themes=(LIGHT,))


async def read_only(album: Album) -> None:
    await scenes.review(album.pilot)
    await album.take("review", NORMAL)


ALBUMS: dict[str, tuple[Walk, dict[str, bool]]] = {
    "main": (main_steps, {}),
    "presenter": (presenter_steps, {"presenter": True}),
    "failed-resource": (failed_resource, {}),
    "role-in-use": (role_in_use, {}),
}


@pytest.mark.parametrize("album", list(ALBUMS))
async def test_album(
    album: str, make_app: Callable[..., WizardApp], snapshot: SnapshotAssertion, tmp_path: Path
) -> None:
    walk, options = ALBUMS[album]
    await photograph(make_app(**options), snapshot, tmp_path, walk)


@pytest.mark.shared_demo
async def test_read_only_review(
    make_app: Callable[..., WizardApp], snapshot: SnapshotAssertion, tmp_path: Path
) -> None:
    await photograph(make_app(read_only=True), snapshot, tmp_path, read_only)
