"""Init time, first-request time, per-request latency and peak memory of the route Lambda function.

Run from the repository root:

    .venv/bin/python benchmarks/route_function.py [--requests 2000] [--moto-requests 200]

Every figure comes from a fresh subprocess, so one measurement never warms the next.
Those subprocesses read and write bytecode in a temporary PYTHONPYCACHEPREFIX
directory, and a first load of the handler fills it, so every module runs
from cached bytecode whatever `__pycache__` directories the checkout has or
PYTHONDONTWRITEBYTECODE says:

- init: the time that a fresh interpreter takes to load functions/route/app.py
  (imports plus the module-level store, cache, router and resolver), timed
  inside it, median of 5, as wall time and as the process's CPU time. The CPU
  time leaves out waiting for a CPU, so it varies less with the machine's
  load. Lambda runs an on-demand function's init on a full vCPU, where the
  two are close. The interpreter's own start-up and shutdown are
  left out, because Lambda starts the runtime before the handler's init and
  never shuts an interpreter down on a request's path. Shutdown frees every
  object that init created, which took about 250 ms on the benchmark machine
  before the handler froze those objects. Alongside it, the summed self time
  of every module that `python -X importtime` lists, grouped by top-level
  package. Both use the DynamoDB store, whose client is built at import
  without any network call. They are measured as tests and `sam local` run
  the handler (no X-Ray SDK), and with LAMBDA_TASK_ROOT set, as in Lambda,
  where the Tracer imports the X-Ray SDK.
- first request: the first POST /route of a fresh handler on moto DynamoDB
  tables, median of 5 subprocesses, added to the init figure without the X-Ray
  SDK. The first GET /decisions of a fresh handler is timed the same way,
  because models that only other routes use are built on their first use.
  moto is imported before the handler in those subprocesses, so only the
  call itself is timed there. It covers what the first call does beyond later
  ones (reading the routing table, the first DynamoDB requests, lazy set-up in
  Powertools), but not the TCP and TLS set-up and round trips of a real
  DynamoDB endpoint. Nor does it cover work that moto has already done in the
  process, such as loading botocore's DynamoDB service model: a handler that
  built its client on the first request would look faster here than it is.
- latency: POST /route events (events/route_post.json with varied queries)
  through `lambda_handler` in-process, after 50 warm-up requests. On SQLite
  for `--requests`, and on moto DynamoDB tables built from template.yaml for
  `--moto-requests` only: moto 5.2 deep-copies every table that a
  TransactWriteItems touches, so its latency grows with the table and does
  not reflect DynamoDB's. The
  router alone (`LLMRouter.route`, no handler, no store) is timed as well.
- memory: peak RSS (`ru_maxrss`) after loading the handler with the DynamoDB
  store, and after the SQLite requests, with the tracemalloc peak of Python
  allocations during them. The moto run's RSS is left out because it is mostly moto.

Targets: init under 250 ms, peak memory under 128 MB (the function's memory
size). Figures depend on the machine and its load; record them in docs/
with the machine they ran on.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
IMPORT_TARGET_MS = 250.0
MEMORY_TARGET_MB = 128.0
WARM_UP = 50
FIRST_REQUEST_RUNS = 5

LOAD_HANDLER = (
    "import time\n"
    "start, cpu_start = time.perf_counter(), time.process_time()\n"
    "import importlib.util\n"
    "spec = importlib.util.spec_from_file_location('route_function_app', 'functions/route/app.py')\n"
    "module = importlib.util.module_from_spec(spec)\n"
    "spec.loader.exec_module(module)\n"
    "init_ms = (time.perf_counter() - start) * 1000\n"
    "init_cpu_ms = (time.process_time() - cpu_start) * 1000\n"
    "import json, resource\n"
    "rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
    "print(json.dumps({'init_ms': init_ms, 'init_cpu_ms': init_cpu_ms, 'max_rss_mb': rss_mb}))\n"
)

QUERIES = [
    "What is the capital of France?",
    "hi there",
    "Write a Python function that merges two sorted lists in O(n) time.",
    "Explain the difference between TCP and UDP in two sentences.",
    "Prove that the square root of 2 is irrational.",
    "Draft a polite email declining a meeting invitation.",
    "Compare the fiscal policies of two countries over the last decade and assess their long-term risks.",
    "My chest hurts when I climb stairs; what could cause that?",
    "Translate 'good morning' into Spanish.",
    "Design a distributed rate limiter for a multi-region API and discuss its failure modes.",
    "What year did the Berlin Wall fall?",
    "Refactor this Java class to use dependency injection and explain each change.",
]


def base_environment(store: str, db_dir: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("LLM_ROUTER_", "POWERTOOLS_", "AWS_", "LAMBDA_"))
        and key not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")
    }
    env.update(
        {
            "PYTHONPYCACHEPREFIX": str(Path(db_dir) / "pycache"),
            "PYTHONPATH": os.pathsep.join([str(REPO_ROOT / "layers" / "core"), str(REPO_ROOT)]),
            "POWERTOOLS_SERVICE_NAME": "llm-router",
            "POWERTOOLS_METRICS_NAMESPACE": "LLMRouter",
            # Logs and EMF metrics are written as in Lambda, so their cost is part of the latency.
            "POWERTOOLS_LOG_LEVEL": "INFO",
            "LLM_ROUTER_STORE": store,
            "LLM_ROUTER_DB_PATH": str(Path(db_dir) / "router.db"),
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
        }
    )
    return env


def run_python(code: str, env: dict[str, str], *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *flags, "-c", code], env=env, cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )


def last_json_line(output: str) -> dict[str, Any]:
    return json.loads(output.strip().splitlines()[-1])


def import_profile(env: dict[str, str]) -> tuple[float, list[tuple[str, float]]]:
    """Return the summed self import time (ms) and the six costliest top-level packages (ms)."""
    result = run_python(LOAD_HANDLER, env, "-X", "importtime")
    by_package: collections.Counter[str] = collections.Counter()
    for line in result.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if match:
            by_package[match[2].split(".")[0]] += int(match[1])
    total_ms = sum(by_package.values()) / 1000
    return total_ms, [(name, us / 1000) for name, us in by_package.most_common(6)]


def cold_start(env: dict[str, str], repeats: int = 5) -> dict[str, float]:
    """Return the median wall and CPU time (ms) that a fresh interpreter takes to load the handler, and its RSS (MB)."""
    runs = [last_json_line(run_python(LOAD_HANDLER, env).stdout) for _ in range(repeats)]
    return {
        "init_ms": statistics.median(run["init_ms"] for run in runs),
        "init_cpu_ms": statistics.median(run["init_cpu_ms"] for run in runs),
        "max_rss_mb": max(run["max_rss_mb"] for run in runs),
    }


def measure_cold_start(db_dir: str, lambda_like: bool) -> dict[str, Any]:
    env = base_environment("dynamodb", db_dir)
    if lambda_like:
        # Tracing turns on inside Lambda only. The X-Ray SDK opens a UDP socket
        # at import but sends nothing, because no handler runs here.
        env["LAMBDA_TASK_ROOT"] = str(REPO_ROOT)
    run_python(LOAD_HANDLER, env)  # compiles what the cache lacks, so no timed run compiles
    importtime_ms, packages = import_profile(env)
    return {**cold_start(env), "importtime_ms": importtime_ms, "packages": packages}


def percentiles(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "p50_ms": statistics.median(ordered),
        "p99_ms": ordered[int(0.99 * (len(ordered) - 1))],
        "mean_ms": statistics.fmean(ordered),
    }


def child_requests(count: int, store: str) -> dict[str, Any]:
    """Load the handler and time `count` POST /route events; runs inside a subprocess."""
    import resource
    import tracemalloc
    from contextlib import ExitStack

    sys.path[:0] = [str(REPO_ROOT / "layers" / "core"), str(REPO_ROOT)]
    with ExitStack() as stack:
        if store == "dynamodb":
            stack.enter_context(_moto_tables())
        from tests.support.handlers import FakeLambdaContext, load_event, load_handler, with_body

        module = load_handler("route")
        base = load_event("route_post")
        events = [with_body(base, {"query": f"{QUERIES[i % len(QUERIES)]} ({i})"}) for i in range(count + WARM_UP)]
        context = FakeLambdaContext()
        for event in events[:WARM_UP]:
            module.lambda_handler(event, context)
        tracemalloc.start()
        latencies = []
        for event in events[WARM_UP:]:
            start = time.perf_counter()
            response = module.lambda_handler(event, context)
            latencies.append((time.perf_counter() - start) * 1000)
            if response["statusCode"] != 200:
                raise RuntimeError(f"POST /route returned {response['statusCode']}: {response['body']}")
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        router_latencies = []
        for i in range(count):
            start = time.perf_counter()
            module.router.route(f"{QUERIES[i % len(QUERIES)]} ({i})")
            router_latencies.append((time.perf_counter() - start) * 1000)
    return {
        **percentiles(latencies),
        "router": percentiles(router_latencies),
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "tracemalloc_peak_mb": traced_peak / 2**20,
    }


def child_first_request(event_name: str) -> dict[str, Any]:
    """Load the handler on moto tables and time its first request of events/<event_name>.json. Runs in a subprocess."""
    sys.path[:0] = [str(REPO_ROOT / "layers" / "core"), str(REPO_ROOT)]
    with _moto_tables():
        from tests.support.handlers import FakeLambdaContext, load_event, load_handler

        module = load_handler("route")
        event, context = load_event(event_name), FakeLambdaContext()
        start = time.perf_counter()
        response = module.lambda_handler(event, context)
        elapsed_ms = (time.perf_counter() - start) * 1000
    if response["statusCode"] != 200:
        raise RuntimeError(f"{event_name} returned {response['statusCode']}: {response['body']}")
    return {"first_request_ms": elapsed_ms}


def _moto_tables() -> Any:
    from contextlib import contextmanager

    @contextmanager
    def tables() -> Any:
        import boto3
        from moto import mock_aws

        from tests.support.aws import STORE_TABLES, create_tables, load_template

        with mock_aws():
            client = boto3.client("dynamodb", region_name="us-east-1")
            names = create_tables(client, load_template())
            for logical_id, setting in STORE_TABLES.items():
                os.environ[setting.upper()] = names[logical_id]
            yield

    return tables()


def run_child(function: str, *args: Any, env: dict[str, str]) -> dict[str, Any]:
    """Call `function` of this file with `args` in a fresh interpreter and return its JSON result."""
    code = (
        "import json, runpy\n"
        f"bench = runpy.run_path({str(Path(__file__))!r})\n"
        f"print(json.dumps(bench[{function!r}](*{args!r})))\n"
    )
    return last_json_line(run_python(code, env).stdout)


def measure_requests(store: str, db_dir: str, count: int) -> dict[str, Any]:
    return run_child("child_requests", count, store, env=base_environment(store, db_dir))


def measure_first_request(db_dir: str, event_name: str) -> float:
    """Return the median time (ms) of a fresh handler's first request of events/<event_name>.json on moto DynamoDB."""
    env = base_environment("dynamodb", db_dir)
    runs = [
        run_child("child_first_request", event_name, env=env)["first_request_ms"] for _ in range(FIRST_REQUEST_RUNS)
    ]
    return statistics.median(runs)


