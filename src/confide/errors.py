"""Confide's exceptions: one root, leaves that say what went wrong.

ConfideError
├── BadAudio                 input audio that Confide refuses (CLI exit 2, HTTP 4xx)
│   ├── NotAudio             bytes that no audio format recognises
│   ├── CorruptAudio         a recognised format whose content does not decode
│   ├── EmptyAudio           no samples, or too few to hold speech
│   ├── AudioTooLong         longer than the configured limit
│   └── UnsupportedAudio     a sample rate or channel count beyond what speech needs
├── BadTrainingData          NLU training data or catalog entries that do not parse (CLI exit 2)
├── BadModel                 an NLU model folder that is missing, damaged or too new (CLI exit 2)
├── EngineUnavailable        an optional engine whose extra is not installed
├── BadConfiguration         settings that are missing or unsafe (a default key outside dev mode)
├── InvalidInput             a value refused as given (CLI exit 2, HTTP 422); also a ValueError
│   ├── UnknownChoice        a name not among those offered (an engine, wake word, voice, role)
│   ├── OutOfRange           a number, count or length outside its bounds
│   ├── Unparseable          text that does not read as what it should be (an ISO 8601 duration)
│   ├── Malformed            a value of the wrong form (a seed's type, a naive time, an unsafe key)
│   ├── BadSpan              a span or interval reversed, overlapping another, or outside its text
│   ├── BadLabels            review labels that break the rules (an unknown flag, a rating not 1-5)
│   └── BadAccountDetails    account details that break a rule (no login, a short password)
├── Conflict                 a request that collides with what exists (CLI exit 2, HTTP 409)
│   ├── LoginTaken           the login already belongs to another account
│   └── KeyReused            an Idempotency-Key sent again with a different body
├── AccessDenied             a wrong password or TOTP code, an unknown, expired or revoked token
├── TooManyAttempts          sign-in or pairing refused unheard for a while after repeated failures
├── NotFound                 no such record, or none the caller may see (the two look the same)
│   └── BlobMissing          a key the blob store does not hold; also a KeyError
├── KeyDestroyed             data sealed under a person's key after that key was shredded
├── TamperedData             a sealed record that fails authentication
├── StorageUnavailable       the blob store cannot take a write now (HTTP 503, Retry-After)
│   └── StorageFull          no room left for it: a full disk or quota (HTTP 507, Retry-After)
└── AuditChainBroken         the audit log's hash chain does not verify (names the first bad link)
"""


class ConfideError(Exception):
    """Root of every error Confide raises on purpose."""


class BadAudio(ConfideError):
    """Audio input that is refused whole; nothing of it is kept."""


class NotAudio(BadAudio):
    """The bytes are not in any audio format Confide reads."""


class CorruptAudio(BadAudio):
    """The header names an audio format, but the content does not decode."""


class EmptyAudio(BadAudio):
    """There are no samples, or too few to hold a word."""


class AudioTooLong(BadAudio):
    """The audio is longer than the limit it was read under."""


class UnsupportedAudio(BadAudio):
    """A header declaring more samples per second, or more channels, than any microphone sends:
    decoding it would cost memory out of all proportion to the speech it could hold."""


class BadTrainingData(ConfideError):
    """NLU data (training queries, catalog entries) that is malformed; the message names the file
    and the place."""


class BadModel(ConfideError):
    """A saved NLU model that cannot be loaded as it is."""


class EngineUnavailable(ConfideError):
    """An optional engine was asked for but its extra is not installed."""


class BadConfiguration(ConfideError):
    """Configuration that Confide refuses to run with; the message says what to set."""


class InvalidInput(ConfideError, ValueError):
    """A value the domain refuses as given: out of range, an unknown choice, text that does not
    parse, labels or account details that break a rule. The message says what is accepted. It is
    a ValueError too, since that is what Python callers expect of a bad argument."""


class UnknownChoice(InvalidInput):
    """A name that is not one of those offered; the message lists the ones that are."""


class OutOfRange(InvalidInput):
    """A number, count or length outside the bounds its use allows; the message gives them."""


class Unparseable(InvalidInput):
    """Text that does not read as the kind of value it should hold."""


class Malformed(InvalidInput):
    """A value of the wrong form: it could not be used safely as it is, whatever its size."""


class BadSpan(InvalidInput):
    """A span or time interval that does not fit what it marks, so it cannot be cut out safely."""


class BadLabels(InvalidInput):
    """Review labels that break the labelling rules; nothing of them is stored."""


class BadAccountDetails(InvalidInput):
    """Details for a new account that break a rule, such as a password that is too short."""


class Conflict(ConfideError):
    """The request is well-formed but collides with what exists, such as a login already taken."""


class LoginTaken(Conflict):
    """The login already belongs to another account; logins identify people, so never two."""


class KeyReused(Conflict):
    """An upload's Idempotency-Key already names an utterance with other audio: a retry must
    resend the same body, and anything else is a client bug that must not be answered as if it
    were the first upload."""


class AccessDenied(ConfideError):
    """Credentials that do not hold; the message never says which part was wrong."""


class TooManyAttempts(ConfideError):
    """Too many failed sign-ins or pairings for one account or from one address: attempts are
    refused unheard until `retry_after` seconds pass, the same whether or not the login exists."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many attempts. Try again in {retry_after} seconds.")
        self.retry_after = retry_after
        """Whole seconds until an attempt is heard again (the Retry-After header)."""


class NotFound(ConfideError):
    """The record does not exist for this caller."""


class BlobMissing(NotFound, KeyError):
    """The blob store holds nothing under this key: deleted, or never written. A KeyError too,
    as a mapping's caller expects."""


class KeyDestroyed(ConfideError):
    """The owner's data key was destroyed (crypto-shredded); what it sealed is gone for good."""


class TamperedData(ConfideError):
    """Ciphertext that does not authenticate: altered, truncated, or moved to another record."""


class StorageUnavailable(ConfideError):
    """The blob store could not keep a write (unreachable, or failing): nothing of the request
    was kept, and the same request, sent again after `retry_after` seconds, may succeed."""

    retry_after = 5
    """Whole seconds a client should wait before sending again (the Retry-After header)."""


class StorageFull(StorageUnavailable):
    """The blob store has no room for a write (ENOSPC, a quota): nothing of the request was
    kept. An operator must free space, so clients wait longer before sending again."""

    retry_after = 60


class AuditChainBroken(ConfideError):
    """The audit chain fails verification at `sequence`."""

    def __init__(self, sequence: int, reason: str) -> None:
        super().__init__(f"audit chain broken at event {sequence}: {reason}")
        self.sequence = sequence
        """The first event whose link does not verify."""
