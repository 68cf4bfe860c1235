"""The whole walkthrough against the ``--demo`` sandbox (moto made to behave like AWS), and the
least-privilege policy it proves: every (action, resource ARN) pair called, and every action a
call implies, is allowed by ``slrwizard policy`` as IAM matches it; and every action of the
policy is called, implied, or listed below with the reason it cannot be reached."""

from __future__ import annotations

import json
from typing import Any

from enginekit import PASSWORD, Run, lifted, outside
from test_engine_policy_arns import Recorder, pairs_of, refused

from slrwizard import policy
from slrwizard.domain.plan import StepKind
from slrwizard.domain.records import Record, StepRecord, StepStatus
from slrwizard.domain.wizard import Wizard

DEMO = "481516234201"
UNREACHABLE = {
    # Asked only when ec2:DescribeRegions is denied, which the demo account allows; the fallback
    # is proven by test_regions_fall_back_to_account_list_regions_when_ec2_is_denied.
    "account:ListRegions": "fallback when ec2:DescribeRegions is denied",
}


def _add_replicas() -> None:
    """Two things the demo seed lacks: a read-replica cluster (so PromoteReadReplicaDBCluster
    runs) and a read-replica instance (which AWS deletes only without a final snapshot)."""
    rds = outside("rds", "eu-west-2")
    rds.create_db_cluster(
        DBClusterIdentifier="billing-replica",
        Engine="aurora-postgresql",
        MasterUsername="dbadmin",
        MasterUserPassword=PASSWORD,
        ReplicationSourceIdentifier=f"arn:aws:rds:eu-west-1:{DEMO}:cluster:billing-aurora-pg",
    )
    rds.create_db_instance(
        DBInstanceIdentifier="billing-replica-1",
        DBClusterIdentifier="billing-replica",
        Engine="aurora-postgresql",
        DBInstanceClass="db.r6g.large",
    )
    rds.describe_db_clusters(DBClusterIdentifier="billing-replica")  # moto: creating -> available
    outside("rds", "us-east-1").create_db_instance_read_replica(
        DBInstanceIdentifier="legacy-reporting-rr", SourceDBInstanceIdentifier="legacy-reporting"
    )
    # A stopped, protected, encrypted instance: started before its protection is lifted, and
    # its KMS key checked before anything irreversible (StartDBInstance, kms:DescribeKey).
    key = outside("kms", "eu-west-2").create_key(Description="archive")["KeyMetadata"]["Arn"]
    archive = outside("rds", "eu-west-2")
    archive.create_db_instance(
        DBInstanceIdentifier="archive-db",
        DBInstanceClass="db.t4g.large",
        Engine="postgres",
        AllocatedStorage=20,
        MasterUsername="dbadmin",
        MasterUserPassword=PASSWORD,
        DeletionProtection=True,
        StorageEncrypted=True,
        KmsKeyId=key,
    )
    archive.stop_db_instance(DBInstanceIdentifier="archive-db")
    # The replica's source goes one by one (no DeleteDBInstances for a replication source); with
    # a reader and Aurora Auto Scaling, a reader comes back and is deleted when the members are
    # read again before its DeleteDBCluster.
    billing = outside("rds", "eu-west-1")
    billing.create_db_instance(
        DBInstanceIdentifier="billing-aurora-pg-2",
        DBClusterIdentifier="billing-aurora-pg",
        Engine="aurora-postgresql",
        DBInstanceClass="db.r6g.large",
    )
    outside("application-autoscaling", "eu-west-1").register_scalable_target(
        ServiceNamespace="rds",
        ResourceId="cluster:billing-aurora-pg",
        ScalableDimension="rds:cluster:ReadReplicaCount",
        MinCapacity=1,
        MaxCapacity=3,
    )


