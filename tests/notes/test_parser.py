import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.notes import parser
from bot.notes.grounding import passages
from bot.notes.parser import (
    NoteError,
    display_time,
    parse_note,
    plain_text,
    read_note,
    resolve_stamps,
    slugify,
    timestamp_seconds,
)

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_0913ffb8f7ee8db0.txt"
EVALS = ROOT / "tests" / "data" / "notes" / "evals_for_llm_features.md"


@pytest.fixture(scope="module")
def seed():
    return read_note(SEED)


@pytest.fixture(scope="module")
def evals():
    return read_note(EVALS)


def stands_in(quote: str, words: str) -> bool:
    """Every passage of the quote (parts joined by …) is in the note's words."""
    return all(p in words for p in passages(quote))


def by_id(note):
    return {a.id: a for a in note.advice}


def test_seed_front_matter(seed):
    assert seed.title == "AI product management and its future"
    assert seed.video_id == "E_rNotqs--I"
    assert seed.slug == "ai-product-management-and-its-future"


def test_seed_has_every_piece_of_advice_once(seed):
    ids = [a.id for a in seed.advice]
    assert len(ids) == 25
    assert len(set(ids)) == len(ids)
    assert ids[:6] == [
        "ai-product-management-and-its-future",
        "types-of-ai-product-managers",
        "ai-platform-pms",
        "ai-product-pms",
        "ai-powered-pms",
        "getting-into-ai-product-management",
    ]
    assert ids[-1] == "the-future-of-ai-product-management"


@pytest.mark.parametrize(
    "advice_id, title, section",
    [
        ("rapid-prototyping", "Rapid Prototyping", "Getting into AI Product Management"),
        ("graphic-design", "Graphic Design", "Getting into AI Product Management"),
        ("information-synthesis", "Information Synthesis", "Getting into AI Product Management"),
        ("utilize-modern-tools", "Utilize Modern Tools", "Getting into AI Product Management"),
        ("the-ikea-effect", 'The "Ikea Effect"', "Thriving as an AI Product Manager"),
        ("be-a-wanderer", 'Be a "Wanderer"', "Thriving as an AI Product Manager"),
        (
            "measure-shots-on-goal",
            'Measure "Shots on Goal"',
            "Finding Good Ideas for AI Integration",
        ),
        ("hackathons", "Hackathons", "Finding Good Ideas for AI Integration"),
        (
            "types-of-ai-product-managers",
            "Types of AI Product Managers",
            "Types of AI Product Managers",
        ),
    ],
)
def test_seed_titles_and_sections(seed, advice_id, title, section):
    advice = by_id(seed)[advice_id]
    assert advice.title == title
    assert advice.section == section


def test_bold_lead_without_body_splits_into_its_sub_bullets(seed):
    ids = [a.id for a in seed.advice if a.id.startswith("focus-on-the-problem")]
    assert ids == [
        "focus-on-the-problem-another-chatgpt",
        "focus-on-the-problem-pms-prioritize-solving",
        "focus-on-the-problem-ai-agents",
    ]
    agents = by_id(seed)["focus-on-the-problem-ai-agents"]
    assert agents.text.startswith("Similarly, avoid the trend of building AI agents")
    assert agents.timestamp == "33:17"


def test_long_id_is_cut_at_a_dash(seed):
    advice = by_id(seed)["balance-innovation-with-delivery-walk-and-chew"]
    assert advice.title == 'Balance Innovation with Delivery ("Walk and Chew Gum")'
    assert all(len(a.id) <= 48 for a in seed.advice)


def test_text_is_plain(seed):
    for advice in seed.advice:
        for junk in ("[[", "]]", "<a", "</a>", "<br", "data-t", "**"):
            assert junk not in advice.text, (advice.id, junk)
            assert junk not in advice.title, (advice.id, junk)
        assert "  " not in advice.text


def test_wikilinks_reduce_to_label(seed):
    intro = by_id(seed)["ai-product-management-and-its-future"]
    assert intro.text.startswith("AI product management involves a product manager (PM)")
    assert "lennyspodcast" not in intro.text
    assert "drive business impact. The core role" in intro.text


