"""Set-up the three Lambda handlers share: JSON logs for the library, metrics, a missing router."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, NoReturn

from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger

# Top-level loggers of the layer's packages; their module loggers propagate to these.
LIBRARY_LOGGERS = frozenset({"api", "feedback", "router"})


def configure_library_logging(logger: Logger) -> None:
    """Send the layer's module loggers through the handler's Powertools Logger.

    Library records then carry the same JSON shape, level and correlation id as
    the handler's own, so one CloudWatch Logs Insights query sees both.
    """
    copy_config_to_registered_loggers(source_logger=logger, include=set(LIBRARY_LOGGERS))
    # A GET request adds no metric; Powertools warns about each empty flush.
    warnings.filterwarnings("ignore", message="No application metrics to publish")


def no_router() -> NoReturn:
    """Stand in for the router in functions that serve no routing request."""
    raise RuntimeError("this function has no router: POST /route is served by RouteFunction")
