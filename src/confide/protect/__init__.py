"""Protect: everything done to a clip before a human meets it (invariant 5). Personal data is
found in the text (spoken forms too) and redacted, bleeped from the audio, the voice anonymised,
distress screened for a content warning, and the sampled task's material prepared and sealed,
or the clip rejected when protection cannot be trusted."""
