"""The fact store edited in the browser: sitrep edit (docs/editor.md)."""
