"""The curation flow in a real browser: add a tip through the modal, ask its question, get it."""

from __future__ import annotations

import re

import pytest

# The fixtures of the playground's browser test; importing it skips this module when
# Playwright or Chromium is missing.
from tests.helpers.browser import browser_page, playground, sync_api  # noqa: F401

pytestmark = pytest.mark.browser

TITLE = "Price AI features on outcomes"
QUESTIONS = (
    "how should I price an AI feature\nwhat pricing model for LLM features\nhow do we charge for AI"
)


def fill_the_form(page) -> None:
    """Every field of the tip form, as a curator would fill it for a valid tip."""
    page.get_by_test_id("input-title").fill(TITLE)
    page.get_by_test_id("input-kind").select_option("practice")
    page.get_by_test_id("input-text").fill("Charge for the *result* the customer gets.")
    page.get_by_test_id("input-questions").fill(QUESTIONS)


def test_add_a_tip_in_the_modal_then_ask_its_question(playground, browser_page):  # noqa: F811
    running, _ = playground
    page, expect = browser_page, sync_api.expect
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(running.url)

    composer = page.get_by_test_id("composer")
    composer.fill("/aipm how should we price our AI feature")
    composer.press("Enter")
    expect(page.get_by_test_id("ephemeral").last).to_contain_text("I have no tip on")

    composer.fill("/aipm add")
    composer.press("Enter")
    modal = page.get_by_test_id("modal")
    expect(page.get_by_test_id("modal-title")).to_have_text("Add a tip")
    page.get_by_test_id("input-title").fill(TITLE)
    page.get_by_test_id("input-kind").select_option("practice")
    page.get_by_test_id("input-text").fill("Charge for the *result* the customer gets.")
    page.get_by_test_id("input-questions").fill("how should I price an AI feature")
    page.get_by_test_id("modal-submit").click()
    expect(page.get_by_test_id("error-questions")).to_contain_text("at least 3")
    expect(page.get_by_test_id("input-title")).to_have_value(TITLE)  # nothing typed is lost

    page.get_by_test_id("input-questions").fill(
        "how should I price an AI feature\nwhat pricing model for LLM features\nhow do we charge for AI"
    )
    page.get_by_test_id("modal-submit").click()
    expect(page.get_by_test_id("modal-title")).to_have_text("Tip saved")
    page.get_by_test_id("modal-close").click()
    expect(modal).to_have_count(0)

    composer.fill("/aipm how should we price our AI feature")
    composer.press("Enter")
    expect(page.get_by_test_id("ephemeral").last).to_contain_text(TITLE)
    assert errors == []


def test_save_a_message_as_a_tip_from_its_menu(playground, browser_page):  # noqa: F811
    running, _ = playground
    page, expect = browser_page, sync_api.expect
    page.goto(running.url)
    composer = page.get_by_test_id("composer")
    composer.fill("Ship evals before the feature, not after.")
    composer.press("Enter")
    message = page.get_by_test_id("message").last
    message.hover()
    message.get_by_test_id("more-actions").click()
    message.get_by_test_id("shortcut-aipm_save_as_tip").click()
    expect(page.get_by_test_id("modal-title")).to_have_text("Add a tip")
    expect(page.get_by_test_id("input-text")).to_have_value(
        "Ship evals before the feature, not after."
    )
    expect(page.get_by_test_id("input-link")).to_have_value(
        re.compile(r"^https://aipm-playground\.slack\.com/archives/")
    )


def test_a_clean_first_save_shows_the_apps_next_view(playground, browser_page):  # noqa: F811
    running, _ = playground
    page, expect = browser_page, sync_api.expect
    page.goto(running.url)
    composer = page.get_by_test_id("composer")
    composer.fill("/aipm add")
    composer.press("Enter")
    expect(page.get_by_test_id("modal-title")).to_have_text("Add a tip")
    fill_the_form(page)
    page.get_by_test_id("modal-submit").click()
    expect(page.get_by_test_id("modal-title")).to_have_text("Tip saved")
