"""Arch PTE facts loaded from archs/*.toml, and the file-PTE encodings derived from them.

Shared by the model and the tooling, so it imports neither.
"""
