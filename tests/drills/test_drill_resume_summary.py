"""Drill: the summary of a resumed walkthrough lists every database of the confirmed plan.

The first process is SIGKILLed right after AWS accepted the deletion of the standalone instance
``solo``; AWS finishes that deletion meanwhile, so the resumed session's fresh scan no longer lists
it. The exported report counts it as deleted (a later scan saw it gone): the Done screen must too.
"""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

from drill_support import REGIONS, read_calls, run_child, run_resume
from textual.events import Paste

from slrwizard.bootstrap import Options, Wiring, connect_wizard
from slrwizard.domain.resume import PriorSession
from slrwizard.domain.wizard import Wizard
from slrwizard.journal.export import export_markdown
from slrwizard.journal.sessions import load
from slrwizard.tui.summary import prior_outcomes, round_outcomes

KEYS = {"eu-west-1/orders", "eu-west-1/solo", "us-east-1/ledger"}


def _killed_after_solo(moto: Any, journal: Path, calls: Path) -> None:
    first = run_child(
        moto.url, "run", str(journal), str(calls), "--kill", "DeleteDBInstance:solo:after"
    )
    assert first.returncode == -signal.SIGKILL, first.stderr
    assert ("DeleteDBInstance", "solo") in [(c["op"], c["target"]) for c in read_calls(calls)]


def test_the_summary_of_a_resume_counts_what_the_first_session_deleted(
    moto: Any, tmp_path: Path
) -> None:
    journal, calls = tmp_path / "journal.jsonl", tmp_path / "calls.jsonl"
    _killed_after_solo(moto, journal, calls)

    offered: list[PriorSession] = []
    wizard, wiring = connect_wizard(
        Options(regions=REGIONS),
        journal_path=journal,
        on_unfinished=lambda p: offered.append(p) or True,
    )
    try:
        run_resume(wizard, offered[0])
    finally:
        wiring.close()
    assert wizard.state == "done"

    # What the app's summary holds: this session's round, then what the prior one did.
    mine = round_outcomes(wizard.plan, wizard.progress)
    rows = mine + prior_outcomes(
        offered[0], None, {o.key for o in mine}, latest_scan=wizard.scan_result
    )
    assert sorted(o.key for o in rows) == sorted(KEYS)
    solo = next(o for o in rows if o.key == "eu-west-1/solo")
    assert solo.result == "deleted earlier"
    assert solo.snapshot is not None

    report = export_markdown(journal, load(journal).get("latest").session_id)
    assert "- Databases: 3 deleted." in report


async def test_the_done_screen_of_a_resume_has_a_row_per_database(
    moto: Any, tmp_path: Path
) -> None:
    """The same, on the screen: the Done table has one row per database of the plan."""
    from textual.widgets import DataTable

    from slrwizard.tui.app import WizardApp

    journal, calls = tmp_path / "journal.jsonl", tmp_path / "calls.jsonl"
    _killed_after_solo(moto, journal, calls)

    wirings: list[Wiring] = []
    app: WizardApp | None = None

    def ask(prior: PriorSession) -> bool:
        assert app is not None
        return app.ask_resume(prior)

    def connect() -> tuple[Wizard, Wiring]:
        wizard, wiring = connect_wizard(
            Options(regions=REGIONS), journal_path=journal, on_unfinished=ask
        )
        wiring.gateway.settings = wiring.gateway.settings.model_copy(
            update={"poll_seconds": 0.02, "settle_seconds": 0.02}
        )
        wirings.append(wiring)
        return wizard, wiring

    app = WizardApp(connect)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            done = await resume_to_done(pilot, app)
            table = done.query_one("#outcomes", DataTable)
            assert table.row_count == len(KEYS)
            names = {str(table.get_row_at(i)[1]) for i in range(table.row_count)}
            assert names == {k.split("/")[1] for k in KEYS}
            results = {str(table.get_row_at(i)[1]): str(table.get_row_at(i)[2]) for i in range(3)}
            assert results["solo"] == "deleted earlier"
    finally:
        for wiring in wirings:
            wiring.close()


async def resume_to_done(pilot: Any, app: Any) -> Any:
    """Answer "Resume it", then walk the resumed plan to the end, as an operator would."""
    from textual.widgets import Checkbox

    async def until(predicate: Any, what: str, timeout: float = 30) -> None:
        for _ in range(int(timeout / 0.02)):
            if predicate():
                return
            await pilot.pause(0.02)
        raise AssertionError(f"timed out waiting for {what}; screens {app.screen_stack}")

    async def on(name: str, settle: bool = True) -> Any:
        await until(lambda: type(app.screen).__name__ == name, name)
        if settle:
            await app.workers.wait_for_complete()
        await pilot.pause()
        return app.screen

    await on("ConfirmDialog", settle=False)  # the connecting worker waits for the answer
    await pilot.press("enter")  # "Resume it"
    await until(lambda: app.caller is not None, "connected")
    await pilot.press("n")
    await on("InspectScreen")
    await pilot.press("n")
    scan = await on("ScanScreen")
    await until(lambda: getattr(scan, "result", None) is not None, "scan")
    await app.workers.wait_for_complete()
    await pilot.press("n")
    plan = await on("PlanScreen")
    for box in plan.query("Checkbox.lift").results(Checkbox):
        box.value = True
    await pilot.pause()
    await pilot.press("ctrl+n")
    await on("ReviewScreen")
    await pilot.press("d")
    await on("TypedConfirmDialog")
    app.post_message(Paste(app.session.account))  # as a terminal pastes the ID
    await pilot.pause()
    await pilot.press("enter")
    await on("ProgressScreen")
    await until(lambda: all(p.finished for p in app.session.progress.values()), "deletions")
    await app.workers.wait_for_complete()
    await pilot.press("n")
    role = await on("RoleScreen")
    await until(lambda: getattr(role, "phase", "") == "ready", "clean re-scan")
    await pilot.press("d")
    await on("TypedConfirmDialog")
    app.post_message(Paste(app.session.account))  # as a terminal pastes the ID
    await pilot.pause()
    await pilot.press("enter")
    return await on("DoneScreen")
