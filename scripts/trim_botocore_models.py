"""Write the trimmed botocore models that ``slrwizard.aws`` puts first on botocore's data path.

botocore reads a service's whole model to build its client. For EC2 that is ~550 KB compressed,
830 operations, ~0.12 s of CPU on every run, only to call ec2:DescribeRegions once. This script
copies, from the installed botocore, exactly what that one operation needs (the operation, its
input/output shapes and the shapes they reach, and the service metadata) into
``slrwizard/aws/models/<service>/<api version>/service-2.json``, and botocore's
``endpoints.json`` with the gateway's services only into
``slrwizard/aws/models/endpoints/<digest of botocore's file>/endpoints.json`` (read only when
botocore's file is that one).
Endpoint rules, paginators and waiters are still read from botocore itself.

Run it after upgrading botocore; ``tests/engine/test_engine_models.py`` fails when the trimmed
model no longer matches botocore's.

    .venv/bin/python scripts/trim_botocore_models.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from slrwizard.aws import models  # noqa: E402


def sdk_extras(loader: Any, service: str, version: str) -> dict[str, Any] | None:
    """botocore's ``service-2.sdk-extras.json`` for the service, if it has one."""
    from botocore.exceptions import DataNotFoundError

    try:
        extras: dict[str, Any] = loader.load_data(f"{service}/{version}/service-2.sdk-extras")
    except DataNotFoundError:
        return None
    return extras


def main() -> int:
    import botocore.session

    loader = botocore.session.get_session().get_component("data_loader")
    for service, operations in models.TRIMMED.items():
        version = loader.determine_latest_version(service, "service-2")
        full: dict[str, Any] = loader.load_service_model(service, "service-2", version)
        also = models.extras_shapes(sdk_extras(loader, service, version))
        target = models.MODELS_DIR / service / version / "service-2.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        model = models.trimmed_model(full, operations, also)
        text = json.dumps(model, indent=1, sort_keys=True) + "\n"
        target.write_text(text, encoding="utf-8")
        print(f"{target.relative_to(ROOT)}: {', '.join(operations)} ({len(text)} bytes)")
    full, path = loader.load_data_with_path("endpoints")
    endpoints = models.trimmed_endpoints(full, models.SERVICES)
    folder = models.MODELS_DIR / "endpoints"
    for old in folder.glob("*/endpoints.json"):  # cut from another botocore's file
        old.unlink()
        old.parent.rmdir()
    target = folder / models.file_digest(Path(f"{path}.json")) / "endpoints.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(endpoints, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    services = ", ".join(models.SERVICES)
    print(f"{target.relative_to(ROOT)}: {services} ({target.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
