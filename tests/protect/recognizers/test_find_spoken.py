"""All the spoken-form recognisers together: each type as a recogniser writes it and as Whisper
writes it, and everyday commands that hold numbers or name-like words but no personal data."""

from __future__ import annotations

import pytest

from confide.protect.recognizers import find_spoken


def found(text: str) -> set[tuple[str, str]]:
    return {(span.type, text[span.start : span.end]) for span in find_spoken(text)}


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        # Cards: digits said one by one, with "double", in pairs, or half in numerals.
        (
            "my card number is four one one one one one one one one one one one one one one one",
            "CREDIT_CARD",
            "four one one one one one one one one one one one one one one one",
        ),
        (
            "pay with five five five five double five five five four four four four double four",
            "CREDIT_CARD",
            "five five five five double five five five four four four four double four",
        ),
        ("charge 4111 1111 1111 1111 please", "CREDIT_CARD", "4111 1111 1111 1111"),
        ("card 4111 one one one one 1111 1111", "CREDIT_CARD", "4111 one one one one 1111 1111"),
        # Bank accounts and sort codes need their context words.
        (
            "my account number is one two three four five six seven eight",
            "BANK_ACCOUNT",
            "one two three four five six seven eight",
        ),
        ("sort code twenty oh five thirty six", "BANK_ACCOUNT", "twenty oh five thirty six"),
        ("the sort code is 20-05-36", "BANK_ACCOUNT", "20-05-36"),
        # IBANs: letters spelled, digits said, checksum valid.
        (
            "my iban is g b eight two w e s t one two three four five six nine eight seven six "
            "five four three two",
            "IBAN",
            "g b eight two w e s t one two three four five six nine eight seven six five four "
            "three two",
        ),
        (
            "pay g b eighty two west one two three four five six nine eight seven six five four "
            "three two today",
            "IBAN",
            "g b eighty two west one two three four five six nine eight seven six five four "
            "three two",
        ),
        ("IBAN: GB82 WEST 1234 5698 7654 32.", "IBAN", "GB82 WEST 1234 5698 7654 32"),
        # Social security numbers.
        (
            "my social is one two three four five six seven eight nine",
            "SSN",
            "one two three four five six seven eight nine",
        ),
        ("it's 123-45-6789 on the form", "SSN", "123-45-6789"),
        # Phone numbers: "oh", "double", "triple", "plus", numerals.
        ("call five five five one two three four", "PHONE", "five five five one two three four"),
        (
            "ring me on oh seven seven double oh nine triple zero one two",
            "PHONE",
            "oh seven seven double oh nine triple zero one two",
        ),
        (
            "plus four four seven seven double oh nine double oh one two three",
            "PHONE",
            "plus four four seven seven double oh nine double oh one two three",
        ),
        ("my number is (415) 555-0132.", "PHONE", "415) 555-0132"),
        ("text +44 7700 900123 now", "PHONE", "+44 7700 900123"),
        # E-mail addresses, spoken and mixed.
        (
            "email john dot smith at gmail dot com",
            "EMAIL",
            "john dot smith at gmail dot com",
        ),
        ("it's j smith at example dot co dot uk", "EMAIL", "j smith at example dot co dot uk"),
        ("send it to john.smith at gmail.com", "EMAIL", "john.smith at gmail.com"),
        ("my email is sunny seven at outlook dot com", "EMAIL", "sunny seven at outlook dot com"),
        # Street addresses, units and postcodes.
        ("i live at twelve elm street", "ADDRESS", "twelve elm street"),
        ("send it to 221 b baker street", "ADDRESS", "221 b baker street"),
        (
            "two twenty one b baker street apartment four",
            "ADDRESS",
            "two twenty one b baker street apartment four",
        ),
        ("meet me at flat 2b", "ADDRESS", "flat 2b"),
        ("my postcode is s w one a one a a", "ADDRESS", "s w one a one a a"),
        ("London SW1A 1AA.", "ADDRESS", "SW1A 1AA"),
        (
            "deliver to 90 maple avenue nine oh two one oh",
            "ADDRESS",
            "90 maple avenue nine oh two one oh",
        ),
        # Names: cue phrases, the lexicon, rare words after a cue or a first name.
        ("my name is john smith", "PERSON", "john smith"),
        ("hello my name is zanele mokoena", "PERSON", "zanele mokoena"),
        ("tell sarah that dinner is ready", "PERSON", "sarah"),
        ("call mark", "PERSON", "mark"),
        ("this is oluwaseun calling", "PERSON", "oluwaseun"),
        ("remind mrs okonkwo about tuesday", "PERSON", "okonkwo"),
        ("send the file to rebecca thornbury", "PERSON", "rebecca thornbury"),
        ("Call Jennifer Lawson.", "PERSON", "Jennifer Lawson"),
    ],
)
def test_finds_personal_data(text: str, kind: str, value: str) -> None:
    assert (kind, value) in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "set a timer for ten minutes",
        "play track four",
        "what's the weather at five",
        "turn the volume to seven",
        "book a table for four people at seven thirty pm",
        "add the song one more time to my workout playlist",
        "rate this album five out of six stars",
        "play music from nineteen ninety nine",
        "what will the weather be in florence on march twenty second",
        "wake me up at six fifteen tomorrow",
        "set an alarm for 7:30",
        "play the top 20 songs of 2016",
        "how many calories in two eggs",
        "call mom",
        "text my wife that i'm on the way",
        "remind me to buy milk",
        "flat white with two sugars",
        "meet me at the station",
        "add eggs to the shopping list",
        "what's the score in the game at halftime",
    ],
)
def test_leaves_everyday_commands_alone(text: str) -> None:
    assert find_spoken(text) == []
