"""HTTP: the merchant API and the shopper's return pages."""
