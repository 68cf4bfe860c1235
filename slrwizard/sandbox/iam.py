"""The service-linked role the way IAM treats it: protected, deleted by an asynchronous task that
fails while RDS still uses the role, and visible in Access Advisor.

moto 5.2.5 deletes the role at once, reports every deletion task ``SUCCEEDED``, lets ``DeleteRole``
remove a service-linked role, names the role ``AWSServiceRoleForrds`` when asked to create it, does
not know the ``AmazonRDSServiceRolePolicy`` managed policy and raises ``NotImplementedError`` for
Access Advisor. Each gap is filled below.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

from slrwizard.domain.models import ROLE_NAME, ROLE_POLICY, SERVICE_PRINCIPAL
from slrwizard.sandbox import backends
from slrwizard.sandbox.calls import Call, Reply, answer, fail
from slrwizard.sandbox.clock import SimClock

POLICY_ARN = f"arn:aws:iam::aws:policy/aws-service-role/{ROLE_POLICY}"
_PROTECTED_OPERATIONS = frozenset(
    {
        "DeleteRole",
        "AttachRolePolicy",
        "DetachRolePolicy",
        "PutRolePolicy",
        "DeleteRolePolicy",
        "UpdateAssumeRolePolicy",
        "PutRolePermissionsBoundary",
        "DeleteRolePermissionsBoundary",
    }
)
# What Access Advisor shows for the RDS role, as (namespace, name, hours before RoleLastUsed);
# None: never used. These are services AmazonRDSServiceRolePolicy lets RDS call.
_ADVISOR_SERVICES: tuple[tuple[str, str, float | None], ...] = (
    ("cloudwatch", "Amazon CloudWatch", 2.0),
    ("ec2", "Amazon EC2", 0.5),
    ("kinesis", "Amazon Kinesis", None),
    ("logs", "Amazon CloudWatch Logs", 26.0),
    ("rds", "Amazon RDS", 0.0),
    ("secretsmanager", "AWS Secrets Manager", None),
)

Usage = Callable[[], list[tuple[str, list[str]]]]


@dataclass
class DeletionTask:
    """One ``DeleteServiceLinkedRole`` task: in progress until ``due``, then decided once."""

    task_id: str
    due: float
    status: str = "IN_PROGRESS"
    usage: list[tuple[str, list[str]]] = field(default_factory=list)


@dataclass(frozen=True)
class AdvisorJob:
    """A ``GenerateServiceLastAccessedDetails`` job (always complete by the time it is read)."""

    arn: str
    created: datetime


def _utc(value: datetime | None) -> datetime | None:
    """moto keeps naive UTC datetimes; botocore hands out aware ones."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


