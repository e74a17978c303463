"""Which intent a query expresses: a linear model over word and character n-grams.

Character n-grams carry the intent through misheard and unseen words ("playlist" in "playlists",
"weather" in "whether"); the kinds of known name in the query (an artist, a city: see
`gazetteer`) add what the words alone do not say, as entity features do in Snips NLU's
classifier. scikit-learn fits the weights, and they are kept as plain arrays so that loading a
model is reading numbers, and predicting is a few dictionary look-ups and one product.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Sequence
from itertools import pairwise
from pathlib import Path

import numpy as np

CHAR_NGRAMS = (2, 3, 4, 5)
"""Lengths of the character n-grams taken inside each word (with its boundaries marked)."""
REGULARISATION = 10.0
"""Logistic regression's C: chosen on a development split of the training side."""
MIN_COUNT = 1
"""N-grams seen fewer times than this in training are not features."""


def ngrams(words: Sequence[str], names: Collection[str] = ()) -> Counter[str]:
    """The n-grams counted for a query: words, word pairs, characters within words, and the
    kinds of known name found in it (`names`)."""
    grams: Counter[str] = Counter(f"w:{word}" for word in words)
    grams.update(f"n:{kind}" for kind in set(names))
    padded = ["<s>", *words, "</s>"]
    grams.update(f"b:{first} {second}" for first, second in pairwise(padded))
    for word in words:
        marked = f"<{word}>"
        for size in CHAR_NGRAMS:
            grams.update(f"c:{marked[i : i + size]}" for i in range(len(marked) - size + 1))
    return grams


class IntentClassifier:
    """Multinomial logistic regression over TF-IDF-weighted n-grams."""

    def __init__(
        self,
        intents: Sequence[str],
        vocabulary: dict[str, int],
        idf: np.ndarray,
        weights: np.ndarray,
        bias: np.ndarray,
    ) -> None:
        self.intents = tuple(intents)
        self._vocabulary = vocabulary
        self._idf = idf
        self._weights = weights
        self._bias = bias

    @classmethod
    def train(
        cls,
        examples: Sequence[tuple[Sequence[str], Collection[str], str]],
        weights: Sequence[float] | None = None,
        start: IntentClassifier | None = None,
    ) -> IntentClassifier:
        """Fit on (words, kinds of known name in them, intent); needs at least two intents.
        `weights` count some examples more than others (default: all alike); `start` is a fitted
        classifier whose weights, for the n-grams and intents both know, are where the fit
        begins: a refit on a little more data than `start` saw then converges in a fraction of
        the steps."""
        from scipy.sparse import csr_matrix
        from sklearn.linear_model import LogisticRegression

        counted = [ngrams(words, names) for words, names, _ in examples]
        frequency: Counter[str] = Counter(gram for grams in counted for gram in grams)
        vocabulary = {
            gram: index
            for index, gram in enumerate(sorted(g for g, n in frequency.items() if n >= MIN_COUNT))
        }
        documents = np.zeros(len(vocabulary))
        for gram, column in vocabulary.items():
            documents[column] = frequency[gram]
        idf = np.log((1 + len(examples)) / (1 + documents)) + 1
        rows, columns, values = [], [], []
        for row, grams in enumerate(counted):
            index, value = _vector(grams, vocabulary, idf)
            rows += [row] * len(index)
            columns += list(index)
            values += list(value)
        matrix = csr_matrix((values, (rows, columns)), shape=(len(examples), len(vocabulary)))
        labels = [intent for _, _, intent in examples]
        model = LogisticRegression(C=REGULARISATION, max_iter=1000, warm_start=start is not None)
        if start is not None:
            model.coef_, model.intercept_ = start._initial(sorted(set(labels)), vocabulary)
        model.fit(matrix, labels, sample_weight=None if weights is None else np.asarray(weights))
        intents = [str(intent) for intent in model.classes_]
        coefficients = np.asarray(model.coef_)
        intercept = np.asarray(model.intercept_)
        if len(intents) == 2:  # scikit-learn keeps one column for two classes
            coefficients = np.vstack([-coefficients, coefficients]) / 2
            intercept = np.concatenate([-intercept, intercept]) / 2
        return cls(
            intents,
            vocabulary,
            idf.astype(np.float32),
            coefficients.T.astype(np.float32),
            intercept.astype(np.float32),
        )

    def _initial(
        self, intents: Sequence[str], vocabulary: dict[str, int]
    ) -> tuple[np.ndarray, np.ndarray]:
        """This classifier's weights laid out as scikit-learn's for `intents` (sorted) over
        `vocabulary`: zero for what it does not know; one row for two intents, as scikit-learn
        keeps it."""
        shared = [
            (row, self.intents.index(i)) for row, i in enumerate(intents) if i in self.intents
        ]
        grams = [
            (column, known)
            for gram, column in vocabulary.items()
            if (known := self._vocabulary.get(gram)) is not None
        ]
        rows, old_rows = [r for r, _ in shared], [o for _, o in shared]
        columns, old_columns = [c for c, _ in grams], [k for _, k in grams]
        coefficients = np.zeros((len(intents), len(vocabulary)))
        coefficients[np.ix_(rows, columns)] = self._weights[np.ix_(old_columns, old_rows)].T
        bias = np.zeros(len(intents))
        bias[rows] = self._bias[old_rows]
        if len(intents) == 2:
            return coefficients[1:] - coefficients[:1], bias[1:] - bias[:1]
        return coefficients, bias

    def probabilities(self, words: Sequence[str], names: Collection[str] = ()) -> np.ndarray:
        """P(intent | words and the kinds of known name in them), in the order of `intents`."""
        index, value = _vector(ngrams(words, names), self._vocabulary, self._idf)
        scores = value @ self._weights[index] + self._bias
        scores = np.exp(scores - scores.max())
        return np.asarray(scores / scores.sum())

    def predict(self, words: Sequence[str], names: Collection[str] = ()) -> tuple[str, float]:
        """The likeliest intent and its probability."""
        probabilities = self.probabilities(words, names)
        best = int(probabilities.argmax())
        return self.intents[best], float(probabilities[best])

    def save(self, folder: Path) -> None:
        (folder / "intents.json").write_text(
            json.dumps({"intents": self.intents, "vocabulary": self._vocabulary})
        )
        np.savez(folder / "intents.npz", idf=self._idf, weights=self._weights, bias=self._bias)

    @classmethod
    def load(cls, folder: Path) -> IntentClassifier:
        meta = json.loads((folder / "intents.json").read_text())
        with np.load(folder / "intents.npz") as arrays:
            return cls(
                meta["intents"],
                meta["vocabulary"],
                arrays["idf"],
                arrays["weights"],
                arrays["bias"],
            )


def _vector(
    grams: Counter[str], vocabulary: dict[str, int], idf: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Known n-grams as (indices, sublinear TF-IDF values), scaled to unit length."""
    known = [(vocabulary[gram], count) for gram, count in grams.items() if gram in vocabulary]
    if not known:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    index = np.array([i for i, _ in known], dtype=np.int64)
    value = (1 + np.log(np.array([n for _, n in known], dtype=np.float32))) * idf[index]
    return index, (value / np.linalg.norm(value)).astype(np.float32)
