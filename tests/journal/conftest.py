"""Fixtures of the journal tests: an in-process moto account and a finished, journaled session."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from journal_support import REGIONS, SEEDED_PASSWORD, TRUST, brisk, walk

from slrwizard.bootstrap import Options, connect_wizard
from slrwizard.domain.wizard import Wizard


@pytest.fixture
def aws() -> Iterator[None]:
    """moto in this process: the role, a protected cluster with one member, an instance."""
    with seeded_moto():
        yield


@contextmanager
def seeded_moto() -> Iterator[None]:
    from moto import mock_aws

    with mock_aws():
        boto3.client("iam", region_name="us-east-1").create_role(
            RoleName="AWSServiceRoleForRDS",
            Path="/aws-service-role/rds.amazonaws.com/",
            AssumeRolePolicyDocument=TRUST,
        )
        rds = boto3.client("rds", region_name="eu-west-1")
        rds.create_db_cluster(
            DBClusterIdentifier="orders",
            Engine="aurora-mysql",
            MasterUsername="admin",
            MasterUserPassword=SEEDED_PASSWORD,
            DeletionProtection=True,
        )
        rds.create_db_instance(
            DBInstanceIdentifier="orders-1",
            DBClusterIdentifier="orders",
            Engine="aurora-mysql",
            DBInstanceClass="db.r6g.large",
        )
        boto3.client("rds", region_name="us-east-1").create_db_instance(
            DBInstanceIdentifier="solo",
            Engine="postgres",
            DBInstanceClass="db.t3.micro",
            MasterUsername="admin",
            MasterUserPassword=SEEDED_PASSWORD,
            AllocatedStorage=20,
        )
        yield


@dataclass
class Finished:
    journal: Path
    wizard: Wizard


@pytest.fixture
def finished(aws: None, tmp_path: Path) -> Finished:
    """A whole walkthrough through connect_wizard, journaled in ``tmp_path``; moto stays up."""
    return _walk_to_the_end(tmp_path / "journal.jsonl")


@pytest.fixture(scope="module")
def finished_journal(tmp_path_factory: pytest.TempPathFactory) -> Finished:
    """The same, once per module, for tests that only read the journal (moto is gone)."""
    with seeded_moto():
        return _walk_to_the_end(tmp_path_factory.mktemp("journal") / "journal.jsonl")


def _walk_to_the_end(journal: Path) -> Finished:
    wizard, wiring = connect_wizard(Options(regions=REGIONS), journal_path=journal)
    # moto changes things at once: poll it briskly (the defaults suit AWS's minutes).
    brisk(wiring.gateway)
    walk(wizard)
    assert wizard.state == "done"
    return Finished(journal, wizard)
