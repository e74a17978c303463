"""The demo: the Rivera household, its day of speech, and the synthesised voices that speak it."""
