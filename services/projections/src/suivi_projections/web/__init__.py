"""The API process (suivi-projections-api): status pages, lookup, merchant API and analytics."""
