"""A threaded HTTP forwarder on 127.0.0.1 that makes a local AWS fake feel like the real thing.

moto answers in a millisecond or two; AWS answers in 50-300 ms, and now and then with a
``Throttling`` error. The proxy sits between the client (``AWS_ENDPOINT_URL`` points at it) and
moto's ``ThreadedMotoServer`` and adds, to every request:

- a fixed delay (the round-trip time), plus an optional uniform jitter;
- optionally, with a given probability, a 400 ``Throttling`` error instead of an answer (EC2 gets
  its own ``RequestLimitExceeded`` shape), which botocore retries like the real one.

With ``replay=True`` it answers a read-only request (one of ``REPLAYABLE``) that it has already
forwarded once with moto's recorded answer, without asking moto again. moto spends ~4 ms of CPU
per request under one GIL, so 76 listings sent at once queue inside moto for ~0.3 s, a cost AWS
(which answers each region on its own servers) does not have. Replaying removes the fake's own
cost from the measurement; the answers are still moto's, and the delay is still added.

moto does not implement IAM's Access Advisor (``GenerateServiceLastAccessedDetails`` answers 500),
which every inspection of the role asks for. The proxy answers those two calls itself, as AWS
does, with a job that is complete by its first ``GetServiceLastAccessedDetails`` (AWS's jobs take
a moment; this is the fastest AWS could be), so that a benchmark measures the round trips a real
account costs, not a failure's shortcut.

It records one :class:`Hit` per request (service, operation, region, start, end, throttled), so a
benchmark can count round trips and the peak number of requests in flight.

Run it alone to put latency in front of any endpoint::

    python benchmarks/latency_proxy.py --upstream http://127.0.0.1:5000 --delay 0.15
"""

from __future__ import annotations

import argparse
import http.client
import random
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "content-length",
}
_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")


REPLAYABLE = frozenset(
    {
        "GetCallerIdentity",
        "GetRole",
        "ListAttachedRolePolicies",
        "DescribeRegions",
        "DescribeDBClusters",
        "DescribeDBInstances",
        "DescribeGlobalClusters",
    }
)
"""Read-only calls whose answers do not change while a scan benchmark runs."""

ANSWERED_HERE = frozenset({"GenerateServiceLastAccessedDetails", "GetServiceLastAccessedDetails"})
"""IAM's Access Advisor, which moto lacks: the proxy answers these itself (see the module doc)."""
EMPTY_RDS_LISTINGS = {
    "DescribeIntegrations": "Integrations",
    "DescribeDBClusterGroups": "DBClusterGroups",
    "DescribeDBClusterAutomatedBackups": "DBClusterAutomatedBackups",
}
"""RDS listings of the scan that moto 5.2 lacks (its server answers 500): the proxy answers them
as AWS does for an account that has none, so the scan is not measured retrying moto's errors."""


@dataclass
class Hit:
    """One request that went through the proxy."""

    service: str
    operation: str
    region: str
    start: float
    end: float = 0.0
    throttled: bool = False
    replayed: bool = False


@dataclass
class ProxyStats:
    """What went through the proxy; thread-safe through ``lock``."""

    hits: list[Hit] = field(default_factory=list)
    in_flight: int = 0
    peak_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.hits.clear()
            self.in_flight = 0
            self.peak_in_flight = 0

    @property
    def requests(self) -> int:
        return len(self.hits)

    @property
    def throttled(self) -> int:
        return sum(h.throttled for h in self.hits)

    def count(self, operation: str) -> int:
        return sum(h.operation == operation for h in self.hits)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # 35 regions x 2 listings connect at once: the default backlog of 5 would reset some.
    request_queue_size = 256
    allow_reuse_address = True


