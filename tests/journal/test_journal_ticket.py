"""The change ticket tells the demo's late-arrival story as it happened.

In the interactive demo a cluster appears while the role is being deleted: AWS refuses the first
DeleteServiceLinkedRole (the task ends FAILED with a usage list), the operator goes back, deletes
that cluster, and the second request succeeds. The operator also accepted a region that could not
be scanned. An auditor reading the ticket must see two role deletion requests, each at its own time
with its own outcome, the blocking cluster's deletion between them, and who accepted the unscanned
region.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from journal_support import lifted

from slrwizard.bootstrap import Options, connect_wizard
from slrwizard.domain.models import RoleDeletionState
from slrwizard.domain.wizard import Wizard
from slrwizard.journal.export import export_json, export_markdown
from slrwizard.journal.render import timeline
from slrwizard.journal.sessions import load

pytestmark = pytest.mark.slow


def _delete_everything(wizard: Wizard) -> None:
    assert wizard.set_plan(lifted(wizard)) == []
    wizard.review()
    wizard.confirm(wizard.account)
    assert wizard.delete_resources()
    wizard.finish_deletions()


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The late-arrival story walked headlessly into a journal: (journal path, session id)."""
    journal = tmp_path_factory.mktemp("ticket") / "journal.jsonl"
    wizard, wiring = connect_wizard(
        Options(demo=True, demo_speed=0, demo_late_arrival=True), journal_path=journal
    )
    try:
        wizard.inspect()
        wizard.scan()
        assert wizard.accept_unscanned_regions() == ["sa-east-1"]
        _delete_everything(wizard)
        wizard.rescan()
        assert wizard.delete_role().state is RoleDeletionState.FAILED
        wizard.back_to_scan()
        _delete_everything(wizard)
        wizard.rescan()
        assert wizard.delete_role().state is RoleDeletionState.SUCCEEDED
        session_id = wizard.session_id
    finally:
        wiring.close()
    yield journal, session_id


def test_the_json_ticket_has_one_entry_per_role_deletion_request(story: tuple[Path, str]) -> None:
    journal, session = story
    ticket = json.loads(export_json(journal, session))
    first, second = ticket["role"]["attempts"]

    assert first["outcome"] == "FAILED"
    assert first["usage_regions"] == ["eu-west-2"]
    assert any("reporting-ci-nightly" in arn for arn in first["usage_resources"])
    assert second["outcome"] == "SUCCEEDED"
    assert second["usage_resources"] == []
    assert first["task_id"] and second["task_id"] and first["task_id"] != second["task_id"]

    # The blocking cluster went between the two requests, and the ticket says so by time.
    blocker = [c for c in ticket["calls"] if c["resource"] == "eu-west-2/reporting-ci-nightly"]
    assert blocker
    at = datetime.fromisoformat
    assert at(first["requested_at"]) < at(blocker[0]["at"]) < at(second["requested_at"])
    # The summary fields describe the last request, not a mix of both.
    assert ticket["role"]["final_state"] == "SUCCEEDED"
    assert ticket["role"]["task_id"] == second["task_id"]
    assert ticket["role"]["deletion_requested_at"] == second["requested_at"]


def test_the_json_ticket_records_who_accepted_the_unscanned_region(
    story: tuple[Path, str],
) -> None:
    journal, session = story
    (accepted,) = json.loads(export_json(journal, session))["unscanned_accepted"]
    assert accepted["accepted_by"]
    assert len(accepted["regions"]) == 1
    assert accepted["regions"][0].startswith("sa-east-1 (")  # with the scan's reason


def _table_rows(markdown: str, heading: str) -> list[list[str]]:
    section = markdown.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in row.strip("|").split(" | ")] for row in rows[1:]]


def test_the_markdown_ticket_lists_both_requests_in_time_order(story: tuple[Path, str]) -> None:
    journal, session = story
    markdown = export_markdown(journal, session)
    rows = _table_rows(markdown, "AWS calls that change something")

    times = [row[0] for row in rows]
    assert times == sorted(times)
    role_rows = [row for row in rows if row[3] == "DeleteServiceLinkedRole"]
    assert [row[4] for row in role_rows] == ["FAILED", "SUCCEEDED"]
    assert "eu-west-2" in role_rows[0][5]
    blocker = next(i for i, row in enumerate(rows) if row[2] == "eu-west-2/reporting-ci-nightly")
    assert rows.index(role_rows[0]) < blocker < rows.index(role_rows[1])

    assert "requested 2 times" in markdown
    assert re.search(r"accepted at .* that these regions could not be scanned", markdown)
    assert "sa-east-1 (" in markdown


def test_journal_show_tells_the_acceptance_and_keeps_time_order(story: tuple[Path, str]) -> None:
    journal, session = story
    lines = timeline(load(journal).get(session))
    assert lines == sorted(lines, key=lambda line: line[:19])
    accepted = [line for line in lines if "could not be scanned" in line]
    assert len(accepted) == 1 and "sa-east-1" in accepted[0]
