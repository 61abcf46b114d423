"""The benchmark harness of `make bench` (issue 9); bench/run.py is its entry point."""
