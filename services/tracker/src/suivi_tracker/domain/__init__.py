"""Pure rules of the tracker: no I/O, no clock reads, no settings."""
