"""Suivi projections: PostgreSQL read models and the order status page."""
