"""Why AWS still refuses to delete the role: its ``RoleUsageList``, read resource by resource.

A FAILED ``DeleteServiceLinkedRole`` task names the regions and the resources that still use the
role. What the operator can do next depends on what those are:

- DB clusters and DB instances: the wizard deletes them; it goes back to step 2 for exactly
  those regions.
- Anything else (an RDS Proxy, a Blue/Green deployment, a zero-ETL integration, a Limitless shard
  group, a resource of another service): the wizard does not delete it. Each is named with the
  console page and the AWS CLI command that removes it, and the wizard does not loop back to a
  scan that cannot find it.
- Nothing named at all (an empty or partial list): most often an active session of the role,
  which cannot be revoked; the AWS guide says to wait for the session to end. The wizard offers to
  wait and try again, not a rescan.
- A region the account no longer has enabled: nothing can be listed or deleted there until it is
  enabled again.

Pure: ARNs in, advice out (``docs/aws-behaviours.md`` gives the sources of the ARN formats).
"""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict

from slrwizard.domain.models import RoleDeletionStatus

WAIT_BEFORE_RETRY = 60
"""Seconds to wait before asking AWS again when no resource holds the role (a session does)."""


class UsageKind(str, Enum):
    CLUSTER = "cluster"
    INSTANCE = "instance"
    OTHER = "other"


class UsageItem(BaseModel):
    """One resource AWS says still uses the role."""

    model_config = ConfigDict(frozen=True)

    arn: str
    region: str
    kind: UsageKind
    resource_type: str
    """The ARN's resource type: ``cluster``, ``db``, ``db-proxy``, ``deployment``..."""
    name: str
    what: str
    """What it is, for a person: "DB cluster", "RDS Proxy"..."""
    console_url: str
    cli_command: str
    """The AWS CLI command that removes it (empty for the kinds the wizard deletes itself)."""

    @property
    def handled(self) -> bool:
        """Whether the wizard can delete it (after a scan of its region)."""
        return self.kind is not UsageKind.OTHER


class RefusalAdvice(BaseModel):
    """What a FAILED role deletion means, and what the operator can do about it."""

    model_config = ConfigDict(frozen=True)

    items: list[UsageItem]
    regions_to_scan: list[str]
    """Regions holding resources the wizard deletes: step 2 again, for exactly these."""
    disabled_regions: list[str]
    """Regions AWS names that the account does not have enabled now."""

    @property
    def handled(self) -> list[UsageItem]:
        return [i for i in self.items if i.handled]

    @property
    def unhandled(self) -> list[UsageItem]:
        return [i for i in self.items if not i.handled]

    @property
    def likely_active_session(self) -> bool:
        """AWS named no resource: most often a session of the role is still active."""
        return not self.items and not self.disabled_regions

    @property
    def can_scan_again(self) -> bool:
        """Going back to step 2 can help: a region holds clusters or instances, and is enabled."""
        return bool(self.regions_to_scan)


_TYPES: dict[str, tuple[str, str, str]] = {
    # ARN resource type: (what it is, console page fragment, CLI command template)
    "cluster": ("DB cluster", "#database:id={name};is-cluster=true", ""),
    "db": ("DB instance", "#database:id={name};is-cluster=false", ""),
    "db-proxy": (
        "RDS Proxy",
        "#proxies:",
        'aws rds delete-db-proxy --region {region} --db-proxy-name "$(aws rds describe-db-proxies '
        '--region {region} --query "DBProxies[?DBProxyArn==\'{arn}\'].DBProxyName" --output text)"',
    ),
    "deployment": (
        "Blue/Green deployment",
        "#blue-green-deployments:",
        "aws rds delete-blue-green-deployment --region {region} "
        "--blue-green-deployment-identifier {name}",
    ),
    "integration": (
        "zero-ETL integration",
        "#integrations:",
        "aws rds delete-integration --region {region} --integration-identifier {arn}",
    ),
    "shard-group": (
        "Aurora Limitless DB shard group",
        "#databases:",
        "aws rds delete-db-shard-group --region {region} --db-shard-group-identifier {name}",
    ),
}

_CONSOLES = {
    "aws": "https://{region}.console.aws.amazon.com",
    "aws-us-gov": "https://console.amazonaws-us-gov.com",
    "aws-cn": "https://console.amazonaws.cn",
}


def classify(status: RoleDeletionStatus, enabled_regions: set[str] | None = None) -> RefusalAdvice:
    """Read AWS's ``RoleUsageList``; ``enabled_regions`` (when known) tells disabled regions."""
    items: list[UsageItem] = []
    named_regions: list[str] = []
    scan_regions: list[str] = []
    for usage in status.usage:
        group = [usage_item(arn, usage.region) for arn in usage.resources]
        # AWS's Region may differ from the ARNs' (docs/aws-semantics.md): both are looked at.
        regions = [usage.region, *(i.region for i in group)]
        for region in regions:
            if region and region not in named_regions:
                named_regions.append(region)
        for region in regions if any(i.handled for i in group) else []:
            if region and region not in scan_regions:
                scan_regions.append(region)
        items += [i for i in group if i.arn not in {known.arn for known in items}]
    disabled = (
        [r for r in named_regions if r not in enabled_regions]
        if enabled_regions is not None
        else []
    )
    to_scan = [r for r in scan_regions if r not in disabled]
    return RefusalAdvice(items=items, regions_to_scan=to_scan, disabled_regions=disabled)


def usage_item(arn: str, region_hint: str = "") -> UsageItem:
    """One ARN of the usage list, with what removes it."""
    parts = arn.split(":", 6)
    partition = parts[1] if len(parts) > 1 else "aws"
    service = parts[2] if len(parts) > 2 else ""
    region = (parts[3] if len(parts) > 3 else "") or region_hint
    resource = parts[5] if len(parts) > 5 else ""
    name = parts[6] if len(parts) > 6 else ""
    if "/" in resource and not name:  # arn:...:type/name
        resource, name = resource.split("/", 1)
    console = _CONSOLES.get(partition, _CONSOLES["aws"]).format(region=region or "us-east-1")
    page = f"{console}/rds/home?region={region}"
    known = _TYPES.get(resource) if service == "rds" else None
    if known is None:
        return UsageItem(
            arn=arn,
            region=region,
            kind=UsageKind.OTHER,
            resource_type=f"{service}:{resource}" if service != "rds" else resource,
            name=name or arn,
            what=f"{service.upper() or 'AWS'} resource ({resource or 'unknown type'})",
            console_url=page if service == "rds" else console,
            cli_command="",
        )
    what, fragment, command = known
    kind = {"cluster": UsageKind.CLUSTER, "db": UsageKind.INSTANCE}.get(resource, UsageKind.OTHER)
    return UsageItem(
        arn=arn,
        region=region,
        kind=kind,
        resource_type=resource,
        name=name,
        what=what,
        console_url=page + fragment.format(name=name),
        cli_command=command.format(region=region, name=name, arn=arn),
    )
