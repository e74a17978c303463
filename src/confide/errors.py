"""Confide's exceptions: one root, leaves that say what went wrong.

ConfideError
├── BadAudio                 input audio that Confide refuses (CLI exit 2, HTTP 4xx)
│   ├── NotAudio             bytes that no audio format recognises
│   ├── CorruptAudio         a recognised format whose content does not decode
│   ├── EmptyAudio           no samples, or too few to hold speech
│   └── AudioTooLong         longer than the configured limit
└── EngineUnavailable        an optional engine whose extra is not installed
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


class EngineUnavailable(ConfideError):
    """An optional engine was asked for but its extra is not installed."""
