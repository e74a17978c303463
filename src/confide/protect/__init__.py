"""Protect: what a reviewer gets instead of the original, personal data redacted from the text,
bleeped from the audio, and the voice anonymised (invariant 5)."""
