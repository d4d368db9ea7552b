"""The application layer: a consumed batch of raw records -> canonical events + dead letters."""
