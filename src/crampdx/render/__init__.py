"""Renderers: one Diagnosis, several formats. Each returns text; only the CLI writes it out."""

FORMATS = ("terminal", "markdown", "json", "html")
