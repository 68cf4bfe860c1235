"""The ``--demo`` sandbox: a believable AWS account in moto, behaving like AWS where moto does not.

Importing this package is cheap and imports neither boto3, botocore nor moto: moto is loaded by
:meth:`Sandbox.start`, and the gateway hands in the boto3 session's event emitter and clients.
"""

from slrwizard.sandbox.clock import Durations, SimClock
from slrwizard.sandbox.core import SERVICES, Sandbox
from slrwizard.sandbox.regions import (
    DEFAULT_DENIED_REGIONS,
    ENABLED_REGIONS,
    NOT_OPTED_IN,
    caller_arn,
)
from slrwizard.sandbox.seed import BLUE_GREEN, CLUSTERS, GLOBAL_CLUSTER, INSTANCES, MULTI_AZ

__all__ = [
    "BLUE_GREEN",
    "CLUSTERS",
    "DEFAULT_DENIED_REGIONS",
    "ENABLED_REGIONS",
    "GLOBAL_CLUSTER",
    "INSTANCES",
    "MULTI_AZ",
    "NOT_OPTED_IN",
    "SERVICES",
    "Durations",
    "Sandbox",
    "SimClock",
    "caller_arn",
]
