"""The domain alone, no AWS: snapshot names, the plan's rules, step order, usage regions."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from enginekit import ACCOUNT, cluster_model, instance_model, scan_of
from pydantic import ValidationError

from slrwizard.domain.models import (
    Cluster,
    ClusterMember,
    Instance,
    RoleDeletionState,
    RoleDeletionStatus,
    RoleUsage,
    ScalableTarget,
    ScanResult,
)
from slrwizard.domain.paths import deletion_path
from slrwizard.domain.plan import (
    IRREVERSIBLE_STEPS,
    DeletionPlan,
    PlanStep,
    ResourceKind,
    ResourcePlan,
    StepKind,
    cluster_steps,
    default_plan,
    default_snapshot_id,
    instance_steps,
    snapshot_id_problem,
)
from slrwizard.domain.records import StepRecord

K = StepKind


# -- snapshot identifiers ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "name",
    ["a", "A", "orders-final-20260101-1200", "x1-2-3", "Z" * 255, "a-b-c-d", "a1b2c3"],
)
def test_valid_snapshot_ids_have_no_problem(name: str) -> None:
    assert snapshot_id_problem(name) is None


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "cannot be empty"),
        ("a" * 256, "at most 255 characters; this one has 256"),
        ("1orders", "must start with a letter"),
        ("-orders", "must start with a letter"),
        ("éorders", "must start with a letter"),
        ("orders_final", "only letters, digits and hyphens (not '_')"),
        ("orders final", "only letters, digits and hyphens (not ' ')"),
        ("orders.final!", "(not '!' '.')"),
        ("ordersé", "only letters, digits and hyphens"),
        ("orders--final", "two hyphens in a row"),
        ("orders-", "cannot end with a hyphen"),
    ],
)
def test_invalid_snapshot_ids_are_explained(name: str, message: str) -> None:
    problem = snapshot_id_problem(name)
    assert problem is not None
    assert message in problem


@pytest.mark.parametrize(
    "identifier",
    [
        "orders",
        "Orders-Prod",
        "a",
        "1st-cluster",
        "9",
        "-leading",
        "trailing-",
        "double--hyphen",
        "under_score",
        "dots.and spaces",
        "ünïcode-db",
        "---",
        "",
        "x" * 63,
        "a" + "-b" * 150,
        "z" * 300,
    ],
)
@pytest.mark.parametrize(
    "now",
    [datetime(2026, 1, 2, 3, 4, tzinfo=timezone.utc), datetime(1999, 12, 31, 23, 59)],
)
def test_default_snapshot_id_is_always_valid(identifier: str, now: datetime) -> None:
    name = default_snapshot_id(identifier, now)
    assert snapshot_id_problem(name) is None, name
    assert name.endswith(f"-final-{now:%Y%m%d-%H%M}")
    # and the plan model accepts it as it is
    ResourcePlan(kind=ResourceKind.CLUSTER, region="r", identifier="i", final_snapshot_id=name)


def test_default_snapshot_id_keeps_a_valid_identifier_readable() -> None:
    now = datetime(2026, 5, 6, 7, 8, tzinfo=timezone.utc)
    assert default_snapshot_id("orders-prod", now) == "orders-prod-final-20260506-0708"


# -- ResourcePlan: exactly one snapshot choice ------------------------------------------------
def test_resource_plan_needs_exactly_one_snapshot_choice() -> None:
    base = {"kind": ResourceKind.CLUSTER, "region": "eu-west-1", "identifier": "orders"}
    ResourcePlan(**base, final_snapshot_id="orders-final")
    ResourcePlan(**base, skip_final_snapshot=True)
    with pytest.raises(ValidationError, match="not both"):
        ResourcePlan(**base, final_snapshot_id="orders-final", skip_final_snapshot=True)
    with pytest.raises(ValidationError, match="final snapshot name is required"):
        ResourcePlan(**base)
    with pytest.raises(ValidationError, match="two hyphens"):
        ResourcePlan(**base, final_snapshot_id="orders--final")


# -- DeletionPlan.problems --------------------------------------------------------------------
def _choice(resource: Cluster | Instance, **fields: Any) -> ResourcePlan:
    """The operator's choice for ``resource``: a final snapshot named after it, unless told."""
    kind = ResourceKind.CLUSTER if isinstance(resource, Cluster) else ResourceKind.INSTANCE
    if not fields.get("skip_final_snapshot"):
        fields.setdefault("final_snapshot_id", f"{resource.identifier}-final")
    return ResourcePlan(kind=kind, region=resource.region, identifier=resource.identifier, **fields)


