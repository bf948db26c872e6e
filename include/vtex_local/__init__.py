"""Running the product on one machine: the demo launcher (`python -m vtex_local`) and the
production shape as local processes (`vtex_local.shape`), for the demo, tests and benchmarks."""
