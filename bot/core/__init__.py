"""The Slack-free core: the tip base, matching, ratings, rotation, schedules and the coach."""