def test_plan_for_a_clean_choice_has_no_problem() -> None:
    c, i = cluster_model("orders"), instance_model("solo")
    plan = DeletionPlan(account="1", resources=[_choice(c), _choice(i)])
    assert plan.problems(scan_of(c, i)) == []


def test_protected_resources_need_the_lift_protection_tick() -> None:
    c = cluster_model("orders", deletion_protection=True)
    i = instance_model("solo", deletion_protection=True)
    scan = scan_of(c, i)
    problems = DeletionPlan(account="1", resources=[_choice(c), _choice(i)]).problems(scan)
    assert any("eu-west-1/orders has deletion protection" in p for p in problems)
    assert any("eu-west-1/solo has deletion protection" in p for p in problems)
    ticked = [_choice(c, lift_protection=True), _choice(i, lift_protection=True)]
    assert DeletionPlan(account="1", resources=ticked).problems(scan) == []


def test_a_snapshot_name_used_twice_is_a_problem() -> None:
    a, b = cluster_model("a"), cluster_model("b")
    plan = DeletionPlan(
        account="1",
        resources=[_choice(a, final_snapshot_id="same"), _choice(b, final_snapshot_id="same")],
    )
    assert plan.problems(scan_of(a, b)) == [
        "Snapshot name same is used for more than one resource."
    ]


def test_every_scanned_resource_needs_a_choice_and_every_choice_a_resource() -> None:
    a, b, ghost = cluster_model("a"), instance_model("b"), cluster_model("ghost")
    problems = DeletionPlan(account="1", resources=[_choice(a), _choice(ghost)]).problems(
        scan_of(a, b)
    )
    assert "Instance eu-west-1/b has no choice in the plan." in problems
    assert "eu-west-1/ghost is in the plan but not in the latest scan." in problems


def test_a_resource_listed_twice_is_a_problem() -> None:
    a = cluster_model("a")
    plan = DeletionPlan(account="1", resources=[_choice(a), _choice(a, skip_final_snapshot=True)])
    assert "eu-west-1/a appears twice in the plan." in plan.problems(scan_of(a))


def test_read_replica_instances_cannot_keep_a_final_snapshot() -> None:
    """AWS: "FinalDBSnapshotIdentifier can not be specified when deleting a replica instance".
    RDS Custom is deleted without a final snapshot too, but never defaults to no backup: its
    snapshot name is the manual snapshot the wizard takes first."""
    source = instance_model("solo")
    replica = instance_model("solo-rr", read_replica_source="solo")
    custom = instance_model("custom", engine="custom-oracle-ee")
    scan = scan_of(source, replica, custom)
    plan = default_plan("1", scan)
    for key in ("eu-west-1/solo", "eu-west-1/custom"):
        chosen = plan.choice(key)
        assert chosen is not None and chosen.final_snapshot_id
    chosen = plan.choice("eu-west-1/solo-rr")
    assert chosen is not None
    assert chosen.skip_final_snapshot
    assert chosen.final_snapshot_id is None
    assert plan.problems(scan) == []
    asked = DeletionPlan(
        account="1", resources=[_choice(source), _choice(replica), _choice(custom)]
    )
    problems = asked.problems(scan)
    assert len(problems) == 1
    assert all("refuses a final snapshot" in p for p in problems)


