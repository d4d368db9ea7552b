"""Pure account and security rules: no I/O, no clock reads (every instant is given)."""
