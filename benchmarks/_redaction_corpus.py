"""The redaction benchmark's corpus: carrier sentences with fake personal data, labelled per token.

Written before the recognisers were tuned and independent of them (nothing here imports
`confide.protect`): its own digit words, its own name lists, its own renderings. Each value is
rendered either as a speech recogniser writes speech (lowercase, no punctuation, digits as words,
"double", "oh", "dot", "at") or as Whisper writes it (numerals, punctuation, capitals).

Two template sets: TUNING (looked at while writing the recognisers) and HELD_OUT (written at the
same time and never looked at while tuning; its scores are reported apart). Sentences without
personal data are Snips 2017 queries, with the queries that name an artist set aside (a singer's
name is a person's name, but not the speaker's personal data) and counted on their own.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Callable
from dataclasses import dataclass

from confide.understand.data import read_all
from confide.understand.evaluation import snips_folder
from confide.understand.numbers import spell_digits

DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
TEENS = (
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")

FIRST_NAMES = """
    olivia liam amara noah priya mateo sofia wei fatima lucas chloe diego hannah arjun isabella
    kwame yuki elena omar grace tomasz aisha henry niamh rahul zara oliver mei jamal ingrid
    samuel leila carlos freya kenji nadia patrick ayesha felix rosa dmitri emily hamid lucia
    gareth thandiwe victor chiara ibrahim sienna joaquin astrid malik lena tariq imogen pedro
    anika callum beatriz ravi saoirse marcus yasmin bogdan harriet kofi ines declan mina rafael
    esther ahmed clara jonah leticia hiroshi naomi stefan keisha ewan daria mohammed charlotte
    andre siobhan tobias maya ricardo bethany hugo farah desmond agnes vikram louise thabo
    margaret sean ana kieran julia emeka rachel nikolai daniel james sarah michael jennifer
"""
SURNAMES = """
    okafor nguyen fernandez kowalski patel obrien tanaka haddad lindqvist moreau rossi mensah
    schmidt johansson abubakar kim dubois oconnor novak alvarez achebe suzuki horvath yilmaz
    chatterjee mcallister ferreira oyelaran petrov castellano whitfield brennan ivanova osei
    lombardi gallagher nakamura bianchi mwangi romero fitzgerald kaur sorensen delgado mahmoud
    hashemi ward pemberton adeyemi kruger laurent quintero baptiste sato ashworth rahman
    vasquez eriksson mbeki caruso holloway lim donovan acheampong ostrowski marsh valdez
    kapoor lindgren oduya gutierrez brannigan iqbal sandoval thornton zielinski farouk
    smith johnson williams brown jones miller davis wilson taylor clarke hughes evans
"""
STREETS = """
    elm oak maple cedar pine birch willow baker high church park station mill victoria king
    queen market bridge chestnut walnut spruce lincoln washington jefferson madison franklin
    highland lakeview sunset meadow orchard greenwood ashford kingsley albion hawthorn
    riverside primrose lavender juniper magnolia sycamore dover
