"""Building blocks: rivers."""

import pytest

from snowroute.datasets import River


def test_river_rejects_a_zero_width() -> None:
    with pytest.raises(ValueError, match="must be positive"):
        River("川", ((0.0, 0.0), (1.0, 0.0)), 0.0)
