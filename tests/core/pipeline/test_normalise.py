"""Stage 1: one normaliser for the index, the decline topics and learned pairs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.pipeline import normalise
from bot.core.pipeline.normalise import forms, stem, units, words

N = normalise.shipped()
ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("prototyping", "prototypes"),
        ("hackathons", "hackathon"),
        ("flavours", "flavors"),
        ("organise", "organize"),
        ("prioritising", "prioritizing"),
        ("companies", "company"),
    ],
)
def test_word_forms_and_british_spellings_meet(a, b):
    assert stem(a) == stem(b)


@pytest.mark.parametrize("word", ["advise", "surprise", "enterprise", "exercise", "hour", "four"])
def test_a_british_looking_word_without_an_american_form_stays(word):
    # A rule, not a list: "advize" is no English word, so "advise" keeps its spelling.
    assert stem(word).startswith(word[:4])
    assert "z" not in stem(word) and not stem(word).endswith("or")


def test_synonym_groups_match_forms_of_their_words_not_everything_with_their_stem():
    assert N.term_list("prototyping mockups") == ["prototype", "prototype"]
    assert N.term_list("execs") == N.term_list("leadership")
    # "personality" is in a group; "personal" only shares its stem, and stays apart.
    assert N.term_list("personal data")[0] != N.term_list("personality")[0]
    assert N.term_list("response time") != N.term_list("responsibilities")


def test_phrases_may_span_function_words_and_one_letter_words_are_dropped():
    assert N.term_list("proof of concept") == N.term_list("prototype")
    assert N.term_list("wait and see") == N.term_list("hold off")
    assert N.term_list("a i") == []


def test_forms_cover_regular_inflections():
    assert {"ships", "shipped", "shipping"} <= forms("ship")
    assert {"prototypes", "prototyped", "prototyping"} <= forms("prototype")
    assert {"studies", "studied"} <= forms("study")


def test_words_drop_slack_markup_and_keep_other_scripts():
    assert words("Karpathy's <!channel> LLMs <@U123> Ikea’s :sweat_smile:") == [
        "karpathy",
        "llms",
        "ikea",
    ]
    assert words("see <https://x.example/doc|the roadmap doc>") == ["see", "the", "roadmap", "doc"]
    assert words("日本語 привет") == ["日本語", "привет"]


def test_a_long_message_is_cut_into_its_sentences():
    text = "Design review is Thursday. Our designer is out sick!\nCan I build it myself?"
    assert units(text) == [
        "Design review is Thursday.",
        "Our designer is out sick!",
        "Can I build it myself?",
    ]
    assert units("no break here") == ["no break here"]
    assert units("<@U0COACH>") == ["<@U0COACH>"], "never nothing"


def test_near_identical_questions_share_a_key_and_others_do_not():
    assert N.key("What is the IKEA effect?") == N.key("what is the ikea effect")
    assert N.key("prototyping with mockups?") == N.key("Prototype with mockup")
    assert N.key("What's the IKEA effect?") == N.key("ikea effect, what is it")
    assert N.key("How do I prototype?") == N.key("how do i prototype")
    assert N.key("how do I prototype") != N.key("how do I hire")
    assert N.key("??? !!! :wave: how do I") == ""


def test_the_message_carries_what_later_stages_need():
    message = N.message("First. Second one?", "mention")
    assert message.surface == "mention" and message.units == ("First.", "Second one?")
    assert message.words == 3 and message.key == N.key("First. Second one?")


@given(st.text(max_size=300))
def test_any_text_normalises_without_crashing(text):
    assert isinstance(N.terms(text), list)
    assert isinstance(N.key(text), str)
    assert units(text) or not text


HOSTILE = {
    "question-marks": "a" + "?" * 39_998 + "x",
    "open-mentions": "<@" * 20_000,
    "open-specials": "<!" * 20_000,
    "open-links": "<https://" * 5_000,
    "colons": ":a" * 20_000,
}


@pytest.mark.parametrize("name", HOSTILE)
def test_slacks_longest_hostile_message_is_read_in_linear_time(name):
    # A pattern that rescans the rest of the text at each position turns one such message
    # into seconds of CPU; the child's generous time limit turns that into a failure.
    code = (
        "import sys; from bot.core import commands; from bot.core.pipeline import normalise; "
        "from bot.slack.subcommands import SUBCOMMANDS; "
        "t = sys.stdin.read(); n = normalise.shipped(); "
        "[commands.parse(t, list(SUBCOMMANDS)) for _ in range(40)]; "
        "[n.terms(t) for _ in range(40)]; [normalise.units(t) for _ in range(40)]"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        input=HOSTILE[name],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-500:]
