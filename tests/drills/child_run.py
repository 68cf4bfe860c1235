"""A headless wizard in its own process, for the drills that kill it or send it signals.

    python child_run.py run|resume JOURNAL CALL_LOG [--kill OP:TARGET:before|after]
        [--async-role] [--wait-forever]

It talks to whatever ``AWS_ENDPOINT_URL`` points at (the drills' ThreadedMotoServer) through
``connect_wizard``, exactly as the launcher does, so the journal is wired the production way.

- ``run``: a fresh walkthrough with the drill plan; ``resume``: accept the unfinished session
  ``connect_wizard`` offers and walk the resume path.
- ``--kill``: SIGKILL this process right before/after that mutating call.
- ``--async-role``: behave like AWS, not moto, for the role: DeleteServiceLinkedRole returns a
  task and leaves the role; the task reports IN_PROGRESS until the file ``<journal>.role-done``
  exists, then the role is really deleted and the task reports SUCCEEDED.
- ``--wait-forever``: DescribeDBClusters reports every cluster ``deleting`` once its deletion was
  asked for, so the wizard waits (the signal drills interrupt it there); prints WAITING.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import uuid
from pathlib import Path
from typing import Any

from drill_support import REGIONS, ROLE_NAME, CallLog, SelfKill, brisk, run_fresh, run_resume

from slrwizard.bootstrap import Options, connect_wizard
from slrwizard.domain.resume import PriorSession
from slrwizard.journal import signals


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["run", "resume"])
    parser.add_argument("journal", type=Path)
    parser.add_argument("calls", type=Path)
    parser.add_argument("--kill")
    parser.add_argument("--async-role", action="store_true")
    parser.add_argument("--wait-forever", action="store_true")
    args = parser.parse_args()

    offered: list[PriorSession] = []

    def accept(prior: PriorSession) -> bool:
        offered.append(prior)
        return True

    wizard, wiring = connect_wizard(
        Options(regions=REGIONS),
        journal_path=args.journal,
        on_unfinished=accept if args.mode == "resume" else None,
    )
    # The moto server changes things at once: poll it briskly, unless a drill waits for a signal.
    if not args.wait_forever:
        brisk(wiring.gateway)
    events = wiring.gateway.events
    CallLog(args.calls, f"{args.mode}-{wizard.session_id}").install(events)
    if args.kill:
        op, target, when = args.kill.split(":")
        SelfKill(op, target, when).install(events)
    if args.async_role:
        AsyncRole(args.journal.with_suffix(".role-done"), wiring.gateway).install(events)
    if args.wait_forever:
        NeverDeleted().install(events)
    with signals.ending_session(wizard, grace=5.0):
        if args.mode == "run":
            run_fresh(wizard)
        else:
            if not offered:
                print("NOTHING TO RESUME", flush=True)
                return 1
            run_resume(wizard, offered[0])
    print(f"FINISHED {wizard.state}", flush=True)
    return 0


class AsyncRole:
    """AWS's asynchronous role deletion, which moto does not have (docs/aws-semantics.md)."""

    def __init__(self, done_flag: Path, gateway: Any) -> None:
        self.done_flag, self.gateway = done_flag, gateway
        self.task = f"task/aws-service-role/rds.amazonaws.com/{ROLE_NAME}/{uuid.uuid4()}"

    def install(self, events: Any) -> None:
        events.register("before-call.iam.DeleteServiceLinkedRole", self._delete)
        events.register("before-call.iam.GetServiceLinkedRoleDeletionStatus", self._status)

    def _delete(self, **_: Any) -> tuple[Any, dict[str, Any]]:
        return _ok(), {"DeletionTaskId": self.task}

    def _status(self, params: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]]:
        if not self.done_flag.exists():
            print("POLLING", flush=True)
            return _ok(), {"Status": "IN_PROGRESS"}
        # AWS finished the task: the role is gone (done with the un-hooked test client).
        import boto3

        iam = boto3.client("iam", region_name="us-east-1")
        with contextlib.suppress(iam.exceptions.NoSuchEntityException):
            iam.delete_role(RoleName=ROLE_NAME)
        print(f"POLLED {params['body']['DeletionTaskId']}", flush=True)
        return _ok(), {"Status": "SUCCEEDED"}


class NeverDeleted:
    """Clusters whose deletion was asked for stay ``deleting`` (a slow AWS deletion)."""

    def __init__(self) -> None:
        self.deleting: set[str] = set()

    def install(self, events: Any) -> None:
        events.register("after-call.rds.DeleteDBCluster", self._deleted)
        events.register("before-call.rds.DescribeDBClusters", self._describe)

    def _deleted(self, parsed: dict[str, Any], **_: Any) -> None:
        self.deleting.add(parsed["DBCluster"]["DBClusterIdentifier"])

    def _describe(self, params: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]] | None:
        ident = params["body"].get("DBClusterIdentifier")
        if ident not in self.deleting:
            return None
        print("WAITING", flush=True)
        cluster = {"DBClusterIdentifier": ident, "Status": "deleting", "DBClusterMembers": []}
        return _ok(), {"DBClusters": [cluster]}


def _ok() -> Any:
    from botocore.awsrequest import AWSResponse

    return AWSResponse("https://drill.invalid", 200, {}, None)


if __name__ == "__main__":
    sys.exit(main())
