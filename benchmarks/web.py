"""``umbrella serve`` under load: ``POST /api/assess`` at 1, 10 and 50 concurrent clients.

Run: ``python benchmarks/web.py [--seconds 60] [--levels 1 10 50] [--workers 2]``.

Starts ``umbrella serve --workers 2`` on a free loopback port (its own temporary store), warms
each worker up (the first assessment of a process loads the model's kernels), then, at each
level, keeps that many clients (``httpx.AsyncClient``) sending assessments for the given
time. Every request fixes each slider assumption of the scenario at a random value within
its range, so no answer comes from the server's cache. A client that gets 503 waits for its
``Retry-After``, as a client should. Per level it prints throughput (answered requests a
second), latency percentiles of the answered requests, errors (a 5xx other than a 503 with
Retry-After, a timeout, a refused connection, any other unexpected status) and the count of
503s, with the machine's load average before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

SCENARIO = "europe-2026"


@dataclass
class Level:
    """What the clients of one level saw."""

    clients: int
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    shed: int = 0
    shed_without_retry_after: int = 0
    errors: dict[str, int] = field(default_factory=dict)

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of ``values``; NaN for none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def _body(sliders: list[dict[str, Any]], rng: random.Random, samples: int) -> dict[str, Any]:
    overrides = {s["name"]: rng.uniform(s["low"], s["high"]) for s in sliders}
    return {"scenario": SCENARIO, "overrides": overrides, "samples": samples}


async def _client(
    http: httpx.AsyncClient,
    url: str,
    sliders: list[dict[str, Any]],
    rng: random.Random,
    samples: int,
    stop_at: float,
    level: Level,
) -> None:
    while time.monotonic() < stop_at:
        started = time.perf_counter()
        try:
            response = await http.post(url, json=_body(sliders, rng, samples))
        except httpx.TimeoutException:
            level.error("timeout")
            continue
        except httpx.HTTPError as error:
            level.error(type(error).__name__)
            await asyncio.sleep(0.1)  # a refused connection: not a busy loop
            continue
        elapsed_ms = (time.perf_counter() - started) * 1000
        if response.status_code == 200:
            level.latencies_ms.append(elapsed_ms)
        elif response.status_code == 503:
            level.shed += 1
            retry_after = response.headers.get("Retry-After")
            if retry_after is None or not retry_after.isdigit():
                level.shed_without_retry_after += 1
                retry_after = "1"
            await asyncio.sleep(min(float(retry_after), max(0.0, stop_at - time.monotonic())))
        else:
            level.error(str(response.status_code))


async def _drive(
    base: str,
    clients: int,
    seconds: float,
    samples: int,
    timeout: float,
    sliders: list[dict[str, Any]],
    seed: int,
) -> Level:
    level = Level(clients)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=timeout, limits=limits) as http:
        started = time.monotonic()
        stop_at = started + seconds
        await asyncio.gather(
            *(
                _client(
                    http,
                    base + "api/assess",
                    sliders,
                    random.Random(seed * 1_000 + i),
                    samples,
                    stop_at,
                    level,
                )
                for i in range(clients)
            )
        )
        level.seconds = time.monotonic() - started
    return level


def _start(workers: int, store: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "UMBRELLA_TOKEN"}
    command = [sys.executable, "-m", "umbrella", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers), "--store", store]
    # Its own process group: stopping it stops uvicorn's worker processes too.
    server = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(base + "api/scenarios", timeout=5).status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            _stop(server)
            raise SystemExit("the server did not start")
        time.sleep(0.3)


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _report(level: Level) -> str:
    ok = len(level.latencies_ms)
    errors = sum(level.errors.values())
    detail = f" ({', '.join(f'{k}: {v}' for k, v in sorted(level.errors.items()))})"
    return (
        f"{level.clients:>7} {level.seconds:>6.1f} {ok + level.shed + errors:>8} "
        f"{ok / level.seconds:>8.2f} "
        + " ".join(f"{_percentile(level.latencies_ms, q):>7.0f}" for q in (50, 95, 99))
        + f" {errors:>6} {level.shed:>6}"
        + (detail if errors else "")
        + (
            f" [{level.shed_without_retry_after} 503s without Retry-After]"
            if level.shed_without_retry_after
            else ""
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=60.0, help="per level (default 60)")
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--workers", type=int, default=2, help="server processes (default 2)")
    parser.add_argument("--samples", type=int, default=500, help="futures per assessment")
    parser.add_argument("--timeout", type=float, default=60.0, help="per request, seconds")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="umbrella-bench-web-") as store:
        server, base = _start(args.workers, store)
        try:
            detail = httpx.get(f"{base}api/scenarios/{SCENARIO}", timeout=30).json()
            sliders = [s for s in detail["sliders"] if s["high"] > s["low"]]
            # Warm-up, not measured: enough concurrent requests that each worker assesses
            # at least once (the first assessment of a process loads the model's kernels).
            warm = asyncio.run(_drive(base, 2 * args.workers, 2.0, args.samples, 300.0, sliders, 0))
            if warm.errors:
                raise SystemExit(f"warm-up failed: {warm.errors}")
            before = os.getloadavg()
            print(
                f"umbrella serve --workers {args.workers}: POST /api/assess, {args.samples} "
                f"futures, {len(sliders)} assumptions fixed at random in their ranges; "
                f"{os.cpu_count()} CPUs; {args.seconds:g} s a level"
            )
            print(f"load average before: {' '.join(f'{x:.2f}' for x in before)}")
            print(
                f"{'clients':>7} {'s':>6} {'requests':>8} {'ok/s':>8} {'p50 ms':>7} "
                f"{'p95 ms':>7} {'p99 ms':>7} {'errors':>6} {'503s':>6}"
            )
            for clients in args.levels:
                level = asyncio.run(
                    _drive(
                        base,
                        clients,
                        args.seconds,
                        args.samples,
                        args.timeout,
                        sliders,
                        args.seed + clients,
                    )
                )
                print(_report(level), flush=True)
            after = os.getloadavg()
            print(f"load average after: {' '.join(f'{x:.2f}' for x in after)}")
        finally:
            _stop(server)


if __name__ == "__main__":
    main()
