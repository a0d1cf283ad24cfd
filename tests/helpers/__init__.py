"""Helpers the tests share; never a test module (nothing here is collected)."""