def test_default_plan_is_valid_except_for_protection() -> None:
    c = cluster_model("orders", deletion_protection=True)
    scan = scan_of(c, instance_model("solo"), cluster_model("neptune", engine="neptune"))
    plan = default_plan("1", scan, now=datetime(2026, 1, 1, tzinfo=timezone.utc))
    assert sorted(str(r.final_snapshot_id) for r in plan.resources) == [
        "neptune-final-20260101-0000",
        "orders-final-20260101-0000",
        "solo-final-20260101-0000",
    ]
    assert not any(r.lift_protection for r in plan.resources)
    assert len(plan.problems(scan)) == 1


# -- the order of steps -----------------------------------------------------------------------
def _kinds(cluster: Cluster, **choice: Any) -> list[StepKind]:
    return [s.kind for s in cluster_steps(cluster, _choice(cluster, **choice))]


def test_plain_cluster_steps() -> None:
    """An Aurora cluster goes in one DeleteDBCluster call, its instances with it."""
    c = cluster_model()
    steps = cluster_steps(c, _choice(c))
    assert [s.kind for s in steps] == [
        K.CHECK_CLUSTER,
        K.DELETE_CLUSTER,
        K.WAIT_CLUSTER_DELETED,
        K.VERIFY_CLUSTER_SNAPSHOT,
    ]
    assert steps[1].delete_instances
    assert "c1 and its 1 instance in one call" in steps[1].description
    assert "if one instance cannot go, nothing is deleted" in steps[1].description


def test_stopped_cluster_is_started_and_awaited_first() -> None:
    kinds = _kinds(cluster_model(status="stopped"))
    assert kinds[:3] == [K.CHECK_CLUSTER, K.START_CLUSTER, K.WAIT_CLUSTER_AVAILABLE]
    assert kinds.index(K.DELETE_CLUSTER) > 1


def test_global_secondary_is_detached_then_deleted_and_keeps_the_global_database() -> None:
    c = cluster_model("sec", global_cluster_id="g", global_cluster_primary=False)
    steps = cluster_steps(c, _choice(c))
    assert [s.kind for s in steps] == [
        K.CHECK_CLUSTER,
        K.REMOVE_FROM_GLOBAL,
        K.WAIT_CLUSTER_AVAILABLE,
        K.DELETE_MEMBER,
        K.DELETE_NEW_MEMBERS,
        K.DELETE_CLUSTER,
        K.WAIT_CLUSTER_DELETED,
        K.VERIFY_CLUSTER_SNAPSHOT,
    ]
    assert "one by one: a member of global database g" in steps[3].description
    assert not steps[5].delete_instances
    assert steps[1].global_cluster_id == "g"
    assert "secondary" in steps[1].description
    assert steps[2].global_cluster_id == "g"  # the wait lasts until it is no longer listed


def test_global_primary_deletes_the_global_database_after_itself() -> None:
    c = cluster_model("prim", global_cluster_id="g", global_cluster_primary=True)
    steps = cluster_steps(c, _choice(c))
    kinds = [s.kind for s in steps]
    assert kinds[:3] == [K.CHECK_CLUSTER, K.REMOVE_FROM_GLOBAL, K.WAIT_CLUSTER_AVAILABLE]
    assert "once every secondary has left" in steps[1].description
    assert kinds.index(K.WAIT_CLUSTER_DELETED) < kinds.index(K.DELETE_GLOBAL_CLUSTER)
    assert steps[kinds.index(K.DELETE_GLOBAL_CLUSTER)].target == "g"


def test_stopped_global_member_is_started_before_it_is_detached() -> None:
    c = cluster_model("sec", status="stopped", global_cluster_id="g")
    assert _kinds(c)[:5] == [
        K.CHECK_CLUSTER,
        K.START_CLUSTER,
        K.WAIT_CLUSTER_AVAILABLE,
        K.REMOVE_FROM_GLOBAL,
        K.WAIT_CLUSTER_AVAILABLE,
    ]


