"""A small closed-loop load generator: N workers, keep-alive connections, latencies per kind."""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

Request = tuple[str, bytes, dict]  # kind, body, headers


@dataclass
class Result:
    """Latencies (seconds) and failures per request kind, over one run."""

    seconds: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    sent: dict[str, int] = field(default_factory=dict)

    def total(self) -> int:
        return sum(self.sent.values())

    def rate(self) -> float:
        return self.total() / self.seconds if self.seconds else 0.0

    def summary(self, kind: str) -> dict:
        lat = sorted(self.latencies.get(kind, []))
        if not lat:
            return {"requests": 0}
        return {
            "requests": self.sent.get(kind, 0),
            "errors": self.errors.get(kind, 0),
            "per_second": round(self.sent.get(kind, 0) / self.seconds, 1),
            "p50_ms": round(statistics.median(lat) * 1000, 2),
            "p99_ms": round(lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000, 2),
            "max_ms": round(lat[-1] * 1000, 2),
        }


def run(
    host: str,
    port: int,
    path: str,
    make_request: Callable[[int, int], Request],
    *,
    concurrency: int,
    seconds: float,
    max_requests: int = 2_000_000,
) -> Result:
    """Send requests from `concurrency` workers for `seconds` (bounded in count and time).

    `make_request(worker, n)` returns (kind, body, headers) for a worker's n-th request;
    any status other than 200 counts as an error of that kind.
    """
    result = Result()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    budget = [max_requests]

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=10)
        lat: dict[str, list[float]] = {}
        sent: dict[str, int] = {}
        errors: dict[str, int] = {}
        n = 0
        while time.monotonic() < deadline:
            with lock:
                if budget[0] <= 0:
                    break
                budget[0] -= 1
            kind, body, headers = make_request(index, n)
            n += 1
            start = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=10)
            lat.setdefault(kind, []).append(time.perf_counter() - start)
            sent[kind] = sent.get(kind, 0) + 1
            if not ok:
                errors[kind] = errors.get(kind, 0) + 1
        conn.close()
        with lock:
            for kind, values in lat.items():
                result.latencies.setdefault(kind, []).extend(values)
            for kind, count in sent.items():
                result.sent[kind] = result.sent.get(kind, 0) + count
            for kind, count in errors.items():
                result.errors[kind] = result.errors.get(kind, 0) + count

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.monotonic() - started
    return result
