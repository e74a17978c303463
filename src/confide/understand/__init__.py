"""Understanding: a text's intent and slots, their values, and the catalog entries they name."""
