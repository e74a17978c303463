"""Word classes: which words behave alike in English ("italian" ~ "french", "paris" ~ "boston").

Slot values are mostly words the tagger never saw in training; a class says what kind of word it
is anyway. The classes are learned once from the bigram statistics of CMU Sphinx's US English
language model, which the `pocketsphinx` package ships (BSD licence): each word is described by
the words seen before and after it (positive PMI), reduced by SVD, and clustered by k-means at
two grains. Reading the table is all that happens at run time; to remake it, convert
`pocketsphinx/model/en-us/en-us.lm.bin` to ARPA text (`pocketsphinx.NGramModel.readfile(...)`
then `.write(path, NGramModel.str_to_type("arpa"))`; only its unigrams and bigrams are read) and
run `python -m confide.understand.lexicon PATH.arpa`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path

VOCABULARY = 40_000
"""How many of the language model's likeliest words get a class."""
CONTEXTS = 3_000
"""How many of its likeliest words serve as the left and right contexts that describe a word."""
DIMENSIONS = 100
"""Size of each word's description after SVD."""
GRAINS = (64, 512)
"""Number of classes in the coarse and the fine clustering."""
_WORD = re.compile(r"^[a-z][a-z']*$")


@cache
def word_classes() -> dict[str, tuple[int, int]]:
    """Word -> (coarse class, fine class), from the shipped table."""
    table = resources.files("confide.understand") / "resources" / "word_classes.tsv"
    classes = {}
    for line in table.read_text(encoding="utf-8").splitlines():
        word, coarse, fine = line.split("\t")
        classes[word] = (int(coarse), int(fine))
    return classes


def build_word_classes(arpa: Path, out: Path) -> None:
    """Cluster the words of an ARPA-format language model and write the table to `out`."""
    import numpy as np
    from scipy.sparse import coo_matrix
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.utils.extmath import randomized_svd

    unigrams = {fields[1]: float(fields[0]) for fields in _section(arpa, 1)}
    ranked = sorted((w for w in unigrams if _WORD.match(w)), key=lambda w: -unigrams[w])
    vocabulary = {word: index for index, word in enumerate(ranked[:VOCABULARY])}
    contexts = {word: index for index, word in enumerate(["<s>", "</s>", *ranked[:CONTEXTS]])}
    rows, columns, values = [], [], []
    for fields in _section(arpa, 2):
        first, second = fields[1], fields[2]
        joint = 10 ** (unigrams.get(first, -99.0) + float(fields[0]))
        if first in contexts and second in vocabulary:
            rows.append(vocabulary[second])
            columns.append(contexts[first])
            values.append(joint)
        if second in contexts and first in vocabulary:
            rows.append(vocabulary[first])
            columns.append(len(contexts) + contexts[second])
            values.append(joint)
    counts = coo_matrix((values, (rows, columns)), shape=(len(vocabulary), 2 * len(contexts)))
    total = counts.sum()
    word_p = np.asarray(counts.sum(axis=1)).ravel() / total
    context_p = np.asarray(counts.sum(axis=0)).ravel() / total
    pmi = np.log(counts.data / total / (word_p[counts.row] * context_p[counts.col]))
    keep = pmi > 0
    positive = coo_matrix((pmi[keep], (counts.row[keep], counts.col[keep])), shape=counts.shape)
    vectors, strengths, _ = randomized_svd(positive.tocsr(), DIMENSIONS, random_state=0)
    vectors *= np.sqrt(strengths)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    labels = [
        MiniBatchKMeans(grain, random_state=0, batch_size=4096, n_init=3).fit(vectors).labels_
        for grain in GRAINS
    ]
    out.write_text(
        "".join(
            f"{word}\t{labels[0][index]}\t{labels[1][index]}\n"
            for word, index in vocabulary.items()
        ),
        encoding="utf-8",
    )


def _section(arpa: Path, order: int) -> Iterator[list[str]]:
    """The tab-separated fields of each n-gram line of one order in an ARPA file."""
    header = f"\\{order}-grams:"
    with arpa.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            if line.strip() == header:
                break
        for line in lines:
            if line.startswith("\\"):
                return
            fields = line.rstrip("\n").split("\t")
            if len(fields) > order and math.isfinite(float(fields[0])):
                yield fields


if __name__ == "__main__":
    import sys

    target = Path(__file__).parent / "resources" / "word_classes.tsv"
    build_word_classes(Path(sys.argv[1]), target)
    print(f"wrote {target}")
