"""Block Kit of a posted tip: its blocks, its escaping and the metadata that finds it again."""

import dataclasses
import datetime as dt

import pytest

from benchmarks.rotation import make_base
from bot.core.knowledge import Source, Tip
from bot.slack import blocks
from bot.slack.blocks import (
    ALL_OFFERED,
    ButtonValue,
    offer_value,
    read_value,
    read_vote,
    tip_message,
)

DAY = "2024-05-06"
TIP = make_base(3).tips[0]


def test_tip_message_shape():
    tip = Tip(
        id="ikea-effect",
        title="The IKEA effect",
        text="People value what they *build*.",
        tags=("x",),
        questions=("a", "b", "c"),
        source=Source("Lenny <&> | Episode", "00:12:34", "https://example.com/ep?t=754"),
    )
    message = tip_message(tip, local_date=DAY, header="Today's AI PM tip", kind="daily")
    assert message["metadata"] == {
        "event_type": "aipm_tip",
        "event_payload": {"tip_id": "ikea-effect", "date": DAY, "kind": "daily"},
    }
    types = [b["type"] for b in message["blocks"]]
    assert types == ["header", "section", "context", "context", "context_actions"]
    (feedback,) = message["blocks"][4]["elements"]
    assert feedback["type"] == "feedback_buttons" and feedback["action_id"] == "aipm_feedback"
    assert read_vote(feedback["positive_button"]["value"]) == 1
    assert read_vote(feedback["negative_button"]["value"]) == -1
    assert read_value(feedback["negative_button"]["value"]).tip == "ikea-effect"
    assert (
        message["blocks"][1]["text"]["text"] == "*The IKEA effect*\nPeople value what they *build*."
    )
    source = message["blocks"][2]["elements"][0]["text"]
    assert source == (
        ":movie_camera: Source: <https://example.com/ep?t=754|Lenny &lt;&amp;&gt; ¦ Episode · 00:12:34>"
    )
    assert message["blocks"][3]["elements"][0]["text"] == "React :+1: if this helped, :-1: if not"
    assert "link_names" not in message and "parse" not in message
    assert "The IKEA effect" in message["text"]


def test_shared_by_is_a_mention_only_for_a_user_id():
    ok = tip_message(TIP, local_date=DAY, header="h", kind="shared", shared_by="U123ABC")
    odd = tip_message(TIP, local_date=DAY, header="h", kind="shared", shared_by="<!channel>")
    assert "Shared by <@U123ABC>" in str(ok["blocks"])
    assert "<!channel>" not in str(odd["blocks"])


def test_a_button_value_names_an_offer_and_a_tip_and_reads_back():
    value = offer_value("AbCdEfGh12345678", TIP.id)
    assert read_value(value) == ButtonValue("AbCdEfGh12345678", TIP.id)
    assert read_value(offer_value("AbCdEfGh12345678", ALL_OFFERED)).tip == ALL_OFFERED
    assert read_value(TIP.id) == ButtonValue(None, TIP.id)  # a daily post's rating button


NOTHING = ButtonValue(None, None)


@pytest.mark.parametrize(
    ("sent", "read"),
    [
        (None, NOTHING),
        ("", NOTHING),
        ("{not json", NOTHING),
        ("[1, 2]", NOTHING),
        ("x" * 3000, NOTHING),
        ("<!channel>", NOTHING),
        # A bad offer id is dropped: the tip alone can rate, never teach or share as asked.
        ('{"o": 5, "t": "the-ikea-effect"}', ButtonValue(None, "the-ikea-effect")),
        ('{"o": "short", "t": "the-ikea-effect"}', ButtonValue(None, "the-ikea-effect")),
        # "every tip offered" needs an offer; a tip must look like a tip id.
        ('{"t": "*"}', NOTHING),
        ('{"o": "AbCdEfGh12345678", "t": ["a"]}', ButtonValue("AbCdEfGh12345678", None)),
        ('{"o": "AbCdEfGh12345678", "t": "Not An Id"}', ButtonValue("AbCdEfGh12345678", None)),
    ],
)
def test_a_malformed_or_forged_value_reads_as_no_more_than_it_can_prove(sent, read):
    assert read_value(sent) == read


