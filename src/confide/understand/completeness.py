"""Whether the words so far make a whole request: what lets the device stop listening early.

A person who pauses after "play something by" has not finished; one who pauses after "play
something by the beatles" has. `RequestEnd` is a 4-gram model of where requests end, counted from
the training queries: the chance that the next word is the end, given the last three. Words that
carry requests ("by", "for", "timer", "list") keep their identity, and so do English function
words (spaCy's stop words) however rarely the queries use them: "in our" is unfinished even where
the queries never said "our". Every other word, the open class that slot values are made of, is
one symbol, so a name the model never saw ends a request as well as one it did.

`SpokenRequestEnd` puts a local recogniser in front, so the device agent can ask it about audio
(`confide.capture.agent.CompletionCheck`); nothing leaves the device for it. The agent decides
how sure is sure enough (`EndpointSettings.early_ends`). On a tenth of the training queries held
out from the counts, 45% of whole queries reach 0.6 and 81% reach 0.3, while 4% and 12% of the
prefixes that are not queries themselves do (most of these inside a name, where nobody pauses).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from spacy.lang.en.stop_words import STOP_WORDS

from confide.audio import Audio
from confide.recognize import Recognizer
from confide.understand.data import Query, read_all
from confide.understand.default import training_files
from confide.understand.normalise import asr_text

LONGEST_RUN = 3
"""Runs of open words are told apart by length up to this: a name of one word, two, or more."""
START, END = "<s>", "</s>"
ORDER = 3
"""Symbols of context: "by the <name>" ends a request where "the <name> playlist" goes on."""
CARRIER_MIN_COUNT = 5
"""A word outside slot values this often in training is a carrier word; rarer ones are open."""

CHECK_WINDOW_SECONDS = 8.0
"""The check's encoder window: 0.15 s a look on one core, where the server's 15 s takes 0.24 s
(`benchmarks/endpointing.py` waits for it). Shorter windows repeat a command's last words, which
makes it look unfinished: a slower end, never a cut."""


class RequestEnd:
    """P(the request ends here | its last three symbols), Witten-Bell interpolated down to
    unigrams."""

    def __init__(self, carriers: set[str], counts: dict[tuple[str, ...], Counter[str]]) -> None:
        self._carriers = carriers
        self._counts = counts
        """Continuations seen after each context of zero to `ORDER` symbols."""

    @classmethod
    def train(cls, queries: Iterable[Query]) -> RequestEnd:
        queries = list(queries)
        outside_slots: Counter[str] = Counter()
        for query in queries:
            text, position = [], 0
            for slot in query.slots:
                text.append(query.text[position : slot.start])
                position = slot.end
            text.append(query.text[position:])
            outside_slots.update(asr_text(" ".join(text)).split())
        carriers = {word for word, count in outside_slots.items() if count >= CARRIER_MIN_COUNT}
        carriers |= {asr_text(word) for word in STOP_WORDS}
        counts: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
        model = cls(carriers, counts)
        for query in queries:
            symbols = [START] * ORDER + [*model._symbols(query.text), END]
            for index in range(ORDER, len(symbols)):
                for length in range(ORDER + 1):
                    counts[tuple(symbols[index - length : index])][symbols[index]] += 1
        return model

    def probability(self, text: str) -> float:
        """How likely the request is over after `text`, 0 to 1; 0 for no words at all."""
        symbols = self._symbols(text)
        if not symbols:
            return 0.0
        return self._end_given(([START] * ORDER + symbols)[-ORDER:])

    def _symbols(self, text: str) -> list[str]:
        """Carrier words as they are; each run of open words as one symbol with its length."""
        symbols: list[str] = []
        run = 0
        for word in asr_text(text).split():
            if word in self._carriers:
                if run:
                    symbols.append(_open_run(run))
                run = 0
                symbols.append(word)
            else:
                run += 1
        if run:
            symbols.append(_open_run(run))
        return symbols

    def _end_given(self, context: Sequence[str]) -> float:
        if not context:
            unigrams = self._counts.get((), Counter())
            return unigrams[END] / max(1, unigrams.total())
        lower = self._end_given(context[1:])
        seen = self._counts.get(tuple(context))
        if not seen:
            return lower
        kinds = len(seen)
        return (seen[END] + kinds * lower) / (seen.total() + kinds)


class SpokenRequestEnd:
    """`RequestEnd` on audio, through a recogniser that runs where the audio is."""

    def __init__(self, recognizer: Recognizer, model: RequestEnd) -> None:
        self._recognizer = recognizer
        self._model = model

    def completeness(self, audio: Audio) -> float:
        return self._model.probability(first_of_a_loop(self._recognizer.transcribe(audio).text))

    @classmethod
    def default(cls) -> SpokenRequestEnd:
        """Counted from the default NLU model's training queries (about a second), heard by
        Whisper tiny.en on one thread with a shorter window than the server's."""
        from confide.recognize.whisper import WhisperRecognizer

        recognizer = WhisperRecognizer(min_window_seconds=CHECK_WINDOW_SECONDS)
        return cls(recognizer, RequestEnd.train(read_all(training_files())))


def first_of_a_loop(text: str) -> str:
    """The first sentence when the rest only repeat it: on a short window Whisper sometimes
    loops ("Remove two hours. Remove two hours. Remove two"), which would read as unfinished."""
    sentences = re.split(r"(?<=[.?!])\s+", text.strip())
    first = asr_text(sentences[0])
    if all(first.startswith(asr_text(sentence)) for sentence in sentences[1:]):
        return sentences[0]
    return text


def _open_run(length: int) -> str:
    return f"<w{min(length, LONGEST_RUN)}>"