"""
STREET_SUFFIXES = (
    "street",
    "road",
    "avenue",
    "lane",
    "drive",
    "close",
    "way",
    "court",
    "place",
    "crescent",
    "boulevard",
    "terrace",
    "grove",
)
SECOND_STREET_WORDS = ("hill", "park", "view", "green", "field", "side", "valley", "rock")
EMAIL_DOMAINS = (
    ("gmail", "com"),
    ("yahoo", "com"),
    ("outlook", "com"),
    ("hotmail", "co", "uk"),
    ("icloud", "com"),
    ("protonmail", "com"),
    ("example", "org"),
    ("btinternet", "com"),
    ("acme", "io"),
    ("northwind", "net"),
    ("fastmail", "fm"),
    ("university", "edu"),
    ("brightside", "co", "uk"),
    ("mail", "de"),
)
EMAIL_WORDS = ("sunny", "blue", "river", "tiger", "moon", "rocket", "coffee", "pixel", "maple")
GB_BANKS = ("NWBK", "BARC", "HBUK", "LOYD", "MIDL", "WEST", "NAIA", "CITI")
IBAN_COUNTRIES = {
    # country: (BBAN layout: 'a' a bank letter, 'n' a digit)
    "GB": "bbbbnnnnnnnnnnnnnn",
    "DE": "nnnnnnnnnnnnnnnnnn",
    "FR": "nnnnnnnnnnnnnnnnnnnnnnn",
    "NL": "bbbbnnnnnnnnnn",
    "ES": "nnnnnnnnnnnnnnnnnnnn",
    "IE": "bbbbnnnnnnnnnnnnnn",
    "IT": "annnnnnnnnnnnnnnnnnnnnn",
    "BE": "nnnnnnnnnnnn",
}
NATO = {"a": "alpha", "b": "bravo", "c": "charlie", "d": "delta", "e": "echo", "w": "whiskey"}

TYPES = ("PERSON", "CREDIT_CARD", "BANK_ACCOUNT", "IBAN", "SSN", "PHONE", "EMAIL", "ADDRESS")
SLOT_TYPES = {
    "NAME": "PERSON",
    "FIRST": "PERSON",
    "CARD": "CREDIT_CARD",
    "ACCOUNT": "BANK_ACCOUNT",
    "SORT": "BANK_ACCOUNT",
    "IBAN": "IBAN",
    "SSN": "SSN",
    "PHONE": "PHONE",
    "EMAIL": "EMAIL",
    "ADDRESS": "ADDRESS",
    "POSTCODE": "ADDRESS",
}

# Carrier sentences, as a recogniser writes them; {SLOT} is a value of that slot's type.
TUNING = (
    "text mum my card number is {CARD}",
    "my credit card number is {CARD} expiry next march",
    "pay the gas bill with card {CARD}",
    "the card is {CARD} and the security code is on the back",
    "save my visa {CARD} for next time",
    "read back {CARD} please",
    "my account number is {ACCOUNT} and the sort code is {SORT}",
    "transfer fifty pounds to account {ACCOUNT}",
    "sort code {SORT} account {ACCOUNT}",
    "send the rent to {NAME} account number {ACCOUNT}",
    "my routing number is {ACCOUNT}",
    "my iban is {IBAN}",
    "pay the invoice to {IBAN} by friday",
    "the iban for the landlord is {IBAN}",
    "send two hundred euros to {IBAN}",
    "my social security number is {SSN}",
    "social is {SSN}",
    "fill in the form with ssn {SSN}",
    "remember that my social security number is {SSN} for the tax return",
    "call {PHONE}",
    "my phone number is {PHONE}",
    "text {FIRST} on {PHONE} that i am running late",
    "ring the plumber on {PHONE}",
    "save {PHONE} as {NAME}",
    "my mobile is {PHONE}",
    "can you dial {PHONE} for me",
    "add a contact {NAME} with number {PHONE}",
    "email {EMAIL} to say hello",
    "my email is {EMAIL}",
    "send the photos to {EMAIL}",
    "email the report to {NAME} at {EMAIL}",
    "add {EMAIL} to the party list",
    "reply to {EMAIL} and say yes",
    "my address is {ADDRESS}",
    "send the parcel to {ADDRESS}",
    "i live at {ADDRESS}",
    "navigate to {ADDRESS}",
    "order a taxi to {ADDRESS} {POSTCODE}",
    "deliver it to {ADDRESS} postcode {POSTCODE}",
    "my postcode is {POSTCODE}",
    "my name is {NAME}",
    "call {FIRST}",
    "call {NAME}",
    "text {FIRST} that dinner is ready",
    "tell {FIRST} that i will be late",
    "remind me to call {NAME} tomorrow",
    "this is {NAME} calling about the order",
    "message {NAME} happy birthday",
    "ask {FIRST} if she wants pizza",
    "set up a meeting with {NAME} on monday",
    "{NAME} is coming to dinner on friday",
    "hi this is {NAME} my number is {PHONE}",
    "my name is {NAME} and my email is {EMAIL}",
    "i am {NAME} and i live at {ADDRESS}",
    "send {NAME} the code {CARD}",
    "add milk to the shopping list and text {FIRST}",
    "what is {FIRST} doing this weekend",
    "play the voicemail from {NAME}",
    "is {FIRST} home yet",
)
HELD_OUT = (
    "please put {CARD} on file for my subscription",
    "my debit card is {CARD}",
    "charge it to {CARD} thanks",
    "the long number on my card is {CARD}",
    "okay the account is {ACCOUNT} sort code {SORT}",
    "i need to change my bank details the new account number is {ACCOUNT}",
    "wire the deposit to {IBAN} today",
    "our company iban is {IBAN} reference invoice",
    "my ssn is {SSN}",
    "for the application my social is {SSN} okay",
    "you can reach me at {PHONE}",
    "phone {FIRST} at {PHONE}",
    "my cell is {PHONE} call after six",
    "text this to {PHONE} please",
    "forward the ticket to {EMAIL}",
    "my work email is {EMAIL} not the old one",
    "share the album with {EMAIL}",
    "the new flat is {ADDRESS}",
    "get directions to {ADDRESS}",
    "we moved to {ADDRESS} last week",
    "ship it to {ADDRESS} {POSTCODE} as usual",
    "find a pharmacy near {POSTCODE}",
    "hello my name is {NAME} from accounts",
    "ring {FIRST} and say the car is ready",
    "tell {NAME} the meeting moved to three",
    "did {FIRST} reply to my message",
    "remind {FIRST} to bring the charger",
    "schedule lunch with {NAME} next tuesday",
    "it is {NAME} here my number is {PHONE}",
    "video call {FIRST}",
    "read my last message from {NAME}",
    "my name is {NAME} my card is {CARD}",
    "invite {NAME} and {FIRST} to the barbecue",
    "contact {NAME} at {EMAIL} or {PHONE}",
    "the parcel for {NAME} goes to {ADDRESS}",
    "pay {NAME} using {IBAN}",
    "{FIRST} says her social is {SSN}",
    "note that {FIRST} lives at {ADDRESS}",
    "my husband {NAME} has the card {CARD}",
    "send a reminder to {FIRST} about the dentist",
)


@dataclass(frozen=True)
class Token:
    """One whitespace-separated token of a sentence, with its gold label."""

    text: str
    """The token as it stands in the sentence, punctuation included."""
    start: int
    """Offset of its first character."""
    end: int
    """Offset one past its last character."""
    label: str | None
    """The PII type it belongs to, or None."""


@dataclass(frozen=True)
class Sentence:
    """One benchmark sentence."""

    text: str
    """What a recogniser wrote."""
    tokens: tuple[Token, ...]
    """Its tokens with gold labels."""
    style: str
    """'asr' (spoken forms) or 'whisper' (numerals and punctuation)."""
    kind: str
    """'pii' (a template with values), 'snips' (no PII) or 'artist' (a Snips query naming an
    artist)."""


def luhn_complete(digits: str) -> str:
    """`digits` with the Luhn check digit appended."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return digits + str((10 - total % 10) % 10)