def test_read_replica_cluster_is_promoted_before_its_members_go() -> None:
    source = "arn:aws:rds:us-east-1:123456789012:cluster:src"
    c = cluster_model("rep", replication_source=source)
    steps = cluster_steps(c, _choice(c))
    assert [s.kind for s in steps][:4] == [
        K.CHECK_CLUSTER,
        K.PROMOTE_REPLICA,
        K.WAIT_CLUSTER_AVAILABLE,
        K.DELETE_CLUSTER,  # promoted, it is standalone: its instances go with it
    ]
    assert steps[3].delete_instances
    assert steps[1].source_cluster_id == source
    assert steps[2].source_cluster_id == source  # the wait lasts until the link is gone


def test_readers_are_deleted_before_the_writer_and_without_snapshots() -> None:
    members = [
        ClusterMember(identifier="w", is_writer=True),
        ClusterMember(identifier="r2", is_writer=False),
        ClusterMember(identifier="r1", is_writer=False),
    ]
    c = cluster_model("big", members=members, engine="neptune")  # no one call for Neptune
    steps = [s for s in cluster_steps(c, _choice(c)) if s.kind is K.DELETE_MEMBER]
    assert [s.target for s in steps] == ["r2", "r1", "w"]
    assert all(s.cluster_id == "big" and s.final_snapshot_id is None for s in steps)
    assert all("no snapshot" in s.description for s in steps)


def test_protected_cluster_lifts_protection_before_anything_irreversible() -> None:
    kinds = _kinds(cluster_model(deletion_protection=True), lift_protection=True)
    assert kinds == [
        K.CHECK_CLUSTER,
        K.LIFT_CLUSTER_PROTECTION,  # lifted first: the one call needs protection off
        K.DELETE_CLUSTER,
        K.WAIT_CLUSTER_DELETED,
        K.VERIFY_CLUSTER_SNAPSHOT,
    ]


def test_skip_final_snapshot_sends_no_snapshot_and_verifies_none() -> None:
    c = cluster_model()
    skip = cluster_steps(c, _choice(c, skip_final_snapshot=True))
    keep = cluster_steps(c, _choice(c, final_snapshot_id="c1-last"))
    delete_skip = next(s for s in skip if s.kind is K.DELETE_CLUSTER)
    delete_keep = next(s for s in keep if s.kind is K.DELETE_CLUSTER)
    assert delete_skip.final_snapshot_id is None
    assert "WITHOUT a final snapshot" in delete_skip.description
    assert delete_keep.final_snapshot_id == "c1-last"
    assert K.VERIFY_CLUSTER_SNAPSHOT not in [s.kind for s in skip]
    assert keep[-1].kind is K.VERIFY_CLUSTER_SNAPSHOT
    assert keep[-1].target == "c1-last"


@pytest.mark.parametrize(
    ("engine", "mode"),
    [("mysql", "provisioned"), ("postgres", "provisioned"), ("aurora-mysql", "serverless")],
)
def test_clusters_whose_members_go_with_them_delete_no_member(engine: str, mode: str) -> None:
    """Multi-AZ DB clusters and Serverless v1: AWS refuses to delete their members one by one."""
    c = cluster_model(engine=engine, engine_mode=mode)
    assert K.DELETE_MEMBER not in _kinds(c)


@pytest.mark.parametrize("engine", ["neptune", "docdb"])
def test_neptune_and_docdb_members_are_deleted_first(engine: str) -> None:
    assert _kinds(cluster_model(engine=engine))[:2] == [K.CHECK_CLUSTER, K.DELETE_MEMBER]


