"""Handwritten digits with plexus: scikit-learn's bundled 8×8 digits (1,797 images, 10 classes,
no download), a 64-64-10 network trained with Adam and cross-entropy on 85% of the training rows
(the rest are validation rows), test accuracy, a saved model, and the loss curve drawn by
History.plot when matplotlib is installed.

Run: python bindings/python/examples/digits.py [output folder] [loss curve PNG]
(`make demo` runs it and writes build/digits-loss.png)
"""
import sys
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits

import plexus


def main(out: Path, plot: Path) -> float:
    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)          # pixels 0..16 scaled to 0..1
    y = digits.target
    order = np.random.default_rng(0).permutation(len(x))
    test, train = order[:360], order[360:]

    net = plexus.Network([64, 64, 10], ["relu", "softmax"], loss="cross_entropy", seed=1).adam(0.005)
    print(net)
    history = net.fit(x[train], y[train], epochs=60, batch_size=32, shuffle_seed=2,   # labels → one-hot
                      validation_split=0.15)
    predicted = net.predict(x[test]).argmax(axis=1)
    accuracy = float((predicted == y[test]).mean())
    print(f"loss: first epoch {history[0]:.4f}, last epoch {history[-1]:.4f}; best validation epoch "
          f"{history.best_epoch + 1}: loss {history.val_loss[history.best_epoch]:.4f}, "
          f"accuracy {history.val_accuracy[history.best_epoch]:.1%} (its weights are kept)")
    print(f"test accuracy: {accuracy:.1%} on {len(test)} unseen images")

    out.mkdir(parents=True, exist_ok=True)
    model = out / "digits.safetensors"
    net.save(model)
    print(f"saved {model} ({model.stat().st_size} bytes); C loads it with plexus_load")
    try:
        ax = history.plot()
    except ImportError:
        print("matplotlib is not installed: no loss curve drawn (pip install matplotlib)")
    else:
        ax.set_title(f"digits, 64-64-10, test accuracy {accuracy:.1%}")
        plot.parent.mkdir(parents=True, exist_ok=True)
        ax.figure.savefig(plot, dpi=110)
        print(f"wrote {plot}")
    return accuracy


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".")
    accuracy = main(out, Path(sys.argv[2]) if len(sys.argv) > 2 else out / "digits-loss.png")
    sys.exit(0 if accuracy >= 0.95 else 1)
