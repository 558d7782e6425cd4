"""edition: critical editions of translated archival documents.

The Python API mirrors the commands: `load`, `init`, `import_files`,
`validate`, `build`. Heavy libraries (WeasyPrint) load only when used."""

from .api import build, document_json, import_files, init, reading_text, validate
from .errors import EditionError, Problem
from .store import load

__all__ = ["EditionError", "Problem", "build", "document_json", "import_files", "init", "load", "reading_text", "validate"]
__version__ = "0.1.0"
