"""The application layer: a consumed batch or a due row -> load -> decide (domain) -> save."""
