"""template.yaml as test data: a CloudFormation-aware loader, DynamoDB tables from it, and moto fixtures.

Tables under test are created from the template's own resource properties, so
the tests fail when the code and the deployed schema drift apart.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from moto import mock_aws

from feedback.backends.dynamodb import DynamoDBBackend

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = REPO_ROOT / "template.yaml"
REGION = "us-east-1"

# Logical id of each table -> the Settings field and environment variable that name it.
STORE_TABLES = {
    "DecisionsTable": "decisions_table",
    "FeedbackTable": "feedback_table",
    "AggregatesTable": "aggregates_table",
    "RoutingTableTable": "routing_table_table",
}


class CloudFormationLoader(yaml.SafeLoader):
    """YAML loader that turns short-form tags (!Ref, !Sub, !GetAtt, !If ...) into their long form."""


def _construct_tag(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if tag_suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


CloudFormationLoader.add_multi_constructor("!", _construct_tag)


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=CloudFormationLoader)  # noqa: S506 - SafeLoader subclass


def parameter_values(template: dict[str, Any], **overrides: str) -> dict[str, str]:
    """Return every parameter's default, replaced by `overrides`."""
    values = {name: str(spec.get("Default", "")) for name, spec in template.get("Parameters", {}).items()}
    unknown = overrides.keys() - values.keys()
    if unknown:
        raise KeyError(f"unknown template parameters: {sorted(unknown)}")
    values.update(overrides)
    return values


def _evaluate(expression: Any, template: dict[str, Any], parameters: dict[str, str]) -> Any:
    if isinstance(expression, dict) and len(expression) == 1:
        (name, argument), *_ = expression.items()
        if name == "Ref" and argument in parameters:
            return parameters[argument]
        if name == "Condition":
            return _evaluate(template["Conditions"][argument], template, parameters)
        if name == "Fn::Equals":
            left, right = (_evaluate(part, template, parameters) for part in argument)
            return str(left) == str(right)
        if name == "Fn::Not":
            return not _evaluate(argument[0], template, parameters)
        if name == "Fn::And":
            return all(_evaluate(part, template, parameters) for part in argument)
        if name == "Fn::Or":
            return any(_evaluate(part, template, parameters) for part in argument)
    return expression


_NO_VALUE = object()


def _resolve_ifs(node: Any, template: dict[str, Any], parameters: dict[str, str]) -> Any:
    if isinstance(node, dict):
        if set(node) == {"Fn::If"}:
            condition, when_true, when_false = node["Fn::If"]
            chosen = when_true if _evaluate({"Condition": condition}, template, parameters) else when_false
            return _resolve_ifs(chosen, template, parameters)
        if node == {"Ref": "AWS::NoValue"}:
            return _NO_VALUE
        resolved = {key: _resolve_ifs(value, template, parameters) for key, value in node.items()}
        return {key: value for key, value in resolved.items() if value is not _NO_VALUE}
    if isinstance(node, list):
        items = [_resolve_ifs(item, template, parameters) for item in node]
        return [item for item in items if item is not _NO_VALUE]
    return node


def resolve_conditions(template: dict[str, Any], parameters: dict[str, str]) -> dict[str, Any]:
    """Replace every Fn::If by its chosen branch, as AWS::LanguageExtensions does before the SAM transform.

    Only conditions built from parameters are supported, and they are all this
    template uses. The Conditions section stays, because resources still name
    conditions.
    """
    resolved = copy.deepcopy(template)
    for section in ("Globals", "Resources", "Outputs"):
        if section in resolved:
            resolved[section] = _resolve_ifs(resolved[section], template, parameters)
    transforms = resolved.get("Transform")
    if isinstance(transforms, list):
        resolved["Transform"] = [name for name in transforms if name != "AWS::LanguageExtensions"]
        if len(resolved["Transform"]) == 1:
            resolved["Transform"] = resolved["Transform"][0]
    return resolved


def table_definitions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Return the Properties of every AWS::DynamoDB::Table, by logical id."""
    return {
        logical_id: resource.get("Properties", {})
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::DynamoDB::Table"
    }


def create_tables(client: Any, template: dict[str, Any], prefix: str = "test") -> dict[str, str]:
    """Create each template table with its keys, indexes, billing mode and TTL.

    Returns the table name of each logical id.
    """
    names: dict[str, str] = {}
    for logical_id, properties in table_definitions(template).items():
        name = f"{prefix}-{logical_id}"
        request: dict[str, Any] = {
            "TableName": name,
            "KeySchema": properties["KeySchema"],
            "AttributeDefinitions": properties["AttributeDefinitions"],
            "BillingMode": properties["BillingMode"],
        }
        if "GlobalSecondaryIndexes" in properties:
            request["GlobalSecondaryIndexes"] = properties["GlobalSecondaryIndexes"]
        client.create_table(**request)
        ttl = properties.get("TimeToLiveSpecification")
        if ttl:
            client.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
        names[logical_id] = name
    return names


@pytest.fixture
def aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and a region, so no test can reach a real AWS account."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def dynamodb_client(aws_environment: None) -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("dynamodb", region_name=REGION)


@pytest.fixture
def dynamodb_tables(dynamodb_client: Any) -> dict[str, str]:
    """Create the template's tables in moto and return the table name of each logical id."""
    return create_tables(dynamodb_client, load_template())


@pytest.fixture
def dynamodb_backend(dynamodb_client: Any, dynamodb_tables: dict[str, str]) -> DynamoDBBackend:
    names = {field: dynamodb_tables[logical_id] for logical_id, field in STORE_TABLES.items()}
    return DynamoDBBackend(**names, client=dynamodb_client)
