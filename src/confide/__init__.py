"""Confide: a voice assistant whose recordings stay their owners'."""

__version__ = "0.1.0"
