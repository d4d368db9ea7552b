"""Loopback stand-ins of every external tracking API the tracker calls (test peers only)."""
