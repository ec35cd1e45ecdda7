"""The web application: tracking pages, configuration screens and the REST API.

The entry point is :func:`chorusflow.web.app.create_app`; this package init
stays empty so that importing the tables (for migrations) does not pull in
FastAPI.
"""
