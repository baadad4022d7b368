import Cluster
import Foundation

/// The two banks of `starlane bench bank`, in Lua. Amounts are plain integers, every
/// account starts with `initialBalance` (enough that no planned transfer is refused),
/// and each bank answers `Totals` with what the bench checks at the end.
enum BankModules {
    static let initialBalance = 1_000_000_000

    /// One account per process, as examples/account.lua (the crash test's account):
    /// a Transfer debits here and sends a Credit to the payee, which applies each
    /// transfer id once. Counters added for the bench's check.
    static let account = """
        Balance = \(initialBalance)
        Debits, Credits, Rejected, Duplicates = 0, 0, 0, 0
        Applied = {}

        Handlers.add('Transfer', 'Transfer', function(msg)
          local q = math.tointeger(tonumber(msg.Quantity))
          if not q or q <= 0 or q > Balance then Rejected = Rejected + 1 return end
          Balance = Balance - q
          Debits = Debits + 1
          Send({ Target = msg.Recipient, Action = 'Credit', Quantity = msg.Quantity, ['Transfer-Id'] = msg.Id })
        end)

        Handlers.add('Credit', 'Credit', function(msg)
          local id = msg['Transfer-Id']
          if Applied[id] then Duplicates = Duplicates + 1 return end
          Applied[id] = true
          Balance = Balance + math.tointeger(tonumber(msg.Quantity))
          Credits = Credits + 1
        end)

        Handlers.add('Totals', 'Totals', function(msg)
          msg.reply({ Data = string.format('%d %d %d %d %d', Balance, Debits, Credits, Rejected, Duplicates) })
        end)
        """

    /// One token-style process holding every balance: a Transfer from `From` to
    /// `Recipient` is one message. The owner opens the accounts first (`Open`, the
    /// addresses comma-separated in Data); a transfer touching any other is refused.
    static let ledger = """
        Balances = {}
        Transfers, Rejected = 0, 0

        Handlers.add('Open', 'Open', function(msg)
          assert(msg.From == Owner, 'only the owner opens accounts')
          for address in string.gmatch(msg.Data, '[^,]+') do Balances[address] = \(initialBalance) end
        end)

        Handlers.add('Transfer', 'Transfer', function(msg)
          local q = math.tointeger(tonumber(msg.Quantity))
          local from, to = Balances[msg.From], Balances[msg.Recipient]
          if not q or q <= 0 or not from or not to or q > from then Rejected = Rejected + 1 return end
          Balances[msg.From] = from - q
          Balances[msg.Recipient] = Balances[msg.Recipient] + q
          Transfers = Transfers + 1
        end)

        Handlers.add('Totals', 'Totals', function(msg)
          local money = 0
          for _, balance in pairs(Balances) do money = money + balance end
          msg.reply({ Data = string.format('%d %d %d %d 0', money, Transfers, Transfers, Rejected) })
        end)
        """
}

/// What a bank (or the sum of its account processes) says it did, from `Totals`.
struct BankTotals {
    var money = 0
    var debits = 0
    var credits = 0
    var rejected = 0
    /// Credits that arrived twice (accounts; always 0 for the ledger process).
    var duplicates = 0

    /// Parses a `Totals` answer: "money debits credits rejected duplicates".
    init(answer: String?) throws {
        let fields = (answer ?? "").split(separator: " ").compactMap { Int($0) }
        guard fields.count == 5 else { throw RunnerError("bank bench: unreadable Totals answer '\(answer ?? "nil")'") }
        (money, debits, credits, rejected, duplicates) = (fields[0], fields[1], fields[2], fields[3], fields[4])
    }

    init() {}

    static func + (a: BankTotals, b: BankTotals) -> BankTotals {
        var sum = a
        sum.money += b.money
        sum.debits += b.debits
        sum.credits += b.credits
        sum.rejected += b.rejected
        sum.duplicates += b.duplicates
        return sum
    }

    /// Throws unless the money is conserved and every sent transfer was applied once.
    func check(_ bank: String, accounts: Int, sent: Int) throws {
        let expectedMoney = accounts * BankModules.initialBalance
        guard money == expectedMoney else {
            throw RunnerError("bank bench (\(bank)): money not conserved: \(money), expected \(expectedMoney)")
        }
        guard debits == sent, credits == sent, rejected == 0, duplicates == 0 else {
            throw RunnerError("bank bench (\(bank)): sent \(sent) transfers; \(debits) debited, \(credits) credited, "
                              + "\(rejected) refused, \(duplicates) duplicate credits")
        }
    }
}
