"""Shipping: one shipment, with a carrier and a tracking number, per reserved order."""
