"""The service: the HTTP app (device API, privacy centre, reviewer workbench, admin), one sign-in
and session store for customers and staff, the job queue, and the composition root."""
