from pathlib import Path

import pytest
import yaml

from bot.core import knowledge
from bot.core.knowledge import KnowledgeError, parse_text

ROOT = Path(__file__).resolve().parents[2]


def tip(tip_id="ship-weekly", **changes):
    base = {
        "id": tip_id,
        "title": "Ship weekly",
        "status": "curated",
        "tags": ["habits"],
        "text": "Ship something every week.",
        "questions": ["how often should we ship", "release cadence?", "Is weekly realistic?"],
        "source": {"note": "Small note", "timestamp": "00:01:00", "url": "https://x.test/v"},
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not DROP}


DROP = object()


def write(folder: Path, name: str, tips: list, **top) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump({**top, "tips": tips}, sort_keys=False), encoding="utf-8")
    return path


def problems_of(folder: Path) -> list[knowledge.Problem]:
    with pytest.raises(KnowledgeError) as info:
        knowledge.load(folder)
    return info.value.problems


def test_valid_base_loads(tmp_path):
    write(tmp_path, "a.yaml", [tip(), tip("talk-to-users", status="gone")], note="Small note")
    kb = knowledge.load(tmp_path)
    assert [t.id for t in kb] == ["ship-weekly", "talk-to-users"]
    assert [t.id for t in kb.live_tips] == ["ship-weekly"]
    assert kb.get("ship-weekly").source.timestamp == "00:01:00"
    assert kb.get("nope") is None


def test_committed_base_loads():
    kb = knowledge.load(ROOT / "knowledge")
    assert len(kb) >= 20


def test_yaml_syntax_error_names_file_line_and_column(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("tips:\n  - id: a\n    title: [oops\n    text: x\n", encoding="utf-8")
    (problem,) = problems_of(tmp_path)
    assert str(problem).startswith(f"{path}:4:")
    assert problem.line == 4
    assert problem.column is not None
    assert "YAML syntax error" in str(problem)


def test_tab_indentation_error_points_at_the_tab(tmp_path):
    path = tmp_path / "tabs.yaml"
    path.write_text("tips:\n  - id: a\n\ttitle: b\n", encoding="utf-8")
    (problem,) = problems_of(tmp_path)
    assert (problem.line, problem.column) == (3, 1)
    assert str(problem).startswith(f"{path}:3:1: YAML syntax error")


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"questions": DROP}, "questions", "missing"),
        ({"text": None}, "text", "missing"),
        ({"title": "   "}, "title", "must be a non-empty string"),
        ({"text": 42}, "text", "must be a non-empty string"),
        ({"tags": "habits"}, "tags", "must be a list of non-empty strings"),
        ({"tags": []}, "tags", "needs at least 1 entry"),
        ({"questions": ["one", "two"]}, "questions", "needs at least 3 entries"),
        ({"questions": ["one", "", "three"]}, "questions", "must be a list of non-empty strings"),
        ({"colour": "red"}, "colour", "unknown field"),
        ({"text": "x" * 601}, "text", "too long: 601 characters (at most 600)"),
        ({"status": "done"}, "status", "must be one of draft, curated, gone"),
        ({"source": "somewhere"}, "source", "must be a mapping"),
        ({"source": {"timestamp": "t", "quote": "q"}}, "source.note", "missing"),
        ({"source": {"note": "n", "url": ""}}, "source.url", "must be a non-empty string"),
        ({"source": {"note": "n", "quote": 7}}, "source.quote", "must be a non-empty string"),
        ({"kind": "howto"}, "kind", "unknown kind 'howto': use one of practice, concept, career"),
        ({"kind": None}, "kind", "unknown kind None"),
        ({"source": {"note": "n", "timestamp": "t", "url": "ftp://x"}}, "source.url", "http(s)"),
        (
            {"source": {"note": "n", "timestamp": 5, "url": "https://x"}},
            "source.timestamp",
            "must be a non-empty string",
        ),
        (
            {"source": {"note": "n", "timestamp": "t", "url": "https://x", "by": "me"}},
            "source.by",
            "unknown field",
        ),
    ],
)
def test_schema_errors_name_file_tip_and_field(tmp_path, changes, field, message):
    path = write(tmp_path, "a.yaml", [tip(), tip("second-tip", **changes)])
    (problem,) = problems_of(tmp_path)
    assert problem.tip_id == "second-tip"
    assert problem.field == field
    assert message in problem.message
    text = str(problem)
    assert text.startswith(f"{path}:")
    assert "tip 'second-tip'" in text and f"field '{field}'" in text


