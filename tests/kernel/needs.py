"""Kernel tests run only where the C runner can: on Linux, with cc."""

from __future__ import annotations

import pytest

from toolkit.kernel.build import unavailable

WHY = unavailable()
needs_kernel = pytest.mark.skipif(WHY is not None, reason=WHY or "")