def test_paragraph_sections_join_and_drop_lead_in(seed):
    getting = by_id(seed)["getting-into-ai-product-management"]
    assert "Previously, a deeper background" in getting.text
    assert "include:" not in getting.text
    types = by_id(seed)["types-of-ai-product-managers"]
    assert types.text.endswith('"flavors" of AI product managers.')


def test_timestamps_and_urls(seed):
    ikea = by_id(seed)["the-ikea-effect"]
    assert ikea.timestamp == "40:11"
    assert ikea.seconds == 2411
    assert ikea.url == "https://www.youtube.com/watch?v=E_rNotqs--I&t=2411s"
    shots = by_id(seed)["measure-shots-on-goal"]
    assert shots.timestamp == "37:25"
    assert shots.section == "Finding Good Ideas for AI Integration"


def seed_stamps() -> list[str]:
    return re.findall(r'data-t="([\d:]+)"', SEED.read_text(encoding="utf-8"))


def test_the_seed_stamps_follow_the_rule():
    """The note's own stamps: MM:SS:hh in the first hour, hours once clearly past it."""
    stamps = seed_stamps()
    seconds = dict(zip(stamps, resolve_stamps(stamps), strict=True))
    assert seconds["40:11:03"] == 2411  # the Ikea effect: 40 min 11 s, not 40 hours
    assert seconds["58:59:44"] == 58 * 60 + 59
    assert seconds["59:09:07"] == 59 * 60 + 9
    assert seconds["01:00:27"] == 3600 + 27  # after 59:09, so 1 h 0 min 27 s
    # Early stamps stay minutes:seconds:hundredths, even when they look like hours.
    assert seconds["06:33:33"] == 6 * 60 + 33
    assert seconds["01:02:59"] == 62
    # The stamp after 1:00:27 goes back to the note's first-hour format.
    assert seconds["37:25:28"] == 37 * 60 + 25
    # Every link points inside the one-hour-odd episode.
    assert max(seconds.values()) == 3627


def test_every_seed_link_points_inside_the_episode(seed):
    for advice in seed.advice:
        assert advice.url.endswith(f"&t={advice.seconds}s")
        assert 0 <= advice.seconds <= 3627, advice.id
        assert advice.timestamp == display_time(advice.seconds)


@pytest.mark.parametrize(
    "stamps, expected",
    [
        (["40:11:03"], [2411]),
        (["12:30", "5"], [750, 5]),
        (["59:09:07", "01:00:27", "01:01:00"], [3549, 3627, 3660]),
        # Not late in the hour: a small first field stays minutes.
        (["39:52:13", "01:02:59"], [2392, 62]),
        # Late, but the hour reading would jump too far ahead: minutes.
        (["55:00:00", "02:10:00"], [3300, 130]),
        (["75:10:00"], [4510]),
    ],
)
def test_resolve_stamps(stamps, expected):
    assert resolve_stamps(stamps) == expected


def test_a_note_can_declare_hour_stamps():
    assert resolve_stamps(["00:05:10", "01:14:02"], stamp_format="H:MM:SS") == [310, 4442]


@pytest.mark.parametrize(
    "seconds, shown", [(0, "0:00"), (8, "0:08"), (2411, "40:11"), (3627, "1:00:27")]
)
def test_display_time(seconds, shown):
    assert display_time(seconds) == shown


def test_every_quote_stands_verbatim_in_the_note(seed, evals):
    for note in (seed, evals):
        for advice in note.advice:
            assert advice.quote, advice.id
            assert advice.quote in note.words, advice.id
            assert "<a" not in advice.quote and "[[" not in advice.quote
    ikea = by_id(seed)["the-ikea-effect"]
    assert ikea.quote.startswith("Successful AI products often leave some control to the user")
    # A lead-in colon is the note's; the quote keeps the words without it.
    assert by_id(seed)["types-of-ai-product-managers"].quote.endswith(
        '"flavors" of AI product managers'
    )


