import numpy as np

from snowroute.routing import _tour


def _state(order, dr, nalt, D, out):
    st = _tour._new_state(order.size)
    _tour._refresh(order, dr, nalt, D, out, st)
    return st


def test_reversals_are_priced_only_between_near_neighbours_in_the_block():
    # three services on a line; the pure-Python function raises on an index out
    # of bounds where the compiled one reads past the neighbour table (a
    # segmentation fault on small blocks before the loop lost its extra round)
    x = np.array([0.0, 0.0, 3.0, 3.0, 1.0, 1.0, 2.0, 2.0])
    D = np.abs(x[:, None] - x[None, :])
    out = np.zeros(8)
    order, dr, nalt = np.arange(3), np.zeros(3, np.int64), np.ones(3, np.int64)
    near = np.array([[1, 2, 1, 2], [0, 2, 0, 2], [1, 0, 1, 0]])
    st = _state(order, dr, nalt, D, out)
    for k in range(3):
        best, i, j = _tour._best_reversal.py_func(near, D, out, st, 3, k)
        assert best >= -_tour.EPS or 0 <= i <= j < 3
