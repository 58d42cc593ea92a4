"""Find the Anthropic API key: environment, Secrets Manager, SSM Parameter Store, then a .env file.

The key is returned as a pydantic `SecretStr`, whose repr and str print
asterisks, so a log line or error that formats it by mistake shows no key.
Call `get_secret_value()` only where the key goes into the client.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping
from pathlib import Path

from pydantic import SecretStr

from providers.errors import MissingApiKeyError
from router.exceptions import ConfigurationError

logger = logging.getLogger(__name__)

API_KEY_ENV = "ANTHROPIC_API_KEY"
SECRET_NAME_ENV = "ANTHROPIC_SECRET_NAME"
KEY_PARAMETER_ENV = "ANTHROPIC_KEY_PARAMETER"
# Field names tried when a secret contains a JSON object rather than the bare key.
SECRET_JSON_FIELDS = (API_KEY_ENV, "api_key", "apiKey")
REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_CACHE_SECONDS = 300

SecretGetter = Callable[[str, int], str]


def resolve_api_key(
    *,
    environ: Mapping[str, str] | None = None,
    search_dirs: list[Path] | None = None,
    cache_seconds: int = DEFAULT_CACHE_SECONDS,
    secret_getter: SecretGetter | None = None,
    parameter_getter: SecretGetter | None = None,
) -> SecretStr:
    """Return the API key from the first source that has one.

    Sources, in order: `ANTHROPIC_API_KEY`; the Secrets Manager secret named
    by `ANTHROPIC_SECRET_NAME`; the SSM parameter named by
    `ANTHROPIC_KEY_PARAMETER`; `ANTHROPIC_API_KEY=` in a `.env` file of the
    working directory or the repository root. Secrets are cached for
    `cache_seconds` by Powertools Parameters. Raises `MissingApiKeyError` when
    no source has a key, and `ConfigurationError` when a named secret or
    parameter cannot be read.
    """
    env = os.environ if environ is None else environ
    direct = (env.get(API_KEY_ENV) or "").strip()
    if direct:
        return SecretStr(direct)

    searched = [API_KEY_ENV]
    secret_name = (env.get(SECRET_NAME_ENV) or "").strip()
    if secret_name:
        getter = secret_getter or _powertools_secret
        return _from_store("Secrets Manager secret", secret_name, getter, cache_seconds)
    parameter_name = (env.get(KEY_PARAMETER_ENV) or "").strip()
    if parameter_name:
        getter = parameter_getter or _powertools_parameter
        return _from_store("SSM parameter", parameter_name, getter, cache_seconds)
    searched += [SECRET_NAME_ENV, KEY_PARAMETER_ENV]

    for directory in _unique(search_dirs if search_dirs is not None else [Path.cwd(), REPO_ROOT]):
        env_file = directory / ".env"
        searched.append(str(env_file))
        value = read_env_file(env_file).get(API_KEY_ENV, "").strip()
        if value:
            logger.debug("Anthropic API key read from %s", env_file)
            return SecretStr(value)
    raise MissingApiKeyError(searched)


def _from_store(kind: str, name: str, getter: SecretGetter, cache_seconds: int) -> SecretStr:
    try:
        raw = getter(name, cache_seconds)
    except Exception as exc:
        # The exception text of the AWS SDK names the resource and the reason,
        # never the secret value, but the type alone is enough to act on.
        raise ConfigurationError(
            f"reading the Anthropic API key from {kind} {name!r} failed ({type(exc).__name__}): "
            "check that it exists in this region and that the function may read it"
        ) from exc
    key = _key_from_secret(raw)
    if not key:
        raise ConfigurationError(
            f"{kind} {name!r} contains no API key: store the bare key, or JSON with a field "
            f"{' or '.join(SECRET_JSON_FIELDS)}"
        )
    return SecretStr(key)


def _key_from_secret(raw: object) -> str:
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    if not isinstance(raw, str):
        return ""
    text = raw.strip()
    if not text.startswith("{"):
        return text
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        return ""
    for field in SECRET_JSON_FIELDS:
        value = document.get(field) if isinstance(document, dict) else None
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _powertools_secret(name: str, max_age: int) -> str:
    from aws_lambda_powertools.utilities.parameters import get_secret

    return get_secret(name, max_age=max_age)


def _powertools_parameter(name: str, max_age: int) -> str:
    from aws_lambda_powertools.utilities.parameters import get_parameter

    return get_parameter(name, decrypt=True, max_age=max_age)


def read_env_file(path: Path) -> dict[str, str]:
    """Parse `KEY=value` lines of a .env file; a missing file yields an empty dict.

    Supports `export KEY=value`, single or double quotes around the value,
    blank lines and `#` comments (whole-line, or after an unquoted value).
    Variable expansion and multi-line values are not supported.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (FileNotFoundError, NotADirectoryError):
        return {}
    except OSError as exc:
        raise ConfigurationError(f"{path} cannot be read: {exc.strerror}") from exc
    values: dict[str, str] = {}
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or "=" not in stripped:
            continue
        if stripped.startswith("export "):
            stripped = stripped[len("export ") :]
        name, _, value = stripped.partition("=")
        values[name.strip()] = _unquote(value.strip())
    return values


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in {"'", '"'}:
        return value[1:-1]
    comment = value.find(" #")
    return value[:comment].rstrip() if comment >= 0 else value


def _unique(paths: list[Path]) -> list[Path]:
    seen: set[Path] = set()
    result = []
    for path in paths:
        resolved = path.resolve()
        if resolved not in seen:
            seen.add(resolved)
            result.append(resolved)
    return result