def test_note_text_strips_markup_but_keeps_the_words(seed):
    words = seed.words
    assert "Aman Khan, Director of Product at Arise AI, identifies" in words
    assert 'The "Ikea Effect": Successful AI products' in words
    for junk in ("<a", "[[", "**", "##", "> [!TIP]", "videoId", "*   "):
        assert junk not in words


def test_second_note_shape(evals):
    assert evals.title == "Evals: shipping LLM features with confidence"
    assert evals.slug == "evals-shipping-llm-features-with-confidence"
    assert [a.id for a in evals.advice] == [
        "evals-shipping-llm-features-with-confidence",
        "start-from-real-traffic",
        "label-with-experts",
        "keep-it-small-at-first",
        "gate-releases-on-evals-block-prompt-change",
        "gate-releases-on-evals-flaky-cases",
        "use-model-graders-carefully",
        "calibrate-the-judge",
        "read-twenty-outputs-a-day",
        "share-a-weekly-eval-digest",
        "what-comes-next",
    ]


def test_second_note_details(evals):
    advice = by_id(evals)
    assert advice["label-with-experts"].text == (
        "Ask domain experts to grade outputs on a simple pass/fail scale."
    )
    assert advice["evals-shipping-llm-features-with-confidence"].text.startswith(
        "Evaluations are the unit tests of llm features."
    )
    assert advice["read-twenty-outputs-a-day"].section == "Quick Wins"
    assert advice["what-comes-next"].section == "What Comes Next"
    assert advice["start-from-real-traffic"].section == "Building an Eval Set"
    # MM:SS anchors count as minutes and seconds.
    assert advice["gate-releases-on-evals-block-prompt-change"].timestamp == "12:30"
    # A sub-bullet without an anchor points where its parent does.
    assert advice["gate-releases-on-evals-flaky-cases"].timestamp == "12:00"
    # The note declares `timestamps: H:MM:SS`.
    assert advice["use-model-graders-carefully"].timestamp == "1:14:02"
    assert advice["use-model-graders-carefully"].text == "An LLM judge is cheap but biased."
    assert (
        advice["calibrate-the-judge"].url == "https://www.youtube.com/watch?v=abc123XYZ_-&t=4500s"
    )


def test_duplicate_leads_get_numbered_ids():
    text = "---\ntitle: T\nvideoId: v1\n---\n## A\n* **Same**: one\n## B\n* **Same**: two\n"
    note = parse_note(text, "dup.md")
    assert [a.id for a in note.advice] == ["same", "same-2"]


def test_a_note_needs_only_a_title():
    note = parse_note(
        "---\ntitle: Our playbook\n---\n## Heading\n\n* **Lead**: text here\n", "p.md"
    )
    assert note.title == "Our playbook"
    assert note.video_id is None and note.url is None
    assert note.advice[0].url is None
    assert note.advice[0].timestamp == ""
    assert note.advice[0].seconds is None
    assert note.advice[0].quote == "text here"


def test_a_note_with_a_url_links_every_piece_of_advice_to_it():
    note = parse_note(
        "---\ntitle: T\nurl: https://wiki.example.com/playbook\n---\nShip small changes.\n", "u.md"
    )
    assert note.url == "https://wiki.example.com/playbook"
    assert [a.url for a in note.advice] == ["https://wiki.example.com/playbook"]


def test_a_note_without_a_title_says_how_to_add_one():
    with pytest.raises(NoteError) as info:
        parse_note("# Team playbook\n\n* Ship small.\n", "notes/playbook.md")
    message = str(info.value)
    assert message.startswith("notes/playbook.md:1: no title")
    assert "title: Team playbook" in message


