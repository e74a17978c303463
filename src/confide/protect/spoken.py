"""Personal data as a speech recogniser writes it: Confide's own recognisers.

Written-form detectors (Presidio's regexes, spaCy's NER) look for "4111 1111 1111 1111" and
"John Smith"; a recogniser writes "four one one one double one ...", "john smith at gmail dot com"
and "twelve elm street", lowercase and unpunctuated, often half in numerals. So these recognisers
work on tokens, not characters: runs of spoken or written digits ("double", "triple", "oh",
"twenty three", "eight hundred"), spelled letters ("g b", "alpha"), "dot" and "at". A run of
digits is typed by its length, its checksum (Luhn for cards, mod 97 for IBANs), its grouping
(3-2-4 is an SSN) and the nearest context word before it ("card", "social", "account", "phone").
Names come from cue phrases ("my name is", "call", "tell ... that"), the lexicon in
`confide.protect.names`, and, after a name or a cue, words too rare to be everyday English.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from confide.protect.names import COMMON_WORD_NAMES, FIRST_NAMES, SURNAMES
from confide.protect.spans import PiiSpan
from confide.understand.lexicon import word_classes


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['\u2019][A-Za-z]+)*|[^\sA-Za-z0-9]")
_DIGIT = {"zero": 0, "oh": 0, "o": 0, "nought": 0, "one": 1, "two": 2, "three": 3, "four": 4}
_DIGIT |= {"five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen")
_TEEN = {word: 10 + index for index, word in enumerate((*_TEENS, "eighteen", "nineteen"))}
_TENS = {"twenty": 2, "thirty": 3, "forty": 4, "fifty": 5, "sixty": 6, "seventy": 7}
_TENS |= {"eighty": 8, "ninety": 9}
_REPEAT = {"double": 2, "triple": 3}
_NUMBER_WORDS = frozenset({*_DIGIT, *_TEEN, *_TENS, *_REPEAT, "hundred", "thousand"})
_RUN_GAPS = frozenset({"-", ",", ".", "(", ")", "/", "dash", "hyphen", "uh", "um", "er"})
"""Tokens a spoken number may pause on without ending."""
_NATO = {
    "alpha": "a", "alfa": "a", "bravo": "b", "charlie": "c", "delta": "d", "echo": "e",
    "foxtrot": "f", "golf": "g", "hotel": "h", "india": "i", "juliet": "j", "juliett": "j",
    "kilo": "k", "lima": "l", "mike": "m", "november": "n", "oscar": "o", "papa": "p",
    "quebec": "q", "romeo": "r", "sierra": "s", "tango": "t", "uniform": "u", "victor": "v",
    "whiskey": "w", "whisky": "w", "xray": "x", "yankee": "y", "zulu": "z",
}  # fmt: skip
_IBAN_LENGTHS = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18,
    "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GI": 23, "GR": 27, "HR": 21, "HU": 28,
    "IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31,
    "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27,
}  # fmt: skip
_CONTEXT = {
    "card": "CREDIT_CARD", "credit": "CREDIT_CARD", "debit": "CREDIT_CARD", "visa": "CREDIT_CARD",
    "mastercard": "CREDIT_CARD", "amex": "CREDIT_CARD",
    "social": "SSN", "ssn": "SSN", "security": "SSN",
    "account": "BANK_ACCOUNT", "acct": "BANK_ACCOUNT", "routing": "BANK_ACCOUNT",
    "sort": "BANK_ACCOUNT", "bank": "BANK_ACCOUNT",
    "phone": "PHONE", "mobile": "PHONE", "cell": "PHONE", "call": "PHONE", "text": "PHONE",
    "ring": "PHONE", "dial": "PHONE", "telephone": "PHONE", "landline": "PHONE", "reach": "PHONE",
    "fax": "PHONE", "whatsapp": "PHONE", "contact": "PHONE", "on": "PHONE",
    "zip": "ADDRESS", "postcode": "ADDRESS", "postal": "ADDRESS",
    "iban": "IBAN",
}  # fmt: skip
"""The nearest of these before a number says what it is ("on" as in "ring me on ...")."""
_CONTEXT_WINDOW = 6
_TLDS = _words(
    "com org net edu gov io co uk us de fr fm me ai info biz ca au ie nl es it eu app dev tv ch "
    "be at se no dk fi pl pt in jp nz za mail"
)
_MAIL_HOSTS = frozenset({"gmail", "hotmail", "yahoo", "outlook", "icloud", "aol", "protonmail"})
_MAIL_STOPS = _words(
    "is was to at email mail address me my send it the and or from cc reply forward share with "
    "contact write copy as its it's be for on of by via say add"
)
"""Words that end an e-mail's local part, read backwards from "at"."""
_STREET_SUFFIXES = _words(
    "street st road rd avenue ave lane ln drive close way court ct place pl crescent boulevard "
    "blvd terrace grove square sq parkway highway hwy circle row walk mews gardens"
)
_UNIT_WORDS = frozenset({"apartment", "apt", "flat", "unit", "suite", "floor"})
_STOPWORDS = _words(
    "a an the and or but if of to in on at by for from with about as into over after before is "
    "are was were be been am i i'm im me my mine you your he him his she her it its it's we us "
    "our they them their this that these those what which who whom whose when where why how not "
    "no yes do does did done have has had will would can could should shall may might must "
    "please thanks thank okay ok hi hello hey bye so then than there here up down out off again "
    "just also too very now later today tomorrow tonight yesterday back home all any some every "
    "each one two three four five six seven eight nine ten say says said tell call text ask "
    "remind send set add play get let know want need like see going go"
)
_TITLES = _words(
    "mr mrs ms miss mister missus dr doctor professor prof sir madam dame aunt auntie uncle"
)
_STRONG_CUES = (
    ("my", "name", "is"), ("my", "name's"), ("name's",), ("name", "is"), ("i'm", "called"),
    ("i", "am", "called"), ("call", "me"), ("this", "is"), ("it's",), ("it", "is"), ("i", "am"),
    ("i'm",), ("im",), ("names",),
)  # fmt: skip
"""After these, the next words are a name if they are not everyday words; "this is", "i am"
and the like only take a name from the lexicon or a rare word."""
_OPEN_CUES = frozenset({("my", "name", "is"), ("my", "name's"), ("name's",), ("name", "is")})
_VERB_CUES = _words(
    "call text message tell ask remind email ring phone ping invite meet dear hi hello hey "
    "thanks thank facetime contact visit pay send give forward as"
)
"""After these, a word from the lexicon or a rare word is a name ("call zara")."""
_PAIR_CUES = frozenset(
    {
        (noun, preposition)
        for noun in ("voicemail", "message", "messages", "email", "call", "text", "note", "letter")
        for preposition in ("from", "to", "for")
    }
    | {(noun, "with") for noun in ("meeting", "lunch", "dinner", "call", "appointment", "chat")}
)
_LEXICON_CUES = frozenset({"with", "from", "to", "for", "and", "by"})
"""After these, only a word from the lexicon is a name (not "weather for siler city")."""
_NOT_AFTER = frozenset({"in", "near", "around", "of"})
"""A lexicon name right after these is more likely a place ("weather in florence")."""
COMMON_RANK = 5_000
"""Words among the 5,000 likeliest in the language model are everyday English."""
SCORES = {"strong": 0.9, "checked": 0.85, "context": 0.75, "shape": 0.6, "weak": 0.5}
"""How sure each kind of evidence makes a recogniser."""


