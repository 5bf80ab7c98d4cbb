"""The closed set of check kinds a rule may name in `kind:`, read from this package's modules.

Every module here that exports `relations` is one kind, named after the module (or its
`NAME`), with its `Params` and `PLACEHOLDERS`; a module serving several kinds exports
`KINDS`, a tuple of `Kind`. Modules whose name starts with `_` are helpers.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from types import MappingProxyType, ModuleType
from typing import Mapping

from auditor.checks.kind import Kind
from auditor.rules_model import NoParams


def _kinds_of(module: ModuleType) -> list[Kind]:
    declared = getattr(module, "KINDS", None)
    if declared is not None:
        return list(declared)
    fn = getattr(module, "relations", None)
    if fn is None or getattr(fn, "__module__", None) != module.__name__:
        return []  # a helper module (or one importing another's `relations`)
    name = getattr(module, "NAME", module.__name__.rsplit(".", 1)[-1])
    doc = (module.__doc__ or "").strip().splitlines()
    return [Kind(name, fn, getattr(module, "Params", NoParams), frozenset(getattr(module, "PLACEHOLDERS", ())),
                 doc[0] if doc else "")]


@lru_cache(maxsize=1)
def registry() -> Mapping[str, Kind]:
    """name → Kind for every kind module of the package (built once; read-only)."""
    found: dict[str, Kind] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for kind in _kinds_of(module):
            if kind.name in found:
                raise RuntimeError(f"check kind {kind.name} is defined twice ({module.__name__})")
            found[kind.name] = kind
    return MappingProxyType(found)
