import NIOCore

/// Runs Swift tasks on a SwiftNIO event loop: each connection's task runs on its channel's own
/// loop, so it never hops threads and never waits for the shared cooperative pool (which other
/// work in the process may keep busy).
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    // Safe: the only stored state is the event loop, which is itself thread-safe.
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        eventLoop.execute { job.runSynchronously(on: executor) }
    }
}
