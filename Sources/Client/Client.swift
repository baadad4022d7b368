// The Client module.