class IamBehaviour:
    """Deleting, protecting, recreating and auditing ``AWSServiceRoleForRDS``."""

    def __init__(
        self,
        clock: SimClock,
        account: str,
        usage: Usage,
        on_first_deletion: Callable[[], object] | None = None,
    ) -> None:
        self._on_first_deletion = on_first_deletion
        self._clock = clock
        self._account = account
        self._usage = usage
        self._tasks: dict[str, DeletionTask] = {}
        self._current: DeletionTask | None = None
        self._jobs: dict[str, AdvisorJob] = {}

    def clear(self) -> None:
        """Forget every task and job (the sandbox stopped)."""
        self._tasks.clear()
        self._current = None
        self._jobs.clear()

    def before_call(self, call: Call) -> Reply | None:
        """Answer the role calls moto gets wrong; None lets moto answer."""
        if call.service != "iam":
            return None
        op = call.operation
        if op == "DeleteServiceLinkedRole" and call.params.get("RoleName") == ROLE_NAME:
            return self._delete_slr()
        if op == "GetServiceLinkedRoleDeletionStatus":
            return self._deletion_status(str(call.params.get("DeletionTaskId", "")))
        if (
            op == "CreateServiceLinkedRole"
            and call.params.get("AWSServiceName") == SERVICE_PRINCIPAL
        ):
            return self._create_slr(call.params)
        if op in _PROTECTED_OPERATIONS:
            return self._refuse_if_service_linked(str(call.params.get("RoleName", "")))
        if op == "GenerateServiceLastAccessedDetails":
            return self._generate_job(str(call.params.get("Arn", "")))
        if op == "GetServiceLastAccessedDetails":
            return self._job_details(str(call.params.get("JobId", "")))
        return None

    def after_call(self, call: Call, parsed: dict[str, Any]) -> None:
        """List the AWS-managed policy AWS attaches to the role (moto does not know it)."""
        if (
            call.service == "iam"
            and call.operation == "ListAttachedRolePolicies"
            and call.params.get("RoleName") == ROLE_NAME
            and not call.params.get("Marker")
        ):
            policies = parsed.setdefault("AttachedPolicies", [])
            if not any(p.get("PolicyArn") == POLICY_ARN for p in policies):
                policies.insert(0, {"PolicyName": ROLE_POLICY, "PolicyArn": POLICY_ARN})

    # -- deletion -----------------------------------------------------------------------------

    def _decide(self, task: DeletionTask) -> None:
        """Finish a task whose time is up: FAILED while anything uses the role, else the role
        is really deleted. Decided when first observed after ``due``, then fixed."""
        if task.status != "IN_PROGRESS" or not self._clock.passed(task.due):
            return
        task.usage = self._usage()
        if task.usage:
            task.status = "FAILED"
            return
        role = backends.find_role(self._account, ROLE_NAME)
        if role is not None:
            role.managed_policies.clear()  # nothing may block AWS's own deletion
            role.policies.clear()
            backends.iam(self._account).delete_role(ROLE_NAME)
        task.status = "SUCCEEDED"

    def _delete_slr(self) -> Reply:
        if self._current is not None:
            self._decide(self._current)
            if self._current.status == "IN_PROGRESS":
                # AWS hands back the unfinished task rather than starting a second one.
                return answer({"DeletionTaskId": self._current.task_id})
        if backends.find_role(self._account, ROLE_NAME) is None:
            return fail("NoSuchEntity", f"The role with name {ROLE_NAME} cannot be found.", 404)
        if self._on_first_deletion is not None:
            hook, self._on_first_deletion = self._on_first_deletion, None
            hook()  # the demo's late arrival: something AWS sees that the re-scan could not
        task_id = f"task/aws-service-role/{SERVICE_PRINCIPAL}/{ROLE_NAME}/{uuid.uuid4()}"
        task = DeletionTask(task_id, self._clock.deadline(self._clock.durations.role_deletion))
        self._tasks[task_id] = task
        self._current = task
        return answer({"DeletionTaskId": task_id})

    def _deletion_status(self, task_id: str) -> Reply:
        task = self._tasks.get(task_id)
        if task is None:
            return fail("InvalidInput", f"Invalid deletion task id: {task_id}")
        self._decide(task)
        body: dict[str, Any] = {"Status": task.status}
        if task.status == "FAILED":
            count = sum(len(arns) for _, arns in task.usage)
            body["Reason"] = {
                "Reason": (
                    f"Amazon RDS is still using {ROLE_NAME}: {count} resource(s) in "
                    f"{len(task.usage)} region(s) depend on it. Delete them, then try again."
                ),
                "RoleUsageList": [
                    {"Region": region, "Resources": list(arns)} for region, arns in task.usage
                ],
            }
        return answer(body)

    # -- protection and creation --------------------------------------------------------------

    def _refuse_if_service_linked(self, role_name: str) -> Reply | None:
        role = backends.find_role(self._account, role_name)
        if role is None or not str(role.path).startswith("/aws-service-role/"):
            return None
        return fail(
            "UnmodifiableEntity",
            f"Cannot perform the operation on the protected role '{role_name}' - this role is "
            "only modifiable by AWS",
        )

    def _create_slr(self, params: dict[str, Any]) -> Reply:
        if params.get("CustomSuffix"):
            return fail("InvalidInput", f"Custom suffix is not allowed for {SERVICE_PRINCIPAL}")
        if backends.find_role(self._account, ROLE_NAME) is not None:
            return fail(
                "InvalidInput",
                f"Service role name {ROLE_NAME} has been taken in this account, please try a "
                "different suffix.",
            )
        description = params.get("Description") or backends.ROLE_DESCRIPTION
        role = backends.create_rds_role(self._account, description)
        body = {
            "Path": role.path,
            "RoleName": role.name,
            "RoleId": role.id,
            "Arn": role.arn,
            "CreateDate": _utc(role.create_date),
            # URL-encoded JSON, as IAM sends it: botocore's own after-call handler decodes it.
            "AssumeRolePolicyDocument": quote(json.dumps(backends.TRUST_POLICY)),
            "Description": role.description,
            "MaxSessionDuration": 3600,
        }
        return answer({"Role": body})

    # -- Access Advisor -----------------------------------------------------------------------

    def _generate_job(self, arn: str) -> Reply:
        if ":role/" in arn and not any(
            r.arn == arn for r in list(backends.iam(self._account).roles.values())
        ):
            return fail("NoSuchEntity", f"The entity {arn} does not exist.", 404)
        job_id = str(uuid.uuid4())
        self._jobs[job_id] = AdvisorJob(arn, datetime.now(timezone.utc))
        return answer({"JobId": job_id})

    def _job_details(self, job_id: str) -> Reply:
        job = self._jobs.get(job_id)
        if job is None:
            return fail("NoSuchEntity", f"No service last accessed job with ID {job_id}.", 404)
        return answer(
            {
                "JobStatus": "COMPLETED",
                "JobType": "SERVICE_LEVEL",
                "JobCreationDate": job.created,
                "JobCompletionDate": job.created + timedelta(seconds=1),
                "ServicesLastAccessed": self._services(job.arn),
                "IsTruncated": False,
            }
        )

    def _services(self, arn: str) -> list[dict[str, Any]]:
        if not arn.endswith(f"/{ROLE_NAME}"):
            return []
        role = backends.find_role(self._account, ROLE_NAME)
        last_used = _utc(role.last_used) if role is not None else None
        region = role.last_used_region if role is not None else None
        rows: list[dict[str, Any]] = []
        for namespace, name, hours_before in _ADVISOR_SERVICES:
            row: dict[str, Any] = {
                "ServiceName": name,
                "ServiceNamespace": namespace,
                "TotalAuthenticatedEntities": 0,
            }
            if last_used is not None and hours_before is not None:
                row["LastAuthenticated"] = last_used - timedelta(hours=hours_before)
                row["LastAuthenticatedRegion"] = region
                row["LastAuthenticatedEntity"] = arn
                row["TotalAuthenticatedEntities"] = 1
            rows.append(row)
        return rows
