"""Model providers and the execute path: call the routed model, retry, fall back, record the cost.

Nothing in this package imports a provider SDK at module level, so importing
it stays cheap; the routing path (`router.engine`) does not import it at all.
"""
