"""template.yaml: it lints, transforms offline in both auth modes, and grants each function only what it needs.

The SAM transform runs locally through aws-sam-translator with a stub
managed-policy loader, after the Fn::If resolution that AWS::LanguageExtensions
performs in CloudFormation (tests/support/aws.py).
"""

from __future__ import annotations

import ast
import os
import subprocess
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint_file
from samtranslator.translator.transform import transform

from feedback.backends.dynamodb import DAY_INDEX
from tests.support.aws import (
    REGION,
    REPO_ROOT,
    TEMPLATE_PATH,
    load_template,
    parameter_values,
    resolve_conditions,
    table_definitions,
)

SAM_BINARY = REPO_ROOT / ".venv-sam" / "bin" / "sam"

ROUTES = [
    ("/route", "post", "RouteFunction"),
    ("/decisions", "get", "RouteFunction"),
    ("/decisions/{decision_id}", "get", "RouteFunction"),
    ("/stats/cost", "get", "RouteFunction"),
    ("/stats/quality", "get", "RouteFunction"),
    ("/report", "get", "RouteFunction"),
    ("/openapi.json", "get", "RouteFunction"),
    ("/feedback", "post", "FeedbackFunction"),
    ("/retrain", "post", "RetrainFunction"),
]

FUNCTIONS = ["RouteFunction", "FeedbackFunction", "RetrainFunction"]

FUNCTION_ENVIRONMENT = {
    "LLM_ROUTER_STORE",
    "DECISIONS_TABLE",
    "FEEDBACK_TABLE",
    "AGGREGATES_TABLE",
    "ROUTING_TABLE_TABLE",
    "LLM_ROUTER_TABLE_CACHE_TTL",
    "LLM_ROUTER_DECISION_TTL_DAYS",
    "POWERTOOLS_SERVICE_NAME",
    "POWERTOOLS_METRICS_NAMESPACE",
    "POWERTOOLS_LOG_LEVEL",
}

DYNAMODB_WRITE_ACTIONS = {
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:PartiQLInsert",
    "dynamodb:PartiQLUpdate",
    "dynamodb:PartiQLDelete",
}


class NoManagedPolicies:
    """Managed-policy loader for the translator that never calls IAM, because the template names no managed policy."""

    def load(self) -> dict[str, str]:
        return {}


def _package(template: dict[str, Any]) -> dict[str, Any]:
    """Point local code folders at S3, as `sam package` does before the transform runs."""
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if isinstance(properties.get(key), str):
                properties[key] = f"s3://test-bucket/{properties[key]}"
    return template


@cache
def _translate(auth: str, secret_name: str) -> dict[str, Any]:
    template = load_template()
    parameters = parameter_values(template, ApiAuth=auth, AnthropicSecretName=secret_name)
    resolved = _package(resolve_conditions(template, parameters))
    return transform(resolved, parameters, NoManagedPolicies())


@pytest.fixture(scope="module")
def region() -> Iterator[None]:
    # The translator reads the region from the environment to build ARNs.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_DEFAULT_REGION", REGION)
        yield


def translated(auth: str = "API_KEY", secret_name: str = "") -> dict[str, Any]:
    return _translate(auth, secret_name)["Resources"]


def swagger_paths(resources: dict[str, Any]) -> dict[str, Any]:
    [api] = [resource for resource in resources.values() if resource["Type"] == "AWS::ApiGateway::RestApi"]
    return api["Properties"]["Body"]["paths"]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _names_table(resource: Any, table: str) -> bool:
    if resource == "*":
        return True
    if isinstance(resource, dict) and resource.get("Fn::GetAtt") == [table, "Arn"]:
        return True
    return isinstance(resource, dict) and f"${{{table}.Arn}}" in str(resource.get("Fn::Sub", ""))


def allowed_actions(resources: dict[str, Any], function: str, table: str) -> set[str]:
    """Return the actions the function's role allows on a table or any of its indexes."""
    actions: set[str] = set()
    for policy in resources[f"{function}Role"]["Properties"].get("Policies", []):
        for statement in _as_list(policy["PolicyDocument"]["Statement"]):
            if statement["Effect"] == "Allow" and any(_names_table(r, table) for r in _as_list(statement["Resource"])):
                actions.update(_as_list(statement["Action"]))
    return actions


def all_statements(resources: dict[str, Any], function: str) -> list[dict[str, Any]]:
    policies = resources[f"{function}Role"]["Properties"].get("Policies", [])
    return [statement for policy in policies for statement in _as_list(policy["PolicyDocument"]["Statement"])]


# Linters


def test_cfn_lint_passes():
    matches = lint_file(TEMPLATE_PATH, config=ManualArgs(regions=[REGION]))

    assert [str(match) for match in matches] == []


