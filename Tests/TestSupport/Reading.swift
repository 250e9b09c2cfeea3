public import Foundation

#if canImport(Glibc)
import Glibc
#endif

// Foundation's `FileHandle.readDataToEndOfFile()` and `availableData` trap (`try!`) on any read
// error, EINTR included: in a test process with many threads and child processes, a signal that
// lands during a read crashed the whole suite. These read with POSIX `read`, retry on EINTR and
// end at an error instead of trapping.

/// Everything left on `handle` up to end of file.
public func readAll(_ handle: FileHandle) -> Data {
    var data = Data()
    while true {
        let chunk = readSome(handle)
        if chunk.isEmpty { return data }
        data.append(chunk)
    }
}

/// What one read returns (at most 64 KiB): empty at end of file or on an error.
public func readSome(_ handle: FileHandle) -> Data {
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(handle.fileDescriptor, $0.baseAddress, $0.count) }
        if n > 0 { return Data(buffer[0..<n]) }
        if n < 0 && errno == EINTR { continue }
        return Data()
    }
}
