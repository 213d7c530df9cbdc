"""plexus.distributed in one process: its shuffle is the library's, and one rank equals fit."""
import numpy as np
import pytest

import plexus
import reference as ref
from plexus.distributed import epoch_orders


def test_epoch_orders_are_the_library_shuffle():
    for n, seed in [(1, 0), (2, 3), (23, 99), (500, 2**64 - 1)]:
        ours = [list(o) for o in epoch_orders(n, 3, seed)]
        assert ours == list(ref.epoch_orders(n, 3, seed))


ONE_RANK_CHECK = """
import numpy as np
from mpi4py import MPI
import plexus
from plexus.distributed import DataParallel
rng = np.random.default_rng(3)
x, y = rng.normal(size=(50, 5)), rng.integers(0, 3, 50)
a = plexus.Network([5, 8, 3], ["relu", "softmax"], loss="cross_entropy", seed=4).adam(0.01)
b = plexus.Network([5, 8, 3], ["relu", "softmax"], loss="cross_entropy", seed=4).adam(0.01)
history = DataParallel(a, MPI.COMM_SELF).fit(x, y, epochs=3, batch_size=7, shuffle_seed=11)
expected = b.fit(x, y, epochs=3, batch_size=7, shuffle_seed=11, progress=False)
assert a.params.tobytes() == b.params.tobytes(), "parameters differ"
np.testing.assert_allclose(history, expected, rtol=1e-6)
print("one rank equals fit")
"""


def test_one_rank_equals_single_process_fit_bitwise():
    """In a child process: initialising MPI inside pytest's own process would make later
    fork()-based tests (subprocess) unsafe under Open MPI."""
    pytest.importorskip("mpi4py")
    import subprocess
    import sys
    result = subprocess.run([sys.executable, "-c", ONE_RANK_CHECK], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "one rank equals fit" in result.stdout
