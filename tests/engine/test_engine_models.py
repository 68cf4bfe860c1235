"""The trimmed botocore models the gateway's sessions read first (slrwizard/aws/models)."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta, timezone
from pathlib import Path

import botocore.exceptions
import botocore.parsers
import botocore.session
import pytest
from botocore.utils import parse_timestamp as botocore_parse_timestamp
from moto import mock_aws

from slrwizard.aws.gateway import (
    ENDPOINTS,
    Boto3Gateway,
    FewParsersAtOnce,
    GatewayLoader,
    GatewaySettings,
    make_session,
    parse_timestamp,
)
from slrwizard.aws.models import (
    MODELS_DIR,
    SERVICES,
    TRIMMED,
    endpoints_dir,
    extras_shapes,
    file_digest,
    trimmed_endpoints,
    trimmed_model,
)
from slrwizard.domain.models import RegionSource


@pytest.mark.parametrize("service", sorted(TRIMMED))
def test_the_trimmed_model_is_botocores_own_cut_down(service: str) -> None:
    """Fails after a botocore upgrade changes the model: run scripts/trim_botocore_models.py."""
    loader = botocore.session.get_session().get_component("data_loader")
    version = loader.determine_latest_version(service, "service-2")
    full = loader.load_service_model(service, "service-2", version)
    try:
        extras = loader.load_data(f"{service}/{version}/service-2.sdk-extras")
    except botocore.exceptions.DataNotFoundError:
        extras = None
    also = extras_shapes(extras)
    shipped = json.loads((MODELS_DIR / service / version / "service-2.json").read_text())
    assert shipped == json.loads(json.dumps(trimmed_model(full, TRIMMED[service], also)))
    assert sorted(shipped["operations"]) == sorted(TRIMMED[service])
    assert set(also) <= set(shipped["shapes"])


@pytest.mark.parametrize("service", sorted(TRIMMED))
def test_every_shape_of_the_model_botocore_builds_from_the_trimmed_one_is_whole(
    service: str,
) -> None:
    """botocore merges the service's sdk-extras into the trimmed model too; an error's shape is
    looked up among all of them (a throttled call reads one)."""
    session = make_session(None, "us-east-1")
    model = session._session.get_service_model(service)  # what the gateway's clients use
    assert sorted(model.operation_names) == sorted(TRIMMED[service])
    for name in model.shape_names:
        model.shape_for(name)  # raises on a shape without a type
    assert model.error_shapes is not None


def test_trimming_keeps_every_shape_an_operation_reaches() -> None:
    full = {
        "metadata": {"protocol": "query"},
        "operations": {
            "Get": {"input": {"shape": "In"}, "output": {"shape": "Out"}},
            "Other": {"input": {"shape": "Unused"}},
        },
        "shapes": {
            "In": {"type": "structure", "members": {"Ids": {"shape": "IdList"}}},
            "IdList": {"type": "list", "member": {"shape": "Id"}},
            "Id": {"type": "string"},
            "Out": {"type": "structure", "members": {"Tags": {"shape": "TagMap"}}},
            "TagMap": {"type": "map", "key": {"shape": "Id"}, "value": {"shape": "Out"}},
            "Unused": {"type": "string"},
        },
    }
    model = trimmed_model(full, ("Get",))
    assert list(model["operations"]) == ["Get"]
    assert sorted(model["shapes"]) == ["Id", "IdList", "In", "Out", "TagMap"]
    assert model["metadata"] == {"protocol": "query"}


def test_the_gateways_session_reads_the_trimmed_ec2_model_and_lists_regions() -> None:
    with mock_aws():
        session = make_session(None, "us-east-1")
        ec2 = session.client("ec2")
        assert ec2.meta.service_model.operation_names == ["DescribeRegions"]
        rds = session.client("rds", region_name="eu-west-1")
        assert "DescribeDBClusters" in rds.meta.service_model.operation_names
        sts = session.client("sts")
        assert "AssumeRole" in sts.meta.service_model.operation_names  # others untouched
        gateway = Boto3Gateway(GatewaySettings(region="us-east-1"), session)
        regions = gateway.list_regions()
        gateway.settle()
    assert regions.source is RegionSource.EC2
    assert {"us-east-1", "eu-west-1"} <= set(regions.regions)


def test_the_endpoints_file_is_botocores_own_cut_down() -> None:
    """Skips after a botocore upgrade that changed its endpoints.json (the gateway then reads
    botocore's own): run scripts/trim_botocore_models.py again for the faster start."""
    loader = botocore.session.get_session().get_component("data_loader")
    full, path = loader.load_data_with_path("endpoints")
    folder = endpoints_dir(file_digest(Path(f"{path}.json")))
    if folder is None:
        pytest.skip("no cut-down copy of this botocore's endpoints.json: botocore's own is read")
    assert folder == ENDPOINTS
    shipped = json.loads((folder / "endpoints.json").read_text())
    assert shipped == json.loads(json.dumps(trimmed_endpoints(full, SERVICES)))
    for part in shipped["partitions"]:
        assert set(part["services"]) <= set(SERVICES)
    assert {"rds", "iam", "ec2", "sts"} <= set(shipped["partitions"][0]["services"])


def test_the_gateways_session_resolves_endpoints_and_regions_as_botocore_does() -> None:
    """It reads our copy of endpoints.json and knows four services; for those, regions and
    endpoints are botocore's own, in every partition (its copy counts as botocore's data, so the
    endpoint rules resolve as they do from botocore's file)."""
    ours = make_session(None, "us-east-1")
    loader = ours._session.get_component("data_loader")
    assert isinstance(loader, GatewayLoader)
    assert loader.list_available_services("service-2") == sorted(SERVICES)
    stock = botocore.session.get_session().get_component("data_loader")
    for kind in ("paginators-1", "waiters-2", "endpoint-rule-set-1"):  # STS has no waiters
        expected = [s for s in stock.list_available_services(kind) if s in SERVICES]
        assert loader.list_available_services(kind) == expected, kind
    assert ours._session._get_internal_component("endpoint_resolver").uses_builtin_data
    theirs = botocore.session.get_session()
    for service in SERVICES:
        for partition in ("aws", "aws-cn", "aws-us-gov"):
            assert ours.get_available_regions(service, partition) == theirs.get_available_regions(
                service, partition
            )
    keys = {"aws_access_key_id": "AKIDEXAMPLE", "aws_secret_access_key": "example"}
    for service, region in [
        ("rds", "eu-west-1"),
        ("rds", "us-gov-west-1"),
        ("iam", "us-east-1"),
        ("iam", "cn-north-1"),
        ("sts", "ap-south-1"),
        ("ec2", "cn-north-1"),
    ]:
        mine = ours.client(service, region_name=region, **keys)
        botocores = theirs.create_client(service, region_name=region, **keys)
        assert mine.meta.endpoint_url == botocores.meta.endpoint_url, (service, region)
    with pytest.raises(botocore.exceptions.UnknownServiceError):
        ours.client("s3", region_name="us-east-1", **keys)


def test_the_gateways_session_still_reads_aws_data_path_after_our_models(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
    loader = make_session(None, "us-east-1")._session.get_component("data_loader")
    ours = [str(ENDPOINTS)] if ENDPOINTS is not None else []
    assert loader.search_paths[: len(ours) + 2] == [*ours, str(MODELS_DIR), str(tmp_path)]


def test_another_botocore_reads_its_own_endpoints_file() -> None:
    """A copy cut from another botocore's file is not used: that one may know more regions."""
    assert endpoints_dir("0123456789abcdef") is None and endpoints_dir("") is None
    loader = GatewayLoader(SERVICES, [str(MODELS_DIR)], endpoints=None)
    endpoints, path = loader.load_data_with_path("endpoints")
    assert loader.is_builtin_path(path)  # botocore's own file, from botocore's data folder
    assert len(endpoints["partitions"][0]["services"]) > len(SERVICES)


@pytest.mark.parametrize(
    "value",
    [
        "2026-11-28T03:00:00Z",
        "2026-11-28T03:00:00.123Z",
        "2026-11-28T03:00:00.123456Z",
        "2026-11-28T03:00:00.1234567Z",  # more digits than fromisoformat reads
        "2026-11-28T03:00:00+02:00",
        "2026-11-28T03:00:00",  # naive: botocore decides
        "Sat, 28 Nov 2026 03:00:00 GMT",
        1700000000,
        "1700000000",
    ],
)
def test_timestamps_read_as_botocore_reads_them(value: object) -> None:
    ours, theirs = parse_timestamp(value), botocore_parse_timestamp(value)
    assert ours == theirs
    assert (ours.tzinfo is None) == (theirs.tzinfo is None)


def test_the_gateways_session_reads_timestamps_with_our_parser() -> None:
    with mock_aws():
        seeding = make_session(None, "us-east-1", trimmed_models=False)
        seeding.client("rds", region_name="eu-west-1").create_db_cluster(
            DBClusterIdentifier="c1",
            Engine="aurora-postgresql",
            MasterUsername="admin1",
            MasterUserPassword="password123",
        )
        rds = make_session(None, "us-east-1").client("rds", region_name="eu-west-1")
        assert not hasattr(rds, "create_db_cluster")  # the gateway's clients: its calls only
        (cluster,) = rds.describe_db_clusters()["DBClusters"]
    created = cluster["ClusterCreateTime"]
    assert isinstance(created.tzinfo, timezone)  # the standard library's; dateutil's is tzutc
    assert created.utcoffset() == timedelta(0)


def test_parsers_take_turns(monkeypatch: pytest.MonkeyPatch) -> None:
    """However many threads receive answers at once, at most ``slots`` parse at the same time."""
    inside, most = 0, 0
    lock = threading.Lock()

    class SlowParser:
        def __init__(self, **defaults: object) -> None:
            self.defaults = defaults

        def parse(self, response: object, shape: object) -> dict[str, object]:
            nonlocal inside, most
            with lock:
                inside += 1
                most = max(most, inside)
            time.sleep(0.02)
            with lock:
                inside -= 1
            return {"parsed": response}

    monkeypatch.setitem(botocore.parsers.PROTOCOL_PARSERS, "query", SlowParser)
    factory = FewParsersAtOnce(1)
    factory.set_parser_defaults(timestamp_parser=parse_timestamp)
    results: list[object] = []
    threads = [
        threading.Thread(
            target=lambda n=n: results.append(factory.create_parser("query").parse(n, None))
        )
        for n in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most == 1
    assert sorted(r["parsed"] for r in results) == list(range(8))  # type: ignore[index]
    assert factory.create_parser("query").defaults == {"timestamp_parser": parse_timestamp}


def test_the_gateways_session_parses_with_taking_turns() -> None:
    session = make_session(None, "us-east-1")
    factory = session._session.get_component("response_parser_factory")
    assert isinstance(factory, FewParsersAtOnce)
