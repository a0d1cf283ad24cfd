"""One local stand-in for Slack: an in-memory Web API, its HTTP server, the v0 request signer.

Used by the tests, the playground and the benchmarks alike; the core and the Slack adapter
never import it.
"""
