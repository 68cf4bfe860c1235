"""Access Advisor is advisory: whatever IAM (or a proxy in front of it) answers, step 1 shows one
line about it, never the page of HTML an endpoint may answer a failure with."""

from __future__ import annotations

from typing import Any

import pytest
from enginekit import Faults, seed_role

PAGE = """<!doctype html>
<html lang=en>
<title>500 Internal Server Error</title>
<h1>Internal Server Error</h1>
<p>The server encountered an internal error and was unable to complete your request. Either the
server is overloaded or there is an error in the application.</p>
"""


@pytest.mark.parametrize(
    ("code", "message", "shown"),
    [
        ("500", PAGE, "500 Internal Server Error"),
        ("InternalFailure", "Something broke.\nTrace id 1234\nmore lines", "Something broke."),
    ],
    ids=["html-page", "several-lines"],
)
def test_an_unexpected_access_advisor_failure_is_one_line(
    gw: Any, faults: Faults, code: str, message: str, shown: str
) -> None:
    seed_role()
    faults.fail("GenerateServiceLastAccessedDetails", code, message, status=500)
    inspection = gw.inspect_role()
    role = inspection.role
    assert role is not None  # the role is still inspected: Access Advisor is advisory
    assert role.access_advisor == []
    note = role.access_advisor_note
    assert note is not None
    assert "\n" not in note
    assert "<" not in note
    assert note.startswith("Access Advisor unavailable: iam:GenerateServiceLastAccessedDetails")
    assert shown in note
    assert len(note) <= 200
