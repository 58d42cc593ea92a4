"""The dashboard page and the Swagger UI in headless Chromium, driven by Playwright, with no network but loopback.

Needs Debian's `chromium` (/usr/bin/chromium) and the `playwright` pip package,
whose bundled driver runs offline; no `playwright install` browser is used.
Without them the tests skip, except under CI=true, where they fail. Set
DASHBOARD_SCREENSHOT=docs/img/dashboard.png to refresh the README's picture.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.handlers import REPO_ROOT
from tests.support.local_server import LOOPBACK, RunningServer, running_server

pytestmark = pytest.mark.allow_hosts([LOOPBACK])

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps trying to reach
# Google's hosts, which fails slowly on a machine without network access.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-proxy-server",
]
WAIT_MS = 20_000
LOW_RATED_QUERY = "Write a Python function that merges two sorted lists and explain its complexity"
OTHER_QUERIES = [
    "hi, how are you today?",
    "What is the capital of France?",
    "Prove that the square root of 2 is irrational.",
    "Write a short poem about the sea at night.",
    "Summarise the main causes of the 2008 financial crisis and their effects on banks.",
]


def require_browser() -> None:
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append("chromium (apt-get install -y chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("playwright (pip install playwright)")
    if not missing:
        return
    reason = f"browser test needs {' and '.join(missing)}"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
def browser_page(tmp_path: Path) -> Iterator[Any]:
    """A page of a fresh Chromium profile. The test fails on any console error, HTTP error or request off loopback."""
    require_browser()
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        page = context.pages[0] if context.pages else context.new_page()
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on(
            "response",
            lambda response: problems.append(f"{response.status} {response.url}") if response.status >= 400 else None,
        )
        page.on(
            "request",
            lambda request: None if request.url.startswith(f"http://{LOOPBACK}:") else problems.append(request.url),
        )
        try:
            yield page
        finally:
            context.close()
    assert problems == []


@pytest.fixture
def served(tmp_path: Path) -> Iterator[RunningServer]:
    with running_server(tmp_path / "router.db") as running:
        yield running


def add_traffic(local: RunningServer) -> None:
    """Route and rate queries, spread over three days, and publish one retrained version.

    The API stamps decisions with the current time, so the two earlier days
    are written through the store with a shifted `created_at`.
    """
    now = datetime.now(UTC)
    for days_ago in (2, 1):
        for query in OTHER_QUERIES:
            decision = local.api.router.route(query, explore=False)
            local.api.store.log_decision(decision.model_copy(update={"created_at": now - timedelta(days=days_ago)}))
    for query in OTHER_QUERIES:
        local.rate(local.route(query)["decision_id"], 5)
    # Six 1-star ratings in one cell make low quality statistically clear, so retrain promotes it.
    for _ in range(6):
        local.rate(local.route(LOW_RATED_QUERY)["decision_id"], 1)
    retrain = local.call("POST", "/retrain", {})
    assert retrain.status == 200, retrain.text
    assert retrain.json()["published_version"] == 1


def chart_points(page: Any, name: str) -> int:
    return int(page.get_attribute(f'svg[data-chart="{name}"]', "data-points"))


def test_dashboard_charts_drawn(served, browser_page, tmp_path):
    add_traffic(served)
    page = browser_page
    page.goto(f"{served.url}?refresh=2")
    page.wait_for_selector("body[data-loaded=true]", timeout=WAIT_MS)

    assert chart_points(page, "cost") == 3
    assert page.locator('svg[data-chart="cost"] rect.bar').count() >= 3
    assert chart_points(page, "savings") == 3
    assert chart_points(page, "quality") >= 1
    assert page.locator('svg[data-chart="quality"] rect.bar').count() == chart_points(page, "quality")
    assert chart_points(page, "heatmap") >= 2
    assert page.locator('svg[data-chart="heatmap"] rect.cell:not(.no-data)').count() == chart_points(page, "heatmap")
    assert page.locator("#versions tr[data-version]").count() == 1
    assert "promote" in page.inner_text("#versions")
    assert page.locator("#decisions tr[data-decision]").count() == 20  # the page shows the newest 20
    assert page.inner_text('[data-figure="version"] .value') == "v1"

    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    target = os.environ.get("DASHBOARD_SCREENSHOT")
    if target:
        page.screenshot(path=str(REPO_ROOT / target), full_page=True)


def test_dashboard_shows_no_prompt_text(served, browser_page):
    add_traffic(served)
    browser_page.goto(served.url)
    browser_page.wait_for_selector("body[data-loaded=true]", timeout=WAIT_MS)
    content = browser_page.content()
    for query in [LOW_RATED_QUERY, *OTHER_QUERIES]:
        assert query not in content


def test_dashboard_polls_for_new_decisions(served, browser_page):
    browser_page.goto(f"{served.url}?refresh=2")
    browser_page.wait_for_selector("body[data-loaded=true]", timeout=WAIT_MS)
    assert chart_points(browser_page, "cost") == 0
    served.route(LOW_RATED_QUERY)
    browser_page.wait_for_selector("#decisions tr[data-decision]", timeout=WAIT_MS)
    assert chart_points(browser_page, "cost") == 1


def test_swagger_ui_renders_offline(served, browser_page):
    browser_page.goto(f"{served.url.rstrip('/')}/docs")
    browser_page.wait_for_selector(".swagger-ui .opblock", timeout=WAIT_MS)
    assert "/route" in browser_page.inner_text(".swagger-ui")
