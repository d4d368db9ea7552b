"""The console's schema: versioned SQL migrations and their runner."""
