// The HTTP module: see docs/HTTP.md.
