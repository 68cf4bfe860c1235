"""Drills: the operator presses Ctrl-C mid-deletion; the process gets SIGTERM, SIGHUP or SIGINT.

In every case the journal ends with ``session-ended``, AWS is left exactly as the journal says,
and a later resume finishes the work without repeating a call.
"""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import pytest
from drill_support import (
    PLAN_CALLS,
    REGIONS,
    STEP_OPS,
    CallLog,
    brisk,
    confirm_plan,
    drill_plan,
    run_resume,
    start_child,
)

from slrwizard.bootstrap import Options, connect_wizard
from slrwizard.domain.records import SessionEnded, StepRecord, StepStatus
from slrwizard.domain.resume import PriorSession
from slrwizard.journal import signals
from slrwizard.journal.resume import find_unfinished
from slrwizard.journal.sessions import load

OUTCOMES = {StepStatus.DONE, StepStatus.SKIPPED, StepStatus.FAILED, StepStatus.PENDING}


def unanswered(records: list[Any]) -> list[StepRecord]:
    """Steps announced ``running`` that never got an outcome: a journal with holes."""
    steps = [r for r in records if isinstance(r, StepRecord)]
    return [
        r
        for i, r in enumerate(steps)
        if r.status is StepStatus.RUNNING
        and not any(
            later.resource == r.resource and later.index == r.index and later.status in OUTCOMES
            for later in steps[i + 1 :]
        )
    ]


def calls_done(records: list[Any]) -> list[tuple[str, str]]:
    """The mutating calls the journal says were made."""
    return [
        (STEP_OPS[r.step.kind.value], r.step.target)
        for r in records
        if isinstance(r, StepRecord) and r.step.mutating and r.status is StepStatus.DONE
    ]


def test_ctrl_c_during_deletion(drill: Any, moto: Any) -> None:
    """stop() then abort(): AWS in a known state, the journal complete, and resumable."""
    wizard = drill.wizard

    def ctrl_c(params: dict[str, Any], **_: Any) -> None:
        if params.get("DBInstanceIdentifier") == "orders-2":
            wizard.stop()  # what the TUI does on Ctrl-C, while this call is being made

    drill.gateway.events.register("before-parameter-build.rds.DeleteDBInstance", ctrl_c)
    wizard.inspect()
    wizard.scan()
    confirm_plan(wizard, drill_plan(wizard))
    assert not wizard.delete_resources()
    wizard.abort("interrupted by Ctrl-C")

    records = drill.records()
    assert isinstance(records[-1], SessionEnded) and records[-1].state == "aborted"
    assert unanswered(records) == []
    # AWS did exactly what the journal says: no more, no less.
    assert sorted(moto.log.calls) == sorted(calls_done(records))
    assert ("DeleteDBInstance", "orders-2") in moto.log.calls  # the call in flight finished
    eu = moto.client("rds", "eu-west-1")
    members = eu.describe_db_clusters(DBClusterIdentifier="orders")["DBClusters"][0]
    assert [m["DBInstanceIdentifier"] for m in members["DBClusterMembers"]] == ["orders-1"]

    prior = find_unfinished(drill.journal, wizard.account)  # ended while deleting
    assert prior is not None and prior.session_id == wizard.session_id
    assert any("orders" in line for line in prior.summary())
    resumed, wiring = connect_wizard(
        Options(regions=REGIONS), journal_path=drill.journal, on_unfinished=lambda p: True
    )
    CallLog(drill.journal.with_suffix(".calls"), "resume").install(wiring.gateway.events)
    brisk(wiring.gateway)
    run_resume(resumed, prior)
    assert resumed.state == "done"
    assert sorted(moto.log.calls) == sorted(PLAN_CALLS)  # nothing done twice


@pytest.mark.parametrize(("name", "code"), [("SIGTERM", 143), ("SIGHUP", 129), ("SIGINT", 130)])
def test_signal_while_waiting_ends_the_session(
    moto: Any, tmp_path: Path, name: str, code: int
) -> None:
    """A headless wizard waits for a slow cluster deletion; the signal ends the session."""
    journal, calls = tmp_path / "journal.jsonl", tmp_path / "calls.jsonl"
    child = start_child(moto.url, "run", str(journal), str(calls), "--wait-forever")
    assert child.stdout is not None
    for line in child.stdout:
        if line.startswith("WAITING"):
            break
    child.send_signal(getattr(signal, name))
    _, err = child.communicate(timeout=30)

    assert child.returncode == code, err
    [session] = load(journal).sessions.values()
    ended = session.ended
    assert ended is not None and ended.state == "aborted"
    assert ended.reason == f"interrupted by {name} while deleting clusters"
    assert unanswered(session.records) == []
    stopped = [
        r
        for r in session.records
        if isinstance(r, StepRecord) and r.status is StepStatus.PENDING and r.note == "stopped"
    ]
    assert stopped  # the wait that was interrupted says so
    assert sorted(moto.log.calls) == sorted(calls_done(session.records))


def test_install_calls_back_and_restores_previous_handlers() -> None:
    heard: list[str] = []
    before = signal.getsignal(signal.SIGUSR1)
    with signals.install(heard.append, ["SIGUSR1"]) as handlers:
        signal.raise_signal(signal.SIGUSR1)
        assert heard == ["SIGUSR1"] and handlers.received == ["SIGUSR1"]
        assert signal.getsignal(signal.SIGUSR1) != before
    assert signal.getsignal(signal.SIGUSR1) == before


def test_a_signal_before_the_session_exists_only_exits() -> None:
    exits: list[str] = []
    signals.end_session_on_signal(lambda: None, then=exits.append)("SIGHUP")
    assert exits == ["SIGHUP"]


def test_exit_codes() -> None:
    assert [signals.exit_code(n) for n in ("SIGINT", "SIGTERM", "SIGHUP")] == [130, 143, 129]


def test_prior_session_is_offered_until_resumed_to_the_end(drill: Any) -> None:
    """Aborted after its deletions, before the role: offered once; finished, never again."""
    wizard = drill.wizard
    wizard.inspect()
    wizard.scan()
    confirm_plan(wizard, drill_plan(wizard))
    assert wizard.delete_resources()
    wizard.abort("the operator quit before deleting the role")
    assert find_unfinished(drill.journal, wizard.account) is not None
    offered: list[PriorSession] = []
    resumed, wiring = connect_wizard(
        Options(regions=REGIONS),
        journal_path=drill.journal,
        on_unfinished=lambda p: offered.append(p) or True,
    )
    brisk(wiring.gateway)
    run_resume(resumed, offered[0])
    assert find_unfinished(drill.journal, wizard.account) is None
