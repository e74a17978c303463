"""An independent held-out set: sentences and names that no one on Confide wrote or chose.

The templates and the fake values are presidio-research's (`presidio-evaluator`: its sentence
faker, its ~200 templates and its entity providers, Faker's `en_US` locale); the people's names
are the commonest first and last names of each of the 105 countries of `names-dataset`, not a
hand-made list. Confide's recognisers were never built from either, so this set does not resemble
them the way `_redaction_corpus` does. Both come from the `heldout` extra:

    .venv/bin/pip install -e '.[heldout]'

names-dataset needs about 3 GB of memory to load; the names drawn from it are kept in the
benchmark cache (`~/.cache/confide-bench`), so it is loaded once per machine.

Each sentence is written as a recogniser writes speech (lowercase, no punctuation, numbers, IP
addresses and e-mails in words, letters of codes one by one) or, for a share, as Whisper writes it
(the generator's text as it is). Gold labels are presidio-research's spans, mapped onto the
personal data a reviewer must not see; places, organisations, dates, titles and nationalities
are labelled as not personal, so redacting them costs precision.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from pathlib import Path
from typing import Any

from _redaction_corpus import DIGIT_WORDS, Sentence, _assemble

CACHE = Path.home() / ".cache" / "confide-bench"
NAMES_PER_COUNTRY = 40
"""The commonest first names (per gender) and last names taken from each country."""

GOLD = {
    "PERSON": "PERSON",
    "STREET_ADDRESS": "ADDRESS",
    "ZIP_CODE": "ADDRESS",
    "IP_ADDRESS": "IP_ADDRESS",
    "AGE": "AGE",
    "PHONE_NUMBER": "PHONE",
    "CREDIT_CARD": "CREDIT_CARD",
    "IBAN_CODE": "IBAN",
    "US_SSN": "SSN",
    "EMAIL_ADDRESS": "EMAIL",
    "US_DRIVER_LICENSE": "DRIVER_LICENSE",
}
"""presidio-research's entity types that are a person's data, and their names here; the others
(GPE, ORGANIZATION, DATE_TIME, NRP, TITLE, DOMAIN_NAME) are not redacted by design."""
TYPES = tuple(dict.fromkeys(GOLD.values()))
_CARDINAL_TEENS = (
    *("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen"),
    *("sixteen", "seventeen", "eighteen", "nineteen"),
)
_CARDINAL_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty")
_CARDINAL_TENS += ("ninety",)
_SYMBOLS = {"@": " at ", ".": " dot ", "-": " dash ", "_": " underscore ", ":": " colon "}


def names(cache: Path = CACHE) -> dict[str, dict[str, list[str]]]:
    """Per country (alpha-2): its commonest "first_M", "first_F" and "last" names, in Latin
    letters (accents dropped; names in other scripts left out, as an English recogniser never
    writes them)."""
    path = cache / f"names-dataset-top{NAMES_PER_COUNTRY}.json"
    if path.exists():
        loaded: dict[str, dict[str, list[str]]] = json.loads(path.read_text())
        return loaded
    from names_dataset import NameDataset

    dataset = NameDataset()
    first = dataset.get_top_names(n=NAMES_PER_COUNTRY * 3, use_first_names=True)
    last = dataset.get_top_names(n=NAMES_PER_COUNTRY * 3, use_first_names=False)
    drawn: dict[str, dict[str, list[str]]] = {}
    for country in sorted(first):
        entry = {
            "first_M": _latin(first[country].get("M", [])),
            "first_F": _latin(first[country].get("F", [])),
            "last": _latin(last.get(country, [])),
        }
        if all(entry.values()):
            drawn[country] = entry
    cache.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(drawn, indent=0, sort_keys=True))
    return drawn


def _latin(found: list[str]) -> list[str]:
    out = []
    for name in found:
        plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        if re.fullmatch(r"[A-Za-z][A-Za-z' -]+", plain) and plain not in out:
            out.append(plain.strip())
    return out[:NAMES_PER_COUNTRY]


def person_records(rng: random.Random, count: int) -> list[dict[str, str]]:
    """Fake people for the sentence faker: a country drawn evenly, then a gender, then names."""
    table = names()
    countries = sorted(table)
    records = []
    for _ in range(count):
        country = table[rng.choice(countries)]
        gender = rng.choice("MF")
        first, last = rng.choice(country[f"first_{gender}"]), rng.choice(country["last"])
        other = "F" if gender == "M" else "M"
        records.append(
            {
                "first_name": first,
                "last_name": last,
                "name": f"{first} {last}",
                "person": f"{first} {last}",
                "gender": gender,
                f"first_name_{'male' if gender == 'M' else 'female'}": first,
                f"name_{'male' if gender == 'M' else 'female'}": f"{first} {last}",
                f"last_name_{'male' if gender == 'M' else 'female'}": last,
                f"first_name_{'male' if other == 'M' else 'female'}": "",
                "first_name_nonbinary": first,
            }
        )
    return records


def heldout_corpus(seed: int, count: int, whisper_share: float) -> list[Sentence]:
    """`count` sentences from presidio-research's generator, spoken or Whisper-written."""
    import logging

    from presidio_evaluator.data_generator import PresidioSentenceFaker
    from presidio_evaluator.data_generator.faker_extensions import (
        AddressProviderNew,
        AgeProvider,
        IpAddressProvider,
        NationalityProvider,
        OrganizationProvider,
        PhoneNumberProviderNew,
        ReligionProvider,
        UsDriverLicenseProvider,
    )

    logging.getLogger("presidio-evaluator").setLevel(logging.ERROR)
    rng = random.Random(seed)
    faker = PresidioSentenceFaker(
        "en_US",
        lower_case_ratio=0.0,
        # Every provider of the library but its hospitals, which are fetched from WikiData.
        entity_providers=[
            IpAddressProvider,
            NationalityProvider,
            OrganizationProvider,
            UsDriverLicenseProvider,
            AgeProvider,
            AddressProviderNew,
            PhoneNumberProviderNew,
            ReligionProvider,
        ],
        base_records=person_records(rng, 3000),
        entity_type_mapping=dict(PresidioSentenceFaker.ENTITY_TYPE_MAPPING),
        provider_aliases=PresidioSentenceFaker.PROVIDER_ALIASES,
        random_seed=seed,
    )
    samples = faker.generate_new_fake_sentences(count)
    return [_sentence(sample, rng, whisper_share) for sample in samples]