class LatencyProxy:
    """Forward every request to ``upstream`` after ``delay`` (+ up to ``jitter``) seconds.

    Args:
        upstream: base URL of the real endpoint, e.g. ``http://127.0.0.1:5000``.
        delay: seconds added to every request (one network round trip).
        jitter: extra seconds drawn uniformly from ``[0, jitter]`` per request.
        throttle: probability (0-1) of answering a request with a throttling error instead.
        throttle_services: only these services are throttled (all when empty).
        seed: seed of the random draws, so a run can be repeated.
        port: port to listen on (0: any free port).
        replay: answer repeated read-only requests from a cache of moto's answers.
    """

    def __init__(
        self,
        upstream: str,
        delay: float = 0.15,
        jitter: float = 0.0,
        throttle: float = 0.0,
        throttle_services: frozenset[str] = frozenset(),
        seed: int = 1,
        port: int = 0,
        replay: bool = False,
    ) -> None:
        parts = urlsplit(upstream)
        self.upstream_host = parts.hostname or "127.0.0.1"
        self.upstream_port = parts.port or 80
        self.delay = delay
        self.jitter = jitter
        self.throttle = throttle
        self.throttle_services = throttle_services
        self.stats = ProxyStats()
        self.replay = replay
        self._recorded: dict[tuple[str, ...], tuple[int, list[tuple[str, str]], bytes]] = {}
        self._random = random.Random(seed)
        self._random_lock = threading.Lock()
        self._local = threading.local()
        self._server = _Server(("127.0.0.1", port), self._handler_class())
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> LatencyProxy:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="latency-proxy", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> LatencyProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- one request ----------------------------------------------------------------------------
    def _draw(self) -> tuple[float, float]:
        with self._random_lock:
            return self._random.random(), self._random.random()

    def _upstream(self) -> http.client.HTTPConnection:
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection(self.upstream_host, self.upstream_port, timeout=60)
            self._local.conn = conn
        return conn

    def _forward(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        for attempt in (1, 2):  # a kept-alive upstream connection may have been closed
            conn = self._upstream()
            try:
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                return resp.status, resp.getheaders(), data
            except (ConnectionError, http.client.HTTPException, OSError):
                conn.close()
                self._local.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, like AWS's endpoints
            # An answer's headers and body leave in two writes. With Nagle's algorithm on, the
            # body waits for the client to acknowledge the headers, and a client delaying its
            # acknowledgement (Linux: up to 40 ms) delays the answer: a round trip this proxy
            # adds to some requests and not others. AWS's endpoints add no such wait.
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                service, region = _scope(self.headers.get("Authorization", ""))
                hit = Hit(service, _operation(self.headers, body), region, time.monotonic())
                with proxy.stats.lock:
                    proxy.stats.hits.append(hit)
                    proxy.stats.in_flight += 1
                    proxy.stats.peak_in_flight = max(
                        proxy.stats.peak_in_flight, proxy.stats.in_flight
                    )
                try:
                    jitter_draw, throttle_draw = proxy._draw()
                    time.sleep(proxy.delay + proxy.jitter * jitter_draw)
                    throttled = throttle_draw < proxy.throttle and (
                        not proxy.throttle_services or service in proxy.throttle_services
                    )
                    key = (service, region, self.command, self.path, body.decode("latin-1"))
                    recorded = proxy._recorded.get(key) if proxy.replay else None
                    if throttled:
                        hit.throttled = True
                        status, headers, data = _throttle_response(service)
                    elif hit.operation in ANSWERED_HERE:
                        status, headers, data = _access_advisor_response(hit.operation)
                    elif hit.operation in EMPTY_RDS_LISTINGS:
                        status, headers, data = _empty_rds_listing(hit.operation)
                    elif recorded is not None:
                        hit.replayed = True
                        status, headers, data = recorded
                    else:
                        forward = {
                            k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP
                        }
                        forward["Content-Length"] = str(len(body))
                        status, headers, data = proxy._forward(
                            self.command, self.path, forward, body
                        )
                        if proxy.replay and status == 200 and hit.operation in REPLAYABLE:
                            proxy._recorded[key] = (status, headers, data)
                    self.send_response(status)
                    for key, value in headers:
                        if key.lower() not in _HOP_BY_HOP:
                            self.send_header(key, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                finally:
                    hit.end = time.monotonic()
                    with proxy.stats.lock:
                        proxy.stats.in_flight -= 1

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        return Handler


def _scope(authorization: str) -> tuple[str, str]:
    """(service, region) from a SigV4 ``Authorization`` header."""
    match = _SCOPE.search(authorization)
    return (match.group(2), match.group(1)) if match else ("?", "?")


def _operation(headers: object, body: bytes) -> str:
    """The API operation: ``Action=`` of query-protocol bodies, or ``X-Amz-Target``."""
    target = getattr(headers, "get", lambda *_: None)("X-Amz-Target")
    if target:
        return str(target).rsplit(".", 1)[-1]
    action = parse_qs(body.decode("utf-8", "replace")).get("Action")
    return action[0] if action else "?"


def _access_advisor_response(operation: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """IAM's answer to ``operation`` (one of ``ANSWERED_HERE``): a job that is already complete,
    in which the role last used Amazon RDS in us-east-1 a week ago."""
    rid = str(uuid.uuid4())
    now = time.time()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
    if operation == "GenerateServiceLastAccessedDetails":
        result = f"<JobId>{uuid.uuid4()}</JobId>"
    else:
        used = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 7 * 86400))
        result = (
            "<JobStatus>COMPLETED</JobStatus><JobType>SERVICE_LEVEL</JobType>"
            f"<JobCreationDate>{stamp}</JobCreationDate><JobCompletionDate>{stamp}"
            "</JobCompletionDate><IsTruncated>false</IsTruncated><ServicesLastAccessed><member>"
            "<ServiceName>Amazon RDS</ServiceName><ServiceNamespace>rds</ServiceNamespace>"
            f"<LastAuthenticated>{used}</LastAuthenticated>"
            "<LastAuthenticatedRegion>us-east-1</LastAuthenticatedRegion>"
            "<TotalAuthenticatedEntities>1</TotalAuthenticatedEntities>"
            "</member></ServicesLastAccessed>"
        )
    body = (
        f'<{operation}Response xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
        f"<{operation}Result>{result}</{operation}Result>"
        f"<ResponseMetadata><RequestId>{rid}</RequestId></ResponseMetadata></{operation}Response>"
    )
    return 200, [("Content-Type", "text/xml"), ("x-amzn-RequestId", rid)], body.encode()


def _empty_rds_listing(operation: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """RDS's answer to a listing of ``EMPTY_RDS_LISTINGS`` in an account that has none."""
    rid = str(uuid.uuid4())
    key = EMPTY_RDS_LISTINGS[operation]
    body = (
        f'<{operation}Response xmlns="http://rds.amazonaws.com/doc/2014-10-31/">'
        f"<{operation}Result><{key}/></{operation}Result>"
        f"<ResponseMetadata><RequestId>{rid}</RequestId></ResponseMetadata></{operation}Response>"
    )
    return 200, [("Content-Type", "text/xml"), ("x-amzn-RequestId", rid)], body.encode()


def _throttle_response(service: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """The error AWS sends when a caller exceeds its request rate."""
    rid = str(uuid.uuid4())
    if service == "ec2":
        body = (
            "<?xml version='1.0' encoding='UTF-8'?><Response><Errors><Error>"
            "<Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message>"
            f"</Error></Errors><RequestID>{rid}</RequestID></Response>"
        )
        return 503, [("Content-Type", "text/xml")], body.encode()
    body = (
        "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
        f"<Message>Rate exceeded</Message></Error><RequestId>{rid}</RequestId></ErrorResponse>"
    )
    return 400, [("Content-Type", "text/xml"), ("x-amzn-RequestId", rid)], body.encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--upstream", required=True, help="e.g. http://127.0.0.1:5000")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0.15, help="seconds per request")
    parser.add_argument("--jitter", type=float, default=0.0, help="extra 0..J seconds")
    parser.add_argument("--throttle", type=float, default=0.0, help="probability 0-1")
    parser.add_argument("--replay", action="store_true", help="replay read-only answers")
    args = parser.parse_args()
    proxy = LatencyProxy(
        args.upstream, args.delay, args.jitter, args.throttle, port=args.port, replay=args.replay
    )
    proxy.start()
    print(f"forwarding {proxy.url} -> {args.upstream}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        proxy.stop()


if __name__ == "__main__":
    main()