def verdict(value: float, target: float) -> str:
    return "ok" if value < target else "over target"


def print_cold_start(
    local: dict[str, Any], in_lambda: dict[str, Any], first_request_ms: float, first_list_ms: float
) -> None:
    print(f"\ncold start of functions/route/app.py (DynamoDB store)   init target {IMPORT_TARGET_MS:.0f} ms")
    print(f"  {'':<36}{'init ms':>10}{'CPU ms':>9}{'importtime ms':>15}{'RSS MB':>9}")
    for label, figures in (("outside Lambda (no X-Ray SDK)", local), ("LAMBDA_TASK_ROOT set (X-Ray SDK)", in_lambda)):
        print(
            f"  {label:<36}{figures['init_ms']:>10.0f}{figures['init_cpu_ms']:>9.0f}"
            f"{figures['importtime_ms']:>15.0f}{figures['max_rss_mb']:>9.1f}"
            f"  {verdict(figures['init_ms'], IMPORT_TARGET_MS)}"
        )
    print(
        f"  first POST /route on moto DynamoDB: {first_request_ms:.0f} ms; "
        f"init + first request (no X-Ray SDK): {local['init_ms'] + first_request_ms:.0f} ms"
    )
    print(f"  first GET /decisions on moto DynamoDB: {first_list_ms:.1f} ms")
    print("  import self time by package, LAMBDA_TASK_ROOT set (ms):")
    for name, ms in in_lambda["packages"]:
        print(f"    {name:<34}{ms:>10.0f}")


