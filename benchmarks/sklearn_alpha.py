"""PlexusClassifier against scikit-learn's MLPClassifier at the same alpha, on digits: the table
in docs/python.md. Run: make bench-sklearn-alpha (or python benchmarks/sklearn_alpha.py).

Both get the same settings (hidden (64,), Adam, batch 32, 50 epochs, inputs / 16) and the same
stratified 75/25 split; each cell is the mean test accuracy over random_state 0, 1 and 2. alpha
is scikit-learn's L2 penalty on the weights, divided by the batch size, in both.
"""
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

from plexus.sklearn import PlexusClassifier

ALPHAS = (1e-4, 1e-2, 1e-1, 1.0)
SEEDS = (0, 1, 2)


def main() -> None:
    digits = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(digits.data / 16, digits.target, test_size=0.25,
                                                        random_state=0, stratify=digits.target)
    print("| alpha | MLPClassifier | PlexusClassifier | difference (points) |")
    print("|---|---|---|---|")
    for alpha in ALPHAS:
        means = []
        for estimator in (MLPClassifier, PlexusClassifier):
            scores = []
            for seed in SEEDS:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)   # 50 epochs, by design
                    model = estimator(hidden_layer_sizes=(64,), solver="adam", batch_size=32, max_iter=50,
                                      alpha=alpha, random_state=seed).fit(x_train, y_train)
                scores.append(model.score(x_test, y_test))
            means.append(float(np.mean(scores)))
        print(f"| {alpha:g} | {means[0]:.4f} | {means[1]:.4f} | {100 * (means[1] - means[0]):+.2f} |")


if __name__ == "__main__":
    main()
