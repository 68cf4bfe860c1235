"""``slrwizard journal show|export``: the change ticket's evidence, read back from the journal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from journal_support import REGIONS, brisk, lines, walk

from slrwizard.bootstrap import Options, connect_wizard
from slrwizard.cli import main
from slrwizard.journal.export import export_markdown
from slrwizard.paths import default_journal


def journal_cli(journal: Path, *args: str) -> int:
    return main(["journal", "--journal", str(journal), *args])


def test_markdown_tells_what_was_found_confirmed_and_done(finished_journal: Any) -> None:
    wizard = finished_journal.wizard
    text = export_markdown(finished_journal.journal, wizard.session_id)

    assert text.startswith(f"# slrwizard session {wizard.session_id}\n")
    assert f"| Account | {wizard.account} |" in text
    assert f"| Operator(s) | {wizard.operator} |" in text
    assert "Role AWSServiceRoleForRDS: **deleted**" in text
    assert "- Databases: 2 deleted." in text
    assert "cluster orders in eu-west-1 (Aurora MySQL" in text  # what the scan found
    assert f"Confirmed by **{wizard.operator}**" in text
    assert "typed the account ID, which matched" in text
    assert "1 mistyped confirmation changed nothing." in text
    # every change with its request id
    journal = lines(finished_journal.journal)
    request_ids = [r["request_id"] for r in journal if r["kind"] == "step" and r["request_id"]]
    assert len(request_ids) >= 3  # protection, cluster (its instances with it), instance
    assert all(rid in text for rid in request_ids)
    # final snapshots, as the session verified them
    confirmed = next(r for r in journal if r["kind"] == "plan-confirmed")
    for choice in confirmed["plan"]["resources"]:
        assert f"| {choice['final_snapshot_id']} | available (" in text
    assert "--verify` re-checks them in the live account" in text


def test_json_export_carries_the_evidence_and_the_records(
    finished_journal: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert journal_cli(finished_journal.journal, "export", "latest", "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["session_id"] == finished_journal.wizard.session_id
    assert data["role"]["final_state"] == "SUCCEEDED"
    assert {s["session_status"] for s in data["snapshots"]} == {"available"}
    assert {r["outcome"] for r in data["resources"]} == {"deleted"}
    assert len(data["records"]) == len(lines(finished_journal.journal))


def test_show_lists_sessions_and_one_timeline(
    finished_journal: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = finished_journal.wizard.session_id
    assert journal_cli(finished_journal.journal, "show") == 0
    listing = capsys.readouterr().out
    assert listing.splitlines()[0].split() == ["SESSION", "ACCOUNT", "OPERATOR", "STARTED", "STATE"]
    assert sid in listing and "done: the role was deleted" in listing

    assert journal_cli(finished_journal.journal, "show", sid[:5]) == 0  # a unique prefix will do
    timeline = capsys.readouterr().out
    assert "session started by" in timeline
    assert "plan confirmed by" in timeline
    assert "confirmation refused (account id mismatch); nothing changed" in timeline
    assert "role deletion task" in timeline and "SUCCEEDED" in timeline
    assert timeline.rstrip().endswith("session ended (done): the role was deleted")


def test_unknown_session_is_a_usage_error(
    finished_journal: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert journal_cli(finished_journal.journal, "export", "nope") == 2
    assert "No session 'nope'" in capsys.readouterr().err


def test_export_writes_the_file_asked_for(finished_journal: Any, tmp_path: Path) -> None:
    out = tmp_path / "ticket.md"
    assert journal_cli(finished_journal.journal, "export", "latest", "--output", str(out)) == 0
    assert out.read_text().startswith("# slrwizard session ")


def test_verify_rechecks_snapshots_in_the_live_account(
    finished: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert journal_cli(finished.journal, "export", "latest", "--verify") == 0
    text = capsys.readouterr().out
    assert "| live status |" in text and "Re-verified in the live account" in text
    assert text.count("| available |") == 2

    confirmed = next(r for r in lines(finished.journal) if r["kind"] == "plan-confirmed")
    [solo] = [c for c in confirmed["plan"]["resources"] if c["identifier"] == "solo"]
    rds = boto3.client("rds", region_name="us-east-1")
    rds.delete_db_snapshot(DBSnapshotIdentifier=solo["final_snapshot_id"])  # someone tidied up
    assert journal_cli(finished.journal, "export", "latest", "--verify") == 1
    captured = capsys.readouterr()
    assert "| missing |" in captured.out and "is missing" in captured.err


def test_verify_makes_no_sense_for_the_demo(
    finished_journal: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert journal_cli(finished_journal.journal, "export", "latest", "--verify", "--demo") == 2
    assert "the demo sandbox died with its process" in capsys.readouterr().err


def test_default_journal_is_in_the_state_dir(aws: None, capsys: pytest.CaptureFixture[str]) -> None:
    wizard, wiring = connect_wizard(Options(regions=REGIONS))
    brisk(wiring.gateway)
    walk(wizard)
    assert default_journal().exists()
    assert main(["journal", "show", "latest"]) == 0
    assert wizard.session_id in capsys.readouterr().out


def test_an_empty_journal_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert journal_cli(tmp_path / "none.jsonl", "show") == 0
    assert "No sessions" in capsys.readouterr().out
    assert journal_cli(tmp_path / "none.jsonl", "export", "latest") == 2


def test_journal_option_works_before_the_sub_command(
    finished_journal: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--journal", str(finished_journal.journal), "journal", "show"]) == 0
    assert finished_journal.wizard.session_id in capsys.readouterr().out
