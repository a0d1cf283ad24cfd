"""Daily tips: the exactly-once post protocol and the scheduler loop."""
