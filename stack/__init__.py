"""The embedded development stack: broker, registry and services as managed local processes."""
