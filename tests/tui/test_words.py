"""Issue 15, words: every screen and record says what is known, in plain English, at 80 columns.

The Pilot tests read what the operator reads: the lines a widget renders (never a private
attribute), on the demo account whose sa-east-1 is denied by an SCP (the accepted-unscanned-region
story is the demo's default).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Button, Static

from slrwizard.domain.words import databases, english_list, kinds, plural
from slrwizard.tui.app import WizardApp
from slrwizard.tui.screens.dialogs import worth_copying
from slrwizard.tui.steps import DELETE, next_label

from .helpers import on_screen, to_plan, to_review, to_role, to_scan, until

SIZE = (80, 24)


def shown(widget: Widget) -> str:
    """The text ``widget`` draws, its lines joined by spaces (what a reader's eye follows)."""
    lines = ("".join(s.text for s in widget.render_line(y)) for y in range(widget.size.height))
    return " ".join(" ".join(line.split()) for line in lines).strip()


def lines_of(widget: Widget) -> list[str]:
    return ["".join(s.text for s in widget.render_line(y)) for y in range(widget.size.height)]


# -- counts ------------------------------------------------------------------------------------
def test_counts_read_as_english() -> None:
    assert plural(1, "database") == "1 database"
    assert plural(2, "database") == "2 databases"
    assert plural(0, "cluster") == "0 clusters"
    assert databases(1, 0) == "1 database (1 cluster)"
    assert databases(0, 1) == "1 database (1 standalone instance)"
    assert databases(8, 2) == "10 databases (8 clusters and 2 standalone instances)"
    assert databases(0, 0) == "no database"
    assert kinds(3, 0) == "3 clusters"
    assert english_list(["a", "b", "c"]) == "a, b and c"
    assert english_list(["sa-east-1"]) == "sa-east-1"


def test_only_a_pasteable_hint_offers_a_copy() -> None:
    assert worth_copying("Make sure you have the following permissions enabled:\n{...}")
    assert worth_copying("Run `aws sso login` for this profile and start again.")
    assert not worth_copying("Type the account ID shown at the top right, digits only.")


# -- the start screen --------------------------------------------------------------------------
@pytest.mark.shared_demo
async def test_start_promises_what_the_wizard_keeps(make_app: Callable[..., WizardApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.caller is not None, "connected")
        await pilot.pause()
        text = shown(app.screen.query_one("#never-text"))
        assert "comes back empty" not in text
        assert "no database in any region it can read" in text
        assert "accept each region it cannot read" in text
        steps = shown(app.screen.query_one("#steps-facts"))
        assert "Find databases" in steps and "Delete databases" in steps


# -- step 2 ------------------------------------------------------------------------------------
@pytest.mark.shared_demo
async def test_step_2_counts_names_step_3_and_spells_columns(
    make_app: Callable[..., WizardApp],
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_scan(pilot)
        screen = app.screen
        button = screen.query_one("#next", Button)
        assert str(button.label) == next_label(DELETE) == "Next: step 3, Delete databases"
        summary = shown(screen.query_one("#summary"))
        assert "Found 15 databases (10 clusters and 5 standalone instances) in 5" in summary
        assert "0 standalone" not in summary
        table = screen.query_one("#resources", Widget)
        header = lines_of(table)[0]
        assert "Members" in header and "Inst." not in header and "Prot." not in header
        body = "\n".join(lines_of(table)[1:])
        assert "standalone" in body and "solo" not in body
        # "Protected" is whole once scrolled into view: no abbreviation to decode.
        table.scroll_to(x=table.max_scroll_x, animate=False)
        await pilot.pause()
        assert "Protected" in lines_of(table)[0]


# -- step 3 ------------------------------------------------------------------------------------
@pytest.mark.shared_demo
async def test_to_fix_lists_every_problem_and_labels_fit(
    make_app: Callable[..., WizardApp],
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_plan(pilot)
        status = shown(app.screen.query_one("#plan-status"))
        assert "more)" not in status
        # Two protected databases in the demo: both problems are listed, each by name.
        assert "(2 problems)" in status
        assert "orders-prod" in status and "crm-mysql" in status
        # At 80 columns the lift checkbox's label is whole, not "just before deletin".
        lift = app.screen.query_one("Checkbox.lift", Widget)
        assert "just before deleting)" in shown(lift)
        intro = shown(app.screen.query_one(".intro"))
        assert "15 databases" in intro


@pytest.mark.shared_demo
async def test_wrong_account_id_is_said_plainly(make_app: Callable[..., WizardApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await to_review(pilot)
        summary = shown(app.screen.query_one("#review-summary"))
        assert "15 databases (10 clusters and 5 standalone instances)" in summary
        await pilot.press("d")
        await on_screen(pilot, "TypedConfirmDialog")
        await pilot.press(*"000000000000", "enter")
        dialog = await on_screen(pilot, "ErrorDialog")
        box = dialog.query_one(".dialog-box", Widget)
        assert box.border_title == "The account ID does not match"
        assert not dialog.query("#copy")  # nothing worth pasting: no copy button to wonder about
        await pilot.press("c")  # and c does nothing either
        await pilot.pause()
        assert type(app.screen).__name__ == "ErrorDialog"


# -- step 4 ------------------------------------------------------------------------------------
async def test_step_4_says_which_region_was_not_scanned(
    make_app: Callable[..., WizardApp],
) -> None:
    app = make_app(presenter=True)
    async with app.run_test(size=SIZE) as pilot:
        await to_role(pilot)
        await accept_again_if_asked(pilot)
        screen = app.screen
        await until(pilot, lambda: getattr(screen, "phase", "") == "ready", "ready")
        await pilot.pause()
        intro = shown(screen.query_one("#role-intro"))
        assert "Nothing keeps" not in intro
        assert "Nothing found in 17 of 18 regions; sa-east-1 not scanned (you accepted it)." in (
            intro
        )
        # The narration panel's layout is presenter mode's (it may end in "…" on one line);
        # the sentence it was given is what onlookers read when it has room.
        narration = str(screen.query_one("Narration", Static).content)
        assert "Nothing is left" not in narration
        assert "17 of 18 regions" in narration


async def accept_again_if_asked(pilot: Pilot[int]) -> None:
    """The re-scan meets sa-east-1 denied again; if step 4 asks, go on without it."""
    screen = pilot.app.screen
    if getattr(screen, "phase", "") == "unscanned":
        await pilot.press("a")
        await on_screen(pilot, "ConfirmDialog")
        await pilot.press("tab", "enter")
        await on_screen(pilot, "RoleScreen")
