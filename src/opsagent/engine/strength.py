"""How far past its limit a reading is, as a strength in [0, 1]."""

from __future__ import annotations

import math


def ratio_strength(value: float, limit: float, scale: float = 10.0) -> float:
    """0.3 just above the limit, 1.0 at ``scale`` times the limit (log scale)."""
    if value <= limit or limit <= 0:
        return 0.0
    return min(1.0, 0.3 + 0.7 * math.log(value / limit) / math.log(scale))
