// The Bots module: see docs/BOTS.md.
