import CMariaDB

/// The MYSQL_BIND array and buffers that receive one row of a statement's result, every column as text
/// (MYSQL_TYPE_STRING: libmariadb converts numbers and dates to their string form).
///
/// libmariadb writes into these buffers on every mysql_stmt_fetch, so they live in manually allocated,
/// stable memory owned by this object and are reused for every row and every execution. Each column
/// gets a small buffer (its declared length, at most `maximumInitialBufferSize`); a longer value is
/// reported as truncated and then read in full with mysql_stmt_fetch_column into a temporary buffer.
final class ResultBindings {
    private static let maximumInitialBufferSize = 256
    private static let minimumInitialBufferSize = 8

    let count: Int
    let binds: UnsafeMutablePointer<MYSQL_BIND>
    private let buffers: UnsafeMutablePointer<UnsafeMutableRawPointer>
    private let capacities: UnsafeMutablePointer<Int>
    private let lengths: UnsafeMutablePointer<UInt>
    private let nullFlags: UnsafeMutablePointer<my_bool>
    private let errorFlags: UnsafeMutablePointer<my_bool>
    /// One MYSQL_BIND (plus its length/null/error slots) for mysql_stmt_fetch_column.
    private let overflowBind: UnsafeMutablePointer<MYSQL_BIND>
    private let overflowLength: UnsafeMutablePointer<UInt>
    private let overflowFlags: UnsafeMutablePointer<my_bool>  // [0] is_null, [1] error

    /// - Parameter fields: the statement's result metadata (`count` elements), used only to size the
    ///   buffers; nil sizes every column with the maximum.
    init(count: Int, fields: UnsafePointer<MYSQL_FIELD>?) {
        precondition(count > 0)
        self.count = count
        binds = .allocate(capacity: count)
        binds.initialize(repeating: MYSQL_BIND(), count: count)
        buffers = .allocate(capacity: count)
        capacities = .allocate(capacity: count)
        lengths = .allocate(capacity: count)
        lengths.initialize(repeating: 0, count: count)
        nullFlags = .allocate(capacity: count)
        nullFlags.initialize(repeating: 0, count: count)
        errorFlags = .allocate(capacity: count)
        errorFlags.initialize(repeating: 0, count: count)
        overflowBind = .allocate(capacity: 1)
        overflowBind.initialize(to: MYSQL_BIND())
        overflowLength = .allocate(capacity: 1)
        overflowLength.initialize(to: 0)
        overflowFlags = .allocate(capacity: 2)
        overflowFlags.initialize(repeating: 0, count: 2)

        for index in 0..<count {
            // The declared length is in bytes (chars × 4 for utf8mb4 text); +1 leaves room for the NUL
            // libmariadb appends when it fits. Too small is only slower, never wrong.
            let declared = fields.map { Int(clamping: $0[index].length) } ?? Self.maximumInitialBufferSize
            let capacity = min(Self.maximumInitialBufferSize, max(Self.minimumInitialBufferSize, declared &+ 1))
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 1)
            (buffers + index).initialize(to: buffer)
            (capacities + index).initialize(to: capacity)

            var bind = MYSQL_BIND()
            bind.buffer_type = MYSQL_TYPE_STRING
            bind.buffer = buffer
            bind.buffer_length = UInt(capacity)
            bind.length = lengths + index
            bind.is_null = nullFlags + index
            bind.error = errorFlags + index
            binds[index] = bind
        }
    }

    deinit {
        for index in 0..<count {
            buffers[index].deallocate()
        }
        buffers.deinitialize(count: count)
        buffers.deallocate()
        capacities.deinitialize(count: count)
        capacities.deallocate()
        lengths.deinitialize(count: count)
        lengths.deallocate()
        nullFlags.deinitialize(count: count)
        nullFlags.deallocate()
        errorFlags.deinitialize(count: count)
        errorFlags.deallocate()
        binds.deinitialize(count: count)
        binds.deallocate()
        overflowBind.deinitialize(count: 1)
        overflowBind.deallocate()
        overflowLength.deinitialize(count: 1)
        overflowLength.deallocate()
        overflowFlags.deinitialize(count: 2)
        overflowFlags.deallocate()
    }

    /// Decodes the row mysql_stmt_fetch just wrote into the buffers (it returned 0 or
    /// MYSQL_DATA_TRUNCATED). Truncation is detected per column by comparing the real length with the
    /// buffer, which works whether or not the library reports MYSQL_DATA_TRUNCATED.
    func currentRow(of statement: UnsafeMutablePointer<MYSQL_STMT>) throws -> MariaDBRow {
        var columns: [String?] = []
        columns.reserveCapacity(count)
        for index in 0..<count {
            if nullFlags[index] != 0 {
                columns.append(nil)
                continue
            }
            let length = Int(lengths[index])
            if length <= capacities[index] {
                columns.append(Self.decode(buffers[index], length))
            } else {
                columns.append(try fetchFullColumn(index, length: length, of: statement))
            }
        }
        return MariaDBRow(columns: columns)
    }

    private func fetchFullColumn(
        _ index: Int, length: Int, of statement: UnsafeMutablePointer<MYSQL_STMT>
    ) throws -> String? {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: length, alignment: 1)
        defer { buffer.deallocate() }
        var bind = MYSQL_BIND()
        bind.buffer_type = MYSQL_TYPE_STRING
        bind.buffer = buffer
        bind.buffer_length = UInt(length)
        bind.length = overflowLength
        bind.is_null = overflowFlags
        bind.error = overflowFlags + 1
        overflowBind.pointee = bind
        overflowLength.pointee = 0
        overflowFlags[0] = 0
        overflowFlags[1] = 0
        if mysql_stmt_fetch_column(statement, overflowBind, UInt32(index), 0) != 0 {
            throw MariaDBError(statement: statement)
        }
        if overflowFlags[0] != 0 {
            return nil
        }
        return Self.decode(buffer, min(length, Int(overflowLength.pointee)))
    }

    private static func decode(_ buffer: UnsafeMutableRawPointer, _ length: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(start: buffer, count: length), as: UTF8.self)
    }
}
