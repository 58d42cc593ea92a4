"""Engine: a request never goes to a model whose context window cannot hold it."""

import pytest

from router.engine import LLMRouter
from router.exceptions import InvalidQueryError
from router.models import Tier


def long_chat(turns: int) -> list[dict]:
    # Short messages keep the classifier fast while the token estimate grows with every turn.
    messages = []
    for index in range(turns):
        messages.append({"role": "user", "content": f"note {index} " + "x" * 16})
        messages.append({"role": "assistant", "content": "ok " + "y" * 16})
    messages.append({"role": "user", "content": "hi"})
    return messages


def test_small_window_moves_tier_up():
    router = LLMRouter(profile="haiku-4-5")
    decision = router.route(long_chat(25_000), explore=False)
    assert decision.estimated_input_tokens > 200_000
    assert decision.selected_tier >= Tier.BALANCED
    assert "context window" in decision.reasoning


def test_fitting_input_keeps_tier():
    decision = LLMRouter(profile="haiku-4-5").route("hi", explore=False)
    assert decision.selected_tier == Tier.FAST
    assert "context window" not in decision.reasoning


def test_input_beyond_every_window_rejected():
    with pytest.raises(InvalidQueryError, match="exceeds the largest context window"):
        LLMRouter().route(long_chat(120_000), explore=False)


@pytest.mark.parametrize(
    ("shift", "problem"),
    [(float("nan"), "out of range"), (1.5, "out of range"), ("0.1", "invalid"), (True, "invalid")],
)
def test_threshold_shift_checked(shift, problem):
    with pytest.raises(ValueError, match=f"threshold_shift .* is {problem}: expected a number from -1 to 1"):
        LLMRouter().route("hi", threshold_shift=shift)
