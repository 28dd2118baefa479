"""Bundled models shipped with charstream (data only; see README.md here)."""