def test_unclosed_bold_is_plain_text():
    note = parse_note("---\ntitle: T\nvideoId: v\n---\n## H\n* **Lead without close: x\n", "b.md")
    assert [a.text for a in note.advice] == ["Lead without close: x"]


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("", 1, "no title"),
        ("---\ntitle: t\n---\n", 4, "no advice found"),
        ("---\ntitle: t\n---\n\n   \n", 4, "no advice found"),
        ("---\ntitle: t\n---\nFrom: [[somewhere]]\n", 4, "no advice found"),
        ("---\ntitle: t\nurl: ftp://x\n---\nhello\n", 1, "not an http(s) link"),
        ("---\ntitle: t\ntimestamps: hh\n---\nhello\n", 1, "not a stamp format"),
        ("---\ntitle: x\n## H\n", 1, "never closed"),
        ("---\n- a\n- b\n---\nhello\n", 2, "must be a mapping"),
        ("---\ntitle: [unclosed\n---\nhello\n", 2, "front matter"),
        ("---\ntitle: t\nvideoId: 'a b'\n---\nhello\n", 1, "not a YouTube video id"),
        ("---\ntitle: [a, b]\n---\nhello\n", 1, "must be text"),
        ("ok\n\x00\x01\x02junk", 2, "binary"),
        ("hello\n", 1, "no title"),
    ],
)
def test_malformed_notes_raise_note_error(text, line, message):
    with pytest.raises(NoteError) as info:
        parse_note(text, "bad.md")
    assert info.value.file == "bad.md"
    assert info.value.line == line
    assert message in str(info.value)
    assert str(info.value).startswith(f"bad.md:{line}: ")


def test_read_note_rejects_non_utf8(tmp_path):
    path = tmp_path / "junk.txt"
    path.write_bytes(b"hello\n\xff\xfe\x00garbage")
    with pytest.raises(NoteError, match="not UTF-8") as info:
        read_note(path)
    assert info.value.line == 2


def test_read_note_missing_file(tmp_path):
    with pytest.raises(NoteError, match="cannot read"):
        read_note(tmp_path / "nope.md")


@pytest.mark.parametrize(
    "text, slug",
    [
        ('Be a "Wanderer"', "be-a-wanderer"),
        ("AI for AI's sake", "ai-for-ais-sake"),
        ("Café déjà vu", "cafe-deja-vu"),
        ("日本語", ""),
        (
            'Balance Innovation with Delivery ("Walk and Chew Gum")',
            "balance-innovation-with-delivery-walk-and-chew",
        ),
    ],
)
def test_slugify(text, slug):
    assert slugify(text) == slug


def test_slugify_drops_trailing_filler_when_cut():
    assert (
        slugify("Focus on the Problem, Not Just the Technology", limit=24) == "focus-on-the-problem"
    )


@pytest.mark.parametrize(
    "markdown, plain",
    [
        ("[[a_b|Label]] and [[plain_target]]", "Label and plain target"),
        ('x <a class="yt-timestamp" data-t="01:02:03">[01:02:03]</a>.', "x."),
        ("line<br/>break &amp; more", "line break & more"),
        ("**bold** and [link](http://x) [12:30]", "bold and link"),
    ],
)
def test_plain_text(markdown, plain):
    assert plain_text(markdown) == plain


@pytest.mark.parametrize("stamp, seconds", [("00:00:00", 0), ("01:02:03", 3723), ("12:30", 750)])
def test_timestamp_seconds(stamp, seconds):
    assert timestamp_seconds(stamp) == seconds


NOTE_ALPHABET = st.sampled_from(
    [
        "---\n",
        "title: x\n",
        "videoId: v\n",
        "## ",
        "# ",
        "> ",
        "> [!TIP] T\n",
        "*   ",
        "    *   ",
        "1.  ",
        "**",
        "**Lead**",
        ": ",
        "[[a|b]]",
        "[[c]]",
        "[[",
        "]]",
        '<a data-t="1:2:3">',
        "[01:02:03]</a>",
        "<br/>",
        "\n",
        "\n\n",
        "text ",
        '"quoted" ',
        "\t",
        "\x00",
        "é",
        ":",
    ]
)


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_arbitrary_text_only_raises_note_error(text):
    try:
        note = parse_note("---\ntitle: t\n---\n" + text, "fuzz.md")
    except NoteError:
        return
    assert note.advice
    assert all(a.id and a.text for a in note.advice)
    assert all(stands_in(a.quote, note.words) for a in note.advice)


