"""The operations console: the order saga, its topics, schemas, consumer groups and dead letters,
served in the browser by `python -m console` (see console/README.md)."""
