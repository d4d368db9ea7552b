"""The notifier's schema: versioned SQL migrations and their runner."""
