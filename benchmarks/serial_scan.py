"""The serial baseline: the same read-only calls as ``slrwizard report``, one after another.

This is how the AWS CLI in a shell loop, the AWS console, or aws-nuke scan an account: one region
at a time, each region's listings in turn. It makes the same calls as the wizard's report, with
the same SDK and retry settings, so the only difference measured is concurrency:

    sts:GetCallerIdentity, iam:GetRole, iam:ListAttachedRolePolicies,
    iam:GenerateServiceLastAccessedDetails (+ Get... until done, when the endpoint supports it),
    ec2:DescribeRegions, then for each region rds:DescribeDBClusters and rds:DescribeDBInstances
    (every page), rds:DescribeGlobalClusters for each global database found, and what the scan
    lists beside the databases: application-autoscaling:DescribeScalableTargets, then
    DescribeBlueGreenDeployments, DescribeDBShardGroups, DescribeIntegrations, DescribeDBProxies
    (+ DescribeDBProxyTargets per proxy), DescribeDBClusterGroups and the two automated-backup
    listings (each may be refused: the report then says "could not check").

Prints one JSON line: {"regions": N, "clusters": N, "instances": N, "calls": N}.

    AWS_ENDPOINT_URL=http://127.0.0.1:PORT python benchmarks/serial_scan.py [--regions a,b,c]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--regions", help="comma-separated regions (default: ec2:DescribeRegions)")
    args = parser.parse_args()
    config = Config(retries={"mode": "adaptive", "max_attempts": 8})
    session = boto3.Session(region_name="us-east-1")
    calls = 0

    def client(service: str, region: str = "us-east-1") -> object:
        return session.client(service, region_name=region, config=config)  # type: ignore[call-overload]

    sts, iam = client("sts"), client("iam")
    sts.get_caller_identity()  # type: ignore[attr-defined]
    role = iam.get_role(RoleName="AWSServiceRoleForRDS")["Role"]  # type: ignore[attr-defined]
    calls += 2
    for _page in iam.get_paginator("list_attached_role_policies").paginate(  # type: ignore[attr-defined]
        RoleName="AWSServiceRoleForRDS"
    ):
        calls += 1
    try:
        calls += 1
        job = iam.generate_service_last_accessed_details(Arn=role["Arn"])["JobId"]  # type: ignore[attr-defined]
        while True:
            calls += 1
            answer = iam.get_service_last_accessed_details(JobId=job)  # type: ignore[attr-defined]
            if answer["JobStatus"] != "IN_PROGRESS":
                break
            time.sleep(1.0)
    except Exception:
        pass
    if args.regions:
        regions = args.regions.split(",")
    else:
        calls += 1
        regions = sorted(r["RegionName"] for r in client("ec2").describe_regions()["Regions"])  # type: ignore[attr-defined]
    clusters = instances = 0
    for region in regions:
        rds = client("rds", region)
        try:
            found = []
            for page in rds.get_paginator("describe_db_clusters").paginate():  # type: ignore[attr-defined]
                calls += 1
                found += page["DBClusters"]
            for page in rds.get_paginator("describe_db_instances").paginate():  # type: ignore[attr-defined]
                calls += 1
                instances += sum(1 for i in page["DBInstances"] if not i.get("DBClusterIdentifier"))
            clusters += len(found)
            for gid in sorted(
                {c["GlobalClusterIdentifier"] for c in found if c.get("GlobalClusterIdentifier")}
            ):
                calls += 1
                rds.describe_global_clusters(GlobalClusterIdentifier=gid)  # type: ignore[attr-defined]
        except ClientError:
            continue  # a disabled or denied region: skipped, as the wizard does
        calls += related(client, region)
    print(
        json.dumps(
            {"regions": len(regions), "clusters": clusters, "instances": instances, "calls": calls}
        )
    )


RELATED = (
    ("describe_blue_green_deployments", "BlueGreenDeployments"),
    ("describe_db_shard_groups", "DBShardGroups"),
    ("describe_integrations", "Integrations"),
    ("describe_db_proxies", "DBProxies"),
    ("describe_db_cluster_groups", "DBClusterGroups"),
    ("describe_db_instance_automated_backups", "DBInstanceAutomatedBackups"),
    ("describe_db_cluster_automated_backups", "DBClusterAutomatedBackups"),
)


def related(client: object, region: str) -> int:
    """The region's listings beside the databases, one after another; the calls made."""
    calls = 1
    with contextlib.suppress(ClientError):
        client("application-autoscaling", region).describe_scalable_targets(  # type: ignore[operator]
            ServiceNamespace="rds"
        )
    rds = client("rds", region)  # type: ignore[operator]
    for operation, key in RELATED:
        calls += 1
        try:
            items = getattr(rds, operation)().get(key) or []
        except ClientError:
            continue
        if operation == "describe_db_proxies":
            for proxy in items:
                calls += 1
                rds.describe_db_proxy_targets(DBProxyName=proxy["DBProxyName"])
    return calls


if __name__ == "__main__":
    main()