@dataclass(frozen=True)
class Token:
    """One word, number or punctuation mark of a text."""

    text: str
    """Lowercased."""
    raw: str
    """As written."""
    start: int
    """Offset of its first character."""
    end: int
    """Offset one past its last character."""


@dataclass(frozen=True)
class Run:
    """Consecutive tokens that spell digits: "four one one one", "4111 1111", "double five"."""

    first: int
    """Index of its first token."""
    last: int
    """Index of its last token."""
    digits: str
    """The digits it says."""
    groups: tuple[int, ...]
    """How many digits each written numeral or spoken group held ((3, 2, 4) for 123-45-6789)."""
    plus: bool
    """Whether it began with "+" or "plus" (an international phone number)."""


def tokenize(text: str) -> tuple[Token, ...]:
    """Words and numbers whole ("o'brien", "221b", "4111"), every other mark on its own."""
    return tuple(
        Token(m.group().lower().replace("\u2019", "'"), m.group(), m.start(), m.end())
        for m in _TOKEN.finditer(text)
    )


def find_spoken(text: str) -> list[PiiSpan]:
    """Every piece of personal data the spoken-form recognisers find in `text`."""
    tokens = tokenize(text)
    spans: list[PiiSpan] = []
    for recogniser in RECOGNISERS:
        spans += recogniser(tokens)
    return spans


