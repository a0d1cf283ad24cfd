"""The example questions the bot itself suggests, each with the tip it must answer with, sure.

Help texts, the empty-mention how-to, the agent surface's suggested prompts and the
playground's placeholders all take their examples from here, and a test asks each of them on
every surface: an example the bot suggests and then answers wrongly teaches people not to ask.
"""

from __future__ import annotations

from typing import NamedTuple


class Example(NamedTuple):
    """A question to suggest, a short title for prompt buttons, and the tip that answers it."""

    title: str
    question: str
    tip_id: str


EXAMPLES = (
    Example(
        "Prototype without engineers",
        "How do I build a prototype without engineers?",
        "rapid-prototyping",
    ),
    Example(
        "Measure early AI work",
        "How do I measure AI experiments that have no revenue yet?",
        "measure-shots-on-goal",
    ),
    Example(
        "How much to automate",
        "Should our AI feature be fully automated?",
        "the-ikea-effect",
    ),
)
FIRST = EXAMPLES[0]
