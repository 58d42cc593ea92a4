"""GET /report: totals, cost and quality by tier and cell, and routing-table changes."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Query

from api.context import ApiContext
from api.errors import api_responses
from api.models import QueryDate


def add_get_report(app: APIGatewayRestResolver, context: ApiContext) -> None:
    @app.get(
        "/report",
        summary="The savings and quality report",
        tags=["stats"],
        responses=api_responses("the report", 422, 503),
    )
    def get_report(
        since: Annotated[QueryDate | None, Query(description="first UTC day to include (YYYY-MM-DD)")] = None,
    ) -> dict[str, Any]:
        # Imported here: the report's models would add to every cold start of
        # the route function, and few of its requests ask for the report.
        from feedback.report import build_report

        return build_report(context.store_factory(), since=since).model_dump(mode="json")