# Digits.


def digit_item(tokens: Sequence[Token], index: int) -> tuple[str, int] | None:
    """The digits that the tokens from `index` say as one item, and the index after it."""
    word = tokens[index].text
    following = tokens[index + 1].text if index + 1 < len(tokens) else ""
    if word.isdigit():
        return word, index + 1
    if word in _REPEAT and following in _DIGIT:
        return str(_DIGIT[following]) * _REPEAT[word], index + 2
    if word in _REPEAT and following.isdigit() and len(following) == 1:
        return following * _REPEAT[word], index + 2
    if word in _TEEN:
        return str(_TEEN[word]), index + 1
    if word in _TENS:
        if following in _DIGIT and _DIGIT[following] > 0 and following not in ("o", "oh"):
            return f"{_TENS[word]}{_DIGIT[following]}", index + 2
        return f"{_TENS[word]}0", index + 1
    if word in _DIGIT and word != "o":
        digit = str(_DIGIT[word])
        if following == "hundred":
            rest = digit_item(tokens, index + 2) if index + 2 < len(tokens) else None
            if rest and len(rest[0]) == 2 and tokens[index + 2].text in (*_TEEN, *_TENS):
                return digit + rest[0], rest[1]
            return digit + "00", index + 2
        if following == "thousand":
            return digit + "000", index + 2
        return digit, index + 1
    return None


def digit_runs(tokens: Sequence[Token]) -> list[Run]:
    """Every maximal run of digit items, pauses and separators inside it allowed."""
    runs: list[Run] = []
    index = 0
    while index < len(tokens):
        plus = tokens[index].text in ("+", "plus")
        at = index + 1 if plus else index
        if at >= len(tokens) or not _starts_run(tokens, at):
            index += 1
            continue
        digits, groups, last = "", [], at
        while at < len(tokens):
            item = digit_item(tokens, at) if _digitish(tokens, at, bool(digits)) else None
            if item is None:
                gap = at
                while gap < len(tokens) and tokens[gap].text in _RUN_GAPS:
                    gap += 1
                if gap == at or gap >= len(tokens) or not _digitish(tokens, gap, True):
                    break
                at = gap
                continue
            digits += item[0]
            groups.append(len(item[0]))
            last, at = item[1] - 1, item[1]
        runs.append(Run(index, last, digits, tuple(groups), plus))
        index = last + 1
    return runs


def _starts_run(tokens: Sequence[Token], index: int) -> bool:
    return _digitish(tokens, index, False) and digit_item(tokens, index) is not None


def _digitish(tokens: Sequence[Token], index: int, inside: bool) -> bool:
    """Whether the token may be read as a digit here: "oh" only inside a run or before one."""
    word = tokens[index].text
    if word in ("oh", "o"):
        following = tokens[index + 1].text if index + 1 < len(tokens) else ""
        return inside or following in _DIGIT or following.isdigit() or following in _REPEAT
    return digit_item(tokens, index) is not None


