"""Unanswered questions: grouped into topics, logged only as configured."""

from __future__ import annotations

from bot.core import gaps


def test_topic_ignores_case_order_function_words_and_plurals():
    assert gaps.topic("How do I fix my Printer?") == gaps.topic("printers fix")


def test_topic_of_only_function_words_falls_back_to_the_text():
    assert gaps.topic("How do I?") == "how do i?"


def test_record_respects_the_logging_switches(store):
    assert gaps.record(store, "pizza?", user="U1", log_questions=False, log_users=False) is False
    assert gaps.record(store, "pizza?", user="U1", log_questions=True, log_users=False) is True
    assert gaps.record(store, "pizza!", user="U1", log_questions=True, log_users=True) is True
    assert [r["user"] for r in store.db["gaps"].rows] == [None, "U1"]
