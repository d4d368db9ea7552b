"""The after-sales schema: versioned migrations and their runner."""
