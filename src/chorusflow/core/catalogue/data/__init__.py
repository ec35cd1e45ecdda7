"""The catalogue's texts, as JSON package data (one file per rule family)."""
