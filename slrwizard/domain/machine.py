"""The wizard's states and the only transitions between them, declared in one place.

    inspecting -> scanning -> reviewing -> confirming -> deleting_clusters -> rescanning
        -> deleting_role -> done
    plus: inspecting -> done (no role), reviewing -> deleting_role (nothing found),
    confirming -> reviewing (back), rescanning -> reviewing (something is left),
    deleting_role -> scanning (AWS says the role is still in use), anything -> aborted.

Guards are the safety contract: no deletion without a confirmed, valid plan; no role deletion while
the latest scan shows any cluster or instance in any region. The guards read a
:class:`GuardFacts` object, so the machine knows nothing of AWS, the TUI or how facts were learned.
"""

from __future__ import annotations

from typing import Protocol

from statemachine import State, StateMachine


class GuardFacts(Protocol):
    """What the guards need to know; the :class:`~slrwizard.domain.wizard.Wizard` provides it."""

    @property
    def role_exists(self) -> bool: ...

    @property
    def scan_clean(self) -> bool: ...

    @property
    def has_resources(self) -> bool: ...

    @property
    def plan_valid(self) -> bool: ...

    @property
    def plan_confirmed(self) -> bool: ...

    @property
    def role_deletion_failed(self) -> bool: ...

    @property
    def role_deletion_succeeded(self) -> bool: ...


class WizardMachine(StateMachine):
    """The walkthrough of the seed's procedure, step by step."""

    inspecting = State("Inspect role", initial=True)
    scanning = State("Scan regions")
    reviewing = State("Review clusters")
    confirming = State("Confirm deletion")
    deleting_clusters = State("Delete clusters")
    rescanning = State("Re-scan")
    deleting_role = State("Delete role")
    done = State("Done", final=True)
    aborted = State("Aborted", final=True)

    scan = (
        inspecting.to(scanning, cond="role_exists")
        | reviewing.to(scanning)
        | deleting_role.to(scanning, cond="role_deletion_failed")
    )
    finish_without_role = inspecting.to(done, unless="role_exists")
    scanned = scanning.to(reviewing)
    review = reviewing.to(confirming, cond=["has_resources", "plan_valid"])
    nothing_to_delete = reviewing.to(deleting_role, cond="scan_clean")
    back = confirming.to(reviewing)
    confirm = confirming.to(deleting_clusters, cond=["plan_valid", "plan_confirmed"])
    clusters_deleted = deleting_clusters.to(rescanning)
    rescanned = rescanning.to(deleting_role, cond="scan_clean") | rescanning.to(
        reviewing, unless="scan_clean"
    )
    role_deleted = deleting_role.to(done, cond="role_deletion_succeeded")
    abort = (
        inspecting.to(aborted)
        | scanning.to(aborted)
        | reviewing.to(aborted)
        | confirming.to(aborted)
        | deleting_clusters.to(aborted)
        | rescanning.to(aborted)
        | deleting_role.to(aborted)
    )

    def __init__(self, facts: GuardFacts) -> None:
        self.facts = facts
        super().__init__()

    # Guards: one line each, reading the facts.
    def role_exists(self) -> bool:
        return self.facts.role_exists

    def scan_clean(self) -> bool:
        return self.facts.scan_clean

    def has_resources(self) -> bool:
        return self.facts.has_resources

    def plan_valid(self) -> bool:
        return self.facts.plan_valid

    def plan_confirmed(self) -> bool:
        return self.facts.plan_confirmed

    def role_deletion_failed(self) -> bool:
        return self.facts.role_deletion_failed

    def role_deletion_succeeded(self) -> bool:
        return self.facts.role_deletion_succeeded

    @property
    def state_id(self) -> str:
        """The id of the (single) active state."""
        return str(next(iter(self.configuration)).id)
