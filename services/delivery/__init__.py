"""Delivery: simulates the carrier handing the parcel over, after a configurable delay."""
