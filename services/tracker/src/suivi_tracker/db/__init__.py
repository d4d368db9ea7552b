"""The tracker's schema: migrations and the `suivi-tracker-migrate` entry."""
