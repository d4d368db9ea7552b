"""Pure decisions: no I/O, no clock of their own (every `now` is passed in)."""
