"""The privacy floor every stage stands on: keys and sealing, credentials, consent, retention,
deletion, the audit chain and the export a person can take away."""
