"""Ctrl-C during fit, as a user at a terminal or in a notebook sends it: a child process trains a
network for a very long time, the test sends it SIGINT once training is under way, and the child
reports what it saw. Also the cancel flag of plexus_train_ex from C, through ctypes."""
import ctypes
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np

import plexus
from plexus import _capi

CHILD = textwrap.dedent("""
    import json, sys, time
    import numpy as np
    import plexus

    rng = np.random.default_rng(0)
    x = rng.normal(size=(20000, 32)).astype(np.float32)
    y = (x[:, :1] > 0).astype(np.float32)
    net = plexus.Network([32, 64, 1], ["relu", "sigmoid"], loss="binary_cross_entropy", seed=1)
    epochs_seen = []

    def callback(epoch, loss):
        epochs_seen.append(epoch)
        if epoch == 1:
            print("training", flush=True)

    try:
        net.fit(x, y, epochs=10**9, batch_size=16, callback=callback, progress=False)
        print(json.dumps({"outcome": "returned"}), flush=True)
    except KeyboardInterrupt as interrupt:
        caught = time.monotonic()
        history = interrupt.history
        prediction = net.predict(x[:4])
        print(json.dumps({"outcome": "KeyboardInterrupt", "caught": caught, "history": len(history),
                          "callbacks": len(epochs_seen), "finite": bool(np.isfinite(prediction).all()),
                          "params_finite": bool(np.isfinite(net.params).all())}), flush=True)
""")


def test_ctrl_c_stops_fit_within_a_second_and_leaves_the_network_usable(tmp_path):
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    child = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=os.environ)
    try:
        assert child.stdout.readline().strip() == "training", child.stderr.read()
        time.sleep(0.2)   # inside an epoch, most likely mid-way
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0, err
    assert "Exception ignored" not in err, err
    report = json.loads(out.strip().splitlines()[-1])
    assert report["outcome"] == "KeyboardInterrupt"
    assert report["caught"] - sent < 1.0, f"KeyboardInterrupt reached the caller {report['caught'] - sent:.2f} s after SIGINT"
    assert report["history"] == report["callbacks"] >= 2
    assert report["finite"] and report["params_finite"]


def test_cancel_flag_from_ctypes_stops_before_the_next_batch():
    x = np.random.default_rng(1).normal(size=(64, 3)).astype(np.float32)
    y = (x[:, :2] > 0).astype(np.float32)
    net = plexus.Network([3, 5, 2], ["tanh", "sigmoid"], seed=4)
    twin = plexus.Network([3, 5, 2], ["tanh", "sigmoid"], seed=4)
    flag = ctypes.c_int(0)
    seen = []

    def on_epoch(epoch, loss, val_loss, val_accuracy):
        seen.append(epoch)
        if epoch == 2:
            flag.value = 1
        return False

    status, report = _capi.train_ex(net.handle, x.ctypes.data, y.ctypes.data, 64, on_epoch, epochs=50, batch_size=8,
                                    shuffle_seed=3, cancel=ctypes.addressof(flag))
    assert status == 0
    assert report["cancelled"] == 1 and report["epochs_run"] == 3 and seen == [0, 1, 2]
    twin.fit(x, y, epochs=3, batch_size=8, shuffle_seed=3, progress=False)
    assert np.array_equal(net.params, twin.params)
