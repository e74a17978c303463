"""The service: the HTTP app (device API, privacy centre, reviewer workbench, admin) and auth."""
