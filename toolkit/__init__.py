"""rfp-toolkit: audit, port, verify and model the remap_file_pages protection series."""

__version__ = "0.1.0"
