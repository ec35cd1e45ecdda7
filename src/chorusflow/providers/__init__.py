"""Providers (supplier establishments) and their connection to Chorus Pro."""