def _sentence(sample: Any, rng: random.Random, whisper_share: float) -> Sentence:
    style = "whisper" if rng.random() < whisper_share else "asr"
    text: str = sample.full_text
    pieces: list[tuple[str, str | None]] = []
    at = 0
    for span in sorted(sample.spans, key=lambda s: s.start_position):
        if span.start_position < at:
            continue
        pieces.append((text[at : span.start_position], None))
        value = text[span.start_position : span.end_position]
        pieces.append((value, GOLD.get(span.entity_type)))
        at = span.end_position
    pieces.append((text[at:], None))
    # Some templates hold a written "\\n" where a line would break.
    pieces = [(piece.replace("\\n", " ").replace("\n", " "), label) for piece, label in pieces]
    if style == "asr":
        pieces = [(spoken(piece, label, rng), label) for piece, label in pieces]
    else:
        pieces = [(re.sub(r"\s+", " ", piece), label) for piece, label in pieces]
    pieces = [(piece, label) for piece, label in pieces if piece.strip()]
    if style == "asr":  # words of neighbouring pieces are apart once punctuation is gone
        pieces = [(f" {piece} ", label) for piece, label in pieces]
    return _assemble(pieces, style, "pii" if any(label for _, label in pieces) else "plain")


def spoken(text: str, label: str | None, rng: random.Random) -> str:
    """`text` as a speech recogniser writes it: lowercase words, no punctuation; numbers as an
    English speaker says them in that kind of value."""
    text = text.lower()
    if label in ("EMAIL", "IP_ADDRESS") or re.fullmatch(r"\S+@\S+", text.strip()):
        for symbol, word in _SYMBOLS.items():
            text = text.replace(symbol, word)
    if label == "IP_ADDRESS" and ":" not in text:
        return " ".join(_say_number(part, rng) if part.isdigit() else part for part in text.split())
    words: list[str] = []
    for token in re.findall(r"[a-z]+(?:'[a-z]+)?|\d+", text):
        if not token.isdigit():
            words.append(token)
        elif _said_as_number(token, label, rng):
            words.append(_say_number(token, rng))
        else:
            zero = "oh" if label == "PHONE" and rng.random() < 0.5 else "zero"
            words += [zero if d == "0" else DIGIT_WORDS[int(d)] for d in token]
    return " ".join(words)


def _said_as_number(digits: str, label: str | None, rng: random.Random) -> bool:
    """An age, most house numbers and the short numbers of plain text are said as numbers;
    the digits of phones, cards and codes one by one."""
    if label == "AGE":
        return True
    if label == "ADDRESS":
        return len(digits) <= 4 and rng.random() < 0.7
    return label is None and len(digits) <= 4


def _say_number(digits: str, rng: random.Random) -> str:
    """A number as said: "34" -> "thirty four", "1942" -> "nineteen forty two", "192" -> "one
    ninety two" or "one hundred ninety two"; digit by digit when it starts with zero."""
    value = int(digits)
    if digits.startswith("0") and len(digits) > 1:
        return " ".join(DIGIT_WORDS[int(d)] for d in digits)
    if value < 100:
        return _two_digits(value)
    if value < 1000:
        hundreds, rest = divmod(value, 100)
        if rest and rng.random() < 0.5:
            low = _two_digits(rest) if rest >= 10 else f"oh {DIGIT_WORDS[rest]}"
            return f"{DIGIT_WORDS[hundreds]} {low}"
        tail = f" {_two_digits(rest)}" if rest else ""
        return f"{DIGIT_WORDS[hundreds]} hundred{tail}"
    if value < 10000:
        high, low = divmod(value, 100)
        if low == 0:
            return f"{_two_digits(high)} hundred"
        return f"{_two_digits(high)} {_two_digits(low) if low >= 10 else 'oh ' + DIGIT_WORDS[low]}"
    return " ".join(DIGIT_WORDS[int(d)] for d in digits)


def _two_digits(value: int) -> str:
    if value < 10:
        return DIGIT_WORDS[value]
    if value < 20:
        return _CARDINAL_TEENS[value - 10]
    tens, ones = divmod(value, 10)
    return _CARDINAL_TENS[tens] + (f" {DIGIT_WORDS[ones]}" if ones else "")
