import CVConnect
public enum Probe { public static func text() throws -> String { try formatAmountFr(amount: Decimal(string: "1234.5")!) } }
