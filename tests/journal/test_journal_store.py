"""The journal file: durable before the call, private, whole lines, never a secret."""

from __future__ import annotations

import os
import stat
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import boto3
import pytest
from journal_support import REGIONS, lifted, lines

from slrwizard.aws.gateway import Boto3Gateway, GatewaySettings
from slrwizard.bootstrap import Options, connect_wizard
from slrwizard.domain.models import Caller
from slrwizard.domain.records import ConfirmationRefused, SessionStarted, StepRecord
from slrwizard.domain.wizard import Wizard
from slrwizard.journal.store import Journal, JournalError, read_journal

CALLER = Caller(account="123456789012", arn="arn:aws:iam::123456789012:user/ops")


def started(session: str = "s1", **caller: Any) -> SessionStarted:
    return SessionStarted(
        session_id=session,
        caller=CALLER.model_copy(update=caller),
        operator="ops",
        tool_version="0.1.0",
    )


def test_records_round_trip_in_a_private_file(tmp_path: Path) -> None:
    path = tmp_path / "state" / "journal.jsonl"
    journal = Journal(path).open()
    journal.append(started())
    journal.append(ConfirmationRefused(session_id="s1", what="account id mismatch"))

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    contents = read_journal(path)
    assert [r.kind for r in contents.records] == ["session-started", "confirmation-refused"]
    assert contents.unreadable == []


def test_a_widened_journal_is_made_private_again(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    path.write_text("")
    path.chmod(0o644)
    Journal(path).append(started())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_threads_never_interleave_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "fsync", lambda fd: None)  # durability is tested below; speed here
    journal = Journal(tmp_path / "journal.jsonl")
    long_note = "x" * 5000  # longer than a pipe buffer: a torn write would show

    def writer(n: int) -> None:
        for i in range(100):
            journal.append(ConfirmationRefused(session_id=f"t{n}", what=f"{i} {long_note}"))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    contents = read_journal(journal.path)
    assert contents.unreadable == []
    assert len(contents.records) == 800


def test_a_torn_last_line_is_skipped_and_does_not_swallow_the_next(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    Journal(path).append(started("s1"))
    with path.open("a") as fh:
        fh.write('{"kind": "session-ended", "sess')  # the machine lost power mid-write
    Journal(path).append(started("s2"))
    contents = read_journal(path)
    assert [r.session_id for r in contents.records] == ["s1", "s2"]
    assert contents.unreadable == [2]


def test_missing_journal_reads_as_empty(tmp_path: Path) -> None:
    assert read_journal(tmp_path / "nope.jsonl").records == []


def test_unwritable_journal_stops_the_run_before_aws(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")

    def no_aws(*_: Any, **__: Any) -> None:
        raise AssertionError("AWS was reached although the journal cannot be written")

    monkeypatch.setattr("slrwizard.bootstrap.build", no_aws)
    with pytest.raises(JournalError) as caught:
        connect_wizard(Options(), journal_path=blocker / "journal.jsonl")
    assert "Could not write the audit journal" in caught.value.explanation


def test_no_mutating_call_is_made_once_the_journal_fails(aws: None, tmp_path: Path) -> None:
    """The record announcing a call cannot be written: the call is not made."""
    path = tmp_path / "journal.jsonl"
    gateway = Boto3Gateway(GatewaySettings(region="us-east-1", poll_seconds=0.01))
    sent: list[str] = []
    gateway.events.register(
        "before-send.rds", lambda request, event_name, **_: sent.append(event_name) and None
    )
    wizard = Wizard(gateway, regions=REGIONS, listeners=[Journal(path).append])
    wizard.start()
    wizard.inspect()
    wizard.scan()
    wizard.set_plan(lifted(wizard))
    wizard.review()
    wizard.confirm(wizard.account)
    path.unlink()
    path.mkdir()  # the journal can no longer be written

    heard_before = len(sent)
    with pytest.raises(JournalError):
        wizard.delete_resources()
    # The hook is live (it heard the scan's reads), yet no change was sent ...
    assert "before-send.rds.DescribeDBClusters" in sent[:heard_before]
    changes = [e for e in sent if e.split(".")[-1].startswith(("Delete", "Modify"))]
    assert changes == []
    # ... and AWS still holds everything, as it was: protection on, every resource there.
    eu, us = boto3.client("rds", region_name="eu-west-1"), boto3.client("rds", "us-east-1")
    [orders] = eu.describe_db_clusters(DBClusterIdentifier="orders")["DBClusters"]
    assert orders["DeletionProtection"] is True
    assert [m["DBInstanceIdentifier"] for m in orders["DBClusterMembers"]] == ["orders-1"]
    assert [d["DBInstanceIdentifier"] for d in us.describe_db_instances()["DBInstances"]] == [
        "solo"
    ]


def test_announcement_is_fsynced_before_the_call_is_sent(
    aws: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "journal.jsonl"
    synced: list[int] = []  # the journal's size at each fsync
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        real_fsync(fd)
        synced.append(os.fstat(fd).st_size)

    monkeypatch.setattr(os, "fsync", fsync)
    gateway = Boto3Gateway(GatewaySettings(region="us-east-1", poll_seconds=0.01))
    checked: list[str] = []
    problems: list[str] = []

    def before_send(request: Any, event_name: str, **_: Any) -> None:
        op = event_name.split(".")[-1]
        if not op.startswith(("Delete", "Modify")):
            return
        body = parse_qs(request.body if isinstance(request.body, str) else request.body.decode())
        target = (body.get("DBClusterIdentifier") or body.get("DBInstanceIdentifier") or [""])[0]
        text = path.read_text()
        mine = [
            line
            for line in text.splitlines(keepends=True)
            if '"kind":"step"' in line
            and (r := StepRecord.model_validate_json(line)).status.value == "running"
            and r.step.mutating
            and (
                r.step.target == target
                # a cluster deleted with its instances announced their deletion too (moto
                # ignores DeleteDBInstances: the step deletes them one by one)
                or (r.step.delete_instances and target.startswith(f"{r.step.target}-"))
            )
        ]
        if not mine:
            problems.append(f"{op} {target} sent before its announcement was written")
        elif not synced or max(synced) < text.index(mine[-1]) + len(mine[-1]):
            problems.append(f"{op} {target} sent before its announcement was fsynced")
        checked.append(op)

    gateway.events.register("before-send", before_send)
    wizard = Wizard(gateway, regions=REGIONS, listeners=[Journal(path).append])
    wizard.start()
    wizard.inspect()
    wizard.scan()
    wizard.set_plan(lifted(wizard))
    wizard.review()
    wizard.confirm(wizard.account)
    assert wizard.delete_resources()
    assert problems == []
    assert {"DeleteDBCluster", "DeleteDBInstance", "ModifyDBCluster"} <= set(checked)


def test_secret_values_and_url_passwords_are_blanked(tmp_path: Path) -> None:
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    journal = Journal(tmp_path / "journal.jsonl", secrets=[secret, "short"])
    record = started(endpoint_url=f"https://ops:{secret}@proxy.example:8443/x")
    journal.append(record)
    text = journal.path.read_text()
    assert secret not in text and "ops:" not in text
    assert "[redacted]@proxy.example:8443" in text
    assert lines(journal.path)[0]["caller"]["account"] == "123456789012"


def test_records_are_ordered_by_time(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.jsonl")
    journal.append(started())
    [record] = read_journal(journal.path).records
    assert record.at.tzinfo is not None and record.at <= datetime.now(timezone.utc)
