/// The broker's replication role (Java `BrokerRole`). A slave's store refuses puts (SERVICE_NOT_AVAILABLE).
public enum BrokerRole: String, Sendable, Hashable, CaseIterable {
    case asyncMaster = "ASYNC_MASTER"
    case syncMaster = "SYNC_MASTER"
    case slave = "SLAVE"
}