def luhn_valid(digits: str) -> bool:
    """The card-number checksum: a random 16 digits pass one time in ten."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def context_of(tokens: Sequence[Token], first: int) -> str | None:
    """The type named by the nearest context word within a few tokens before `first`."""
    for index in range(first - 1, max(-1, first - 1 - _CONTEXT_WINDOW), -1):
        word = tokens[index].text
        if word in _CONTEXT:
            if word == "sort" and index + 1 < len(tokens) and tokens[index + 1].text != "code":
                continue
            return _CONTEXT[word]
    return None


def classify(run: Run, context: str | None) -> tuple[str, float] | None:
    """What a run of digits is, and how sure, or None when it is no personal number."""
    digits, n = run.digits, len(run.digits)
    if run.plus and 8 <= n <= 15:
        return "PHONE", SCORES["strong"]
    if context == "CREDIT_CARD" and 12 <= n <= 19:
        return "CREDIT_CARD", SCORES["strong" if luhn_valid(digits) else "context"]
    if context == "SSN" and n == 9:
        return "SSN", SCORES["strong"]
    if context == "BANK_ACCOUNT" and 6 <= n <= 18:
        return "BANK_ACCOUNT", SCORES["checked"]
    if context == "PHONE" and 7 <= n <= 13:
        return "PHONE", SCORES["checked"]
    if context == "ADDRESS" and n in (5, 9):
        return "ADDRESS", SCORES["checked"]
    if 13 <= n <= 19 and luhn_valid(digits):
        return "CREDIT_CARD", SCORES["checked"]
    if n <= 8 and sum(size == 2 for size in run.groups) >= 2:
        return None  # "ten twenty four twenty twenty eight": a date or times, said in pairs
    if n == 9 and run.groups == (3, 2, 4):
        return "SSN", SCORES["checked"]
    if n in (7, 10, 11) or (10 <= n <= 13 and digits[0] in "01"):
        return "PHONE", SCORES["shape"]
    if n == 9:
        return "SSN", SCORES["weak"]
    if n >= 8:  # longer than any card: a misheard one, or an account; hide it either way
        return "BANK_ACCOUNT", SCORES["weak"]
    return None


def find_numbers(tokens: Sequence[Token]) -> list[PiiSpan]:
    """Card, account, sort code, SSN, phone and ZIP numbers, spoken or written."""
    spans = []
    for run in digit_runs(tokens):
        found = classify(run, context_of(tokens, run.first))
        if found:
            spans.append(PiiSpan(tokens[run.first].start, tokens[run.last].end, *found))
    return spans


# Spelled codes: IBANs and postcodes.


def spelled_units(tokens: Sequence[Token], index: int, words: bool) -> list[tuple[str, int]]:
    """From `index`, each unit's characters (uppercase) and the index after it, as far as the
    tokens spell letters and digits; `words` lets short words count ("west" in a bank code)."""
    units: list[tuple[str, int]] = []
    at = index
    while at < len(tokens):
        token = tokens[at]
        word = token.text
        if word in _RUN_GAPS:
            if not units:
                break
            at += 1
            continue
        item = digit_item(tokens, at) if word not in ("o", "a", "i") else None
        if word == "double" and at + 1 < len(tokens) and tokens[at + 1].text in ("u", "you"):
            units.append(("W", at + 2))
        elif item is not None and (word not in ("oh",) or units):
            units.append((item[0], item[1]))
        elif word in _NATO:
            units.append((_NATO[word].upper(), at + 1))
        elif (
            re.fullmatch(r"[a-z]", word)
            or re.fullmatch(r"[A-Z0-9]{2,}", token.raw)
            or (words and re.fullmatch(r"[a-z]{2,4}", word) and word not in _STOPWORDS)
            or (words and re.fullmatch(r"[a-z]{2}\d+", word))
        ):
            units.append((word.upper(), at + 1))
        else:
            break
        at = units[-1][1]
    return units


def iban_valid(code: str) -> bool:
    """The IBAN checksum (ISO 13616 mod 97): a random code passes one time in 97."""
    rearranged = code[4:] + code[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def find_ibans(tokens: Sequence[Token]) -> list[PiiSpan]:
    """IBANs spelled ("g b eight two w e s t ...") or written; checksum-valid, or after "iban"."""
    spans: list[PiiSpan] = []
    index = 0
    while index < len(tokens):
        units = spelled_units(tokens, index, words=True)
        found = _iban_in(units, tokens, index)
        if found:
            spans.append(found[0])
            index = found[1]
        else:
            index += 1
    return spans


def _iban_in(
    units: list[tuple[str, int]], tokens: Sequence[Token], index: int
) -> tuple[PiiSpan, int] | None:
    code = ""
    context = context_of(tokens, index) == "IBAN"
    for chars, after in units:
        code += chars
        if len(code) < 4:
            continue
        if not (code[:2].isalpha() and code[2:4].isdigit() and code[:2] in _IBAN_LENGTHS):
            return None
        length = _IBAN_LENGTHS[code[:2]]
        if len(code) == length and code.isalnum():
            if iban_valid(code) or context:
                score = SCORES["strong" if iban_valid(code) else "context"]
                return PiiSpan(tokens[index].start, tokens[after - 1].end, "IBAN", score), after
            return None
        if len(code) > length:
            break
    if context and len(code) >= 15 and code[:2].isalpha() and code[2:4].isdigit():
        end = tokens[units[-1][1] - 1].end
        return PiiSpan(tokens[index].start, end, "IBAN", SCORES["weak"]), units[-1][1]
    return None


_POSTCODE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}")


def find_postcodes(tokens: Sequence[Token]) -> list[PiiSpan]:
    """UK postcodes, spelled ("s w one a one a a") or written ("SW1A 1AA")."""
    spans: list[PiiSpan] = []
    index = 0
    while index < len(tokens):
        units = spelled_units(tokens, index, words=False)
        code, best = "", None
        for chars, after in units:
            code += chars
            if len(code) > 8:
                break
            if _POSTCODE.fullmatch(code):
                best = after
        if best is not None and (best - index >= 2):
            context = context_of(tokens, index) == "ADDRESS"
            score = SCORES["checked" if context else "shape"]
            spans.append(PiiSpan(tokens[index].start, tokens[best - 1].end, "ADDRESS", score))
            index = best
        else:
            index += 1
    return spans


# E-mail addresses.


def find_emails(tokens: Sequence[Token]) -> list[PiiSpan]:
    """ "john dot smith at gmail dot com", "j smith at example dot co dot uk", mixes with "@"."""
    spans = []
    for at, token in enumerate(tokens):
        if token.text not in ("at", "@") or at == 0:
            continue
        domain_end = _domain_end(tokens, at + 1)
        if domain_end is None:
            continue
        local_start = _local_start(tokens, at)
        if local_start is None:
            continue
        end, score = domain_end
        spans.append(PiiSpan(tokens[local_start].start, tokens[end].end, "EMAIL", score))
    return spans


def _is_dot(token: Token) -> bool:
    return token.text in ("dot", ".", "point")


def _domain_end(tokens: Sequence[Token], index: int) -> tuple[int, float] | None:
    """Index of the domain's last token and the score, or None if no domain starts here."""
    labels, at, last_tld = 0, index, None
    while at < len(tokens):
        word = tokens[at].text
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", word) or word in ("at", "dot"):
            break
        labels += 1
        if labels > 1 and word in _TLDS and _is_dot(tokens[at - 1]):
            last_tld = at
        if at + 1 < len(tokens) and _is_dot(tokens[at + 1]):
            at += 2
        elif labels == 1 and at + 1 < len(tokens) and re.fullmatch(r"[a-z]+", tokens[at + 1].text):
            # A domain said in two words ("north wind dot net").
            if at + 2 < len(tokens) and _is_dot(tokens[at + 2]):
                at += 1
                labels = 0
                continue
            break
        else:
            break
    if last_tld is not None:
        return last_tld, SCORES["strong"]
    if tokens[index].text in _MAIL_HOSTS:
        return index, SCORES["context"]
    return None