def print_requests(sqlite: dict[str, Any], moto: dict[str, Any]) -> None:
    print(f"\n{'POST /route in-process':<34}{'requests':>9}{'p50 ms':>9}{'p99 ms':>9}{'mean ms':>9}")
    rows = (
        ("handler, SQLite store", sqlite),
        ("handler, moto DynamoDB store", moto),
        ("LLMRouter.route only", sqlite["router"]),
    )
    for label, figures in rows:
        print(
            f"{label:<34}{figures['requests']:>9}{figures['p50_ms']:>9.2f}"
            f"{figures['p99_ms']:>9.2f}{figures['mean_ms']:>9.2f}"
        )
    rss = sqlite["max_rss_mb"]
    print(
        f"\npeak memory after the SQLite requests: RSS {rss:.1f} MB, "
        f"tracemalloc peak {sqlite['tracemalloc_peak_mb']:.1f} MB   "
        f"target {MEMORY_TARGET_MB:.0f} MB: {verdict(rss, MEMORY_TARGET_MB)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="POST /route requests on SQLite (default 2000)")
    parser.add_argument("--moto-requests", type=int, default=200, help="POST /route requests on moto (default 200)")
    args = parser.parse_args()
    for option, value in (("--requests", args.requests), ("--moto-requests", args.moto_requests)):
        if value < 1:
            parser.error(f"{option} {value} is invalid: expected at least 1")

    load = os.getloadavg()[0]
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, load {load:.1f}")
    with tempfile.TemporaryDirectory() as db_dir:
        local = measure_cold_start(db_dir, lambda_like=False)
        in_lambda = measure_cold_start(db_dir, lambda_like=True)
        first_request_ms = measure_first_request(db_dir, "route_post")
        first_list_ms = measure_first_request(db_dir, "decisions_get")
        sqlite = measure_requests("sqlite", db_dir, args.requests)
        moto = measure_requests("dynamodb", db_dir, args.moto_requests)
    print_cold_start(local, in_lambda, first_request_ms, first_list_ms)
    print_requests(sqlite, moto)


if __name__ == "__main__":
    main()
