"""Drill: a 20-database, 6-region account on the strict sandbox, with every kind the engine must
order or refuse (a global primary and secondary, a replica cluster and its source, a stopped
cluster, a stopped protected instance, two autoscaled clusters (one deregistered first), an RDS
Custom instance (a manual snapshot first), a Neptune cluster, a cluster with no instance, one
whose KMS key is disabled, one whose final snapshot name is taken in another case).

Walked through once without interruption, then killed at 10 random mutating calls (before the
call leaves, or once AWS answered it) and resumed each time: the outcome is always the same.
Every deletable database is gone with its final snapshot verified; the two whose pre-check fails
keep every instance (stopped before anything irreversible); the role stays, since they remain;
and AWS never received the same change twice. How the death is simulated, and why not with a
real SIGKILL here: ``account_drill.py``.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from account_drill import (
    ACCOUNT,
    REGIONS,
    AwsLog,
    DrillAccount,
    Expected,
    Life,
    walk,
)

from slrwizard.domain.models import ROLE_NAME
from slrwizard.domain.records import PlanConfirmed, SessionEnded
from slrwizard.journal.sessions import load
from slrwizard.sandbox import Sandbox

SEED = 20261205
CALLS = 35
"""Mutating requests of an uninterrupted walk, at least (a request AWS refuses while a change
settles is retried, and counts again): ``test_uninterrupted`` checks the figure."""
KILLS = [
    (random.Random(SEED + n).randint(1, CALLS), random.Random(SEED - n).choice(["before", "after"]))
    for n in range(10)
]
"""Ten reproducible points: the n-th mutating call, before it leaves or once AWS answered."""


@pytest.fixture
def account() -> Iterator[tuple[Sandbox, DrillAccount, Expected]]:
    sandbox = Sandbox(time_scale=0, account_id=ACCOUNT)
    sandbox.start()
    try:
        arranged = DrillAccount(sandbox)
        yield sandbox, arranged, arranged.seed()
    finally:
        sandbox.stop()


def assert_outcome(arranged: DrillAccount, expected: Expected, journal: Path, log: AwsLog) -> None:
    remaining = arranged.remaining()
    assert remaining == expected.kept, "deletable gone, the refused ones whole"
    iam = arranged.client("iam", "us-east-1")
    assert iam.get_role(RoleName=ROLE_NAME)["Role"]["RoleName"] == ROLE_NAME  # two remain
    assert log.repeated() == [], "AWS was asked for the same change twice"
    # Every final snapshot of every confirmed plan exists and is available.
    view = load(journal)
    plans = [
        r.plan for s in view.sessions.values() for r in s.records if isinstance(r, PlanConfirmed)
    ]
    assert plans
    wanted = {
        r.key: r.final_snapshot_id
        for plan in plans
        for r in plan.resources
        if r.key in expected.gone
    }
    assert set(wanted) == expected.gone
    for key, name in sorted(wanted.items()):
        if key in expected.skipped_snapshots:
            assert name is None
            continue
        assert name, f"{key} keeps a final snapshot"
        region = key.split("/")[0]
        assert_snapshot_available(arranged, region, name)
    last = view.get("latest")
    assert isinstance(last.records[-1], SessionEnded)


def assert_snapshot_available(arranged: DrillAccount, region: str, name: str) -> None:
    rds = arranged.client("rds", region)
    try:
        found = rds.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier=name)
        statuses = [s["Status"] for s in found["DBClusterSnapshots"]]
    except rds.exceptions.DBClusterSnapshotNotFoundFault:
        found = rds.describe_db_snapshots(DBSnapshotIdentifier=name)
        statuses = [s["Status"] for s in found["DBSnapshots"]]
    assert statuses == ["available"], name


def test_uninterrupted(account: tuple[Sandbox, DrillAccount, Expected], tmp_path: Path) -> None:
    sandbox, arranged, expected = account
    assert len(expected.gone) + len(expected.kept) == 20
    assert {k.split("/")[0] for k in expected.gone} == set(REGIONS)
    journal, log = tmp_path / "journal.jsonl", AwsLog()
    life = Life(log)
    wizard = walk(sandbox, journal, expected, life, resume=False)
    assert wizard is not None
    assert life.count >= CALLS
    assert_outcome(arranged, expected, journal, log)


@pytest.mark.parametrize(("at", "when"), KILLS, ids=[f"call{a}-{w}" for a, w in KILLS])
def test_killed_then_resumed(
    account: tuple[Sandbox, DrillAccount, Expected], tmp_path: Path, at: int, when: str
) -> None:
    sandbox, arranged, expected = account
    journal, log = tmp_path / "journal.jsonl", AwsLog()
    first = Life(log, at, when)
    finished = walk(sandbox, journal, expected, first, resume=False)
    assert finished is None and first.died_at is not None  # it died: the next session resumes
    assert walk(sandbox, journal, expected, Life(log), resume=True) is not None
    assert_outcome(arranged, expected, journal, log)
