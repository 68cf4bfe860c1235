"""Turn botocore exceptions into the domain's typed, explained errors.

Every AWS call of the gateway goes through :func:`translate`, so the rest of the program only ever
sees :class:`slrwizard.domain.errors.WizardError` subclasses. Messages are built from error codes
and AWS's own messages, which never contain credentials.
"""

from __future__ import annotations

import re

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    SSOError,
    TokenRetrievalError,
)

from slrwizard.domain import errors as e

CREATE_SLR_MESSAGE = (
    "Unable to create the resource. Verify that you have permission to create service linked "
    "role. Otherwise wait and try again later."
)
CREATE_SLR_STATEMENT = """{
    "Action": "iam:CreateServiceLinkedRole",
    "Effect": "Allow",
    "Resource": "arn:aws:iam::*:role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS",
    "Condition": {
        "StringLike": {
            "iam:AWSServiceName":"rds.amazonaws.com"
        }
    }
}"""

_DENIED = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "AuthorizationError",
    "UnauthorizedAccess",
}
_THROTTLED = {
    "Throttling",
    "ThrottlingException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "RequestThrottled",
    "SlowDown",
}
_EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "SignatureDoesNotMatch"}
TOKEN_REFUSED_CODES = {"InvalidClientTokenId", "UnrecognizedClientException", "AuthFailure"}
"""A region's refusal of the credentials: a region the account never enabled answers so, and
so does an enabled one given a token it cannot read (STS global-endpoint tokens)."""
REGION_DISABLED_CODES = {"OptInRequired", *TOKEN_REFUSED_CODES}
_GLOBAL_SERVICES = {"sts", "iam"}
"""Services that answer for the whole partition: their refusal of a token is not a region's."""
STS_REGIONAL_HINT = (
    "session tokens from STS's global endpoint (sts.amazonaws.com) are valid only in the "
    "regions enabled by default; get them from a regional STS endpoint "
    "(AWS_STS_REGIONAL_ENDPOINTS=regional, or sts_regional_endpoints = regional in the profile)"
)
_NOT_FOUND = {
    "NoSuchEntity",
    "DBClusterNotFoundFault",
    "DBInstanceNotFound",
    "DBInstanceNotFoundFault",
    "GlobalClusterNotFoundFault",
    "DBClusterSnapshotNotFoundFault",
    "DBSnapshotNotFound",
    "DBSnapshotNotFoundFault",
    # what stands beside the databases (slrwizard.aws.related): codes as botocore's model has them
    "BlueGreenDeploymentNotFoundFault",
    "DBShardGroupNotFound",
    "IntegrationNotFoundFault",
    "DBProxyNotFoundFault",
    "DBProxyTargetGroupNotFoundFault",
    "DBClusterGroupNotFound",
    "ObjectNotFoundException",  # Application Auto Scaling: no such scalable target
}
_STATE = {
    "InvalidDBClusterStateFault",
    "InvalidDBInstanceState",
    "InvalidDBInstanceStateFault",
    "InvalidGlobalClusterStateFault",
    "DeleteConflict",
    "InvalidBlueGreenDeploymentStateFault",
    "InvalidDBShardGroupState",
    "InvalidIntegrationStateFault",
    "IntegrationConflictOperationFault",
    "InvalidDBProxyStateFault",
    "InvalidDBClusterGroupState",
}
_SNAPSHOT_EXISTS = {"DBClusterSnapshotAlreadyExistsFault", "DBSnapshotAlreadyExists"}
_INPUT = {"InvalidParameterValue", "InvalidParameterCombination", "InvalidInput", "ValidationError"}


def error_code(exc: ClientError) -> str:
    """The AWS error code of a ClientError ('' if absent)."""
    return str(exc.response.get("Error", {}).get("Code", ""))


_HTML = re.compile(r"<\s*(!doctype|html|head|body|title|h1)\b", re.IGNORECASE)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def _message(exc: ClientError) -> str:
    """AWS's message; an HTML page (a proxy's or an emulator's 500) becomes its title."""
    message = str(exc.response.get("Error", {}).get("Message", "")).strip()
    if _HTML.search(message):
        title = _TITLE.search(message)
        return one_line(title.group(1) if title else message)
    return message


