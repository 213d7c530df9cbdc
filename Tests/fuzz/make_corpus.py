"""Writes the fuzzer's seed corpus: valid model files of several architectures and optimizers,
and damaged copies (truncated, flipped bytes, huge header length, broken JSON).
Run: python3 Tests/fuzz/make_corpus.py OUTPUT_FOLDER   (needs the plexus package importable)"""
import struct
import sys
from pathlib import Path

import numpy as np

import plexus


def valid_models():
    rng = np.random.default_rng(0)
    specs = [([2, 3, 1], ["tanh", "sigmoid"], "mse", True, None),
             ([4, 5, 3], ["relu", "softmax"], "cross_entropy", False, "adam"),
             ([3, 4, 4, 2], ["leaky_relu", "identity", "sigmoid"], "binary_cross_entropy", True, "momentum"),
             ([1, 1], ["identity"], "quadratic", False, None),
             # format version 2's settings: AdamW, weight decay, clipping, dropout, the generator
             ([3, 6, 5, 2], ["gelu", "silu", "identity"], "huber", True, "adamw"),
             ([2, 4, 2], ["elu", "softplus"], "l1", False, "sgd-decay"),
             # 0.6.0: RMSprop's three state tensors
             ([3, 5, 2], ["tanh", "identity"], "mse", True, "rmsprop"),
             # 0.9.0, format version 3: input and output transforms, and the caller's metadata
             ([3, 4, 2], ["relu", "identity"], "mse", True, "transforms")]
    for sizes, acts, loss, bias, optimizer in specs:
        net = plexus.Network(sizes, acts, loss=loss, bias=bias, seed=1)
        if optimizer == "adam":
            net.adam(0.01)
        elif optimizer == "momentum":
            net.sgd(0.1, 0.9)
        elif optimizer == "adamw":
            net.adamw(0.01, weight_decay=0.05).set_grad_clip(1.0).set_dropout(1, 0.25).set_dropout(2, 0.1)
        elif optimizer == "rmsprop":
            net.rmsprop(0.01, momentum=0.9, centered=True, weight_decay=1e-3)
        elif optimizer == "sgd-decay":
            net.sgd(0.1, 0.5, weight_decay=0.01).set_dropout(1, 0.5)
        elif optimizer == "transforms":
            (net.set_input_transform(shift=[1, -2, 0.5], scale=[0.25, 4, -1])
               .set_output_transform(shift=[100, -3], scale=[10, 0.5]))
            net.metadata["units"] = "kPa"
            net.metadata["features"] = "température,pression,débit"
        if optimizer:
            x = rng.normal(size=(4, sizes[0]))
            net.forward(x)
            net.backward(rng.uniform(0, 1, (4, sizes[-1])) if loss != "cross_entropy" else np.eye(sizes[-1])[[0, 1, 2, 0]])
            net.step()
        yield net.to_bytes()
    # 0.12.0, format version 5: layers (a list of kinds), layer norms, a dropout layer, biases on
    # some dense layers only, tensors named by layer number, Adam's state.
    from plexus.layers import Dense, Dropout, LayerNorm
    layered = plexus.Network([LayerNorm(), Dense(5, "tanh", bias=False), Dropout(0.25), LayerNorm(eps=1e-3),
                              LayerNorm(elementwise_affine=False), Dense(3, "softmax")], input_shape=4,
                             loss="cross_entropy", seed=2).adam(0.01)
    layered.train_step(rng.normal(size=(4, 4)), np.eye(3)[[0, 1, 2, 0]])
    yield layered.to_bytes()


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for i, model in enumerate(valid_models()):
        variants = {f"valid-{i}": model, f"truncated-{i}": model[: len(model) // 2],
                    f"huge-header-{i}": struct.pack("<Q", 4 << 30) + model[8:],
                    f"flipped-{i}": bytes(b ^ (0x20 if k % 97 == 13 else 0) for k, b in enumerate(model)),
                    f"brace-{i}": model.replace(b"}", b"]", 1)}
        for name, data in variants.items():
            (folder / name).write_bytes(data)
            count += 1
    (folder / "empty").write_bytes(b"")
    print(f"wrote {count + 1} corpus files to {folder}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