def iban_check(country: str, bban: str) -> str:
    rearranged = bban + country + "00"
    number = int("".join(str(int(char, 36)) for char in rearranged))
    return f"{98 - number % 97:02d}"


class Values:
    """Random fake values and their two renderings, from one seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.first = FIRST_NAMES.split()
        self.surnames = SURNAMES.split()

    def digits(self, count: int) -> str:
        return "".join(self.rng.choice(string.digits) for _ in range(count))

    # Digit strings as people say them and recognisers write them.
    def say_digits(self, digits: str, groups: list[int] | None = None, phone: bool = False) -> str:
        rng = self.rng
        zero = "oh" if phone and rng.random() < 0.7 else "zero"
        style = rng.choices(["plain", "double", "pairs", "mixed"], [0.5, 0.2, 0.15, 0.15])[0]
        chunks = _split(digits, groups or [len(digits)])
        words: list[str] = []
        for chunk in chunks:
            if style == "mixed" and rng.random() < 0.4:
                words.append(chunk)
            elif style == "pairs" and len(chunk) % 2 == 0 and rng.random() < 0.6:
                words += [_say_pair(chunk[i : i + 2], zero) for i in range(0, len(chunk), 2)]
            elif style == "double":
                words += _say_with_doubles(chunk, zero)
            else:
                words += [zero if d == "0" else DIGIT_WORDS[int(d)] for d in chunk]
        return " ".join(words)

    def card(self) -> tuple[str, str]:
        kind = self.rng.choice(["visa", "visa", "mastercard", "amex", "discover"])
        if kind == "amex":
            number = luhn_complete(self.rng.choice(["34", "37"]) + self.digits(12))
            groups = [4, 6, 5]
        else:
            prefix = {"visa": "4", "mastercard": str(self.rng.randint(51, 55)), "discover": "6011"}
            head = prefix[kind]
            number = luhn_complete(head + self.digits(15 - len(head)))
            groups = [4, 4, 4, 4]
        sep = self.rng.choice([" ", " ", "-", ""])
        written = sep.join(_split(number, groups))
        return self.say_digits(number, groups), written

    def account(self) -> tuple[str, str]:
        number = self.digits(self.rng.choice([8, 8, 9, 10, 12]))
        return self.say_digits(number), number

    def sort_code(self) -> tuple[str, str]:
        number = self.digits(6)
        groups = _split(number, [2, 2, 2])
        if self.rng.random() < 0.3:
            spoken = " dash ".join(self.say_digits(group) for group in groups)
        else:
            spoken = self.say_digits(number, [2, 2, 2])
        return spoken, "-".join(groups)

    def iban(self) -> tuple[str, str]:
        country = self.rng.choice(list(IBAN_COUNTRIES))
        layout = IBAN_COUNTRIES[country]
        bank = self.rng.choice(GB_BANKS)
        bban, letters = "", iter(bank)
        for slot in layout:
            if slot == "b":
                bban += next(letters)
            elif slot == "a":
                bban += self.rng.choice(string.ascii_uppercase)
            else:
                bban += self.rng.choice(string.digits)
        code = country + iban_check(country, bban) + bban
        written = " ".join(code[i : i + 4] for i in range(0, len(code), 4))
        if self.rng.random() < 0.2:
            written = code
        words: list[str] = []
        for chunk in re.findall(r"[A-Z]+|\d+", code):
            if chunk.isdigit():
                words.append(self.say_digits(chunk))
            elif len(chunk) == 4 and chunk in ("WEST", "MIDL") and self.rng.random() < 0.5:
                words.append(chunk.lower())
            else:
                words += [
                    NATO[c.lower()] if c.lower() in NATO and self.rng.random() < 0.1 else c.lower()
                    for c in chunk
                ]
        return " ".join(words), written

    def ssn(self) -> tuple[str, str]:
        area = self.rng.choice([n for n in range(1, 900) if n not in (666,)])
        number = f"{area:03d}{self.rng.randint(1, 99):02d}{self.rng.randint(1, 9999):04d}"
        return self.say_digits(number, [3, 2, 4]), f"{number[:3]}-{number[3:5]}-{number[5:]}"

    def phone(self) -> tuple[str, str]:
        kind = self.rng.choice(["us", "us", "uk_mobile", "uk_intl", "us_local", "us_intl"])
        rng = self.rng
        if kind in ("us", "us_intl"):
            number = (
                str(rng.randint(2, 9)) + self.digits(2) + str(rng.randint(2, 9)) + self.digits(6)
            )
            spoken = self.say_digits(number, [3, 3, 4], phone=True)
            written = rng.choice(
                [
                    f"({number[:3]}) {number[3:6]}-{number[6:]}",
                    f"{number[:3]}-{number[3:6]}-{number[6:]}",
                    f"{number[:3]} {number[3:6]} {number[6:]}",
                ]
            )
            if kind == "us_intl":
                spoken, written = (
                    f"plus one {spoken}",
                    f"+1 {number[:3]} {number[3:6]} {number[6:]}",
                )
            return spoken, written
        if kind == "us_local":
            number = str(rng.randint(2, 9)) + self.digits(6)
            return self.say_digits(number, [3, 4], phone=True), f"{number[:3]}-{number[3:]}"
        number = "7" + self.digits(9)
        if kind == "uk_mobile":
            spoken = self.say_digits("0" + number, [5, 6], phone=True)
            return spoken, f"0{number[:4]} {number[4:]}"
        spoken = "plus four four " + self.say_digits(number, [4, 6], phone=True)
        return spoken, f"+44 {number[:4]} {number[4:]}"

    def name(self, full: bool) -> tuple[str, str]:
        first = self.rng.choice(self.first)
        if not full:
            return first, first.title()
        surname = self.rng.choice(self.surnames)
        written = f"{first.title()} {_title_surname(surname)}"
        return f"{first} {surname}", written

    def email(self) -> tuple[str, str]:
        rng = self.rng
        first, surname = rng.choice(self.first), rng.choice(self.surnames)
        shape = rng.choice(["first.last", "firstlast", "f last", "first_last", "first99", "word"])
        # Local part as (spoken words, written text).
        if shape == "first.last":
            local = ([first, "dot", surname], f"{first}.{surname}")
        elif shape == "firstlast":
            local = ([first, surname], first + surname)
        elif shape == "f last":
            local = ([first[0], surname], first[0] + surname)
        elif shape == "first_last":
            local = ([first, "underscore", surname], f"{first}_{surname}")
        elif shape == "first99":
            number = str(rng.randint(1, 99))
            local = ([first, *spell_digits(number)], first + number)
        else:
            word, number = rng.choice(EMAIL_WORDS), str(rng.randint(1, 999))
            local = ([word, rng.choice(EMAIL_WORDS), *spell_digits(number)], word + number)
        domain = rng.choice(EMAIL_DOMAINS)
        spoken = " ".join([*local[0], "at", " dot ".join(domain)])
        return spoken, f"{local[1]}@{'.'.join(domain)}"

    def address(self) -> tuple[str, str]:
        rng = self.rng
        number = rng.choice([rng.randint(1, 99), rng.randint(1, 99), rng.randint(100, 2999)])
        letter = rng.choice(["b", "a"]) if rng.random() < 0.1 else ""
        street = rng.choice(STREETS.split())
        if rng.random() < 0.2:
            street += " " + rng.choice(SECOND_STREET_WORDS)
        suffix = rng.choice(STREET_SUFFIXES)
        spoken_number = _say_house_number(number, rng)
        spoken = " ".join(filter(None, [spoken_number, letter, street, suffix]))
        written = f"{number}{letter.upper()} {street.title()} {suffix.title()}"
        if rng.random() < 0.3:
            unit_word = rng.choice(["apartment", "flat", "unit", "suite"])
            unit = rng.randint(1, 40)
            spoken += f" {unit_word} {' '.join(spell_digits(str(unit)))}"
            written += f", {rng.choice([unit_word.title(), 'Apt'])} {unit}"
        return spoken, written

    def postcode(self) -> tuple[str, str]:
        rng = self.rng
        if rng.random() < 0.5:
            zip_code = self.digits(5)
            return self.say_digits(zip_code, phone=True), zip_code
        area = "".join(rng.choice("ABCDEGHKLMNPRSTW") for _ in range(rng.choice([1, 2])))
        outward = area + str(rng.randint(1, 20))
        inward = str(rng.randint(0, 9)) + "".join(rng.choice("ABDEFGHJLNPQRSTUWXYZ") for _ in "ab")
        spoken_parts = []
        for char in outward + inward:
            spoken_parts.append(DIGIT_WORDS[int(char)] if char.isdigit() else char.lower())
        return " ".join(spoken_parts), f"{outward} {inward}"

    def render(self, slot: str) -> tuple[str, str]:
        makers: dict[str, Callable[[], tuple[str, str]]] = {
            "NAME": lambda: self.name(True),
            "FIRST": lambda: self.name(False),
            "CARD": self.card,
            "ACCOUNT": self.account,
            "SORT": self.sort_code,
            "IBAN": self.iban,
            "SSN": self.ssn,
            "PHONE": self.phone,
            "EMAIL": self.email,
            "ADDRESS": self.address,
            "POSTCODE": self.postcode,
        }
        return makers[slot]()


def _split(digits: str, groups: list[int]) -> list[str]:
    chunks, at = [], 0
    for size in groups:
        chunks.append(digits[at : at + size])
        at += size
    if at < len(digits):
        chunks.append(digits[at:])
    return [chunk for chunk in chunks if chunk]


def _say_pair(pair: str, zero: str) -> str:
    if pair[0] == "0":
        return f"{zero} {DIGIT_WORDS[int(pair[1])] if pair[1] != '0' else zero}"
    value = int(pair)
    if value < 10:
        return DIGIT_WORDS[value]
    if value < 20:
        return TEENS[value - 10]
    return TENS[value // 10] + (f" {DIGIT_WORDS[value % 10]}" if value % 10 else "")


def _say_with_doubles(chunk: str, zero: str) -> list[str]:
    words, index = [], 0
    while index < len(chunk):
        digit = chunk[index]
        word = zero if digit == "0" else DIGIT_WORDS[int(digit)]
        run = len(chunk[index:]) - len(chunk[index:].lstrip(digit))
        if run >= 3:
            words += ["triple", word]
            index += 3
        elif run == 2:
            words += ["double", word]
            index += 2
        else:
            words.append(word)
            index += 1
    return words


def _say_house_number(number: int, rng: random.Random) -> str:
    if number < 100 or rng.random() < 0.3:
        return " ".join(spell_digits(str(number)))
    if rng.random() < 0.5:
        return " ".join(DIGIT_WORDS[int(d)] for d in str(number))
    head, tail = divmod(number, 100)
    return " ".join(spell_digits(str(head)) + (_say_pair(f"{tail:02d}", "oh").split()))


def _title_surname(surname: str) -> str:
    for prefix in ("mc", "o"):
        if surname.startswith(prefix) and surname in ("mcallister", "obrien", "oconnor"):
            rest = surname[len(prefix) :]
            return ("Mc" if prefix == "mc" else "O'") + rest.title()
    return surname.title()


def fill(template: str, values: Values, style: str) -> Sentence:
    """One sentence from a template, in the given style, with gold labels per token."""
    pieces: list[tuple[str, str | None]] = []
    for part in re.split(r"(\{[A-Z]+\})", template):
        if part.startswith("{"):
            slot = part[1:-1]
            spoken, written = values.render(slot)
            pieces.append((spoken if style == "asr" else written, SLOT_TYPES[slot]))
        elif part:
            pieces.append((part, None))
    if style == "whisper":
        pieces = _whisper_punctuation(pieces, values.rng)
    return _assemble(pieces, style, "pii")


def _whisper_punctuation(
    pieces: list[tuple[str, str | None]], rng: random.Random
) -> list[tuple[str, str | None]]:
    """Capitals and a full stop as Whisper writes them."""
    out = []
    for index, (text, label) in enumerate(pieces):
        if label is None:
            text = re.sub(r"\bi\b", "I", text)
            if index == 0:
                text = text[:1].upper() + text[1:]
        elif index == 0:
            text = text[:1].upper() + text[1:]
        out.append((text, label))
    last_text, last_label = out[-1]
    stop = "?" if re.match(r"(?i)(is|what|can|did)\b", out[0][0]) else "."
    if last_label is None:
        out[-1] = (last_text.rstrip() + stop, None)
    else:
        out.append((stop, None))
    if rng.random() < 0.3:
        # Whisper often puts a comma before a value it heard after a pause.
        out = [
            (text.rstrip() + ", " if label is None and text.endswith(" is ") else text, label)
            for text, label in out
        ]
    return out


def _assemble(pieces: list[tuple[str, str | None]], style: str, kind: str) -> Sentence:
    text = ""
    for piece, _ in pieces:
        text = text.rstrip() + piece if piece in (".", "?") else text + piece
    text = re.sub(r" {2,}", " ", text).strip()
    labels = _char_labels(pieces, text)
    tokens = tuple(
        Token(m.group(), m.start(), m.end(), labels[m.start()]) for m in re.finditer(r"\S+", text)
    )
    return Sentence(text, tokens, style, kind)


def _char_labels(pieces: list[tuple[str, str | None]], text: str) -> list[str | None]:
    """The label of each character of `text`, found by walking the pieces' non-space characters."""
    stream = [(char, label) for piece, label in pieces for char in piece if not char.isspace()]
    labels: list[str | None] = [None] * len(text)
    index = 0
    for at, char in enumerate(text):
        if char.isspace():
            continue
        if stream[index][0] != char:
            raise RuntimeError(f"labels lost their place in {text!r} at {at}")
        labels[at] = stream[index][1]
        index += 1
    return labels


