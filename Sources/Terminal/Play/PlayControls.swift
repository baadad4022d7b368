import Foundation

/// A key as the client understands it, whatever terminal produced it.
public enum PlayKey: Equatable, Sendable {
    case char(Character)
    case up, down, left, right
    case shiftUp, shiftDown, shiftLeft, shiftRight
    case tab, backTab, enter, escape, backspace, pageUp, pageDown
    case redraw
}

/// The screen's own state: what the player is looking at and typing. The game
/// state is `PlayModel`; this is everything else the keys change.
public struct PlayUI: Equatable, Sendable {
    public enum Mode: Equatable, Sendable {
        case normal
        /// Typing a `:` command.
        case command(String)
        /// Typing a chat line.
        case chat(String)
    }

    public var mode: Mode = .normal
    public var help = false
    public var cursor = PlayPoint(0, 0)
    /// Whether the cursor has been placed (on the first ship seen).
    public var cursorPlaced = false
    public var selected: String?
    /// Lines scrolled back from the newest in the event log.
    public var logScroll = 0

    public init() {}
}

/// What a key asks the app to do.
public enum PlayAction: Equatable, Sendable {
    case order(PlayOrderRequest)
    /// A message for the event log (a key that cannot apply now).
    case notice(String)
    case quit
    case redraw
}

/// Keys → UI changes and orders; a pure function of the key, the UI state and the model.
public enum PlayControls {
    public static let maxInput = 200

    /// Keeps the selection valid and, the first time ships are known, puts the cursor
    /// on the selected ship. The app calls it after applying events.
    public static func reconcile(_ ui: inout PlayUI, _ model: PlayModel) {
        if ui.selected == nil || model.ships[ui.selected!] == nil {
            ui.selected = model.shipIDs.first { model.ships[$0]?.position != nil } ?? model.shipIDs.first
        }
        if !ui.cursorPlaced, let s = ui.selected, let p = model.ships[s]?.position {
            ui.cursor = p
            ui.cursorPlaced = true
        }
        clampCursor(&ui, model)
    }

    static func clampCursor(_ ui: inout PlayUI, _ model: PlayModel) {
        guard let name = model.sectorName(selected: ui.selected), let sector = model.sectors[name], sector.width > 0 else { return }
        ui.cursor.x = min(max(ui.cursor.x, 0), sector.width - 1)
        ui.cursor.y = min(max(ui.cursor.y, 0), sector.height - 1)
    }

    public static func handle(_ key: PlayKey, _ ui: inout PlayUI, _ model: PlayModel) -> [PlayAction] {
        if key == .redraw { return [.redraw] }
        switch ui.mode {
        case let .command(text):
            switch edit(key, text) {
            case let .typing(line): ui.mode = .command(line)
            case .cancelled: ui.mode = .normal
            case let .submitted(line):
                ui.mode = .normal
                return PlayCommandLine.parse(line).actions(&ui, model)
            }
            return []
        case let .chat(text):
            switch edit(key, text) {
            case let .typing(line): ui.mode = .chat(line)
            case .cancelled: ui.mode = .normal
            case let .submitted(line):
                ui.mode = .normal
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                return trimmed.isEmpty ? [] : [.order(.say(trimmed))]
            }
            return []
        case .normal:
            if ui.help {
                ui.help = false
                return key == .char("q") ? [.quit] : []
            }
            return normal(key, &ui, model)
        }
    }

    enum Edit: Equatable {
        case typing(String)
        case submitted(String)
        case cancelled
    }

    /// Line editing shared by the command and chat lines.
    static func edit(_ key: PlayKey, _ text: String) -> Edit {
        switch key {
        case .enter: return .submitted(text)
        case .escape: return .cancelled
        case .backspace: return text.isEmpty ? .cancelled : .typing(String(text.dropLast()))
        case let .char(c) where !c.isNewline && text.count < maxInput: return .typing(text + String(c))
        default: return .typing(text)
        }
    }

    private static func normal(_ key: PlayKey, _ ui: inout PlayUI, _ model: PlayModel) -> [PlayAction] {
        let sectorName = model.sectorName(selected: ui.selected)
        let sector = sectorName.flatMap { model.sectors[$0] }
        func needShip(_ make: (String) -> PlayOrderRequest) -> [PlayAction] {
            guard let s = ui.selected, model.ships[s] != nil else { return [.notice("no ship selected (Tab selects one)")] }
            return [.order(make(s))]
        }
        switch key {
        case .up, .char("k"): ui.cursor.y -= 1
        case .down, .char("j"): ui.cursor.y += 1
        case .left, .char("h"): ui.cursor.x -= 1
        case .right, .char("l"): ui.cursor.x += 1
        case .shiftUp, .char("K"): return needShip { .step($0, "N") }
        case .shiftDown, .char("J"): return needShip { .step($0, "S") }
        case .shiftLeft, .char("H"): return needShip { .step($0, "W") }
        case .shiftRight, .char("L"): return needShip { .step($0, "E") }
        case .tab, .backTab:
            let ids = model.shipIDs
            guard !ids.isEmpty else { return [.notice("you have no ships")] }
            let index = ui.selected.flatMap { ids.firstIndex(of: $0) } ?? (key == .tab ? -1 : 0)
            ui.selected = ids[(index + (key == .tab ? 1 : ids.count - 1)) % ids.count]
            if let p = model.ships[ui.selected!]?.position { ui.cursor = p }
        case .char("m"):
            let cursor = ui.cursor
            return needShip { .move($0, to: cursor) }
        case .char("a"):
            guard let target = sector?.ship(at: ui.cursor), target.owner != model.me.no else {
                return [.notice("put the cursor on another player's ship to attack it")]
            }
            return needShip { .attack($0, target.id) }
        case .char("g"): return needShip { .mine($0) }
        case .char("c"):
            let planet = sector?.cell(ui.cursor) == "o" ? ui.cursor : nil
            return needShip { .capture($0, planet: planet) }
        case .char("s"): return needShip { .sell($0) }
        case .char("x"): return needShip { .stop($0) }
        case .char("b"):
            guard let sectorName, sector?.cell(ui.cursor) == "o" else {
                return [.notice("put the cursor on a planet you own to build a ship there")]
            }
            return [.order(.build(sector: sectorName, planet: ui.cursor))]
        case .char("v"): return [.order(.view())]
        case .enter, .char("t"): ui.mode = .chat("")
        case .char(":"): ui.mode = .command("")
        case .char("?"): ui.help = true
        case .char("q"): return [.quit]
        case .pageUp: ui.logScroll += 5
        case .pageDown: ui.logScroll = max(0, ui.logScroll - 5)
        case .escape: ui.help = false
        default: break
        }
        clampCursor(&ui, model)
        return []
    }
}
