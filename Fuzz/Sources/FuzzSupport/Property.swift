/// Stops the fuzzer with a crash when a property fails, so libFuzzer keeps the input.
///
/// A property violation is a defect just like a trap in the code under test: the message says which
/// property broke and shows the values involved.
public func require(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID,
    line: UInt = #line
) {
    if !condition() { fatalError("property violated: \(message())", file: file, line: line) }
}

/// The fuzzer's input as an array (libFuzzer may pass a null pointer with a size of 0).
public func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}