@pytest.mark.parametrize("engine", ["aurora-mysql", "aurora-postgresql"])
def test_aurora_members_go_in_the_clusters_one_call(engine: str) -> None:
    c = cluster_model(engine=engine)
    assert deletion_path(c).one_call
    assert K.DELETE_MEMBER not in _kinds(c)


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"engine": "neptune"}, "Neptune (the one call is for Aurora MySQL/PostgreSQL)"),
        ({"global_cluster_id": "g"}, "a member of global database g"),
        ({"limitless": True}, "an Aurora Limitless Database cluster"),
        ({"replica_clusters": ["arn:aws:rds:eu-west-2:1:cluster:copy"]}, "the source of replica"),
        ({"status": "stopping"}, "stopping"),
        (
            {"members": [ClusterMember(identifier="w", is_writer=True, status="deleting")]},
            "instance w already deleting",
        ),
    ],
)
def test_a_cluster_outside_the_one_calls_constraints_goes_one_by_one(
    fields: dict[str, object], why: str
) -> None:
    c = cluster_model(**fields)
    path = deletion_path(c)
    assert not path.one_call
    assert why in path.why
    steps = cluster_steps(c, _choice(c))
    kinds = [s.kind for s in steps]
    # The members one by one, then read again, then the cluster alone.
    assert kinds.index(K.DELETE_MEMBER) < kinds.index(K.DELETE_NEW_MEMBERS)
    assert kinds.index(K.DELETE_NEW_MEMBERS) + 1 == kinds.index(K.DELETE_CLUSTER)
    assert why in next(s for s in steps if s.kind is K.DELETE_MEMBER).description
    assert not next(s for s in steps if s.kind is K.DELETE_CLUSTER).delete_instances


def test_the_source_of_a_scanned_replica_goes_one_by_one() -> None:
    source = cluster_model("src")
    replica = cluster_model("rep", replication_source=source.arn)
    scan = scan_of(source, replica)
    plan = default_plan(ACCOUNT, scan)
    steps = {r.identifier: r.steps for r in plan.schedule(scan)}
    assert K.DELETE_NEW_MEMBERS in [s.kind for s in steps["src"]]
    assert "the source of replica cluster rep" in steps["src"][1].description
    assert next(s for s in steps["rep"] if s.kind is K.DELETE_CLUSTER).delete_instances


def test_autoscaling_is_deregistered_only_with_the_tick_and_before_any_reader() -> None:
    target = ScalableTarget(resource_id="cluster:c1", min_capacity=1, max_capacity=4)
    c = cluster_model(engine="neptune", autoscaling=[target])
    assert K.DEREGISTER_AUTOSCALING not in _kinds(c)
    ticked = cluster_steps(c, _choice(c, deregister_autoscaling=True))
    kinds = [s.kind for s in ticked]
    assert kinds.index(K.DEREGISTER_AUTOSCALING) < kinds.index(K.DELETE_MEMBER)
    assert "cluster:c1 readers 1-4" in ticked[kinds.index(K.DEREGISTER_AUTOSCALING)].description
    # No target, nothing to deregister, tick or not.
    plain = cluster_model()
    assert K.DEREGISTER_AUTOSCALING not in [
        s.kind for s in cluster_steps(plain, _choice(plain, deregister_autoscaling=True))
    ]


def test_only_a_cluster_deletion_deletes_instances_with_it() -> None:
    with pytest.raises(ValueError, match="deletes no instances"):
        PlanStep(
            kind=K.DELETE_MEMBER,
            region="eu-west-1",
            target="w",
            cluster_id="c1",
            delete_instances=True,
            description="x",
        )


def test_instance_steps() -> None:
    i = instance_model(deletion_protection=True)
    steps = instance_steps(i, _choice(i, lift_protection=True))
    assert [s.kind for s in steps] == [
        K.CHECK_INSTANCE,
        K.LIFT_INSTANCE_PROTECTION,
        K.DELETE_INSTANCE,
        K.WAIT_INSTANCE_DELETED,
        K.VERIFY_INSTANCE_SNAPSHOT,
    ]
    assert steps[0].final_snapshot_id == steps[2].final_snapshot_id  # the check knows the name
    skip = instance_steps(i, _choice(i, skip_final_snapshot=True))
    assert [s.kind for s in skip][-1] is K.WAIT_INSTANCE_DELETED


def test_a_stopped_protected_instance_is_started_before_its_protection_is_lifted() -> None:
    i = instance_model(deletion_protection=True, status="stopped")
    assert [s.kind for s in instance_steps(i, _choice(i, lift_protection=True))][:4] == [
        K.CHECK_INSTANCE,
        K.START_INSTANCE,  # AWS will not modify a stopped instance
        K.WAIT_INSTANCE_AVAILABLE,
        K.LIFT_INSTANCE_PROTECTION,
    ]
    unprotected = instance_model(status="stopped")  # AWS deletes a stopped instance as it is
    assert K.START_INSTANCE not in [
        s.kind for s in instance_steps(unprotected, _choice(unprotected))
    ]


