"""chorusflow: a self-hosted Chorus Pro connector and invoice-flow hub."""

__version__ = "0.1.0"
