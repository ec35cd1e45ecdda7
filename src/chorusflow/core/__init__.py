"""The pure core: domain model, format parsing and validation rules.

Nothing in this package touches the file system, the network or a database:
every function takes bytes or domain objects and returns domain objects, so the
hub and the sandbox can both rely on it without importing each other.
"""