@pytest.mark.parametrize(
    "shape",
    [
        {"status": "stopped", "deletion_protection": True},
        {"global_cluster_id": "g", "global_cluster_primary": True, "deletion_protection": True},
        {"replication_source": "arn:aws:rds:us-east-1:1:cluster:src", "deletion_protection": True},
    ],
)
def test_nothing_irreversible_comes_before_the_check_and_every_reversible_step(
    shape: dict[str, Any],
) -> None:
    kinds = _kinds(cluster_model(**shape), lift_protection=True)
    first = min(i for i, kind in enumerate(kinds) if kind in IRREVERSIBLE_STEPS)
    assert kinds[0] is K.CHECK_CLUSTER
    reversible = {K.START_CLUSTER, K.LIFT_CLUSTER_PROTECTION} & set(kinds)
    assert all(kinds.index(kind) < first for kind in reversible)


@pytest.mark.parametrize(
    ("kind", "references"),
    [
        (K.REMOVE_FROM_GLOBAL, {}),  # which global database?
        (K.PROMOTE_REPLICA, {}),
        (K.DELETE_MEMBER, {}),
        (K.DELETE_MEMBER, {"cluster_id": "c", "final_snapshot_id": "s"}),  # members have none
        (K.WAIT_CLUSTER_DELETED, {"final_snapshot_id": "s"}),
        (K.DELETE_CLUSTER, {"global_cluster_id": "g"}),
        (K.START_CLUSTER, {"source_cluster_id": "src"}),
    ],
)
def test_a_step_holds_exactly_the_references_its_kind_needs(
    kind: StepKind, references: dict[str, str]
) -> None:
    with pytest.raises(ValidationError):
        PlanStep(kind=kind, region="r", target="t", description="x", **references)


def test_old_journal_steps_with_one_detail_field_are_read_into_the_named_fields(
    tmp_path: Path,
) -> None:
    from slrwizard.journal.store import read_journal

    def old_line(kind: StepKind, detail: str | None) -> str:
        step = {"kind": kind.value, "region": "r", "target": "t", "description": "x"}
        record = {"kind": "step", "session_id": "s1", "resource": "r/t", "index": 0, "total": 1,
                  "status": "done", "step": {**step, "detail": detail}}  # fmt: skip
        return json.dumps(record)

    journal = tmp_path / "old.jsonl"
    olds = [(K.REMOVE_FROM_GLOBAL, "g"), (K.PROMOTE_REPLICA, "src"), (K.DELETE_MEMBER, "c"),
            (K.DELETE_CLUSTER, "snap"), (K.DELETE_INSTANCE, None),
            (K.WAIT_CLUSTER_DELETED, None)]  # fmt: skip
    journal.write_text("\n".join(old_line(k, d) for k, d in olds) + "\n")
    contents = read_journal(journal)
    assert contents.unreadable == []
    steps = [r.step for r in contents.records if isinstance(r, StepRecord)]
    assert [(s.global_cluster_id, s.source_cluster_id, s.cluster_id, s.final_snapshot_id)
            for s in steps] == [("g", None, None, None), (None, "src", None, None),
                                (None, None, "c", None), (None, None, None, "snap"),
                                (None, None, None, None), (None, None, None, None)]  # fmt: skip
    with pytest.raises(ValidationError):  # new code cannot use the old field
        PlanStep(kind=K.DELETE_CLUSTER, region="r", target="t", description="x", detail="s")  # type: ignore[call-arg]


def test_schedule_puts_replicas_before_their_sources() -> None:
    src = cluster_model("a-src")
    rep = cluster_model("z-rep", replication_source=src.arn)
    isrc = instance_model("a-db")
    irep = instance_model("z-db-rr", read_replica_source="a-db")
    scan = scan_of(src, rep, isrc, irep)
    order = [r.key for r in default_plan("1", scan).schedule(scan)]
    assert order.index("eu-west-1/z-rep") < order.index("eu-west-1/a-src")
    assert order.index("eu-west-1/z-db-rr") < order.index("eu-west-1/a-db")


