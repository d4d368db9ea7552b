"""Test support shipped with the package: builders of orders, status events and policies."""
