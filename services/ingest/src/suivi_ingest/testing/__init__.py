"""Test support shipped with ingest (other services and demo/bench use it): signers, fakes."""
