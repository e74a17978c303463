"""The privacy floor every stage stands on: keys and sealing, the audit chain."""
