"""prefork's example application (see examples/README.md)."""
