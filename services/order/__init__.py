"""The order service: HTTP API, order projection (event sourced), saga compensation, replay."""
