"""Test support shipped with the package: fakes, samples, the in-memory reference projection."""
