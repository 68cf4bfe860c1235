"""Which session is offered for resume, what it says happened, and how its plan is adapted."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from slrwizard.domain.models import (
    Caller,
    Cluster,
    Instance,
    RegionOutcome,
    RegionScan,
    RegionSource,
    RoleDeletionState,
    RoleDeletionStatus,
    ScanResult,
)
from slrwizard.domain.plan import DeletionPlan, PlanStep, ResourceKind, ResourcePlan, StepKind
from slrwizard.domain.records import (
    PlanConfirmed,
    RoleDeletionRecord,
    ScanCompleted,
    SessionEnded,
    SessionStarted,
    StepRecord,
    StepStatus,
)
from slrwizard.domain.resume import adapt_plan
from slrwizard.journal.resume import find_unfinished
from slrwizard.journal.sessions import load
from slrwizard.journal.store import Journal

ACCOUNT = "123456789012"
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def choice(key: str, snapshot: str | None = "snap") -> ResourcePlan:
    region, ident = key.split("/")
    return ResourcePlan(
        kind=ResourceKind.CLUSTER,
        region=region,
        identifier=ident,
        final_snapshot_id=f"{ident}-{snapshot}" if snapshot else None,
        skip_final_snapshot=snapshot is None,
    )


class Journ:
    """Writes synthetic sessions to a real journal file."""

    def __init__(self, path: Path) -> None:
        self.journal = Journal(path)
        self.path = path

    def start(
        self,
        sid: str,
        minute: int,
        *,
        account: str = ACCOUNT,
        demo: bool = False,
        read_only: bool = False,
        resumed_from: str | None = None,
    ) -> None:
        caller = Caller(account=account, arn=f"arn:aws:iam::{account}:user/ops", demo=demo)
        self.journal.append(
            SessionStarted(
                session_id=sid,
                at=at(minute),
                caller=caller,
                operator="alice",
                tool_version="0.1.0",
                read_only=read_only,
                resumed_from=resumed_from,
            )
        )

    def confirm(self, sid: str, minute: int, *keys: str) -> None:
        plan = DeletionPlan(account=ACCOUNT, resources=[choice(k) for k in keys])
        self.journal.append(
            PlanConfirmed(session_id=sid, at=at(minute), plan=plan, confirmed_by="alice")
        )

    def step(self, sid: str, key: str, kind: StepKind, status: StepStatus, **kw: str) -> None:
        region, ident = key.split("/")
        step = PlanStep(kind=kind, region=region, target=ident, description=f"{kind.value} {ident}")
        self.journal.append(
            StepRecord(
                session_id=sid, resource=key, index=0, total=3, step=step, status=status, **kw
            )
        )

    def role(self, sid: str, task: str | None, state: RoleDeletionState | None = None) -> None:
        if state is None:
            self.journal.append(RoleDeletionRecord(session_id=sid, phase="requested", task_id=task))
        else:
            status = RoleDeletionStatus(task_id=task or "", state=state)
            self.journal.append(
                RoleDeletionRecord(session_id=sid, phase="status", status=status, task_id=task)
            )

    def scan(self, sid: str, minute: int, *keys: str) -> None:
        """A complete scan that found the resources ``keys`` (see :func:`scan_of`)."""
        self.journal.append(ScanCompleted(session_id=sid, at=at(minute), scan=scan_of(*keys)))

    def end(self, sid: str, state: str, reason: str = "because") -> None:
        self.journal.append(SessionEnded(session_id=sid, state=state, reason=reason))


def test_nothing_to_resume_in_an_empty_journal(tmp_path: Path) -> None:
    assert find_unfinished(tmp_path / "none.jsonl", ACCOUNT) is None


def test_a_killed_session_is_offered_with_what_it_did(tmp_path: Path) -> None:
    j = Journ(tmp_path / "j.jsonl")
    j.start("a", 0)
    j.confirm("a", 1, "eu-west-1/orders", "eu-west-1/ledger")
    j.step("a", "eu-west-1/orders", StepKind.DELETE_CLUSTER, StepStatus.RUNNING)

    prior = find_unfinished(j.path, ACCOUNT)
    assert prior is not None
    assert prior.session_id == "a" and prior.chain == ("a",)
    assert prior.plan is not None and len(prior.plan.resources) == 2
    text = "\n".join(prior.summary())
    assert "alice" in text and "no end record" in text
    assert "eu-west-1/orders: stopped during 'delete-cluster orders'" in text
    assert "eu-west-1/ledger: not started" in text
    assert prior.resources["eu-west-1/orders"].delete_announced is not None


def test_only_the_callers_account_and_mode_count(tmp_path: Path) -> None:
    j = Journ(tmp_path / "j.jsonl")
    j.start("other", 0, account="999999999999")
    j.confirm("other", 1, "eu-west-1/orders")
    j.start("demo", 2, demo=True)
    j.confirm("demo", 3, "eu-west-1/orders")
    assert find_unfinished(j.path, ACCOUNT) is None
    demo = find_unfinished(j.path, ACCOUNT, demo=True)
    assert demo is not None and demo.session_id == "demo"


def test_sessions_that_changed_nothing_are_not_offered(tmp_path: Path) -> None:
    j = Journ(tmp_path / "j.jsonl")
    j.start("ro", 0, read_only=True)
    j.scan("ro", 1, "eu-west-1/orders")
    j.confirm("ro", 2, "eu-west-1/orders")  # a read-only walkthrough confirms, changes nothing
    j.start("quit", 3)
    j.scan("quit", 4, "eu-west-1/orders")  # scanned, never confirmed, killed
    sessions = load(j.path).sessions
    assert [type(r).__name__ for r in sessions["quit"].records] == [
        "SessionStarted",
        "ScanCompleted",
    ]
    assert sessions["ro"].read_only and sessions["ro"].confirmations
    assert find_unfinished(j.path, ACCOUNT) is None


def test_finished_sessions_are_not_offered(tmp_path: Path) -> None:
    j = Journ(tmp_path / "j.jsonl")
    j.start("done", 0)
    j.confirm("done", 1, "eu-west-1/orders")
    j.end("done", "done", "the role was deleted")
    assert find_unfinished(j.path, ACCOUNT) is None
    j.start("killed-after-success", 2)
    j.role("killed-after-success", "t1")
    j.role("killed-after-success", "t1", RoleDeletionState.SUCCEEDED)
    assert find_unfinished(j.path, ACCOUNT) is None  # the role is gone: nothing to resume


def test_a_later_fresh_start_that_confirmed_supersedes_older_work(tmp_path: Path) -> None:
    j = Journ(tmp_path / "j.jsonl")
    j.start("old", 0)
    j.confirm("old", 1, "eu-west-1/orders")
    j.start("peek", 5)  # a fresh start that changed nothing does not hide "old"
    prior = find_unfinished(j.path, ACCOUNT)
    assert prior is not None and prior.session_id == "old"
    j.start("fresh", 10)
    j.confirm("fresh", 11, "eu-west-1/orders")
    j.end("fresh", "done", "the role was deleted")
    assert find_unfinished(j.path, ACCOUNT) is None


def test_a_resumed_session_that_died_carries_the_chain(tmp_path: Path) -> None:
    j = Journ(tmp_path / "j.jsonl")
    j.start("a", 0)
    j.confirm("a", 1, "eu-west-1/orders")
    j.step("a", "eu-west-1/orders", StepKind.WAIT_CLUSTER_DELETED, StepStatus.DONE)
    j.role("a", None)
    j.role("a", "task-1")  # requested, never seen to end
    j.end("a", "aborted", "interrupted by SIGHUP while deleting role")
    j.start("b", 10, resumed_from="a")  # died before confirming anything
    j.role("b", None)

    prior = find_unfinished(j.path, ACCOUNT)
    assert prior is not None
    assert prior.session_id == "b" and prior.chain == ("a", "b")
    assert prior.plan is not None and [r.key for r in prior.plan.resources] == ["eu-west-1/orders"]
    assert prior.role_task_id == "task-1"
    assert any("polled, not requested again" in line for line in prior.summary())
    assert "deleted; final snapshot orders-snap not verified yet" in "\n".join(prior.summary())


def test_a_failed_role_task_is_not_polled_again(tmp_path: Path) -> None:
    j = Journ(tmp_path / "j.jsonl")
    j.start("a", 0)
    j.role("a", "task-1")
    j.role("a", "task-1", RoleDeletionState.FAILED)
    j.end("a", "aborted", "the operator quit")
    prior = find_unfinished(j.path, ACCOUNT)
    assert prior is not None and prior.role_task_id is None


def scan_of(*keys: str, status: str = "available") -> ScanResult:
    regions: dict[str, RegionScan] = {}
    for key in keys:
        region, ident = key.split("/")
        scan = regions.get(region) or RegionScan(region=region, outcome=RegionOutcome.SCANNED)
        if ident.startswith("db"):
            instance = Instance(
                region=region, identifier=ident, arn="arn", engine="postgres", status=status
            )
            scan = scan.model_copy(update={"instances": [*scan.instances, instance]})
        else:
            cluster = Cluster(
                region=region, identifier=ident, arn="arn", engine="aurora-mysql", status=status
            )
            scan = scan.model_copy(update={"clusters": [*scan.clusters, cluster]})
        regions[region] = scan
    return ScanResult(
        regions=list(regions.values()),
        region_source=RegionSource.USER,
        started=T0,
        finished=T0,
    )


def test_adapt_plan_keeps_choices_drops_the_gone_and_asks_about_the_new() -> None:
    prior = DeletionPlan(
        account=ACCOUNT,
        resources=[
            choice("eu-west-1/orders"),
            choice("eu-west-1/ledger", snapshot=None),
            choice("us-east-1/gone"),
        ],
    )
    fresh = scan_of("eu-west-1/orders", "eu-west-1/ledger", "us-east-1/newcomer")
    adapted = adapt_plan(prior, fresh)

    assert adapted.kept == ["eu-west-1/ledger", "eu-west-1/orders"]
    assert adapted.dropped == ["us-east-1/gone"]
    assert adapted.new == ["us-east-1/newcomer"]
    assert adapted.plan.choice("eu-west-1/orders") == prior.choice("eu-west-1/orders")
    assert adapted.plan.choice("eu-west-1/ledger") == prior.choice("eu-west-1/ledger")
    assert adapted.plan.problems(fresh) == ["Cluster us-east-1/newcomer has no choice in the plan."]
    assert any("newcomer" in line for line in adapted.lines())
    newcomer = choice("us-east-1/newcomer")
    completed = adapted.completed([newcomer, choice("eu-west-1/orders", snapshot="changed")])
    assert completed.problems(fresh) == []
    assert completed.choice("eu-west-1/orders") == prior.choice("eu-west-1/orders")  # kept
