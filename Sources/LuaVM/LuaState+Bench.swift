import CLuaNatives

extension LuaState {
    /// Seconds for `iterations` bare `lua_pcall`s of a function that builds a
    /// 5-field message table: the raw cost of one call, the dispatch baseline.
    public func benchmarkBarePcall(iterations: Int64) -> Double? {
        let nanoseconds = withVM { clua_bench_pcall($0, iterations) }
        return nanoseconds < 0 ? nil : Double(nanoseconds) / 1e9
    }
}
