"""Trimmed botocore service models, put first on the gateway's botocore data path.

botocore builds a client from the service's whole model: EC2's has 830 operations and costs
~0.12 s of CPU to read, on every run, for one ec2:DescribeRegions call on the scan's critical path
(benchmarks/scan.py). RDS's 170 operations cost ~85 ms to read before the scan's first listing,
then ~4 ms for each region's client (a method per operation); IAM's ~15 ms before the role's
first call. The files under this package hold only the operations listed in
:data:`TRIMMED`, copied from botocore by ``scripts/trim_botocore_models.py``; every other file of
the service (endpoint rules, paginators, waiters) still comes from botocore.
``endpoints/<digest>/endpoints.json`` is botocore's, with the gateway's :data:`SERVICES` only,
read only when botocore's own file is the one it was cut from. A test compares them with the
installed botocore's.

No boto3 import here: these are plain functions over the JSON.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

MODELS_DIR = Path(__file__).resolve().parent

TRIMMED: dict[str, tuple[str, ...]] = {
    "ec2": ("DescribeRegions",),
    "iam": (
        "CreateServiceLinkedRole",
        "DeleteServiceLinkedRole",
        "GenerateServiceLastAccessedDetails",
        "GetRole",
        "GetServiceLastAccessedDetails",
        "GetServiceLinkedRoleDeletionStatus",
        "ListAttachedRolePolicies",
    ),
    "rds": (
        "DeleteDBCluster",
        "DeleteDBInstance",
        "DeleteGlobalCluster",
        "DescribeDBClusterSnapshots",  # the snapshot waiters' operations too
        "DescribeDBClusters",
        "DescribeDBInstances",
        "DescribeDBSnapshots",
        "DescribeGlobalClusters",
        "ModifyDBCluster",
        "ModifyDBInstance",
        "PromoteReadReplicaDBCluster",
        "RemoveFromGlobalCluster",
        "StartDBCluster",
    ),
}
"""Services whose model is trimmed, and the operations the gateway calls on them (with those
their waiters and paginators call)."""


SERVICES = ("ec2", "iam", "rds", "sts")
"""Every service the gateway calls: the only ones its sessions know (``GatewayLoader``), and the
only ones in our copy of botocore's ``endpoints.json``."""


def file_digest(path: Path) -> str:
    """The first 16 hex digits of the file's SHA-256 ("" if it cannot be read): ~2 ms for
    botocore's ``endpoints.json``, a tenth of parsing it."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError:
        return ""


def endpoints_dir(digest: str) -> Path | None:
    """The folder holding our copy of ``endpoints.json`` cut from the botocore file whose
    :func:`file_digest` is ``digest``, if there is one. A copy is used only with the very file it
    was cut from: another botocore may know regions the copy does not, and then its own file is
    read (correct, ~20 ms slower)."""
    folder = MODELS_DIR / "endpoints" / digest
    return folder if digest and (folder / "endpoints.json").is_file() else None


def trimmed_endpoints(full: dict[str, Any], services: tuple[str, ...]) -> dict[str, Any]:
    """botocore's ``endpoints.json`` (1.2 MB, ~20 ms to read before a session's first client)
    with each partition's services cut down to ``services``; partitions, their regions and
    defaults are kept whole."""
    return {
        **full,
        "partitions": [
            {**part, "services": {k: v for k, v in part["services"].items() if k in services}}
            for part in full["partitions"]
        ],
    }


def extras_shapes(extras: dict[str, Any] | None) -> tuple[str, ...]:
    """The shapes a service's ``service-2.sdk-extras.json`` merges into its model (RDS adds
    ``SourceRegion`` to a few). botocore merges them into whatever model it reads, the trimmed
    one too, so they are kept whole: merged into a model without them, each would be a shape
    without a type, and botocore fails on it when it reads an error's shape."""
    merge = (extras or {}).get("merge") or {}
    return tuple(sorted(merge.get("shapes", {})))


def trimmed_model(
    full: dict[str, Any], operations: tuple[str, ...], also: tuple[str, ...] = ()
) -> dict[str, Any]:
    """``full`` (a service-2 model) reduced to ``operations`` and the shapes they reach, with
    the shapes named in ``also`` (and those they reach)."""
    shapes: dict[str, Any] = full["shapes"]
    keep: dict[str, Any] = {}

    def visit(name: str) -> None:
        if name in keep:
            return
        shape = shapes[name]
        keep[name] = shape
        refs = [shape.get("member"), shape.get("key"), shape.get("value")]
        refs += list(shape.get("members", {}).values())
        for ref in refs:
            if ref is not None:
                visit(ref["shape"])

    kept_operations = {}
    for name in operations:
        operation = full["operations"][name]
        kept_operations[name] = operation
        for part in ("input", "output"):
            if part in operation:
                visit(operation[part]["shape"])
        for error in operation.get("errors", []):
            visit(error["shape"])
    for name in also:
        if name in shapes:
            visit(name)
    model = {key: value for key, value in full.items() if key not in ("operations", "shapes")}
    model["operations"] = kept_operations
    model["shapes"] = dict(sorted(keep.items()))
    return model
