import CMariaDB

/// The MYSQL_BIND array and value buffers for one prepared statement's parameters.
///
/// mysql_stmt_bind_param copies the MYSQL_BIND structs, but not what they point to: the integer slots,
/// length slots and text bytes are read later, by mysql_stmt_execute. So all of it lives in manually
/// allocated memory owned by this object (never `&local`), and is reused by every execution of the
/// statement: text buffers only grow, except that unusually large ones are given back after use.
final class ParameterBindings {
    /// Text buffers above this size are freed after each execution instead of being kept for reuse.
    private static let retainedTextCapacity = 64 * 1024

    let count: Int
    /// Valid for `count` elements (one dummy element when `count` is 0, never bound).
    let binds: UnsafeMutablePointer<MYSQL_BIND>
    private let integers: UnsafeMutablePointer<Int64>
    private let lengths: UnsafeMutablePointer<UInt>
    private var textBuffers: [UnsafeMutableRawPointer?]
    private var textCapacities: [Int]

    init(count: Int) {
        self.count = count
        let slots = max(count, 1)
        binds = .allocate(capacity: slots)
        binds.initialize(repeating: MYSQL_BIND(), count: slots)
        integers = .allocate(capacity: slots)
        integers.initialize(repeating: 0, count: slots)
        lengths = .allocate(capacity: slots)
        lengths.initialize(repeating: 0, count: slots)
        textBuffers = Array(repeating: nil, count: count)
        textCapacities = Array(repeating: 0, count: count)
    }

    deinit {
        for buffer in textBuffers {
            buffer?.deallocate()
        }
        let slots = max(count, 1)
        binds.deinitialize(count: slots)
        binds.deallocate()
        integers.deinitialize(count: slots)
        integers.deallocate()
        lengths.deinitialize(count: slots)
        lengths.deallocate()
    }

    /// Fills the binds for `values`; `values.count` must equal `count` (checked by the caller).
    func set(_ values: [MariaDBValue]) {
        for index in 0..<count {
            var bind = MYSQL_BIND()
            switch values[index] {
            case .null:
                bind.buffer_type = MYSQL_TYPE_NULL
            case .int(let value):
                integers[index] = value
                bind.buffer_type = MYSQL_TYPE_LONGLONG
                bind.buffer = UnsafeMutableRawPointer(integers + index)
                bind.buffer_length = UInt(MemoryLayout<Int64>.size)
                bind.is_unsigned = 0
            case .text(let value):
                var value = value
                let byteCount = value.withUTF8 { utf8 -> Int in
                    let buffer = textBuffer(at: index, capacity: utf8.count)
                    if let source = utf8.baseAddress, utf8.count > 0 {
                        buffer.copyMemory(from: source, byteCount: utf8.count)
                    }
                    return utf8.count
                }
                lengths[index] = UInt(byteCount)
                bind.buffer_type = MYSQL_TYPE_STRING
                bind.buffer = textBuffers[index]
                bind.buffer_length = UInt(byteCount)
                bind.length = lengths + index
            }
            binds[index] = bind
        }
    }

    /// Gives back text buffers that one large value made big, so a single 1 MB parameter does not pin
    /// 1 MB per cached statement forever.
    func releaseLargeBuffers() {
        for index in 0..<count where textCapacities[index] > Self.retainedTextCapacity {
            textBuffers[index]?.deallocate()
            textBuffers[index] = nil
            textCapacities[index] = 0
        }
    }

    private func textBuffer(at index: Int, capacity: Int) -> UnsafeMutableRawPointer {
        if let buffer = textBuffers[index], textCapacities[index] >= capacity {
            return buffer
        }
        textBuffers[index]?.deallocate()
        // Round up so values of similar length reuse one buffer; at least 1 byte so the pointer is never
        // null, even for "".
        let newCapacity = max(64, capacity.nextPowerOfTwoOrSelf)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 1)
        textBuffers[index] = buffer
        textCapacities[index] = newCapacity
        return buffer
    }
}

extension Int {
    fileprivate var nextPowerOfTwoOrSelf: Int {
        guard self > 1 else { return 1 }
        let shift = Int.bitWidth - (self - 1).leadingZeroBitCount
        return shift >= Int.bitWidth - 1 ? self : 1 << shift
    }
}
