"""The shape of one intercepted API call, and the answers the sandbox gives instead of moto.

botocore's ``before-call`` event lets a handler answer a call itself by returning
``(http_response, parsed)``: botocore then raises the modelled error for
``parsed["Error"]["Code"]`` when ``http_response.status_code >= 300`` and returns ``parsed``
otherwise (``BaseClient._make_api_call`` in botocore 1.44). Nothing else of the HTTP response is
read on that path, so a tiny stand-in object is enough and this package never needs botocore.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Call:
    """One API call as the sandbox sees it.

    Attributes:
        service: botocore's hyphenised service id (``rds``, ``iam``, ``ec2``).
        operation: the API operation name (``DeleteDBCluster``).
        region: the region of the client that made the call.
        params: the API parameters as the caller passed them (not the serialised request).
        notes: a dict shared by the ``before-call`` and ``after-call`` handlers of this one call,
            for facts that are gone once moto has run (e.g. whether a deleted instance was its
            cluster's writer).
    """

    service: str
    operation: str
    region: str
    params: dict[str, Any]
    notes: dict[str, Any] = field(default_factory=dict)


@dataclass
class FakeHttp:
    """The little of an HTTP response that botocore reads from a short-circuited call."""

    status_code: int
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes = b""


Reply = tuple[FakeHttp, dict[str, Any]]
"""What a ``before-call`` handler returns to answer a call instead of moto."""


def _metadata(status: int) -> dict[str, Any]:
    return {
        "RequestId": str(uuid.uuid4()),
        "HTTPStatusCode": status,
        "HTTPHeaders": {},
        "RetryAttempts": 0,
    }


def answer(body: dict[str, Any]) -> Reply:
    """A successful answer carrying ``body`` (already in botocore's parsed form)."""
    return FakeHttp(200), {**body, "ResponseMetadata": _metadata(200)}


def fail(code: str, message: str, status: int = 400) -> Reply:
    """An error answer; botocore raises the client's modelled exception for ``code``."""
    parsed = {
        "Error": {"Code": code, "Message": message, "Type": "Sender"},
        "ResponseMetadata": _metadata(status),
    }
    return FakeHttp(status), parsed
