"""The application layer: a request → load → decide (domain) → save → publish."""
