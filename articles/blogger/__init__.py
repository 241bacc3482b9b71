"""Bringing a Blogger blog home: read an export, convert it, import it (see importer.py)."""