def _local_start(tokens: Sequence[Token], at: int) -> int | None:
    """First token of the local part that ends just before `at`."""
    start, words, connector = None, 0, False
    for index in range(at - 1, -1, -1):
        token = tokens[index]
        word = token.text
        if word in ("dot", ".", "underscore", "_", "dash", "-", "hyphen"):
            if start is None:
                return None
            connector = True
            continue
        if not re.fullmatch(r"[a-z0-9]+", word) or (word in _MAIL_STOPS and not connector):
            break
        if not (word.isdigit() or word in _NUMBER_WORDS):
            words += 1
        if words > (3 if connector else 2):
            break
        start, connector = index, False
    return start


# Street addresses.


def find_addresses(tokens: Sequence[Token]) -> list[PiiSpan]:
    """ "twelve elm street", "221 b baker street apartment four", "flat 2b", ZIPs after them."""
    spans: list[PiiSpan] = []
    runs = {run.last: run for run in digit_runs(tokens)}
    covered = -1
    for index, token in enumerate(tokens):
        if index <= covered:
            continue
        if token.text in _STREET_SUFFIXES:
            start = _street_start(tokens, index, runs)
            if start is not None:
                end = _address_tail(tokens, index + 1, runs)
                score = SCORES["checked"]
                spans.append(PiiSpan(tokens[start].start, tokens[end].end, "ADDRESS", score))
                covered = end
        elif token.text in _UNIT_WORDS:
            unit_end = _unit_end(tokens, index)
            if unit_end is not None:
                score = SCORES["shape"]
                spans.append(PiiSpan(token.start, tokens[unit_end].end, "ADDRESS", score))
                covered = unit_end
    return spans


