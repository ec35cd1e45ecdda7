"""The ``chorusflow`` command line (Typer + Rich)."""
