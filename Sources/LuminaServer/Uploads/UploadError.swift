/// Why an upload stopped, in words for the person uploading and a code for scripts.
enum UploadError: Error, Sendable, Equatable, CustomStringConvertible {
    case tooMuchData(expected: Int64)
    case incomplete(received: Int64, expected: Int64)
    case notReceiving(status: String)
    case busy
    case storage(String)
    case unreadable(code: String, message: String)
    case ingestFailed(String)

    var code: String {
        switch self {
        case .tooMuchData: "too_much_data"
        case .incomplete: "incomplete_upload"
        case .notReceiving: "upload_closed"
        case .busy: "upload_busy"
        case .storage: "storage_error"
        case .unreadable(let code, _): code
        case .ingestFailed: "ingest_failed"
        }
    }

    var description: String {
        switch self {
        case .tooMuchData(let expected):
            "more data arrived than the \(expected) bytes announced when the upload was created"
        case .incomplete(let received, let expected):
            "the upload ended after \(received) of \(expected) bytes; send the rest to finish it"
        case .notReceiving(let status):
            "this upload is \(status) and takes no more data"
        case .busy:
            "this upload is already being sent from another connection"
        case .storage(let why):
            "the server could not store the file: \(why)"
        case .unreadable(_, let message):
            message
        case .ingestFailed(let why):
            "the file was received but could not be stored as a dataset: \(why)"
        }
    }
}
