"""Suivi's shared adapters: settings, Kafka clients with safe defaults, PostgreSQL, metrics."""
