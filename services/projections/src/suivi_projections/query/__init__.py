"""The read side: view models, the ReadModel port, its PostgreSQL implementations, live updates."""
