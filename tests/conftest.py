"""Shared test set-up: the Hypothesis profile every property test runs under."""

from __future__ import annotations

import os

from hypothesis import settings

# `make test` and CI draw the same examples on every run, so a submission cannot fail on an
# unlucky draw; RFP_HYPOTHESIS=explore draws new examples each time, to hunt for bugs locally.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("RFP_HYPOTHESIS", "ci"))
