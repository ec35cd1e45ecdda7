"""Tracking: what the tracking module (seed 000) shows of flows and documents."""
