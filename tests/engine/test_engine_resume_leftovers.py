"""Leftovers of an interrupted walkthrough: a global database its primary's deletion emptied is
deleted by the resume, or named as left behind; the summary has a row for every database."""

from __future__ import annotations

from pathlib import Path

from fakekit import EU, US, confirmed, new_wizard
from fakes import ACCOUNT, FakeAccount, FakeGateway

from slrwizard.domain import errors as e
from slrwizard.domain.plan import StepKind
from slrwizard.domain.records import Record, StepRecord, StepStatus
from slrwizard.domain.resume import PriorSession, delete_emptied_global_databases
from slrwizard.domain.wizard import Wizard
from slrwizard.journal.resume import find_unfinished
from slrwizard.journal.store import Journal
from slrwizard.tui.summary import global_outcomes, prior_outcomes, round_outcomes

REGIONS = [EU, US]
DENIED = e.AccessDeniedError(
    "User is not authorized to perform: rds:DeleteGlobalCluster",
    action="rds:DeleteGlobalCluster",
    code="AccessDenied",
)


def _account() -> FakeAccount:
    account = FakeAccount(enabled=REGIONS, denied=[])
    account.add_role()
    account.add_cluster(US, "orders-us", global_id="orders-global")  # primary
    account.add_cluster(EU, "orders-eu", global_id="orders-global")  # secondary
    account.add_instance(EU, "solo")
    return account


def _first_session_dies_before_the_global_database(
    account: FakeAccount, journal: Path
) -> PriorSession:
    """The first session deletes both members, then DeleteGlobalCluster is refused and the
    process dies (its journal has no end record)."""
    store = Journal(journal).open()
    account.refuse(StepKind.DELETE_GLOBAL_CLUSTER.value, DENIED)
    wizard = Wizard(FakeGateway(account), regions=REGIONS, listeners=[store.append])
    wizard.start()
    confirmed(wizard)
    wizard.delete_resources()
    assert "orders-global" in account.globals and not account.globals["orders-global"].members
    prior = find_unfinished(journal, ACCOUNT)
    assert prior is not None
    return prior


def _resumed(account: FakeAccount, prior: PriorSession, records: list[Record]) -> Wizard:
    wizard = new_wizard(account, records, REGIONS)
    wizard.inspect()
    assert wizard.scan().resource_count == 0
    wizard.skip_to_role()
    return wizard


def test_a_fresh_round_names_a_global_database_it_could_not_delete() -> None:
    account = _account()
    account.refuse(StepKind.DELETE_GLOBAL_CLUSTER.value, DENIED)
    wizard = new_wizard(account, [], REGIONS)
    confirmed(wizard)
    wizard.delete_resources()

    rows = {o.key: o for o in round_outcomes(wizard.plan, wizard.progress)}
    assert rows[f"{US}/orders-us"].result == "deleted"  # the cluster is gone
    left = rows[f"{US}/orders-global"]
    assert (left.kind, left.result) == ("global database", "left behind")
    assert len(rows) == 4  # three databases and the global database left behind


def test_the_resume_deletes_a_global_database_its_primary_emptied(tmp_path: Path) -> None:
    account = _account()
    prior = _first_session_dies_before_the_global_database(account, tmp_path / "j.jsonl")
    records: list[Record] = []
    wizard = _resumed(account, prior, records)

    outcomes = delete_emptied_global_databases(wizard, prior)

    assert [(o.global_cluster_id, o.deleted) for o in outcomes] == [("orders-global", True)]
    assert "orders-global" not in account.globals
    steps = [r for r in records if isinstance(r, StepRecord)]
    assert [r.status for r in steps] == [StepStatus.RUNNING, StepStatus.DONE]  # announced first
    assert global_outcomes(outcomes) == []
    rows = prior_outcomes(prior, None, set(), latest_scan=wizard.scan_result)
    assert {o.key: o.result for o in rows} == {
        f"{US}/orders-us": "deleted earlier",
        f"{EU}/orders-eu": "deleted earlier",
        f"{EU}/solo": "deleted earlier",
    }


def test_a_global_database_that_still_has_a_member_is_named_left_behind(tmp_path: Path) -> None:
    account = _account()
    prior = _first_session_dies_before_the_global_database(account, tmp_path / "j.jsonl")
    # Someone attached a cluster of a region this wizard does not scan meanwhile.
    account.globals["orders-global"].members.append("ap-south-1/intruder")
    wizard = _resumed(account, prior, [])

    outcomes = delete_emptied_global_databases(wizard, prior)

    [outcome] = outcomes
    assert not outcome.deleted and "still has members" in outcome.note
    assert "orders-global" in account.globals
    [row] = global_outcomes(outcomes)
    assert row.key.endswith("/orders-global") and row.result == "left behind"


def test_nothing_to_do_when_the_primary_deleted_its_global_database(tmp_path: Path) -> None:
    account = _account()
    journal = tmp_path / "j.jsonl"
    store = Journal(journal).open()
    wizard = Wizard(FakeGateway(account), regions=REGIONS, listeners=[store.append])
    wizard.start()
    confirmed(wizard)
    # Killed once the cluster steps are done: the resumed session has nothing to delete.
    wizard.delete_resources()
    prior = find_unfinished(journal, ACCOUNT)
    assert prior is not None
    resumed = _resumed(account, prior, [])
    assert delete_emptied_global_databases(resumed, prior) == []


def test_an_rds_custom_instance_is_deleted_after_its_manual_snapshot() -> None:
    """On the fake, end to end: the snapshot is taken and seen available, then the instance
    goes without a final snapshot, and the summary shows the snapshot kept and verified."""
    account = FakeAccount(enabled=REGIONS, denied=[])
    account.add_role()
    account.add_instance(EU, "erp", engine="custom-oracle-ee")
    wizard = new_wizard(account, [], REGIONS)
    confirmed(wizard)
    assert wizard.delete_resources() is True
    assert f"{EU}/erp" not in account.instances
    [row] = round_outcomes(wizard.plan, wizard.progress)
    assert row.result == "deleted" and row.snapshot and row.snapshot_verified
    assert account.snapshots[(EU, row.snapshot, False)] == "available"
