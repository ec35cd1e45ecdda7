"""Dashboard notifications and e-mails to a provider's users and groups (seed 001)."""
