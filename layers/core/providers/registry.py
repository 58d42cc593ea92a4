"""Provider name -> provider class, imported on first use.

A catalog entry's `provider` field (or LLM_ROUTER_PROVIDER) names the module
that serves it. A new provider (OpenAI, Gemini) is one module with a `Provider`
subclass plus one `register_provider` call or one line in `PROVIDERS`.
"""

from __future__ import annotations

import importlib
from typing import Any

from providers.base import Provider
from router.exceptions import ConfigurationError

# Name -> "module:Class", imported lazily so that naming a provider costs nothing.
PROVIDERS: dict[str, str] = {
    "anthropic": "providers.anthropic_api:AnthropicProvider",
    "bedrock": "providers.bedrock:BedrockProvider",
}

_registered: dict[str, str | type[Provider]] = dict(PROVIDERS)


def register_provider(name: str, target: str | type[Provider]) -> None:
    """Add or replace a provider: `target` is a class or a "module:Class" path."""
    if isinstance(target, str) and ":" not in target:
        raise ValueError(f"provider target {target!r} is invalid: expected 'module:Class'")
    _registered[name] = target


def provider_class(name: str) -> type[Provider]:
    """Return the class registered as `name`; raise ConfigurationError for an unknown name."""
    try:
        target = _registered[name]
    except KeyError:
        allowed = ", ".join(sorted(_registered))
        raise ConfigurationError(f"provider {name!r} is unknown: allowed {allowed}") from None
    if not isinstance(target, str):
        return target
    module_name, _, class_name = target.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    if not (isinstance(cls, type) and issubclass(cls, Provider)):
        raise ConfigurationError(f"provider {name!r} target {target} is not a Provider subclass")
    return cls


def create_provider(name: str, **options: Any) -> Provider:
    """Build the provider registered as `name` with `options` passed to its constructor."""
    return provider_class(name)(**options)
