"""Contracts -> typed event classes: `python -m codegen` writes services/events/generated.py."""
