// The Game module: see docs/GAME-HOST.md.
