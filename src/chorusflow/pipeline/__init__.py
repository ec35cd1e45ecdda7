"""Pipeline stages after intake: Validation, Signature, Distribution (thin shells on the core)."""
