"""Secrets at rest: encryption of provider passwords, client secrets and certificates."""
