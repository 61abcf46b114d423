"""Differential testing of the emulation model against the running Linux kernel."""
