"""The lines left on the terminal when the full screen closes: outcome, session, report, resume."""

from __future__ import annotations

from pathlib import Path

from fakes import FakeAccount, FakeGateway

from slrwizard.domain.wizard import Wizard
from slrwizard.paths import default_journal
from slrwizard.tui.launch import farewell


def _wizard() -> Wizard:
    """The role and one protected cluster, in one region."""
    account = FakeAccount()
    account.add_role()
    account.add_cluster("eu-west-1", "orders", readers=1, protected=True)
    wizard = Wizard(FakeGateway(account), regions=["eu-west-1"], operator="tester")
    wizard.start()
    return wizard


def test_a_quit_says_the_session_and_how_to_resume() -> None:
    wizard = _wizard()
    wizard.inspect()
    lines = farewell(wizard, 130, default_journal(), demo=False)
    assert len(lines) == 3
    assert wizard.session_id in lines[0] and "stopped before the end (exit 130)" in lines[0]
    assert lines[1] == f"Report: slrwizard journal export {wizard.session_id} --format markdown"
    assert "resume" in lines[2]


def test_a_demo_quit_says_it_cannot_be_resumed_and_names_its_journal(tmp_path: Path) -> None:
    wizard = _wizard()
    journal = tmp_path / "demo.jsonl"
    lines = farewell(wizard, 130, journal, demo=True)
    assert f"--journal {journal} journal export {wizard.session_id}" in lines[1]
    assert "demo sandbox ended" in lines[2]


def test_a_finished_walkthrough_says_the_role_is_gone() -> None:
    wizard = _wizard()
    wizard.inspect()
    wizard.scan()
    plan = wizard.default_plan()
    lifted = [r.model_copy(update={"lift_protection": True}) for r in plan.resources]
    wizard.set_plan(plan.model_copy(update={"resources": lifted}))
    wizard.review()
    wizard.confirm(wizard.account)
    assert wizard.delete_resources()
    wizard.finish_deletions()
    wizard.rescan()
    wizard.delete_role()
    assert wizard.state == "done"
    lines = farewell(wizard, 0, default_journal(), demo=False)
    assert (
        lines[0]
        == f"slrwizard: done: AWSServiceRoleForRDS is deleted. Session {wizard.session_id}."
    )
    assert len(lines) == 2  # nothing to resume


def test_no_session_says_so() -> None:
    assert farewell(None, 1, None, demo=False) == [
        "slrwizard: ended before a session started (exit 1)."
    ]
