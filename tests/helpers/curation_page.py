"""Helpers shared by test_curation_page.py and the tests beside it (moved out of the test module)."""

from __future__ import annotations

FORM = {
    "title": "Price AI features on outcomes",
    "text": "Charge for the *result* the customer gets, not for tokens.",
    "questions": "how should I price an AI feature\nwhat pricing model for LLM features\n"
    "how do we charge for AI",
    "tags": "pricing",
    "kind": "practice",
    "link": "",
}
