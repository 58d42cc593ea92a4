"""High-stakes compliance questions go to Tier 3 however they are phrased."""

import pytest

from router.engine import LLMRouter
from router.models import Tier


@pytest.mark.parametrize(
    "query",
    [
        "Is my company HIPAA compliant if we email patient records?",
        "Are we GDPR compliant if we keep IP addresses for two years?",
        "Could storing card numbers in our logs be a PCI DSS problem?",
    ],
)
def test_compliance_question_is_high_stakes(query):
    decision = LLMRouter().route(query, explore=False)
    assert decision.classification.high_stakes
    assert decision.selected_tier == Tier.CAPABLE
