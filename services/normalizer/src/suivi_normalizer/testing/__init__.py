"""Test support shipped with the normalizer (golden fixtures, raw envelopes) that demo/bench use."""
