/// What a worker thread runs for every request. Each thread makes its own responder (and with it its own
/// database connection), so a responder is never shared between threads and needs no locking.
public protocol FastCGIResponder: AnyObject {
    func respond(to request: FastCGIRequest)
}
