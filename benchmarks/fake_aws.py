"""Serve the benchmarks' fake AWS until interrupted, for profiling by hand.

Starts moto's ``ThreadedMotoServer``, seeds the role and a few clusters and instances, warms up
moto's per-region backends, and puts the latency proxy in front. Then, in another shell::

    export AWS_ENDPOINT_URL=<printed url> AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
    .venv/bin/python -m cProfile -s cumtime -m slrwizard report --format json > /dev/null

    .venv/bin/python benchmarks/fake_aws.py --latency 0.15
"""

from __future__ import annotations

import argparse
import time

from _common import (
    COMMERCIAL_REGIONS,
    create_role,
    moto_server,
    seed_region_via_api,
    use_fake_credentials,
    warm_up,
)
from latency_proxy import LatencyProxy


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a seeded moto behind the latency proxy.")
    parser.add_argument("--latency", type=float, default=0.15)
    parser.add_argument("--jitter", type=float, default=0.0)
    parser.add_argument("--throttle", type=float, default=0.0)
    parser.add_argument("--seeded-regions", type=int, default=6)
    parser.add_argument("--port", type=int, default=0, help="port of the proxy (0: any)")
    parser.add_argument("--replay", action="store_true", help="replay read-only answers")
    args = parser.parse_args()
    use_fake_credentials()
    with moto_server() as upstream:
        create_role(upstream)
        warm_up(upstream, COMMERCIAL_REGIONS)
        for region in COMMERCIAL_REGIONS[: args.seeded_regions]:
            seed_region_via_api(upstream, region, clusters=2, members=2, instances=1)
        with LatencyProxy(
            upstream, args.latency, args.jitter, args.throttle, port=args.port, replay=args.replay
        ) as p:
            print(f"moto {upstream}; proxy {p.url}", flush=True)
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass


if __name__ == "__main__":
    main()
