"""The slot tagger: a linear-chain CRF over words with begin/inside/outside labels.

CRFsuite fits the weights; decoding is Confide's own Viterbi over those weights, kept as arrays,
so that a query can be decoded twice: once free (its slots tell the intent classifier what kind of
query it is) and once restricted to the labels of the intent it turned out to be. The arrays are
public, so that a few new queries can refine a trained tagger without refitting it whole.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Collection, Sequence
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, load_npz, save_npz

OUTSIDE = "O"
L1 = 0.2
"""CRF L1 penalty; this and `L2` were chosen on a development split of the training side."""
L2 = 0.05
"""CRF L2 penalty."""
ITERATIONS = 150
"""L-BFGS iterations; more changed nothing measurable on the development split."""
SGD_FROM = 10_000
"""Training sequences from which the weights are fitted by stochastic gradient descent instead:
each L-BFGS iteration costs a pass over the data. On development splits of the training side,
at 5,000 sequences 150 L-BFGS iterations beat 10 SGD epochs by 1 to 2 points of slot F1; at
17,000 they were level (0.941 and 0.942 typed, 0.923 and 0.925 spoken), and L-BFGS took 6 min
to SGD's 30 s."""
SGD_EPOCHS = 7
"""Passes of SGD: on that split, 7 were level with 10 and 5 lost 0.1 to 0.2 points."""
SGD_L2 = 1.0
"""CRFsuite's L2 penalty for its SGD trainer (its default)."""


class SlotTagger:
    """Label weights per attribute and per label pair."""

    def __init__(
        self,
        labels: Sequence[str],
        attributes: dict[str, int],
        emissions: csr_matrix,
        transitions: np.ndarray,
    ) -> None:
        self.labels = tuple(labels)
        self._attributes = attributes
        self._emissions = emissions
        """attributes x labels, sparse: only (attribute, label) pairs seen in training, and the
        L1 penalty of L-BFGS leaves most of those at zero."""
        self._transitions = transitions
        """labels x labels, from the row's label to the column's."""
        self._index = {label: index for index, label in enumerate(labels)}

    @property
    def attributes(self) -> dict[str, int]:
        """Attribute -> its row of `emissions`; not to be changed in place."""
        return self._attributes

    @property
    def emissions(self) -> csr_matrix:
        """attributes x labels weights, as the tagger decodes with them."""
        return self._emissions

    @property
    def transitions(self) -> np.ndarray:
        """labels x labels weights, from the row's label to the column's."""
        return self._transitions

    @classmethod
    def train(cls, sequences: Sequence[tuple[list[list[str]], list[str]]]) -> SlotTagger:
        """Fit on (per-word attributes, per-word labels) pairs."""
        import pycrfsuite

        large = len(sequences) >= SGD_FROM
        trainer = pycrfsuite.Trainer(algorithm="l2sgd" if large else "lbfgs", verbose=False)
        for features, labels in sequences:
            trainer.append(features, labels)
        settings = (
            {"c2": SGD_L2, "max_iterations": SGD_EPOCHS}
            if large
            else {"c1": L1, "c2": L2, "max_iterations": ITERATIONS}
        )
        trainer.set_params({**settings, "feature.possible_transitions": True})
        with tempfile.TemporaryDirectory() as scratch:
            path = str(Path(scratch) / "slots.crfsuite")
            trainer.train(path)
            tagger = pycrfsuite.Tagger()
            tagger.open(path)
            info = tagger.info()
            tagger.close()
        names = sorted({label for _, sequence in sequences for label in sequence} | {OUTSIDE})
        index = {label: number for number, label in enumerate(names)}
        attributes: dict[str, int] = {}
        for attribute, _ in info.state_features:
            attributes.setdefault(attribute, len(attributes))
        rows, columns, weights = [], [], []
        for (attribute, label), weight in info.state_features.items():
            rows.append(attributes[attribute])
            columns.append(index[label])
            weights.append(weight)
        emissions = csr_matrix(
            (np.array(weights, dtype=np.float32), (rows, columns)),
            shape=(len(attributes), len(names)),
        )
        transitions = np.zeros((len(names), len(names)), dtype=np.float32)
        for (first, second), weight in info.transitions.items():
            transitions[index[first], index[second]] = weight
        return cls(names, attributes, emissions, transitions)

    def tag(self, attributes: list[list[str]], allowed: Collection[str] | None = None) -> list[str]:
        """The best label sequence; with `allowed`, the best using only those slot names."""
        if not attributes:
            return []
        known, positions = [], []
        for position, row in enumerate(attributes):
            for attribute in row:
                if (number := self._attributes.get(attribute)) is not None:
                    known.append(number)
                    positions.append(position)
        indicator = csr_matrix(
            (np.ones(len(known), dtype=np.float32), (positions, range(len(known)))),
            shape=(len(attributes), len(known)),
        )
        scores = (indicator @ self._emissions[known]).toarray()
        if allowed is not None:
            barred = [
                index
                for label, index in self._index.items()
                if label != OUTSIDE and label[2:] not in allowed
            ]
            scores[:, barred] = -np.inf
        return [self.labels[index] for index in viterbi(scores, self._transitions)]

    def save(self, folder: Path) -> None:
        (folder / "slots.json").write_text(
            json.dumps({"labels": self.labels, "attributes": list(self._attributes)})
        )
        save_npz(folder / "emissions.npz", self._emissions)
        np.save(folder / "transitions.npy", self._transitions)

    @classmethod
    def load(cls, folder: Path) -> SlotTagger:
        meta = json.loads((folder / "slots.json").read_text())
        attributes = {name: index for index, name in enumerate(meta["attributes"])}
        emissions = load_npz(folder / "emissions.npz").tocsr()
        return cls(meta["labels"], attributes, emissions, np.load(folder / "transitions.npy"))


def viterbi(scores: np.ndarray, transitions: np.ndarray) -> list[int]:
    """The highest-scoring path through per-position label scores and label-pair scores."""
    best = scores[0].copy()
    back = np.zeros(scores.shape, dtype=np.int64)
    for position in range(1, len(scores)):
        candidates = best[:, None] + transitions
        back[position] = candidates.argmax(axis=0)
        best = candidates.max(axis=0) + scores[position]
    path = [int(best.argmax())]
    for position in range(len(scores) - 1, 0, -1):
        path.append(int(back[position, path[-1]]))
    return path[::-1]