def test_schema_error_line_points_at_the_field(tmp_path):
    path = write(tmp_path, "a.yaml", [tip(), tip("second-tip", text="x" * 700)])
    (problem,) = problems_of(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[problem.line - 1].lstrip().startswith("text:")


def test_text_of_exactly_max_length_is_fine(tmp_path):
    write(tmp_path, "a.yaml", [tip(text="x" * knowledge.MAX_TEXT)])
    assert len(knowledge.load(tmp_path)) == 1


@pytest.mark.parametrize("bad_id", ["Ship Weekly", "ship_weekly", "-ship", "ship--weekly"])
def test_id_must_be_a_slug(tmp_path, bad_id):
    write(tmp_path, "a.yaml", [tip(bad_id)])
    (problem,) = problems_of(tmp_path)
    assert problem.tip_id == bad_id
    assert problem.field == "id"


def test_missing_id_is_named_by_position(tmp_path):
    write(tmp_path, "a.yaml", [tip(), tip(DROP)])
    (problem,) = problems_of(tmp_path)
    assert (problem.tip_id, problem.field, problem.message) == ("#2", "id", "missing")


def test_duplicate_id_across_files(tmp_path):
    first = write(tmp_path, "a.yaml", [tip()])
    second = write(tmp_path, "b.yaml", [tip("other"), tip()])
    (problem,) = problems_of(tmp_path)
    assert problem.file == str(second)
    assert problem.tip_id == "ship-weekly"
    assert problem.field == "id"
    assert f"also in {first}" in problem.message
    assert (
        second.read_text(encoding="utf-8")
        .splitlines()[problem.line - 1]
        .endswith("id: ship-weekly")
    )


def test_every_problem_is_reported_at_once(tmp_path):
    write(tmp_path, "a.yaml", [tip(title=""), tip("b", tags=[])])
    (tmp_path / "c.yaml").write_text("tips: [\n", encoding="utf-8")
    problems = problems_of(tmp_path)
    assert {(Path(p.file).name, p.field) for p in problems} == {
        ("a.yaml", "title"),
        ("a.yaml", "tags"),
        ("c.yaml", None),
    }


@pytest.mark.parametrize(
    "content, message",
    [
        ("- a\n- b\n", "must be a mapping with a 'tips:' list"),
        ("tips: 3\n", "'tips' must be a list of tips"),
        ("tips:\n  - just a string\n", "tip #1 must be a mapping"),
        ("tip: []\n", "unknown top-level field 'tip'"),
    ],
)
def test_file_shape_errors(content, message):
    _, problems = parse_text(content, display="k.yaml")
    assert any(message in str(p) for p in problems), problems
    assert all(str(p).startswith("k.yaml:") for p in problems)


def test_non_utf8_file(tmp_path):
    (tmp_path / "bin.yaml").write_bytes(b"tips:\n  - id: \xff\xfe\n")
    (problem,) = problems_of(tmp_path)
    assert "not UTF-8" in problem.message


def test_empty_folder_and_missing_folder(tmp_path):
    (problem,) = problems_of(tmp_path)
    assert "no tips found" in problem.message
    (problem,) = problems_of(tmp_path / "nope")
    assert "knowledge folder not found" in problem.message


def test_only_yaml_files_are_read(tmp_path):
    write(tmp_path, "a.yaml", [tip()])
    (tmp_path / ".a.yaml.123.tmp").write_text("tips: [broken\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("# not yaml: [\n", encoding="utf-8")
    assert len(knowledge.load(tmp_path)) == 1


def test_signature_changes_when_a_file_changes(tmp_path):
    path = write(tmp_path, "a.yaml", [tip()])
    before = knowledge.folder_signature(tmp_path)
    path.write_text(path.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    assert knowledge.folder_signature(tmp_path) != before


def test_duplicate_id_in_one_file_points_at_the_second(tmp_path):
    path = write(tmp_path, "a.yaml", [tip(), tip("other"), tip()])
    (problem,) = problems_of(tmp_path)
    id_lines = [
        n
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if line.endswith("id: ship-weekly")
    ]
    assert problem.line == id_lines[1]


def test_source_problem_points_at_the_source_line_and_explains_numbers(tmp_path):
    path = tmp_path / "a.yaml"
    text = yaml.safe_dump({"tips": [tip()]}, sort_keys=False)
    path.write_text(text.replace("timestamp: 00:01:00", "timestamp: 40:11:03"), encoding="utf-8")
    (problem,) = problems_of(tmp_path)
    assert problem.field == "source.timestamp"
    assert path.read_text(encoding="utf-8").splitlines()[problem.line - 1].strip() == (
        "timestamp: 40:11:03"
    )
    assert "got the number 144663: put the value in quotes" in problem.message


# -- property test: no file content crashes the loader ------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_YAMLISH = st.text(
    alphabet=st.sampled_from(list("tips:-id title\ntext[]{}'\"#&*!|>%@`,?\t 0123456789")),
    max_size=200,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), _YAMLISH))