@settings(max_examples=100, deadline=None)
@given(st.lists(NOTE_ALPHABET, max_size=40).map("".join))
@pytest.mark.parametrize("head", ["", "---\ntitle: t\nvideoId: v\n---\n"])
def test_note_shaped_junk_only_raises_note_error(head, text):
    try:
        note = parse_note(head + text, "fuzz.md")
    except NoteError:
        return
    ids = [a.id for a in note.advice]
    assert len(ids) == len(set(ids))
    assert all(stands_in(a.quote, note.words) for a in note.advice)


def _read_note_in_a_child(path: Path) -> subprocess.CompletedProcess:
    # A child with a time limit: the old code read /dev/zero until memory ran out and
    # waited for ever on a pipe, which would hang the test run instead of failing it.
    code = "import sys; from bot.notes.parser import read_note; read_note(sys.argv[1])"
    return subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=Path(__file__).resolve().parent.parent,
    )


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_read_note_refuses_a_device_without_reading_it(device):
    result = _read_note_in_a_child(Path(device))
    assert "NoteError" in result.stderr and "not a regular file" in result.stderr


def test_read_note_refuses_a_pipe_without_waiting_for_a_writer(tmp_path):
    pipe = tmp_path / "note.md"
    os.mkfifo(pipe)
    result = _read_note_in_a_child(pipe)
    assert "NoteError" in result.stderr and "not a regular file" in result.stderr


def test_read_note_refuses_a_note_too_big_to_be_one(tmp_path, monkeypatch):
    path = tmp_path / "big.md"
    path.write_text("---\ntitle: Big\n---\n" + "- **Do** it.\n" * 200)
    monkeypatch.setattr(parser, "MAX_NOTE_BYTES", 1000)
    with pytest.raises(NoteError, match="too big"):
        read_note(path)


NOTE_WITH_STAMP = (
    "---\ntitle: Stamps\nvideoId: abcdefghijk\n---\n# Section\n"
    '- **Ship weekly** small AI releases <a class="yt-timestamp" data-t="{t}">[{t}]</a>.\n'
)


@pytest.mark.parametrize("stamp", ["99:99:99", "00:60:00", "12:34:100", "999999:00:00", "12:3x"])
def test_a_stamp_that_is_not_a_time_is_refused_naming_its_line(stamp):
    # '99:99:99' used to link to 1:40:39 and '999999:00:00' to 2:46:39, silently.
    with pytest.raises(NoteError, match="is not a time") as info:
        parse_note(NOTE_WITH_STAMP.format(t=stamp), "n.md")
    assert info.value.line == 6 and stamp in str(info.value)


@pytest.mark.parametrize("stamp", ["12:34", "06:33:33", "01:00:27", "12:34:99", "7"])
def test_stamps_in_range_still_build(stamp):
    assert parse_note(NOTE_WITH_STAMP.format(t=stamp), "n.md").advice


@pytest.mark.parametrize("unclosed", ["<a>", "<a x", "![", "![x](", '<a data-t="1'])
def test_a_note_full_of_unclosed_markup_parses_instead_of_hanging(unclosed):
    # Each unclosed '<a>' used to make the anchor pattern scan to the end of the note:
    # 60 KB took 15 s and this note minutes. A child with a time limit turns a hang into
    # a failure; the limit is far above the time taken, so it asserts no timing.
    body = unclosed * (300_000 // len(unclosed))
    code = (
        "import sys; from bot.notes.parser import parse_note; "
        "parse_note('---\\ntitle: t\\n---\\n# H\\n- **Lead** ' + sys.stdin.read() + '\\n', 'n.md')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        input=body,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    # Parsed, or refused with a clear NoteError ('1<a' is not a time): never a hang.
    assert result.returncode == 0 or "NoteError" in result.stderr, result.stderr[-500:]