def snips_sentences(
    rng: random.Random, count: int, part: int, whisper_share: float
) -> tuple[list[Sentence], list[Sentence]]:
    """`count` Snips queries without an artist, and every artist query met on the way, from one
    half (`part` 0 or 1) of the shuffled queries so that tuning and held-out never share one."""
    files = sorted(snips_folder().glob("train_*_full.json"))
    queries = read_all(files)
    order = list(range(len(queries)))
    random.Random(2017).shuffle(order)
    half = order[part::2]
    plain: list[Sentence] = []
    artists: list[Sentence] = []
    for index in half:
        query = queries[index]
        style = "whisper" if rng.random() < whisper_share else "asr"
        has_artist = any(slot.name == "artist" for slot in query.slots)
        if has_artist and len(artists) < count // 4:
            artists.append(_snips_sentence(query.text, style, "artist"))
        elif not has_artist and len(plain) < count:
            plain.append(_snips_sentence(query.text, style, "snips"))
        if len(plain) >= count and len(artists) >= count // 4:
            break
    return plain, artists


def _snips_sentence(text: str, style: str, kind: str) -> Sentence:
    if style == "asr":
        words: list[str] = []
        for word in re.findall(r"[\w']+", text.lower()):
            digits = re.fullmatch(r"\d+(st|nd|rd|th)?", word)
            words += spell_digits(word) if digits else [word]
        text = " ".join(words)
    else:
        text = text.strip()
        text = text[:1].upper() + text[1:]
        if text[-1:].isalnum():
            text += "."
    return _assemble([(text, None)], style, kind)


def corpus(seed: int, held_out: bool, pii: int, snips: int, whisper_share: float) -> list[Sentence]:
    """The sentences of one set: `pii` filled templates and `snips` queries without PII, plus
    the artist queries (kind 'artist')."""
    rng = random.Random(seed)
    values = Values(rng)
    templates = HELD_OUT if held_out else TUNING
    sentences = []
    for index in range(pii):
        template = templates[index % len(templates)]
        style = "whisper" if rng.random() < whisper_share else "asr"
        sentences.append(fill(template, values, style))
    plain, artists = snips_sentences(rng, snips, 1 if held_out else 0, whisper_share)
    return sentences + plain + artists