def test_a_shared_tip_says_who_asked_what_before_the_tip():
    message = tip_message(
        TIP,
        local_date=DAY,
        header="An AI PM tip",
        kind="shared",
        asked_by="U1",
        question="*bold* <!channel> evals?",
    )
    asked = message["blocks"][1]["text"]["text"]
    assert asked == "<@U1> asked: *bold &lt;!channel&gt; evals?*"
    assert message["blocks"][2]["text"]["text"].startswith(f"*{TIP.title}*")


def test_a_tip_with_a_quote_shows_what_the_source_says_escaped():
    source = Source("Playbook", quote='Ship <!channel> & "small" changes')
    tip = Tip("ship-small", "Ship small", "Ship small.", ("x",), ("a", "b", "c"), source)
    message = tip_message(tip, local_date=DAY, header="Today's AI PM tip", kind="daily")
    texts = [b["elements"][0]["text"] for b in message["blocks"] if b["type"] == "context"]
    # No link in the note: the source is named, not linked; the quote follows, escaped.
    assert texts[0] == ":memo: Source: Playbook"
    assert texts[1] == (
        ':speech_balloon: What the source says: "Ship &lt;!channel&gt; &amp; "small" changes"'
    )
    assert "<!channel>" not in str(message["blocks"])


def test_a_link_that_is_not_a_plain_url_is_never_rendered_as_markup():
    # A tip saved under older rules (a team row, an old YAML file) still cannot ping.
    for url in ("https://evil.example/x> <!channel> <https://a.b", "https://e.x/|<@U0001>"):
        tip = Tip("t", "T", "T.", ("x",), ("a", "b", "c"), Source("Team tip", "2024", url))
        message = tip_message(tip, local_date=DAY, header="h", kind="shared")
        assert "<!channel>" not in str(message["blocks"]) and "<@U0001>" not in str(message)
    plain = Tip("t", "T", "T.", ("x",), ("a",), Source("Talk", "", "https://e.x/?a=1&b=2"))
    source = tip_message(plain, local_date=DAY, header="h", kind="daily")["blocks"][2]
    assert "<https://e.x/?a=1&amp;b=2|Talk>" in source["elements"][0]["text"]


def test_none_of_these_on_several_tips_speaks_in_the_plural():
    from bot.slack.blocks import rejected_note

    tips = make_base(4).tips
    several = rejected_note(tips[:3], remembered=True)
    assert "are not what you asked" in several and "with them for this question" in several
    one = rejected_note(tips[:1], remembered=True)
    assert "is not what you asked" in one and "with it for this question" in one


def test_unsure_snippets_are_cut_at_a_word_boundary():
    from bot.slack.blocks import _snippet

    tip = make_base(1).tips[0]
    long = dataclasses.replace(tip, text="word " * 60 + "muchlongerwordattheend")
    cut = _snippet(long, limit=40)
    assert cut.endswith("…") and len(cut) <= 40 and cut[:-1].split()[-1] == "word"


def test_a_share_by_the_asker_names_them_once():
    own = tip_message(
        TIP, local_date=DAY, header="h", kind="shared", shared_by="U1", asked_by="U1", question="q"
    )
    assert str(own["blocks"]).count("<@U1>") == 1 and "Shared by" not in str(own["blocks"])
    other = tip_message(
        TIP, local_date=DAY, header="h", kind="shared", shared_by="U2", asked_by="U1", question="q"
    )
    assert "Shared by <@U2>" in str(other["blocks"])


def test_only_a_moment_in_a_recording_gets_the_video_icon():
    from bot.slack.blocks import source_line

    team = Tip("t", "T", "T.", ("x",), ("a",), Source("Team tip", "2024-05-06", "https://e.x/m"))
    video = Tip("v", "V", "V.", ("x",), ("a",), Source("Episode", "40:11", "https://e.x/v"))
    assert not source_line(team).startswith(":movie_camera:")
    assert source_line(video).startswith(":movie_camera:")


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (dt.datetime(2026, 12, 4, 13, 0, tzinfo=dt.UTC), "today at 14:00"),
        (dt.datetime(2026, 12, 5, 8, 0, tzinfo=dt.UTC), "tomorrow at 09:00"),
        (dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC), "on Monday 7 December at 09:00"),
        (dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC), "in a minute"),
    ],
)
def test_when_the_next_tip_comes_reads_in_the_subscriptions_zone(moment, expected):
    now = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)  # Friday 10:00 in Berlin
    assert blocks.when_text(moment, "Europe/Berlin", now) == expected
