"""One resource's choices before deletion: its final snapshot, or an explicit skip; protection.

The safe answer is the default: a final snapshot with a valid, pre-filled name. Skipping it is
its own tick, never implied by an empty box, and reveals what it costs. Deletion protection is
lifted only with its own tick; until then the plan says why it cannot go ahead.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Checkbox, Input, Label, Static

from slrwizard.domain.models import Cluster, Instance
from slrwizard.domain.plan import ResourceKind, ResourcePlan, snapshot_id_problem
from slrwizard.tui.summary import Draft
from slrwizard.tui.widgets.resources import SHORT_ENGINES
from slrwizard.tui.widgets.tick import Tick

SKIP_WARNING = (
    "⚠ No final snapshot: once deleted, this database's data is gone for good, but for its "
    "automated backups if they are retained."
)


NO_SNAPSHOT = (
    "AWS takes no final snapshot of a read replica (its data lives in its source): it is "
    "deleted without one."
)
CUSTOM_NOTE = (
    "RDS Custom: AWS deletes it only without a final snapshot, so the wizard takes this "
    "snapshot first and waits until it is available."
)
BACKUPS_LABEL = "Delete its automated backups with it"


def backups_default(skip: bool) -> bool:
    """Retained by default when the final snapshot is skipped, deleted with it otherwise (the
    rule of :attr:`~slrwizard.domain.plan.ResourcePlan.deletes_automated_backups`)."""
    return not skip


class ResourceChoice(Vertical):
    """A card with the choices for one cluster or standalone instance."""

    class Changed(Message):
        """A choice changed; the screen recomputes the plan."""

    def __init__(self, resource: Cluster | Instance, draft: Draft, note: str = "") -> None:
        super().__init__(classes="choice")
        self.resource = resource
        self._draft = draft
        self._note = note  # what stands beside it ("Blue/Green green", "in cluster group g")
        self._backups = draft.backups
        self._extra: str | None = None
        self.border_title = f"{resource.region} / {resource.identifier}"
        self.border_subtitle = self._subtitle()

    @property
    def snapshot_allowed(self) -> bool:
        """AWS takes no final snapshot of a read replica or an RDS Custom instance."""
        resource = self.resource
        return not isinstance(resource, Instance) or resource.final_snapshot_allowed

    @property
    def kind(self) -> ResourceKind:
        """Cluster or standalone instance."""
        return ResourceKind.CLUSTER if isinstance(self.resource, Cluster) else ResourceKind.INSTANCE

    def _subtitle(self) -> str:
        resource = self.resource
        engine = SHORT_ENGINES.get(resource.engine, resource.engine_label)
        if isinstance(resource, Cluster):
            count = len(resource.members)
            what = f"{engine} cluster, {count} instance{'s' if count != 1 else ''}"
            if resource.global_cluster_id:
                member = "primary" if resource.global_cluster_primary else "secondary"
                what += f", global {member}"
            if resource.status != "available":
                what += f", {resource.status}"
        else:
            what = f"{engine} instance"
        if self._note:
            what += f", {self._note}"
        if resource.deletion_protection:
            what += ", PROTECTED"
        return what

    def compose(self) -> ComposeResult:
        with Horizontal(classes="snapshot-row"):
            yield Label("Final snapshot", classes="field-label")
            yield Input(
                value=self._draft.snapshot,
                classes="snapshot",
                placeholder="a name for the final snapshot",
                max_length=255,
                disabled=self._draft.skip,
                # Focus must not select the pre-filled name: one stray key would replace it.
                select_on_focus=False,
            )
        yield Static(classes="snapshot-problem", markup=False)
        if isinstance(self.resource, Instance) and self.resource.snapshot_before_delete:
            yield Static(CUSTOM_NOTE, classes="custom-note", markup=False)
        forced = not self.snapshot_allowed
        skip = Tick("Skip the final snapshot (keep none)", self._draft.skip, classes="skip")
        skip.disabled = forced
        yield skip
        yield Static(NO_SNAPSHOT if forced else SKIP_WARNING, classes="skip-warning", markup=False)
        backups = self._backups
        yield Tick(
            BACKUPS_LABEL,
            backups_default(self._draft.skip) if backups is None else backups,
            classes="backups",
        )
        if self.resource.deletion_protection:
            yield Tick(
                "Lift deletion protection (turned off just before deleting)",
                self._draft.lift,
                classes="lift",
            )
            yield Static(classes="lift-note", markup=False)
        yield from self._autoscaling()

    def _autoscaling(self) -> ComposeResult:
        """A cluster's Aurora Auto Scaling targets, and the tick to deregister them first."""
        resource = self.resource
        if not isinstance(resource, Cluster):
            return
        if resource.autoscaling_note:
            yield Static(f"{resource.autoscaling_note}.", classes="autoscaling", markup=False)
        if not resource.autoscaling:
            return
        targets = "; ".join(f"{t.resource_id} {t.label}" for t in resource.autoscaling)
        yield Static(
            f"Aurora Auto Scaling: {targets}. It adds readers back while they are deleted; "
            "without the tick, the wizard reads the members again and deletes those too.",
            classes="autoscaling",
            markup=False,
        )
        yield Tick(
            "Deregister its Auto Scaling target first (its scaling policies go with it)",
            self._draft.deregister,
            classes="deregister",
        )

    def on_mount(self) -> None:
        self._refresh_state()

    @property
    def draft(self) -> Draft:
        """The choices as they stand (possibly invalid)."""
        if not self.is_mounted:
            return self._draft
        snapshot = self.query_one("Input.snapshot", Input).value
        skip = self.query_one("Checkbox.skip", Checkbox).value
        lift = self.resource.deletion_protection and self.query_one("Checkbox.lift", Checkbox).value
        boxes = self.query("Checkbox.deregister").results(Checkbox)
        deregister = any(box.value for box in boxes)
        return Draft(
            snapshot=snapshot,
            skip=skip,
            lift=lift,
            deregister=deregister,
            backups=self._backups,
        )

    @property
    def problem(self) -> str | None:
        """Why this card cannot become part of a plan yet, or None."""
        draft = self.draft
        if not draft.skip:
            problem = snapshot_id_problem(draft.snapshot)
            if problem:
                return problem
        if self.resource.deletion_protection and not draft.lift:
            return "Deletion protection is on: tick 'Lift deletion protection' to allow it."
        return None

    def resource_plan(self) -> ResourcePlan | None:
        """The card as a plan entry; None while the snapshot name is invalid."""
        draft = self.draft
        if not draft.skip and snapshot_id_problem(draft.snapshot):
            return None
        return ResourcePlan(
            kind=self.kind,
            region=self.resource.region,
            identifier=self.resource.identifier,
            final_snapshot_id=None if draft.skip else draft.snapshot,
            skip_final_snapshot=draft.skip,
            lift_protection=draft.lift,
            deregister_autoscaling=draft.deregister,
            delete_automated_backups=draft.backups,
        )

    def show_problem(self, extra: str | None) -> None:
        """Show a plan-wide problem about this card (e.g. a snapshot name used twice)."""
        if extra != self._extra:
            self._extra = extra
            self._refresh_state()

    def _refresh_state(self) -> None:
        extra = self._extra
        draft = self.draft
        self.query_one("Input.snapshot", Input).disabled = draft.skip
        self.query_one(".snapshot-row").display = not draft.skip
        self.query_one(".skip-warning").display = draft.skip
        self.set_class(draft.skip, "-skipped")
        backups = self.query_one("Checkbox.backups", Checkbox)
        if self._backups is None and backups.value != backups_default(draft.skip):
            backups.value = backups_default(draft.skip)  # the default follows the skip
        problem_box = self.query_one(".snapshot-problem", Static)
        snap_problem = None if draft.skip else snapshot_id_problem(draft.snapshot)
        message = snap_problem or (None if draft.skip else extra)
        if draft.skip:
            problem_box.update("")
            problem_box.display = False
        else:
            problem_box.display = True
            problem_box.update(f"✗ {message}" if message else "✓ valid snapshot name")
        problem_box.set_class(bool(message), "-bad")
        if self.resource.deletion_protection:
            note = self.query_one(".lift-note", Static)
            note.update(
                "Protection will be lifted right before deletion."
                if draft.lift
                else "✗ Protected: AWS refuses to delete it until protection is lifted."
            )
            note.set_class(not draft.lift, "-bad")
        self.set_class(self.problem is not None or bool(extra), "-problem")

    @on(Input.Changed)
    @on(Checkbox.Changed)
    def _changed(self, event: Input.Changed | Checkbox.Changed) -> None:
        if isinstance(event, Checkbox.Changed) and event.checkbox.has_class("backups"):
            skip = self.query_one("Checkbox.skip", Checkbox).value
            # A tick that says what the default says is the default: it keeps following it.
            self._backups = None if event.value == backups_default(skip) else event.value
        draft = self.draft
        if draft == self._draft:
            return  # e.g. the Input announcing its initial value
        self._draft = draft
        self._refresh_state()
        self.post_message(self.Changed())
