import ActivationCore
import ActivationFastPaths

/// Which account each user belongs to, for exports that carry only a user id (product analytics tools track
/// people; renewal happens per account). Ids are interned so that the event hot path maps bytes to a customer
/// index with one hash probe.
public struct UserAccountMap: Sendable {
    public let file: String
    /// The mapping's user column name: an export column of the same name is the one looked up.
    public let userColumn: String
    /// Interned user ids; `customerIndex[userID]` is the customer, or -1 when the account is not in the table.
    package var users = ByteInterner(capacity: 4096)
    package var customerIndex: [Int32] = []
    /// Account id per user, for messages about users whose account is unknown.
    package var accountIDs: [String] = []
    public private(set) var rowsRead = 0
    public private(set) var identicalDuplicates = 0
    public private(set) var rejects: [RejectedRow] = []

    public var userCount: Int { customerIndex.count }

    /// The customer index of a user id, nil when the user is not in the mapping, -1 when its account is not in the
    /// customer table.
    @inline(__always)
    package func customer(ofUser bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let id = users.lookup(bytes) else { return nil }
        return Int(customerIndex[id])
    }

    package func account(ofUser bytes: UnsafeBufferPointer<UInt8>) -> String {
        users.lookup(bytes).map { accountIDs[$0] } ?? ""
    }

    /// Reads `user_id,account_id` rows. A user listed twice with different accounts is rejected (the first kept).
    public init(reading source: inout some ByteSource, file: String, columns: UserAccountColumns, customers: CustomerTable) throws {
        self.file = file
        userColumn = columns.userID
        let sink = Sink(file: file, columns: columns, customers: customers)
        try CSVReader().read(&source, into: sink)
        try sink.rows.requireHeader(table: "the user-to-account mapping", columns: "\(columns.userID),\(columns.accountID)")
        users = sink.users
        customerIndex = sink.customerIndex
        accountIDs = sink.accountIDs
        rowsRead = sink.rows.rowsRead
        identicalDuplicates = sink.identicalDuplicates
        rejects = sink.rows.rejects
    }

    package final class Sink: CSVRecordSink {
        package let columns: UserAccountColumns
        package let customers: CustomerTable
        package var users = ByteInterner(capacity: 4096)
        package var customerIndex: [Int32] = []
        package var accountIDs: [String] = []
        package var identicalDuplicates = 0
        package var rows: CSVTableRows
        package var userIndex = 0, accountIndex = 0

        package init(file: String, columns: UserAccountColumns, customers: CustomerTable) {
            rows = CSVTableRows(file: file)
            self.columns = columns
            self.customers = customers
        }

        package func syntaxError(_ error: CSVSyntaxError) { rows.syntaxError(error) }

        package func consume(_ record: CSVRecord) {
            guard rows.admit(record, by: self, resolve: { sink, header in
                sink.userIndex = try header.require(sink.columns.userID, option: "user_accounts.user_column")
                sink.accountIndex = try header.require(sink.columns.accountID, option: "user_accounts.account_column")
            }) else { return }
            guard isValidUTF8(record.raw) else { rows.reject(record, "", .invalidUTF8, "the row is not valid UTF-8"); return }
            let user = record[userIndex]
            guard user.count > 0 else { rows.reject(record, columns.userID, .emptyUserID, "empty user id"); return }
            let account = record.string(accountIndex)
            guard !account.isEmpty else { rows.reject(record, columns.accountID, .emptyCustomerID, "empty account id"); return }
            let (id, isNew) = users.intern(user)
            if isNew {
                customerIndex.append(Int32(customers.index(of: account) ?? -1))
                accountIDs.append(account)
            } else if accountIDs[id] == account {
                identicalDuplicates += 1
            } else {
                rows.reject(record, columns.accountID, .conflictingUserAccount,
                       "user '\(record.string(userIndex))' is mapped earlier to account '\(accountIDs[id])'; the first row is kept")
            }
        }
    }
}
