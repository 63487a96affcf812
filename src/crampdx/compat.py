"""The only way into experta: 1.9.4 needs collections.Mapping & co., gone since Python 3.10.

experta pins frozendict 1.2, which subclasses `collections.Mapping`; aliasing the ABCs from
`collections.abc` before the first import is enough for it to run on 3.10-3.13. Import experta
names from here, never from experta directly.
"""

import collections
import collections.abc
import logging

for _name in ("Mapping", "MutableMapping", "Sequence", "Iterable", "Callable", "Hashable"):
    if not hasattr(collections, _name):
        setattr(collections, _name, getattr(collections.abc, _name))

# experta.engine calls logging.basicConfig() at import, which would make the root logger print
# warnings on our users' terminals; keep the root logger as the user's code left it.
_root_handlers = list(logging.getLogger().handlers)

from experta import (  # noqa: E402
    AND,
    MATCH,
    NOT,
    OR,
    TEST,
    Fact,
    KnowledgeEngine,
    P,
    Rule,
)
from experta import watchers  # noqa: E402

logging.getLogger().handlers[:] = _root_handlers

__all__ = ["AND", "MATCH", "NOT", "OR", "TEST", "Fact", "KnowledgeEngine", "P", "Rule", "watchers"]