def translate(exc: Exception, action: str, *, region: str | None = None) -> e.WizardError:
    """Explain ``exc``, raised while calling the IAM action ``action`` (``rds:DeleteDBCluster``)."""
    where = f" in {region}" if region else ""
    if isinstance(exc, e.WizardError):
        return exc
    if isinstance(exc, ClientError):
        return _translate_client_error(exc, action, where)
    if isinstance(exc, ProfileNotFound):
        return e.ConfigurationError(
            f"The AWS profile {exc.kwargs.get('profile', '')!r} is not in your AWS config files.",
            hint="Check --profile / AWS_PROFILE, or run `aws configure list-profiles`.",
            code="ProfileNotFound",
        )
    if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
        return e.NoCredentialsError(
            "No AWS credentials were found in the environment, config files or instance role.",
            hint="Set AWS_PROFILE or pass --profile, run `aws sso login`, or try --demo.",
            code="NoCredentials",
        )
    if isinstance(exc, (SSOError, TokenRetrievalError)):
        return e.ExpiredCredentialsError(
            "Your AWS SSO session has expired or was never started.",
            hint="Run `aws sso login` for this profile and start again.",
            code="SSOTokenExpired",
        )
    if isinstance(exc, NoRegionError):
        return e.ConfigurationError(
            "No AWS region is configured.",
            hint="Pass --region, set AWS_REGION, or add region= to your profile.",
            code="NoRegion",
        )
    if isinstance(
        exc,
        (EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError, ConnectionClosedError),
    ):
        return e.UnreachableError(
            f"Could not reach the AWS endpoint{where} for {action} (network error or timeout).",
            hint="Check the network, proxy or AWS_ENDPOINT_URL; the wizard retried already.",
            code=type(exc).__name__,
        )
    if isinstance(exc, BotoCoreError):
        return e.AwsError(f"{action}{where} failed: {exc}", code=type(exc).__name__)
    return e.AwsError(f"{action}{where} failed unexpectedly: {exc}", code=type(exc).__name__)


def refuses_credentials(region: str, code: str) -> e.WizardError:
    """A region AWS lists as enabled that answered ``code`` (:data:`TOKEN_REFUSED_CODES`).

    Not "not enabled": the account has the region, the credentials are what it refuses. Written
    to follow "failed: " in a region's line, with the usual cause in the same sentence, since a
    region's outcome keeps only its explanation.
    """
    return e.AwsError(
        f"refuses these credentials ({code}) although AWS lists {region} as enabled: "
        f"{STS_REGIONAL_HINT}.",
        hint=f"Get new credentials: {STS_REGIONAL_HINT}; then scan again.",
        code=code,
    )


def one_line(text: str, limit: int = 160) -> str:
    """The first meaningful line of an error text, at most ``limit`` characters.

    Some endpoints answer an unexpected failure with a whole HTML page (a proxy's or a local
    emulator's 500): the operator needs to know it failed, not to read its markup.
    """
    lines = [re.sub(r"<[^>]*>", " ", line) for line in text.splitlines()]
    first = next((" ".join(t.split()) for t in lines if t.strip()), "")
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


def _translate_client_error(exc: ClientError, action: str, where: str) -> e.WizardError:
    code, message = error_code(exc), _message(exc)
    if code in _DENIED:
        scp = "service control policy" in message.lower()
        why = "a service control policy denies it" if scp else "your IAM policy does not allow it"
        hint = (
            "Ask your organisation's administrators about the SCP."
            if scp
            else f"Add {action} to the caller's policy (`slrwizard policy` prints the full policy)."
        )
        if action == "iam:CreateServiceLinkedRole":
            return e.AccessDeniedError(
                CREATE_SLR_MESSAGE,
                action=action,
                hint="Make sure you have the following permissions enabled:\n"
                + CREATE_SLR_STATEMENT,
                code=code,
            )
        return e.AccessDeniedError(
            f"Access denied: {action}{where} was refused because {why}.",
            action=action,
            hint=hint,
            code=code,
        )
    if code in _THROTTLED:
        return e.ThrottledError(
            f"AWS kept throttling {action}{where} after repeated retries.",
            hint="Wait a minute and retry; other tools may be using the same API quota.",
            code=code,
        )
    if code in _EXPIRED:
        return e.ExpiredCredentialsError(
            "Your AWS credentials have expired (or the clock is wrong).",
            hint="Refresh them (e.g. `aws sso login`) and start again.",
            code=code,
        )
    if code in TOKEN_REFUSED_CODES and action.split(":")[0] in _GLOBAL_SERVICES:
        # STS and IAM answer for the whole partition: no region is to blame, the key is.
        return e.NoCredentialsError(
            f"AWS does not recognise these credentials ({code}, answering {action}{where}): the "
            "access key is wrong, deleted or deactivated, or belongs to another partition "
            "(GovCloud, China).",
            hint="Check which credentials the profile or the environment provides "
            "(`aws sts get-caller-identity`), then start again.",
            code=code,
        )
    if code in REGION_DISABLED_CODES:
        region = where.removeprefix(" in ") or "The region"
        why = (
            f"{region} is not enabled for this account (AWS answered {code})"
            if code not in TOKEN_REFUSED_CODES
            else f"{region} refused these credentials ({code}): it is most likely not enabled "
            "for this account"
        )
        return e.RegionUnavailableError(
            f"{why}.",
            hint="Enable the region in the account settings if it should be scanned.",
            code=code,
        )
    if code in _NOT_FOUND:
        return e.NotFoundError(f"{message or code}{where}.", code=code)
    if code in _SNAPSHOT_EXISTS:
        return e.SnapshotExistsError(
            f"A snapshot with that name already exists{where}: {message or code}",
            hint="Choose another final snapshot name.",
            code=code,
        )
    if code in _STATE:
        return e.InvalidStateError(f"AWS refused {action}{where}: {message or code}", code=code)
    if code in _INPUT:
        return e.InvalidInputError(f"AWS refused {action}{where}: {message or code}", code=code)
    return e.AwsError(f"{action}{where} failed: {code}: {message}", code=code)
