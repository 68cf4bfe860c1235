"""Typed errors with a one-line human explanation.

The gateway turns every AWS or botocore failure into one of these; the CLI and the TUI show
``explanation`` (and ``hint``) and never a traceback. Messages never include credentials.
"""

from __future__ import annotations


class WizardError(Exception):
    """Base of every error the wizard explains to a person.

    Attributes:
        explanation: one line saying what went wrong, in the operator's terms.
        hint: what to do about it (may be empty).
        code: the AWS error code or a short tag, for the journal and the JSON report.
        retryable: True when the same call may succeed later (throttling, timeouts).
    """

    title = "Something went wrong"
    retryable = False

    def __init__(self, explanation: str, *, hint: str = "", code: str = "") -> None:
        super().__init__(explanation)
        self.explanation = explanation
        self.hint = hint
        self.code = code or type(self).__name__

    def __str__(self) -> str:
        return f"{self.explanation} {self.hint}".strip()


class ConfigurationError(WizardError):
    """Unknown profile, bad region name, unusable endpoint: the run cannot start."""

    title = "AWS configuration problem"


class NoCredentialsError(WizardError):
    """The credential chain found nothing."""

    title = "No AWS credentials"


class ExpiredCredentialsError(WizardError):
    """The session token expired or the keys are invalid."""

    title = "AWS credentials expired or invalid"


class AccessDeniedError(WizardError):
    """IAM or an SCP refused a call; ``action`` names the IAM action (``rds:DeleteDBCluster``)."""

    title = "Access denied"

    def __init__(self, explanation: str, *, action: str, hint: str = "", code: str = "") -> None:
        super().__init__(explanation, hint=hint, code=code or "AccessDenied")
        self.action = action


class ThrottledError(WizardError):
    """AWS kept throttling after botocore's adaptive retries gave up."""

    title = "AWS is throttling requests"
    retryable = True


class RegionUnavailableError(WizardError):
    """The region is disabled for the account (opt-in) or refuses our credentials there."""

    title = "Region not enabled"


class UnreachableError(WizardError):
    """Network failure or timeout talking to an endpoint."""

    title = "AWS endpoint unreachable"
    retryable = True


class NotFoundError(WizardError):
    """The resource is gone (often: someone else deleted it)."""

    title = "Not found"


class InvalidStateError(WizardError):
    """AWS refused because of the resource's state (stopped, global member, still has members)."""

    title = "Resource in the wrong state"
    retryable = True


class SnapshotExistsError(WizardError):
    """The final snapshot name is already taken."""

    title = "Snapshot name already used"


class InvalidInputError(WizardError):
    """A value the operator gave (snapshot name, region, confirmation) is not acceptable."""

    title = "Invalid input"


class ConfirmationMismatchError(InvalidInputError):
    """The typed confirmation is not the account ID: said as that, not as "Invalid input"."""

    title = "The account ID does not match"


class GuardError(WizardError):
    """The state machine refused an unsafe transition (the safety contract, enforced)."""

    title = "Not allowed yet"


class AwsError(WizardError):
    """Any other AWS error, with its code and message."""

    title = "AWS error"


class ResourceReplacedError(WizardError):
    """The name now belongs to another database than the one confirmed (another resource id):
    the confirmed one was deleted and this one created under its name. Never acted upon."""

    title = "Not the database you confirmed"


def replaced(kind: str, name: str, region: str, confirmed: str, now: str) -> ResourceReplacedError:
    """The refusal of a step whose target AWS now shows with another resource id."""
    return ResourceReplacedError(
        f"{kind} {name} in {region} is not the database you confirmed: AWS shows resource id "
        f"{now}, the confirmation recorded {confirmed}. It was deleted and created again under "
        "the same name; nothing was done to it.",
        hint="Scan again: it is listed as a new database and needs its own choice and "
        "confirmation.",
        code="ResourceReplaced",
    )
