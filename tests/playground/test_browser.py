"""The playground in a real browser: headless Chromium (Debian's package) driven by Playwright."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.store import Store
from tests.helpers.browser import (  # noqa: F401, F811 - fixtures
    ARGS,
    CHROMIUM,
    TIMEOUT_MS,
    browser_page,
    playground,
    sync_api,
)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]

# The README's screenshot; refreshed only on request (`make screenshot`), so a test run
# leaves the working tree as it found it.
README_SCREENSHOT = ROOT / "docs" / "playground.png"

if CHROMIUM is None:
    pytest.skip(
        "Chromium is not installed (Debian: apt-get install chromium, or `make browser-deps`)",
        allow_module_level=True,
    )


def test_ask_rate_post_and_react_in_the_browser(playground, browser_page, tmp_path):
    running, settings = playground
    page, expect = browser_page, sync_api.expect
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(running.url)

    composer = page.get_by_test_id("composer")
    composer.fill("/aipm subscribe")
    composer.press("Enter")
    expect(page.get_by_test_id("channel-topic")).to_contain_text("09:00 Europe/Berlin")
    composer.fill("/aipm what is the ikea effect")
    composer.press("Enter")
    answer = page.get_by_test_id("ephemeral").last
    expect(answer).to_contain_text("The Ikea effect: leave users some control")
    expect(answer.get_by_test_id("only-visible")).to_have_text("👁 Only visible to you")

    answer.get_by_test_id("feedback-positive").click()
    expect(answer).to_contain_text("Noted as useful")

    page.get_by_test_id("post-tip").click()
    expect(page.get_by_test_id("notice")).to_contain_text("Posted today's tip")
    tip = page.locator("[data-testid=message][data-tip]").last
    expect(tip).to_contain_text("Today's AI PM tip")

    page.get_by_test_id("user-switcher").select_option(label="Ben · America/New_York")
    thumbs_up = tip.get_by_test_id("react-+1")
    thumbs_up.click()
    expect(thumbs_up).to_have_attribute("aria-pressed", "true")
    expect(thumbs_up).to_contain_text("1")

    composer.fill("/aipm <!channel> *not bold* <script>alert(1)</script>")
    composer.press("Enter")
    expect(page.get_by_test_id("ephemeral").last).to_contain_text("<!channel>")
    assert page.locator("[data-testid=messages] script").count() == 0

    composer.press("ArrowUp")
    expect(composer).to_have_value("/aipm <!channel> *not bold* <script>alert(1)</script>")
    composer.fill("/aipm what is the ikea effect")
    composer.press("Enter")
    expect(page.get_by_test_id("ephemeral").last).to_contain_text("The Ikea effect")

    page.get_by_test_id("user-switcher").select_option(label="Ana (admin) · Europe/Berlin")
    expect(page.get_by_test_id("ephemeral").last).to_contain_text("Noted as useful")
    shot = (
        README_SCREENSHOT
        if os.environ.get("UPDATE_SCREENSHOT") == "1"
        else tmp_path / "playground.png"
    )
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000, "a real picture of the page"

    page.get_by_test_id("tab-home").click()
    expect(page.get_by_test_id("home-view")).to_contain_text("Tips you rated")
    expect(page.get_by_test_id("home-view")).to_contain_text("The Ikea effect")

    tip_id = tip.get_attribute("data-tip")
    store = Store.open(settings.db_path)
    try:
        ben = {row["tip_id"]: row["value"] for row in store.user_ratings("U0PGBEN02")}
        ana = {row["tip_id"]: row["value"] for row in store.user_ratings("U0PGANA01")}
    finally:
        store.close()
    assert ben == {tip_id: 1}
    assert ana == {"the-ikea-effect": 1}
    assert errors == []


def test_a_mention_in_a_thread_and_a_dm_in_the_browser(playground, browser_page):
    running, _ = playground
    page, expect = browser_page, sync_api.expect
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(running.url)

    composer = page.get_by_test_id("composer")
    composer.fill("@AI PM Coach what is the ikea effect")
    composer.press("Enter")
    thread = page.get_by_test_id("thread").first
    expect(thread).to_contain_text("The Ikea effect: leave users some control")
    question = page.get_by_test_id("message").first
    expect(question).to_contain_text("@AI PM Coach what is the ikea effect")

    reply = thread.get_by_test_id("thread-reply")
    reply.fill("@coach <!here> and what about evals?")
    reply.press("Enter")
    expect(thread).to_contain_text("3 replies")
    assert page.locator("[data-testid=thread] script").count() == 0

    question.hover()
    question.get_by_test_id("more-actions").first.click()  # the message's ⋮ menu
    question.get_by_test_id("shortcut-ask_coach_about_message").first.click()
    expect(page.get_by_test_id("ephemeral").last).to_contain_text("The Ikea effect")

    composer.fill("/aipm stats")
    composer.press("Enter")
    table = page.get_by_test_id("ephemeral").last.get_by_test_id("table")
    expect(table).to_contain_text("Not what I asked")
    expect(table).to_contain_text("@mention")
    expect(table).to_contain_text("Ask about this")

    expect(page.get_by_test_id("channel-header")).to_be_visible()
    page.get_by_test_id("tab-dm").click()
    expect(page.get_by_test_id("channel-header")).to_be_hidden()  # a DM has no channel header
    dm = page.get_by_test_id("dm-composer")
    dm.fill("what is the ikea effect")
    dm.press("Enter")
    expect(page.get_by_test_id("dm-messages")).to_contain_text(
        "The Ikea effect: leave users some control"
    )
    dm.fill("help")
    dm.press("Enter")
    expect(page.get_by_test_id("dm-messages")).to_contain_text("type tip")
    assert errors == []


def test_the_page_switches_between_two_workspaces(tmp_path, knowledge_dir, browser_page):
    from bot.playground.server import start_playground
    from bot.playground.workspace import SECOND_TEAM, TEAM
    from bot.settings import Settings

    settings = Settings(db_path=tmp_path / "coach.db", knowledge_dir=knowledge_dir, scheduler=False)
    running = start_playground(settings, port=0, workspaces=2)
    page, expect = browser_page, sync_api.expect
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(running.url)
        expect(page.locator("#team-name")).to_have_text(TEAM["name"])
        switcher = page.get_by_test_id("team-switcher")
        expect(switcher).to_be_visible()
        composer = page.get_by_test_id("composer")
        composer.fill("/aipm what is the ikea effect")
        composer.press("Enter")
        expect(page.get_by_test_id("ephemeral").last).to_contain_text("The Ikea effect")
        switcher.select_option(label=SECOND_TEAM["name"])
        expect(page.locator("#team-name")).to_have_text(SECOND_TEAM["name"])
        assert f"team={SECOND_TEAM['id']}" in page.url
        expect(page.get_by_test_id("ephemeral")).to_have_count(0)
        composer.fill("/aipm subscribe")
        composer.press("Enter")
        expect(page.get_by_test_id("channel-topic")).to_contain_text("09:00")
        second = running.runtime.workspaces.get(SECOND_TEAM["id"])
        first = running.runtime.workspaces.get(TEAM["id"])
        assert second is not None and first is not None
        assert len(second.store.subscriptions()) == 1 and first.store.subscriptions() == []
        assert errors == []
    finally:
        running.stop()


def test_one_workspace_shows_no_workspace_picker(playground, browser_page):
    running, _ = playground
    page, expect = browser_page, sync_api.expect
    page.goto(running.url)
    expect(page.locator("#team-name")).to_have_text("AI PM Playground")
    expect(page.get_by_test_id("team-switcher")).to_be_hidden()
