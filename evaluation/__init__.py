"""Offline evaluation of the router on public benchmarks with per-model outcomes.

`python main.py evaluate` drives it: `data` reads the rows, `sweep` routes them,
`baselines` builds the comparison routers, `metrics` scores every quality-cost
curve, `replay` runs the feedback loop on the stream, and `report` writes the
JSON report and the plots.
"""
