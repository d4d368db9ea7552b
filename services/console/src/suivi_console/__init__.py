"""Suivi merchant console."""
