"""edition: critical editions of translated archival documents.

The Python API mirrors the commands: `load`, `init`, `import_files`,
`validate`, `build`. Its names are looked up on first use (PEP 562), so that
`import edition` — and with it every start of the `edition` command — does
not load the store, YAML and the model before a command needs them."""

from __future__ import annotations

import importlib

# name → the module that defines it
_API = {
    "build": ".api",
    "document_json": ".api",
    "import_files": ".api",
    "init": ".api",
    "reading_text": ".api",
    "validate": ".api",
    "EditionError": ".errors",
    "Problem": ".errors",
    "load": ".store",
}

__all__ = ["EditionError", "Problem", "build", "document_json", "import_files", "init", "load", "reading_text", "validate"]
__version__ = "0.1.0"


def __getattr__(name: str):
    if name not in _API:
        # Not ours: let `from edition import api` fall back to the submodule.
        raise AttributeError(f"module 'edition' has no attribute {name!r}")
    value = getattr(importlib.import_module(_API[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
