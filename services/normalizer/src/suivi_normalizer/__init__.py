"""Suivi normalizer: raw provider events to canonical shipment-status events."""
