/// A `Cron-Interval` tag value such as `500-milliseconds`, `1-second`, `2-minutes`.
public struct CronSchedule: Equatable, Sendable {
    public let milliseconds: Int64

    public init?(_ text: String) {
        let parts = text.lowercased().split(separator: "-", maxSplits: 1)
        guard parts.count == 2, let count = Int64(parts[0]), count > 0 else { return nil }
        let unit: Int64
        switch parts[1] {
        case "millisecond", "milliseconds", "ms": unit = 1
        case "second", "seconds": unit = 1_000
        case "minute", "minutes": unit = 60_000
        case "hour", "hours": unit = 3_600_000
        case "day", "days": unit = 86_400_000
        default: return nil
        }
        milliseconds = count * unit
    }

    /// The tags of a tick: `Cron-Tag-X` spawn tags become `X`; Action defaults to Cron.
    public static func tickTags(spawnTags: [Tag]) -> [Tag] {
        var tags: [Tag] = []
        for tag in spawnTags where tag.name.hasPrefix("Cron-Tag-") {
            tags.append(Tag(String(tag.name.dropFirst("Cron-Tag-".count)), tag.value))
        }
        if !tags.contains(where: { $0.name == "Action" }) { tags.insert(Tag("Action", "Cron"), at: 0) }
        return tags
    }
}