def _street_start(tokens: Sequence[Token], suffix: int, runs: dict[int, Run]) -> int | None:
    """Where the house number before the street name starts, or None without one."""
    names = 0
    index = suffix - 1
    while index >= 0 and names <= 3:
        token = tokens[index]
        if re.fullmatch(r"\d+[a-z]", token.text) and names:
            return index
        if index in runs and names:
            run = runs[index]
            return run.first if len(run.digits) <= 5 else None
        if re.fullmatch(r"[a-z]", token.text) and names and index - 1 in runs:
            run = runs[index - 1]
            return run.first if len(run.digits) <= 5 else None
        if not re.fullmatch(r"[a-z][a-z']*", token.text) or token.text in _STOPWORDS:
            return None
        names += 1
        index -= 1
    return None


def _unit_end(tokens: Sequence[Token], index: int) -> int | None:
    at = index + 1
    while at < len(tokens) and tokens[at].text in ("number", "no", "#"):
        at += 1
    if at >= len(tokens):
        return None
    item = digit_item(tokens, at)
    if item is not None:
        end = item[1]
        if end < len(tokens) and re.fullmatch(r"[a-z]", tokens[end].text):
            end += 1
        return end - 1
    if re.fullmatch(r"\d+[a-z]|[a-z]", tokens[at].text):
        return at
    return None


def _address_tail(tokens: Sequence[Token], index: int, runs: dict[int, Run]) -> int:
    """Last token of a unit and a ZIP code that follow a street, if they do."""
    end = index - 1
    at = _skip_commas(tokens, index)
    if at < len(tokens) and tokens[at].text in _UNIT_WORDS:
        unit = _unit_end(tokens, at)
        if unit is not None:
            end = unit
            at = _skip_commas(tokens, unit + 1)
    zip_code = next((run for run in runs.values() if run.first == at), None)
    if zip_code is not None and len(zip_code.digits) in (5, 9):
        end = zip_code.last
    return end


def _skip_commas(tokens: Sequence[Token], index: int) -> int:
    while index < len(tokens) and tokens[index].text == ",":
        index += 1
    return index


# People's names.


@cache
def _common_words() -> frozenset[str]:
    ranked = list(word_classes())
    return frozenset(ranked[:COMMON_RANK]) - FIRST_NAMES - SURNAMES


@cache
def _never_names() -> frozenset[str]:
    """Words that are never part of a name here: function words, cues, context words."""
    return _STOPWORDS | _VERB_CUES | _TITLES | frozenset(_CONTEXT) | _NUMBER_WORDS | {"number"}


def _rare(word: str) -> bool:
    return len(word) >= 3 and word not in _common_words()


