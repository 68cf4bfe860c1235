"""The demo shows AWS's intermediate states for real: while a step waits, each status the
sandbox reports for its target (``starting``, ``modifying``, ``deleting``; a global database
still listing a member, a detached secondary being promoted) reaches the progress as AWS's own
word, and the journal keeps it."""

from __future__ import annotations

from pathlib import Path

from enginekit import to_confirming

from slrwizard.bootstrap import Options, connect_wizard
from slrwizard.domain.executor import StepUpdate
from slrwizard.domain.records import StepRecord
from slrwizard.journal.sessions import load


def test_waits_show_what_aws_says_meanwhile(tmp_path: Path) -> None:
    journal = tmp_path / "journal.jsonl"
    wizard, wiring = connect_wizard(
        # slow enough that every change is still under way at the first poll, even on a busy
        # machine (a poll every 0.5 s; a modification takes 0.75 s, leaving a global 1 s)
        Options(demo=True, demo_speed=0.5),
        journal_path=journal,
    )
    heard: list[StepUpdate] = []
    try:
        to_confirming(wizard)
        wizard.confirm(wizard.account)
        assert wizard.delete_resources(heard.append)
    finally:
        wiring.close()
    said = {(u.resource, u.note) for u in heard if u.note.startswith("AWS: ")}
    assert ("eu-central-1/analytics-staging", "AWS: starting") in said  # a stopped cluster
    assert ("us-east-1/orders-prod", "AWS: modifying") in said  # protection being lifted
    assert ("eu-central-1/fraud-graph", "AWS: deleting") in said
    # the global secondary, detached: promoted to a standalone cluster as it leaves
    assert ("eu-west-1/payments-core-euw1", "AWS: promoting") in said
    # Only what is under way is said ("available" is the step's own end); the journal keeps it.
    assert not {note for _, note in said} & {"AWS: available", "AWS: stopped"}
    records = [r for s in load(journal).sessions.values() for r in s.records]
    kept = {(r.resource, r.note) for r in records if isinstance(r, StepRecord)}
    assert said <= kept
