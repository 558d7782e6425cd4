"""The WeasyPrint room: everything of ours that reaches into WeasyPrint's
internals (see weasy/internals.py for the list, and what should go upstream)."""
