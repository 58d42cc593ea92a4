"""Errors of the feedback package. Each message names the value and what to do next."""

from __future__ import annotations

from pathlib import Path

from router.exceptions import RouterError


class FeedbackError(RouterError):
    """Base class of the errors the feedback package raises on purpose."""


class InvalidRatingError(FeedbackError, ValueError):
    """A user rating is neither 1 to 5 stars nor a thumbs up or down."""

    field = "rating"

    def __init__(self, rating: object) -> None:
        super().__init__(f"invalid rating {rating!r}: expected 1 to 5 stars, or up/down")
        self.rating = rating


class DecisionNotFoundError(FeedbackError, LookupError):
    """Feedback names a decision id that no store contains."""

    field = "decision_id"

    def __init__(self, decision_id: str) -> None:
        super().__init__(
            f"decision {decision_id!r} not found: send feedback with the decision_id that the routing response returned"
        )
        self.decision_id = decision_id


class DuplicateDecisionError(FeedbackError, ValueError):
    """A decision with this id is already stored; each decision is logged once."""

    field = "decision_id"

    def __init__(self, decision_id: str) -> None:
        super().__init__(
            f"decision {decision_id!r} is already logged: log each decision once, and use record_outcome "
            "to add what execution found"
        )
        self.decision_id = decision_id


class VersionConflictError(FeedbackError):
    """Another writer moved the routing table's current pointer first."""

    def __init__(self, expected: int | None, actual: int | None) -> None:
        super().__init__(
            f"routing table changed concurrently: expected current version {expected}, found {actual}; "
            "rerun the retrain to build on the new version"
        )
        self.expected = expected
        self.actual = actual


class VersionNotFoundError(FeedbackError, LookupError):
    """A routing-table version does not exist in the store."""

    field = "version"

    def __init__(self, version: int) -> None:
        super().__init__(f"routing table version {version} not found: `retrain --history` lists the versions")
        self.version = version


class StoreError(FeedbackError):
    """The storage backend failed; the original error is chained as the cause."""


class StoreOpenError(StoreError):
    """The SQLite file of the store cannot be opened or used as a store."""

    def __init__(self, path: Path, problem: str, remedy: str) -> None:
        self.path = path
        self.problem = problem
        # `remedy` names the setting as "{setting}", so a caller that took the
        # path from a command-line option can name the option instead.
        self.remedy = remedy
        super().__init__(self.describe("LLM_ROUTER_DB_PATH"))

    def describe(self, setting: str) -> str:
        """Return the message naming `setting` (an environment variable or option) as the way to pick another file."""
        # replace(), not format(): the remedy may contain the path, and a path may contain braces.
        return f"{setting} {self.path}: {self.problem}: {self.remedy.replace('{setting}', setting)}"
