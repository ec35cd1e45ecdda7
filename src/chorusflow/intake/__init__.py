"""Intake: files, directories, ZIP batches, uploads and the hot folder become flows."""
