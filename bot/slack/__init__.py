"""The Slack adapter: acks, unpacks payloads, calls the core, renders Block Kit."""
