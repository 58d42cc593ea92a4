"""Translation between plain HTTP and API Gateway REST proxy events (payload format 1.0).

The local server hands every API request to the same Powertools resolver that
the Lambda functions run, so it builds the event API Gateway would send and
reads the proxy response the resolver returns.
"""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

# The stage named in the request context. The local server has no stage
# prefix in its paths, so Powertools computes an empty base path, as it does
# behind a custom domain.
LOCAL_STAGE = "local"


@dataclass(frozen=True)
class ProxyResponse:
    """An HTTP response read from a proxy result."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class LocalLambdaContext:
    """The attributes of a Lambda context that Powertools and the handlers read."""

    aws_request_id: str
    function_name: str = "llm-router-local"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 0
    invoked_function_arn: str = "arn:aws:lambda:local:000000000000:function:llm-router-local"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def proxy_event(
    method: str,
    target: str,
    headers: Iterable[tuple[str, str]],
    body: bytes,
    *,
    source_ip: str,
    request_id: str | None = None,
) -> dict[str, Any]:
    """Build the REST proxy event of one HTTP request.

    `target` is the request line's target (path and query string). A body that
    is not UTF-8 is passed base64-encoded, so the API's own check reports it.
    """
    parts = urlsplit(target)
    path = unquote(parts.path) or "/"
    query = parse_qs(parts.query, keep_blank_values=True)
    multi_headers: dict[str, list[str]] = {}
    for name, value in headers:
        multi_headers.setdefault(name, []).append(value)
    text, encoded = _body_text(body)
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": {name: values[-1] for name, values in multi_headers.items()} or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": {name: values[-1] for name, values in query.items()} or None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "path": path,
            "stage": LOCAL_STAGE,
            "requestId": request_id or uuid.uuid4().hex,
            "requestTimeEpoch": int(time.time() * 1000),
            "protocol": "HTTP/1.1",
            "identity": {"sourceIp": source_ip, "userAgent": _last_value(multi_headers, "user-agent")},
            "accountId": "000000000000",
            "apiId": "local",
        },
        "body": text,
        "isBase64Encoded": encoded,
    }


def _last_value(headers: dict[str, list[str]], name: str) -> str | None:
    values = [value for key, found in headers.items() if key.lower() == name for value in found]
    return values[-1] if values else None


def _body_text(body: bytes) -> tuple[str | None, bool]:
    if not body:
        return None, False
    try:
        return body.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(body).decode("ascii"), True


def read_proxy_response(result: dict[str, Any]) -> ProxyResponse:
    """Read the status, headers and body of a proxy result."""
    headers: list[tuple[str, str]] = []
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.extend((name, str(value)) for value in values)
    for name, value in (result.get("headers") or {}).items():
        if not any(existing.lower() == name.lower() for existing, _ in headers):
            headers.append((name, str(value)))
    raw = result.get("body") or ""
    body = base64.b64decode(raw) if result.get("isBase64Encoded") else raw.encode("utf-8")
    return ProxyResponse(status=int(result["statusCode"]), headers=headers, body=body)
