"""Loading, validating and locating the YAML knowledge base."""

from crampdx.knowledge.loader import load_knowledge, read_knowledge
from crampdx.knowledge.locate import default_knowledge_dirs

__all__ = ["default_knowledge_dirs", "load_knowledge", "read_knowledge"]
