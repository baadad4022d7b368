#ifndef CLUA_PERSIST_H
#define CLUA_PERSIST_H
// persist: a deterministic serializer of a whole Lua heap. The byte format, what is
// refused and where byte-identity is not guaranteed are in docs/PERSIST.md.
//
// Both functions are lua_CFunctions that raise Lua errors: call them only under
// lua_pcall (never directly from Swift).
#include <lua5.4/lua.h>

/// Stack in: [1] the root value (any value), [2] the permanents table, mapping each
/// object that must be stored by name (C functions, library tables, userdata) to a
/// unique string. Pushes one string: the bytes. The same logical heap gives the same
/// bytes in every state, whatever its string hash seed and addresses.
/// Raises "persist: cannot persist <what> at <path>" for a value that cannot be
/// stored (a C function or userdata missing from the permanents, a coroutine that is
/// not dead), e.g. "... a suspended coroutine at root[1].Handlers.list[3].co".
int clua_persist_dump(lua_State *L);

/// Stack in: [1] the bytes (a string from clua_persist_dump), [2] the inverse
/// permanents table (name -> object). Pushes the restored root value. Raises
/// "persist: ..." on malformed, truncated or corrupted input, or an unknown permanent.
/// Bytecode inside the blob is loaded with lua_load mode "b": pass only blobs this
/// node produced (the checksum guards against corruption, not against forgery).
int clua_persist_load(lua_State *L);

#endif
