"""crampdx: works out why a runner cramped, from a YAML knowledge base and an experta engine."""

__version__ = "0.1.0"