def _namelike(token: Token, mixed_case: bool) -> bool:
    """A word that may be part of a name: in the lexicon, title-case in cased text, or rare."""
    word = token.text
    if not re.fullmatch(r"[a-z][a-z'-]*", word) or word in _never_names():
        return False
    if word in FIRST_NAMES or word in SURNAMES:
        return True
    return token.raw[0].isupper() if mixed_case else _rare(word)


def find_names(tokens: Sequence[Token]) -> list[PiiSpan]:
    """People's names after cue phrases or from the lexicon, with the surnames that follow."""
    words = [token for token in tokens if token.text.isalnum() or "'" in token.text]
    mixed = any(t.raw[:1].isupper() for t in words[1:] if t.text not in ("i", "i'm"))
    spans: list[PiiSpan] = []
    index = 0
    while index < len(words):
        found = _name_at(words, index, mixed)
        if found is None:
            index += 1
            continue
        end, score = found
        spans.append(PiiSpan(words[index].start, words[end].end, "PERSON", score))
        index = end + 1
    return spans


def _name_at(words: Sequence[Token], index: int, mixed: bool) -> tuple[int, float] | None:
    """The last token and score of a name starting at `index`, or None."""
    word = words[index].text
    if not re.fullmatch(r"[a-z][a-z'-]*", word) or word in _never_names():
        return None
    cue = _cue_before([token.text for token in words], index)
    in_lexicon = word in FIRST_NAMES
    surname_follows = index + 1 < len(words) and words[index + 1].text in SURNAMES
    plain_name = in_lexicon and (word not in COMMON_WORD_NAMES or surname_follows)
    if cue == "open":
        accept, score = in_lexicon or word not in _common_words(), SCORES["strong"]
    elif cue == "verb":
        accept = in_lexicon or _namelike(words[index], mixed)
        score = SCORES["checked" if in_lexicon else "shape"]
    elif cue == "title":
        accept, score = _namelike(words[index], mixed), SCORES["checked"]
    elif plain_name:
        accept = cue == "lexicon" or index == 0 or words[index - 1].text not in _NOT_AFTER
        score = SCORES["checked" if surname_follows else "shape"]
    elif cue == "lexicon" and index + 1 < len(words):
        # A full name of two rare words ("send it to chiara acheampong").
        accept = _namelike(words[index], mixed) and _namelike(words[index + 1], mixed)
        score = SCORES["shape"]
    else:
        accept, score = False, 0.0
    if not accept:
        return None
    end = index
    while end + 1 < len(words) and end - index < 2 and _namelike(words[end + 1], mixed):
        end += 1
    return end, score


def _cue_before(words: list[str], index: int) -> str | None:
    """What comes before a possible name: 'open' ("my name is"), 'verb' ("call", "this is"),
    'title' ("mrs"), 'lexicon' ("with", "from"), or None."""
    for cue in _STRONG_CUES:
        if tuple(words[max(0, index - len(cue)) : index]) == cue:
            return "open" if cue in _OPEN_CUES else "verb"
    previous = words[index - 1] if index else ""
    if tuple(words[max(0, index - 2) : index]) in _PAIR_CUES or previous in _VERB_CUES:
        return "verb"
    if previous in _TITLES:
        return "title"
    return "lexicon" if previous in _LEXICON_CUES else None


def trim_name(text: str, start: int, end: int) -> tuple[int, int] | None:
    """A name span without the cue or function words a tagger took with it ("Tell Lucas" ->
    "Lucas", "james home" -> "james"); None if no word of it can be a name."""
    inside = [t for t in tokenize(text[start:end]) if t.text.isalnum() or "'" in t.text]
    keep = [t for t in inside if t.text not in _never_names()]
    if not keep:
        return None
    first, last = inside.index(keep[0]), inside.index(keep[-1])
    return start + inside[first].start, start + inside[last].end


RECOGNISERS: tuple[Callable[[Sequence[Token]], list[PiiSpan]], ...] = (
    find_numbers,
    find_ibans,
    find_postcodes,
    find_emails,
    find_addresses,
    find_names,
)
"""Every spoken-form recogniser, each from tokens to spans."""
