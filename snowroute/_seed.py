"""The range of random seeds every search accepts."""

from __future__ import annotations

from snowroute._errors import ProblemError

__all__ = ["MAX_SEED", "check_seed"]

#: Largest seed: the searches derive their generators' seeds from it, and those
#: take 32-bit unsigned integers.
MAX_SEED = 2**31 - 1


def check_seed(seed: int) -> None:
    """Raise unless ``seed`` is a whole number from 0 to :data:`MAX_SEED`.

    Raises
    ------
    ProblemError
        Naming the value.
    """
    value: object = seed  # a TOML or caller value, any type
    whole = isinstance(value, int) and not isinstance(value, bool)
    if not whole or not 0 <= seed <= MAX_SEED:
        msg = f"A seed must be a whole number from 0 to {MAX_SEED:,}, got {seed!r}."
        raise ProblemError(msg)
