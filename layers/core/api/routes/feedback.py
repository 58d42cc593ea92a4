"""POST /feedback."""

from __future__ import annotations

import logging

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from api.context import ApiContext
from api.errors import NotFoundError, api_responses
from api.models import FeedbackRequest
from api.telemetry import NO_UNIT
from feedback.exceptions import DecisionNotFoundError
from feedback.records import FeedbackResult

logger = logging.getLogger(__name__)


def add_post_feedback(app: APIGatewayRestResolver, context: ApiContext) -> None:
    # Built here, at the init of a function that serves this route, rather than in its first request.
    FeedbackRequest.model_rebuild()

    @app.post(
        "/feedback",
        summary="Record a rating and/or the model's response for a decision, once per (decision, source)",
        description=(
            "A repeat for the same decision and source changes nothing and returns 200 with "
            '"repeat": true; a first record returns 201.'
        ),
        tags=["feedback"],
        responses={
            **api_responses("recorded", 400, 404, 413, 415, 422, 503, status=201),
            200: OpenAPIResponse(description="repeat: already recorded, nothing changed"),
        },
        status_code=201,
    )
    def post_feedback(request: FeedbackRequest) -> Response[FeedbackResult]:
        # Validation and the decision lookup run before anything is written, so
        # an invalid rating or an unknown decision_id leaves the store unchanged.
        signals = {"stop_reason": request.stop_reason} if request.stop_reason else None
        try:
            result = context.store_factory().record_feedback(
                request.decision_id,
                rating=request.rating,
                response=request.response,
                signals=signals,
                source=request.source,
            )
        except DecisionNotFoundError as exc:
            raise NotFoundError(
                f"decision {exc.decision_id!r} not found: send the decision_id that POST /route or "
                "POST /complete returned",
                field="decision_id",
            ) from exc
        source = {"Source": result.source}
        context.metrics.record("FeedbackRepeats" if result.repeat else "FeedbackReceived", 1, dimensions=source)
        if result.quality is not None and not result.repeat:
            context.metrics.record("QualityScore", result.quality, NO_UNIT)
        logger.info(
            "feedback recorded",
            extra={
                "decision_id": result.decision_id,
                "source": result.source,
                "quality": result.quality,
                "low_quality": result.low_quality,
                "repeat": result.repeat,
            },
        )
        status = 200 if result.repeat else 201
        return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=result)
