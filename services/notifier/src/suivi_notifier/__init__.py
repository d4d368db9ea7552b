"""Suivi notifier: tells shoppers of status changes by email, SMS and web push."""
