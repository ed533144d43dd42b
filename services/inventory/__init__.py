"""Inventory: stock levels, all-or-nothing reservations per order, release on cancellation."""
