"""Init time of the route function's libraries alone, without any project code.

Usage: python benchmarks/library_floor.py [--runs N]

Each run is a fresh interpreter that imports Powertools (Logger, Metrics,
Tracer, the REST resolver with validation), pydantic and boto3. It then builds
a Logger, a Metrics object, a resolver, one pydantic model and a DynamoDB
client with the backend's retry settings, and reports the time all that took.
The collector is paused as the functions pause it. The median of the runs is a
floor for the route function's init on this machine: no change to the
project's own code can take init below it while the function keeps these
libraries.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

PROBE = """
import gc, json, time
started = time.perf_counter()
gc.disable()
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from botocore.config import Config
from pydantic import BaseModel
import boto3

Logger(service="floor")
Metrics(namespace="floor", service="floor")
APIGatewayRestResolver(enable_validation=True)


class Probe(BaseModel):
    value: int


boto3.client(
    "dynamodb",
    region_name="us-east-1",
    config=Config(retries={"mode": "standard", "total_max_attempts": 3}, connect_timeout=2, read_timeout=5),
)
gc.enable()
print(json.dumps({"ms": (time.perf_counter() - started) * 1000}))
"""


def probe_once() -> float:
    """Return one fresh interpreter's library init time in milliseconds."""
    environment = {**os.environ, "POWERTOOLS_TRACE_DISABLED": "1", "AWS_DEFAULT_REGION": "us-east-1"}
    completed = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=environment, check=True, timeout=120
    )
    return float(json.loads(completed.stdout.strip().splitlines()[-1])["ms"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh interpreters to time (default 7)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error(f"--runs {args.runs} is invalid: expected at least 1")
    probe_once()  # untimed: fills bytecode caches a first load may write
    times = sorted(probe_once() for _ in range(args.runs))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"libraries only, {args.runs} fresh interpreters, load {load:.2f}")
    print(f"median {statistics.median(times):.0f} ms, range {times[0]:.0f}-{times[-1]:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
