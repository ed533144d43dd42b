"""Contracts -> artifacts: the catalog model and the typed Python event classes."""
