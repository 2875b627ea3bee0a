"""The HTTP edge: parse and validate, call the domain, shape JSON."""