def test_any_file_content_is_tips_or_located_problems(content):
    tips, problems = knowledge.parse_text(content, display="fuzz.yaml")
    assert all(p.file == "fuzz.yaml" and p.line >= 0 for p in problems)
    assert all(str(p).startswith("fuzz.yaml:") for p in problems)
    if problems:
        return
    assert all(len(t.text) <= knowledge.MAX_TEXT for t in tips)


def test_only_curated_tips_are_served(tmp_path):
    write(
        tmp_path,
        "a.yaml",
        [tip("curated-one"), tip("a-draft", status="draft"), tip("left-note", status="gone")],
    )
    kb = knowledge.load(tmp_path)
    assert [t.id for t in kb.live_tips] == ["curated-one"]
    assert [t.id for t in kb.drafts] == ["a-draft"]
    assert kb.get("a-draft").status == "draft"  # still known, e.g. to show curators


def test_kind_quote_and_a_source_without_link_load(tmp_path):
    source = {"note": "Team playbook", "quote": "Ship   something\nevery week."}
    write(tmp_path, "a.yaml", [tip(kind="practice", source=source)])
    loaded = knowledge.load(tmp_path).get("ship-weekly")
    assert loaded.kind == "practice"
    assert loaded.source.quote == "Ship something every week."
    assert (loaded.source.url, loaded.source.timestamp) == ("", "")
    assert loaded.as_dict()["source"]["quote"] == "Ship something every week."
    assert loaded.line == 2  # where the tip starts: the line after `tips:`


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/x> <!channel> <https://a.b",
        "https://e.x/|<@U0001>",
        "https://x y <!here>",
        "https://e.x/a\nb",
    ],
)
def test_a_link_that_is_not_a_plain_url_fails_knowledge_check(tmp_path, url):
    source = {"note": "Small note", "timestamp": "00:01:00", "url": url}
    write(tmp_path, "a.yaml", [tip(), tip("second-tip", source=source)])
    (problem,) = problems_of(tmp_path)
    assert (problem.tip_id, problem.field) == ("second-tip", "source.url")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "Evals <!group> first"}, "title"),
        ({"text": "Ask <!subteam^S123|pms> first."}, "text"),
        ({"text": "Ask <@B0BOT> first."}, "text"),
        ({"text": "Ask <@W0ENTERPRISE> first."}, "text"),
        ({"tags": ["habits", "<!channel>"]}, "tags"),
        ({"questions": ["how often should we ship", "<@U123> ship?", "weekly?"]}, "questions"),
        ({"questions": ["how often should we ship", "release <!here>", "weekly?"]}, "questions"),
    ],
)
def test_no_field_shown_in_slack_may_ping_anyone(tmp_path, changes, field):
    write(tmp_path, "a.yaml", [tip(), tip("second-tip", **changes)])
    (problem,) = problems_of(tmp_path)
    assert (problem.tip_id, problem.field) == ("second-tip", field)
    assert "notify" in problem.message


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"questions": [f"question number {i}" for i in range(51)]}, "questions", "at most 50"),
        ({"questions": ["q" * 301, "b", "c"]}, "questions", "at most 300 characters"),
        ({"tags": [f"tag{i}" for i in range(21)]}, "tags", "at most 20"),
        ({"tags": ["t" * 41]}, "tags", "at most 40 characters"),
        ({"title": "T" * 151}, "title", "at most 150"),
        ({"title": "Evals \u202efirst"}, "title", "U+202E"),
        ({"text": "Ship \u2067weekly\u2069."}, "text", "U+2067"),
        ({"tags": ["habits\u200f"]}, "tags", "U+200F"),
        ({"questions": ["how often \u202dshould we ship", "b", "c"]}, "questions", "U+202D"),
    ],
)
def test_lists_and_their_entries_are_capped_and_direction_controls_refused(
    tmp_path, changes, field, message
):
    write(tmp_path, "a.yaml", [tip(), tip("second-tip", **changes)])
    (problem,) = problems_of(tmp_path)
    assert (problem.tip_id, problem.field) == ("second-tip", field)
    assert message in problem.message


def test_lists_at_their_caps_load(tmp_path):
    questions = [f"question number {i}" for i in range(knowledge.MAX_QUESTIONS)]
    tags = [f"tag{i}" for i in range(knowledge.MAX_TAGS)]
    write(tmp_path, "a.yaml", [tip(questions=questions, tags=tags, title="T" * 150)])
    assert len(knowledge.load(tmp_path).tips[0].questions) == knowledge.MAX_QUESTIONS
