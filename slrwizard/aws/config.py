"""Check the operator's AWS configuration before anything else runs, and name what is wrong.

botocore reads its configuration lazily: an unknown profile surfaces in whichever call first asks
for the region, a malformed config file in whichever asks for a profile, a missing CA bundle as a
failed TLS handshake ("unreachable, check the network") and a bad ``AWS_ENDPOINT_URL`` as a
``ValueError`` from the first client. By then the full screen is open or the report is scanning.
:func:`check_configuration` makes botocore read everything up front, on a throwaway session and
without a network call, so the CLI can print one explanation naming the culprit (the profile,
the file, the variable) and exit with the usage code before the screen opens.
"""

from __future__ import annotations

import os
import ssl
from pathlib import Path
from urllib.parse import urlsplit

import boto3.session
import botocore.session
from botocore.configprovider import ConfiguredEndpointProvider
from botocore.exceptions import BotoCoreError, ConfigParseError, PartialCredentialsError
from botocore.exceptions import ProfileNotFound as BotocoreProfileNotFound
from botocore.utils import is_valid_endpoint_url, is_valid_ipv6_endpoint_url

from slrwizard.domain.errors import ConfigurationError

SERVICES = ("sts", "iam", "rds", "ec2", "account")
"""The services the gateway calls: only their endpoint URLs matter (``AWS_ENDPOINT_URL_S3`` does
not)."""

OFFLINE_UNSAFE_PROVIDERS = ("assume-role", "custom-process", "container-role", "iam-role")
"""Credential providers left out of the check: they call STS or a metadata endpoint, or run the
profile's ``credential_process`` (which may prompt), when loading. The real session runs them."""

PROFILE_VARIABLES = ("AWS_DEFAULT_PROFILE", "AWS_PROFILE")
"""Where botocore reads the profile from when none is given, in its order."""


def check_configuration(profile: str | None, region: str | None) -> None:
    """Resolve the configuration a live run would use, and fail early if it cannot work.

    Checks, in botocore's own reading: the config and credentials files parse, the profile
    exists, the CA bundle is a readable certificate file, every configured endpoint URL of the
    gateway's services is an http(s) URL with a host, and the credential providers that need no
    network load without error. Finding no credentials is *not* an error here: the STS call
    that follows explains that (and an instance role is only found over the network).

    Args:
        profile: the operator's ``--profile`` (None: botocore's own choice, e.g. AWS_PROFILE).
        region: the operator's ``--region``.

    Raises:
        ConfigurationError: the configuration cannot work; the message names the profile, file
            or variable at fault.
    """
    core = botocore.session.get_session()
    try:
        session = boto3.session.Session(
            botocore_session=core, profile_name=profile, region_name=region
        )
        session.available_profiles  # noqa: B018 - parses the config and credentials files
        core.get_scoped_config()  # raises ProfileNotFound for a profile the files do not know
        _check_ca_bundle(core)
        _check_endpoints(core)
        _check_credentials(core)
    except ConfigurationError:
        raise
    except ConfigParseError as exc:
        raise _unparsable(core, str(exc.kwargs.get("path", ""))) from None
    except BotocoreProfileNotFound as exc:
        raise _unknown_profile(core, str(exc.kwargs.get("profile", "")), profile) from None
    except PartialCredentialsError as exc:
        raise ConfigurationError(
            f"Only part of the AWS credentials is set: {exc.kwargs.get('cred_var', '?')} is "
            f"missing ({exc.kwargs.get('provider', '?')}).",
            hint="Set both the access key id and the secret key, or neither.",
            code="PartialCredentials",
        ) from None
    except (BotoCoreError, ValueError) as exc:
        raise ConfigurationError(
            f"The AWS configuration cannot be used: {exc}",
            hint=f"Check {_file(core, 'config_file')} and the AWS_* environment variables.",
            code=type(exc).__name__,
        ) from None


def _file(core: botocore.session.Session, variable: str) -> str:
    return str(Path(str(core.get_config_variable(variable))).expanduser())


def _from_environment(variable: str, value: str) -> bool:
    return os.environ.get(variable) == value


def _unparsable(core: botocore.session.Session, path: str) -> ConfigurationError:
    source = next(
        (
            f" ({name})"
            for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")
            if os.environ.get(name) and str(Path(os.environ[name]).expanduser()) == path
        ),
        "",
    )
    return ConfigurationError(
        f"The AWS config file {path}{source} is malformed: botocore cannot parse it.",
        hint="Fix its [section] headers and key = value lines (see `aws configure`).",
        code="ConfigParseError",
    )


def _unknown_profile(
    core: botocore.session.Session, name: str, given: str | None
) -> ConfigurationError:
    if given is not None:
        source = "--profile"
    else:
        source = next((v for v in PROFILE_VARIABLES if _from_environment(v, name)), "the default")
    files = f"{_file(core, 'config_file')} or {_file(core, 'credentials_file')}"
    return ConfigurationError(
        f"The AWS profile {name!r} ({source}) is not in {files}.",
        hint="Check the name, or run `aws configure list-profiles`.",
        code="ProfileNotFound",
    )


def _in_profile(core: botocore.session.Session, key: str) -> str:
    profile = core.get_config_variable("profile") or "default"
    return f"{key} in profile {profile!r} of {_file(core, 'config_file')}"


def _check_ca_bundle(core: botocore.session.Session) -> None:
    path = core.get_config_variable("ca_bundle")
    if not path:
        return
    path = str(path)
    culprit = "AWS_CA_BUNDLE" if _from_environment("AWS_CA_BUNDLE", path) else "ca_bundle"
    where = culprit if culprit == "AWS_CA_BUNDLE" else _in_profile(core, "ca_bundle")
    try:  # what botocore will hand to TLS: it must be a file holding PEM certificates
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cafile=path)
    except FileNotFoundError:
        problem = "does not exist"
    except ssl.SSLError:
        problem = "holds no PEM certificate"
    except OSError as exc:  # a directory, or unreadable
        problem = f"cannot be read ({exc.strerror or exc})"
    else:
        return
    raise ConfigurationError(
        f"The CA bundle {path} ({where}) {problem}.",
        hint=f"Point {culprit} at a PEM file of CA certificates, or unset it.",
        code="CABundle",
    )


def _check_endpoints(core: botocore.session.Session) -> None:
    if core.get_config_variable("ignore_configured_endpoint_urls"):
        return
    full, scoped = core.full_config, core.get_scoped_config()
    for service in SERVICES:
        url = ConfiguredEndpointProvider(full, scoped, service).provide()
        if not url or (problem := _url_problem(str(url))) is None:
            continue
        variables = (f"AWS_ENDPOINT_URL_{service.upper()}", "AWS_ENDPOINT_URL")
        culprit = next(
            (v for v in variables if _from_environment(v, url)), _in_profile(core, "endpoint_url")
        )
        raise ConfigurationError(
            f"{culprit} is {url!r}, which {problem}.",
            hint="Give a URL such as https://host:port, or unset it to reach AWS itself.",
            code="InvalidEndpointURL",
        )


def _url_problem(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError:
        return "is not a valid URL"
    if parts.scheme not in ("http", "https"):
        return "does not start with https:// or http://"
    if not parts.hostname:
        return "names no host"
    if not (is_valid_endpoint_url(url) or is_valid_ipv6_endpoint_url(url)):
        return "does not name a valid host"
    return None


def _check_credentials(core: botocore.session.Session) -> None:
    resolver = core.get_component("credential_provider")
    for method in OFFLINE_UNSAFE_PROVIDERS:
        resolver.remove(method)
    resolver.load_credentials()
