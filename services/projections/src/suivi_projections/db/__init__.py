"""The PostgreSQL schema: migrations, and row conversions shared by every side."""
