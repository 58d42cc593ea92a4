"""Shared fixtures. Each family lives in a tests/support module and is imported here."""

from tests.support.aws import (  # noqa: F401 - fixtures are found by name
    aws_environment,
    dynamodb_backend,
    dynamodb_client,
    dynamodb_tables,
)