def test_full_walkthrough_on_the_demo_needs_exactly_the_policy(
    demo: tuple[Wizard, Any, Any],
) -> None:
    wz, wiring, faults = demo
    gateway = wiring.gateway
    recorder = Recorder(gateway)
    records: list[Record] = []
    wz.listeners.append(records.append)
    _add_replicas()
    # A proxy's and a shard group's ARNs end in their resource IDs, not in the names the calls
    # give: read them before the plan deletes them.
    related_arns = {
        str(item.body.get("DBProxyName") or item.body.get("DBShardGroupIdentifier")): item.arn
        for item in wiring.sandbox.related.items
        if item.kind in ("proxy", "shard-group")
    }

    # Steps 1-3: inspect, scan every enabled region, plan, confirm, delete.
    assert wz.inspect().exists
    scan = wz.scan()
    assert [r.region for r in scan.incomplete_regions] == ["sa-east-1"]  # the demo's SCP
    assert wz.unaccepted_regions == ["sa-east-1"]
    assert wz.accept_unscanned_regions() == ["sa-east-1"]  # the operator's explicit choice
    plan = lifted(wz.default_plan())
    # The operator ticks the deregistration of the seeded cluster's Aurora Auto Scaling target.
    plan = plan.model_copy(
        update={
            "resources": [
                r.model_copy(update={"deregister_autoscaling": r.identifier == "orders-prod"})
                for r in plan.resources
            ]
        }
    )
    replica = plan.choice("us-east-1/legacy-reporting-rr")
    assert replica is not None
    assert replica.skip_final_snapshot  # AWS refuses a final snapshot of a read replica
    # RDS Custom: a manual snapshot first; its automated backups retained (checked for room),
    # and a cluster without a final snapshot whose backups are retained by default.
    custom = plan.choice("eu-west-1/erp-oracle-custom")
    assert custom is not None and custom.final_snapshot_id
    cache = plan.choice("us-west-2/session-cache-old")
    assert cache is not None
    plan = plan.model_copy(
        update={
            "resources": [
                r.model_copy(update={"delete_automated_backups": False})
                if r is custom
                else r.model_copy(update={"final_snapshot_id": None, "skip_final_snapshot": True})
                if r is cache
                else r
                for r in plan.resources
            ]
        }
    )
    assert wz.set_plan(plan) == []
    wz.review()
    wz.confirm(DEMO)
    assert wz.delete_resources() is True, {
        k: p.error.explanation for k, p in wz.progress.items() if p.error
    }
    ran = {
        r.step.kind for r in records if isinstance(r, StepRecord) and r.status is StepStatus.DONE
    }
    assert ran == set(StepKind), f"never ran: {set(StepKind) - ran}"

    # Step 4: prove nothing is left, then delete the role. Someone creates a cluster meanwhile:
    # the sandbox's deletion task fails and names it, the walk goes back for that region only.
    wz.finish_deletions()
    assert wz.rescan().resource_count == 0
    late = outside("rds", "ca-central-1")
    late.create_db_cluster(
        DBClusterIdentifier="late-arrival",
        Engine="aurora-mysql",
        MasterUsername="dbadmin",
        MasterUserPassword=PASSWORD,
    )
    late.describe_db_clusters(DBClusterIdentifier="late-arrival")
    status = wz.delete_role()
    assert status.state.value == "FAILED"
    assert status.usage_regions == ["ca-central-1"]
    assert wz.state == "deleting_role"
    mark = len(faults.calls)
    again = wz.back_to_scan()
    scanned = {c.region for c in faults.calls[mark:] if c.operation == "DescribeDBClusters"}
    assert scanned == {"ca-central-1"}
    assert [c.key for c in again.clusters] == ["ca-central-1/late-arrival"]
    wz.set_plan(wz.default_plan())
    wz.review()
    wz.confirm(DEMO)
    assert wz.delete_resources() is True
    wz.finish_deletions()
    wz.rescan()
    assert wz.delete_role().state.value == "SUCCEEDED"
    assert wz.state == "done"

    # The seed's way back: a new walkthrough finds no role and recreates it.
    back = Wizard(gateway, regions=["us-east-1"])
    back.start()
    assert back.inspect().exists is False
    role = back.recreate_role()
    assert role.name == "AWSServiceRoleForRDS"
    assert role.path == "/aws-service-role/rds.amazonaws.com/"

    # The policy: nothing missing, nothing superfluous.
    called, allowed = set(gateway.actions_called), policy.actions()
    assert called <= allowed, f"not in the policy: {called - allowed}"
    # CreateDBSnapshot is both implied (a deletion's final snapshot) and called (RDS Custom).
    assert allowed - called == (policy.IMPLIED_ACTIONS | set(UNREACHABLE)) - called

    # ...and every call on the very resources it acted on, as IAM matches them: the policy as
    # printed for any account, and narrowed to the demo's account.
    pairs = [pair for call in recorder.calls for pair in pairs_of(call, DEMO, arns=related_arns)]
    assert {
        "rds:DeleteBlueGreenDeployment",
        "rds:DeleteIntegration",
        "rds:DeleteDBProxy",
        "rds:DeleteDBShardGroup",
        "rds:RemoveDBClusterFromDBClusterGroup",
    } <= {a for a, _, _ in pairs}
    acted = {(action, arn) for action, arn, _ in pairs}
    assert {"rds:RemoveFromGlobalCluster", "rds:DeleteGlobalCluster"} <= {a for a, _ in acted}
    changed = {(a, arn) for a, arn in acted if not a.startswith(("rds:Describe", "iam:Get"))}
    assert all(
        arn.startswith("arn:aws:") and not arn.endswith("*") for _, arn in changed if arn != "*"
    )
    assert any(
        arn.startswith("arn:aws:rds::") for a, arn in changed if a == "rds:DeleteGlobalCluster"
    )
    assert {a for a, _ in acted} >= called | policy.IMPLIED_ACTIONS
    for document in (policy.policy_document(), policy.policy_document("aws", DEMO)):
        assert refused(document, pairs) == []
    # The matching is not lenient: another account's or partition's policy refuses them all.
    for other in (policy.policy_document("aws", "999999999999"), policy.policy_document("aws-cn")):
        assert {a for a, _ in refused(other, pairs)} >= called - {
            "sts:GetCallerIdentity",
            "ec2:DescribeRegions",
            "iam:GetServiceLastAccessedDetails",
            "application-autoscaling:DescribeScalableTargets",  # "*" only, like these
            *(a for a in called if a.startswith("rds:Describe")),
        }


def test_policy_command_prints_the_documented_policy(run: Run) -> None:
    code, out, err = run("--demo", "policy")  # the demo's account: no caller to ask
    assert code == 0
    assert err == ""
    document = json.loads(out)
    assert document == policy.policy_document()
    assert document["Version"] == "2012-10-17"
    create = next(s for s in document["Statement"] if "iam:CreateServiceLinkedRole" in s["Action"])
    # the seed's statement: the role's ARN, for rds.amazonaws.com only
    assert create["Resource"] == policy.ROLE_ARN
    assert create["Condition"] == {"StringLike": {"iam:AWSServiceName": "rds.amazonaws.com"}}
    actions = {a for s in document["Statement"] for a in s["Action"]}
    assert "iam:DeleteRole" not in actions  # never: AWS refuses it on a service-linked role
    assert all(":" in a and "*" not in a for a in actions)
