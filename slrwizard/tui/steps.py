"""The four steps of the walkthrough, named once so every screen and the header agree.

A button that leads to a step names it by its title here (``Next: step 3, Delete databases``), so
the operator reads the same words on the button and then in the header.
"""

from __future__ import annotations

from dataclasses import dataclass

TOTAL_STEPS = 4


@dataclass(frozen=True)
class Step:
    """One step as the operator (and anyone watching) sees it.

    Attributes:
        number: 1 to 4; 0 is the start screen, before the first step.
        title: the short name in the step indicator.
        summary: one line saying what the step does, for the start screen and the help.
    """

    number: int
    title: str
    summary: str

    @property
    def indicator(self) -> str:
        """``Step 2 of 4 - Find databases`` (or ``Before you begin``)."""
        if self.number == 0:
            return self.title
        return f"Step {self.number} of {TOTAL_STEPS} - {self.title}"


START = Step(0, "Before you begin", "Who and where, and what the wizard will do.")
INSPECT = Step(
    1,
    "Inspect role",
    "Read the role: trust, policy, last use, Access Advisor. Changes nothing.",
)
CLUSTERS = Step(
    2,
    "Find databases",
    "Scan every enabled region for databases: DB clusters and standalone instances. "
    "Changes nothing.",
)
DELETE = Step(
    3,
    "Delete databases",
    "Choose final snapshots, review the plan, type the account ID, watch.",
)
ROLE = Step(
    4,
    "Delete role",
    "Scan every region again, type the account ID again, delete the role.",
)
STEPS = (INSPECT, CLUSTERS, DELETE, ROLE)


def next_label(step: Step) -> str:
    """The label of a button that goes on to ``step``: ``Next: step 3, Delete databases``."""
    return f"Next: step {step.number}, {step.title}"
