"""JsonApiResolver keeps the event being resolved per thread."""

import json
import threading

from api.request_checks import JsonApiResolver
from tests.support.handlers import REPO_ROOT

EVENT = json.loads((REPO_ROOT / "events" / "decisions_get.json").read_text(encoding="utf-8"))


def event_for(path: str) -> dict:
    return {
        **EVENT,
        "path": path,
        "resource": path,
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
    }


def test_each_thread_sees_its_own_event():
    inside = threading.Event()
    release = threading.Event()
    seen: dict[str, str] = {}

    def build() -> JsonApiResolver:
        app = JsonApiResolver()

        @app.get("/slow")
        def slow() -> dict:
            inside.set()
            release.wait(timeout=10)
            seen["slow"] = app.current_event.path
            return {}

        @app.get("/fast")
        def fast() -> dict:
            seen["fast"] = app.current_event.path
            return {}

        return app

    first = threading.Thread(target=lambda: build().resolve(event_for("/slow"), None))
    first.start()
    inside.wait(timeout=10)
    # A second resolver on another thread resolves while the first is mid-request.
    build().resolve(event_for("/fast"), None)
    release.set()
    first.join(timeout=10)
    assert seen == {"slow": "/slow", "fast": "/fast"}
