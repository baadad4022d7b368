/// Where each part of the screen goes for a terminal size: the sector map top left,
/// the side panel to its right, the event log below, then the status line and the
/// command line at the bottom.
public struct PlayLayout: Equatable, Sendable {
    public static let minWidth = 40
    public static let minHeight = 12
    /// Columns a map cell takes: its character, then a space or a ship's number.
    public static let cellWidth = 2
    /// Columns of the row labels left of the map.
    public static let labelWidth = 3

    public var width: Int
    public var height: Int
    /// Visible map cells.
    public var mapColumns: Int
    public var mapRows: Int
    /// The screen row of map row 0 (the ruler is just above).
    public var mapTop: Int { 2 }
    public var panelX: Int
    public var panelWidth: Int
    public var logTop: Int
    public var logRows: Int
    public var statusY: Int { height - 2 }
    public var commandY: Int { height - 1 }

    public var tooSmall: Bool { width < Self.minWidth || height < Self.minHeight }

    public init(width: Int, height: Int, sectorWidth: Int, sectorHeight: Int) {
        self.width = width
        self.height = height
        let w = sectorWidth > 0 ? sectorWidth : 16, h = sectorHeight > 0 ? sectorHeight : 10
        // Keep at least 28 columns for the panel and 3 rows for the log.
        mapColumns = max(1, min(w, (width - Self.labelWidth - 1 - 28) / Self.cellWidth))
        mapRows = max(1, min(h, height - 2 - 1 - 3 - 2))
        panelX = Self.labelWidth + mapColumns * Self.cellWidth + 1
        panelWidth = max(0, width - panelX)
        logTop = 2 + mapRows + 1
        logRows = max(0, height - 2 - logTop)
    }

    /// The first visible cell along one axis so that `cursor` stays in view.
    public static func offset(cursor: Int, visible: Int, size: Int) -> Int {
        guard size > visible else { return 0 }
        return min(max(0, cursor - visible / 2), size - visible)
    }
}
