"""Suivi tracker: starts tracking a parcel from its number alone."""
