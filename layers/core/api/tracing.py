"""A Powertools Tracer that costs nothing where no X-Ray daemon listens.

Constructing an enabled `Tracer()` imports the X-Ray SDK's recorder, which
imports botocore and opens a UDP socket, and patches the libraries named in
`PATCHED_MODULES`. Inside Lambda that buys traces of the handler and of every
boto3 call. Elsewhere (tests, `sam local`,
benchmarks) Powertools disables tracing anyway, so the tracer gets a no-op
provider and the recorder is never imported. Powertools still imports the
SDK's top-level package to switch it off, which takes well under 1 ms.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from aws_lambda_powertools import Tracer
from aws_lambda_powertools.tracing.base import BaseProvider, BaseSegment

TRUTHY = {"1", "true", "yes", "on"}


def tracing_enabled() -> bool:
    """Apply Powertools 3.x's own rule: tracing runs in Lambda, not under SAM local or Chalice, unless disabled."""
    if os.environ.get("POWERTOOLS_TRACE_DISABLED", "").strip().lower() in TRUTHY:
        return False
    in_emulator = bool(os.environ.get("AWS_SAM_LOCAL") or os.environ.get("AWS_CHALICE_CLI_MODE"))
    return bool(os.environ.get("LAMBDA_TASK_ROOT")) and not in_emulator


class _NoOpSegment(BaseSegment):
    def close(self, end_time: int | None = None) -> None: ...

    def add_subsegment(self, subsegment: Any) -> None: ...

    def remove_subsegment(self, subsegment: Any) -> None: ...

    def put_annotation(self, key: str, value: Any) -> None: ...

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None: ...

    def add_exception(self, exception: BaseException, stack: Any, remote: bool = False) -> None: ...


class NoOpTracingProvider(BaseProvider):
    """A tracing provider that records nothing."""

    @contextmanager
    def in_subsegment(self, name: str | None = None, **kwargs: Any) -> Iterator[BaseSegment]:
        yield _NoOpSegment()

    @asynccontextmanager
    async def in_subsegment_async(self, name: str | None = None, **kwargs: Any) -> AsyncIterator[BaseSegment]:
        yield _NoOpSegment()

    def put_annotation(self, key: str, value: Any) -> None: ...

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None: ...

    def patch(self, modules: Sequence[str]) -> None: ...

    def patch_all(self) -> None: ...


# DynamoDB and Secrets Manager calls go through botocore. The model providers
# use the Anthropic SDK's httpx2, which the X-Ray SDK cannot patch. By default
# the SDK patches every library it supports that is installed, which imports
# sqlite3 and, where installed, requests: costs that buy no trace here.
PATCHED_MODULES = ("botocore",)


def create_tracer() -> Tracer:
    """Return the X-Ray Tracer inside Lambda, and a disabled one with a no-op provider elsewhere."""
    if tracing_enabled():
        return Tracer(patch_modules=PATCHED_MODULES)
    return Tracer(disabled=True, auto_patch=False, provider=NoOpTracingProvider())