@pytest.mark.skipif(not SAM_BINARY.exists(), reason=f"{SAM_BINARY} not found: run `make install-sam`")
def test_sam_validate_lint_passes():
    environment = {**os.environ, "AWS_DEFAULT_REGION": REGION, "SAM_CLI_TELEMETRY": "0"}
    result = subprocess.run(
        [str(SAM_BINARY), "validate", "--lint", "--template-file", str(TEMPLATE_PATH)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


# Code locations


@pytest.mark.parametrize("function", FUNCTIONS)
def test_function_code_folder_exists(function):
    code_uri = load_template()["Resources"][function]["Properties"]["CodeUri"]

    assert (REPO_ROOT / code_uri).is_dir()


@pytest.mark.parametrize("function", FUNCTIONS)
def test_function_handler_defined(function):
    code_uri = load_template()["Resources"][function]["Properties"]["CodeUri"]
    handler = REPO_ROOT / code_uri / "app.py"

    tree = ast.parse(handler.read_text(encoding="utf-8"))
    names = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    names |= {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }

    assert "lambda_handler" in names


def test_layer_content_exists():
    layer = REPO_ROOT / load_template()["Resources"]["CoreLayer"]["Properties"]["ContentUri"]

    assert (layer / "requirements.txt").is_file()
    assert (layer / "router" / "engine.py").is_file()
    assert (layer / "feedback" / "store.py").is_file()
    # SAM's python3.12 build method adds the python/ folder itself.
    assert not (layer / "python").exists()


# API


@pytest.mark.parametrize("auth", ["API_KEY", "AWS_IAM"])
@pytest.mark.parametrize(("path", "method", "function"), ROUTES)
def test_route_wired_to_function(region, auth, path, method, function):
    operation = swagger_paths(translated(auth))[path][method]

    assert f"${{{function}.Arn}}" in operation["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"]


@pytest.mark.parametrize(("path", "method", "function"), ROUTES)
def test_api_key_mode_requires_key(region, path, method, function):
    operation = swagger_paths(translated("API_KEY"))[path][method]

    assert operation["security"] == [{"api_key": []}]


@pytest.mark.parametrize(("path", "method", "function"), ROUTES)
def test_iam_mode_requires_signature(region, path, method, function):
    operation = swagger_paths(translated("AWS_IAM"))[path][method]

    assert operation["security"] == [{"AWS_IAM": []}]
    assert "credentials" not in operation["x-amazon-apigateway-integration"]


@pytest.mark.parametrize("logical_id", ["RouterApiKey", "RouterUsagePlan", "RouterUsagePlanKey"])
def test_api_key_resources_conditional(region, logical_id):
    assert translated("AWS_IAM")[logical_id]["Condition"] == "UseApiKey"


def test_usage_plan_throttle_from_parameters(region):
    throttle = translated("API_KEY")["RouterUsagePlan"]["Properties"]["Throttle"]

    assert throttle == {"RateLimit": {"Ref": "ThrottleRateLimit"}, "BurstLimit": {"Ref": "ThrottleBurstLimit"}}


def test_api_key_output_conditional():
    assert load_template()["Outputs"]["ApiKeyId"]["Condition"] == "UseApiKey"


def test_retrain_schedule_from_parameter(region):
    rule = translated()["RetrainFunctionNightly"]

    assert rule["Type"] == "AWS::Events::Rule"
    assert rule["Properties"]["ScheduleExpression"] == {"Ref": "RetrainSchedule"}
    assert load_template()["Parameters"]["RetrainSchedule"]["Default"] == "cron(0 3 * * ? *)"


# Functions


@pytest.mark.parametrize("function", FUNCTIONS)
def test_function_environment_complete(region, function):
    variables = translated()[function]["Properties"]["Environment"]["Variables"]

    assert FUNCTION_ENVIRONMENT - variables.keys() == set()


@pytest.mark.parametrize("function", FUNCTIONS)
def test_function_settings(region, function):
    properties = translated()[function]["Properties"]

    assert properties["Runtime"] == "python3.12"
    assert properties["Handler"] == "app.lambda_handler"
    assert properties["TracingConfig"] == {"Mode": "Active"}
    assert properties["MemorySize"] == 256


# Permissions


def test_route_cannot_write_routing_table(region):
    actions = allowed_actions(translated(), "RouteFunction", "RoutingTableTable")

    assert actions
    assert actions & DYNAMODB_WRITE_ACTIONS == set()


def test_feedback_only_gets_decisions(region):
    actions = allowed_actions(translated(), "FeedbackFunction", "DecisionsTable")

    assert actions == {"dynamodb:GetItem"}


def test_feedback_cannot_touch_routing_table(region):
    assert allowed_actions(translated(), "FeedbackFunction", "RoutingTableTable") == set()


def test_retrain_cannot_touch_decisions(region):
    assert allowed_actions(translated(), "RetrainFunction", "DecisionsTable") == set()


@pytest.mark.parametrize("function", FUNCTIONS)
def test_no_wildcard_permissions(region, function):
    for statement in all_statements(translated(), function):
        assert statement["Resource"] != "*"
        assert not any(action.endswith(":*") for action in _as_list(statement["Action"]))


def test_secret_readable_when_named(region):
    statements = all_statements(translated(secret_name="llm-router/anthropic"), "RouteFunction")

    assert any(statement["Action"] == "secretsmanager:GetSecretValue" for statement in statements)


def test_secret_policy_absent_by_default(region):
    statements = all_statements(translated(), "RouteFunction")

    assert not any("secretsmanager" in str(statement["Action"]) for statement in statements)


# Tables


def test_decisions_index_matches_backend():
    [index] = table_definitions(load_template())["DecisionsTable"]["GlobalSecondaryIndexes"]

    assert index["IndexName"] == DAY_INDEX


@pytest.mark.parametrize("table", ["DecisionsTable", "FeedbackTable"])
def test_expiring_tables_have_ttl(table):
    ttl = table_definitions(load_template())[table]["TimeToLiveSpecification"]

    assert ttl == {"AttributeName": "expires_at", "Enabled": True}


@pytest.mark.parametrize("table", ["DecisionsTable", "FeedbackTable", "AggregatesTable", "RoutingTableTable"])
def test_table_on_demand_and_encrypted(table):
    properties = table_definitions(load_template())[table]

    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["SSESpecification"] == {"SSEEnabled": True}


def test_routing_table_point_in_time_recovery():
    properties = table_definitions(load_template())["RoutingTableTable"]

    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
