"""The service-linked role itself: inspect it, delete it, follow the deletion, create it again."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import unquote

from slrwizard.aws.errors import one_line
from slrwizard.aws.session import Transport
from slrwizard.domain import errors as e
from slrwizard.domain.models import (
    ROLE_NAME,
    SERVICE_PRINCIPAL,
    AccessAdvisorEntry,
    Role,
    RoleDeletionState,
    RoleDeletionStatus,
    RoleInspection,
    RoleUsage,
)

ROLE_VISIBLE_WITHIN = 30.0
"""Seconds to keep reading a role IAM has just created before calling it missing."""


class RoleApi:
    """IAM's calls about AWSServiceRoleForRDS."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    def inspect(self) -> RoleInspection:
        """GetRole, its attached policies and Access Advisor; absent is an answer, not an error."""
        try:
            raw = self.transport.call("iam", "GetRole", RoleName=ROLE_NAME)["Role"]
        except e.NotFoundError:
            return RoleInspection(exists=False)
        # Access Advisor (two round trips or more) needs only the ARN: run it beside the policy
        # listing, not after it, so inspecting costs one round trip less (benchmarks/scan.py).
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="advisor") as pool:
            advisor_f = pool.submit(self._access_advisor, str(raw["Arn"]))
            policies = [
                str(p["PolicyName"])
                for p in self.transport.paginate(
                    "iam", "ListAttachedRolePolicies", "AttachedPolicies", RoleName=ROLE_NAME
                )
            ]
            advisor, note = advisor_f.result()
        last_used = raw.get("RoleLastUsed") or {}
        role = Role(
            name=str(raw["RoleName"]),
            arn=str(raw["Arn"]),
            path=str(raw.get("Path", "/")),
            role_id=str(raw.get("RoleId", "")),
            trust_principals=trust_principals(raw.get("AssumeRolePolicyDocument")),
            attached_policies=policies,
            description=str(raw.get("Description", "")),
            created=raw.get("CreateDate"),
            last_used=last_used.get("LastUsedDate"),
            last_used_region=last_used.get("Region"),
            access_advisor=advisor,
            access_advisor_note=note,
        )
        return RoleInspection(exists=True, role=role)

    def _access_advisor(self, arn: str) -> tuple[list[AccessAdvisorEntry], str | None]:
        """Access Advisor is advisory: any failure becomes a note, never an error."""
        poll_seconds = self.transport.settings.poll_seconds
        try:
            job = self.transport.call("iam", "GenerateServiceLastAccessedDetails", Arn=arn)["JobId"]
            deadline = time.monotonic() + max(10.0, 2 * poll_seconds)
            delay = 0.25  # a job often completes within a second: poll soon, then back off
            while True:
                answer = self.transport.call("iam", "GetServiceLastAccessedDetails", JobId=job)
                status = answer.get("JobStatus")
                if status == "COMPLETED":
                    break
                if status == "FAILED" or time.monotonic() > deadline:
                    return [], f"Access Advisor report {str(status).lower()}; see the IAM console."
                time.sleep(min(delay, poll_seconds))
                delay = min(1.0, 2 * delay)
        except e.WizardError as exc:
            # One line whatever IAM (or a proxy in front of it) answered: it sits in step 1's
            # facts, where a page of HTML once pushed everything else off the screen.
            return [], f"Access Advisor unavailable: {one_line(exc.explanation)}"
        entries = [
            AccessAdvisorEntry(
                service_namespace=str(s.get("ServiceNamespace", "")),
                service_name=str(s.get("ServiceName", "")),
                last_authenticated=s.get("LastAuthenticated"),
                last_authenticated_region=s.get("LastAuthenticatedRegion"),
            )
            for s in answer.get("ServicesLastAccessed", [])
        ]
        # Most recent first, as the IAM console shows it; never-used services last.
        entries.sort(key=lambda a: a.last_authenticated.timestamp() if a.last_authenticated else 0)
        entries.reverse()
        return entries, "AWS updates Access Advisor with a delay of about four hours."

    def delete(self) -> str:
        """DeleteServiceLinkedRole: IAM answers at once with a task to follow."""
        answer = self.transport.call("iam", "DeleteServiceLinkedRole", RoleName=ROLE_NAME)
        return str(answer["DeletionTaskId"])

    def deletion_status(self, task_id: str) -> RoleDeletionStatus:
        """GetServiceLinkedRoleDeletionStatus, with the RoleUsageList when AWS refused."""
        try:
            answer = self.transport.call(
                "iam", "GetServiceLinkedRoleDeletionStatus", DeletionTaskId=task_id
            )
        except e.NotFoundError:
            # AWS may forget the task once the role is gone: confirm with GetRole.
            if not self.inspect().exists:
                return RoleDeletionStatus(task_id=task_id, state=RoleDeletionState.SUCCEEDED)
            raise
        reason = answer.get("Reason") or {}
        return RoleDeletionStatus(
            task_id=task_id,
            state=RoleDeletionState(str(answer["Status"])),
            reason=reason.get("Reason"),
            usage=[
                RoleUsage(region=str(u.get("Region", "")), resources=list(u.get("Resources", [])))
                for u in reason.get("RoleUsageList", [])
            ],
        )

    def create(self) -> Role:
        """CreateServiceLinkedRole; a role that already exists is as good as a new one."""
        try:
            self.transport.call("iam", "CreateServiceLinkedRole", AWSServiceName=SERVICE_PRINCIPAL)
        except e.InvalidInputError as exc:
            if "taken" not in exc.explanation:
                raise
        # IAM is eventually consistent: a role it has just created may not be readable yet.
        # Look again for a short while before saying anything (AWS suggests seconds).
        deadline = time.monotonic() + ROLE_VISIBLE_WITHIN
        delay = min(0.5, self.transport.settings.poll_seconds)
        while True:
            inspection = self.inspect()
            if inspection.role is not None:
                return inspection.role
            if time.monotonic() >= deadline:
                raise e.AwsError(
                    "IAM accepted CreateServiceLinkedRole, but the role was still not readable "
                    f"{ROLE_VISIBLE_WITHIN:.0f} seconds later (IAM is eventually consistent).",
                    hint="Nothing is wrong with your permissions: inspect again in a minute.",
                    code="RoleNotVisibleYet",
                )
            time.sleep(delay)
            delay = min(delay * 2, 5.0)


def trust_principals(document: Any) -> list[str]:
    """Service principals of a trust policy (boto3 decodes it; a raw string is URL-encoded)."""
    if isinstance(document, str):
        document = json.loads(unquote(document))
    if not isinstance(document, dict):
        return []
    principals: list[str] = []
    for statement in document.get("Statement", []):
        service = (statement.get("Principal") or {}).get("Service", [])
        for name in [service] if isinstance(service, str) else service:
            if name not in principals:
                principals.append(str(name))
    return principals
