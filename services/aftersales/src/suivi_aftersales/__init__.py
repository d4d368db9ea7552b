"""Suivi after-sales: returns."""
