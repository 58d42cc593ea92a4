"""Errors of the router package; each message names the value and what to do next."""


class RouterError(Exception):
    """Base class of every error this project raises on purpose."""


class ConfigurationError(RouterError):
    """A setting, catalog or routing-table file is missing or invalid."""


class InvalidQueryError(RouterError, ValueError):
    """The query or chat given to the router cannot be routed."""

    def __init__(self, message: str, field: str = "query") -> None:
        super().__init__(message)
        self.field = field


class RetiredModelError(RouterError):
    """A request would go to a model that its provider has retired."""

    def __init__(self, model: str, replacement: str | None) -> None:
        hint = f"use {replacement} instead" if replacement else "pick an active model"
        super().__init__(f"model {model} is retired and cannot be called: {hint}")
        self.model = model
        self.replacement = replacement
