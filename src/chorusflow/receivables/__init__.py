"""Receivables that follow Chorus Pro: payment advices, disputes, dunning, CSV, webhooks (seed 004)."""
