// The Terminal module: the shell (docs/SHELL.md) and the game client.