# -- RoleDeletionStatus -----------------------------------------------------------------------
def test_usage_regions_include_regions_only_the_arns_name() -> None:
    status = RoleDeletionStatus(
        task_id="t",
        state=RoleDeletionState.FAILED,
        usage=[
            RoleUsage(
                region="us-east-1",
                resources=[
                    "arn:aws:rds:us-east-1:1:cluster:a",
                    "arn:aws:rds:eu-central-1:1:cluster:b",
                    "not-an-arn",
                ],
            ),
            RoleUsage(region="", resources=["arn:aws:rds:ap-south-1:1:db:c"]),
            RoleUsage(region="eu-central-1", resources=[]),
        ],
    )
    assert status.usage_regions == ["us-east-1", "eu-central-1", "ap-south-1"]
    assert status.finished


# -- serialisation ----------------------------------------------------------------------------
def test_scan_results_read_back_from_their_own_json() -> None:
    """The JSON report and the journal serialise computed fields; reading them back must work."""
    scan = scan_of(cluster_model("orders"), instance_model("solo"))
    again = ScanResult.model_validate_json(scan.model_dump_json())
    assert again == scan
    assert again.clusters[0].engine_label == "Aurora MySQL"


# -- backups: RDS Custom and automated backups ------------------------------------------------
def test_rds_custom_takes_a_manual_snapshot_before_its_required_skip() -> None:
    custom = instance_model("erp", engine="custom-oracle-ee")
    plan = default_plan("1", scan_of(custom))
    choice = plan.choice("eu-west-1/erp")
    assert choice is not None and choice.final_snapshot_id  # never no backup by default
    steps = instance_steps(custom, choice)
    kinds = [s.kind for s in steps]
    assert kinds == [
        StepKind.CHECK_INSTANCE,
        StepKind.SNAPSHOT_INSTANCE,
        StepKind.VERIFY_INSTANCE_SNAPSHOT,
        StepKind.DELETE_INSTANCE,
        StepKind.WAIT_INSTANCE_DELETED,
    ]
    delete = steps[3]
    assert delete.final_snapshot_id is None  # SkipFinalSnapshot, as AWS requires
    assert steps[1].final_snapshot_id == choice.final_snapshot_id
    assert "snapshot above is its backup" in delete.description.replace(
        f"snapshot {choice.final_snapshot_id} above", "snapshot above"
    )
    assert "automated backups: deleted with it" in delete.description


def test_rds_custom_with_an_explicit_skip_takes_no_snapshot() -> None:
    custom = instance_model("erp", engine="custom-oracle-ee")
    choice = _choice(custom, final_snapshot_id=None, skip_final_snapshot=True)
    kinds = [s.kind for s in instance_steps(custom, choice)]
    assert StepKind.SNAPSHOT_INSTANCE not in kinds
    assert StepKind.VERIFY_INSTANCE_SNAPSHOT not in kinds


def test_automated_backups_are_retained_by_default_when_the_final_snapshot_is_skipped() -> None:
    orders = cluster_model("orders")
    kept = _choice(orders)
    skipped = _choice(orders, final_snapshot_id=None, skip_final_snapshot=True)
    assert kept.deletes_automated_backups is True
    assert skipped.deletes_automated_backups is False
    for choice, words, flag in (
        (kept, "automated backups: deleted with it", True),
        (skipped, "automated backups: retained until their retention ends", False),
        (
            skipped.model_copy(update={"delete_automated_backups": True}),
            "automated backups: deleted with it",
            True,
        ),
    ):
        steps = cluster_steps(orders, choice)
        delete = next(s for s in steps if s.kind is StepKind.DELETE_CLUSTER)
        check = steps[0]
        assert words in delete.description
        assert delete.delete_automated_backups is flag
        assert check.delete_automated_backups is flag
        assert ("retained automated backups" in check.description) is (not flag)
