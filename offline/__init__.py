"""Durable outbox in SQLite, encryption of personal data at rest, and the sync worker."""
