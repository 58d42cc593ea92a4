"""One module per group of routes; each exposes `add_*(app, context)` functions that `create_app` calls."""
