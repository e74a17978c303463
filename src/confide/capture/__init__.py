"""Capture: everything that runs on the device, up to the moment an utterance is uploaded."""
