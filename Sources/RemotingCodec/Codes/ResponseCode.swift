/// A remoting response code (Java `ResponseCode` plus `RemotingSysResponseCode`).
public struct ResponseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public init(_ rawValue: Int32) { self.rawValue = rawValue }

    public var name: String? { Self.names[rawValue] }
    public var description: String { name ?? "CODE_\(rawValue)" }

    public static let success = ResponseCode(0)
    public static let systemError = ResponseCode(1)
    public static let systemBusy = ResponseCode(2)
    public static let requestCodeNotSupported = ResponseCode(3)
    public static let transactionFailed = ResponseCode(4)
    public static let flushDiskTimeout = ResponseCode(10)
    public static let slaveNotAvailable = ResponseCode(11)
    public static let flushSlaveTimeout = ResponseCode(12)
    public static let messageIllegal = ResponseCode(13)
    public static let serviceNotAvailable = ResponseCode(14)
    public static let versionNotSupported = ResponseCode(15)
    public static let noPermission = ResponseCode(16)
    public static let topicNotExist = ResponseCode(17)
    public static let topicExistAlready = ResponseCode(18)
    public static let pullNotFound = ResponseCode(19)
    public static let pullRetryImmediately = ResponseCode(20)
    public static let pullOffsetMoved = ResponseCode(21)
    public static let queryNotFound = ResponseCode(22)
    public static let subscriptionParseFailed = ResponseCode(23)
    public static let subscriptionNotExist = ResponseCode(24)
    public static let subscriptionNotLatest = ResponseCode(25)
    public static let subscriptionGroupNotExist = ResponseCode(26)
    public static let filterDataNotExist = ResponseCode(27)
    public static let filterDataNotLatest = ResponseCode(28)
    public static let transactionShouldCommit = ResponseCode(200)
    public static let transactionShouldRollback = ResponseCode(201)
    public static let transactionStateUnknow = ResponseCode(202)
    public static let transactionStateGroupWrong = ResponseCode(203)
    public static let noBuyerId = ResponseCode(204)
    public static let notInCurrentUnit = ResponseCode(205)
    public static let consumerNotOnline = ResponseCode(206)
    public static let consumeMsgTimeout = ResponseCode(207)
    public static let noMessage = ResponseCode(208)
    public static let updateAndCreateAclConfigFailed = ResponseCode(209)
    public static let deleteAclConfigFailed = ResponseCode(210)
    public static let updateGlobalWhiteAddrsConfigFailed = ResponseCode(211)
    public static let flowControl = ResponseCode(215)

    static let names: [Int32: String] = [
        0: "SUCCESS", 1: "SYSTEM_ERROR", 2: "SYSTEM_BUSY", 3: "REQUEST_CODE_NOT_SUPPORTED",
        4: "TRANSACTION_FAILED", 10: "FLUSH_DISK_TIMEOUT", 11: "SLAVE_NOT_AVAILABLE",
        12: "FLUSH_SLAVE_TIMEOUT", 13: "MESSAGE_ILLEGAL", 14: "SERVICE_NOT_AVAILABLE",
        15: "VERSION_NOT_SUPPORTED", 16: "NO_PERMISSION", 17: "TOPIC_NOT_EXIST", 18: "TOPIC_EXIST_ALREADY",
        19: "PULL_NOT_FOUND", 20: "PULL_RETRY_IMMEDIATELY", 21: "PULL_OFFSET_MOVED", 22: "QUERY_NOT_FOUND",
        23: "SUBSCRIPTION_PARSE_FAILED", 24: "SUBSCRIPTION_NOT_EXIST", 25: "SUBSCRIPTION_NOT_LATEST",
        26: "SUBSCRIPTION_GROUP_NOT_EXIST", 27: "FILTER_DATA_NOT_EXIST", 28: "FILTER_DATA_NOT_LATEST",
        200: "TRANSACTION_SHOULD_COMMIT", 201: "TRANSACTION_SHOULD_ROLLBACK", 202: "TRANSACTION_STATE_UNKNOW",
        203: "TRANSACTION_STATE_GROUP_WRONG", 204: "NO_BUYER_ID", 205: "NOT_IN_CURRENT_UNIT",
        206: "CONSUMER_NOT_ONLINE", 207: "CONSUME_MSG_TIMEOUT", 208: "NO_MESSAGE",
        209: "UPDATE_AND_CREATE_ACL_CONFIG_FAILED", 210: "DELETE_ACL_CONFIG_FAILED",
        211: "UPDATE_GLOBAL_WHITE_ADDRS_CONFIG_FAILED", 215: "FLOW_CONTROL",
    ]
}
