"""The application layer: a consumed batch, a request or a due row → load, decide, save."""
