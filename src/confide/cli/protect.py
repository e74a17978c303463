"""Protecting what reviewers get, on the command line: `confide redact`, `confide anonymize`."""

from __future__ import annotations

import json
import sys

from confide.cli.common import app, refusals

__all__ = ["app", "redact"]


@app.command()
def redact() -> None:
    """Redact personal data from each line of stdin, one JSON object per line:
    {"text": redacted, "spans": [{"start", "end", "type", "score"}]}, offsets in the input."""
    from confide.protect.redact import default_redactor

    with refusals():
        redactor = default_redactor()
        for line in sys.stdin:
            redaction = redactor.redact(line.rstrip("\r\n"))
            print(json.dumps(redaction.to_json()), flush=True)
