import Logging
import NIOConcurrencyHelpers
import NIOCore
import RemotingCodec
import RemotingNIO
import RocketMQModel

/// What a broker asks of the name servers (Java `BrokerOuterAPI`): REGISTER_BROKER to every one of them
/// in parallel, UNREGISTER_BROKER on shutdown. One connection per name server, reopened when it drops.
public final class BrokerOuterAPI: Sendable {
    private let addresses: [String]
    private let timeout: TimeAmount
    private let logger: Logger
    private let connections = NIOLockedValueBox<[String: RemotingConnection]>([:])

    public init(nameServerAddresses: [String], timeoutMillis: Int, logger: Logger) {
        self.addresses = nameServerAddresses
        self.timeout = .milliseconds(Int64(timeoutMillis))
        self.logger = logger
    }

    /// Registers with every name server; returns the answers of those that accepted (a slave learns its
    /// master's address from them).
    @discardableResult
    public func registerBrokerAll(
        header: RegisterBrokerRequestHeader, body: RegisterBrokerBody, compressed: Bool
    ) async -> [RegisterBrokerResponseHeader] {
        var header = header
        header.compressed = compressed
        let payload: ByteBuffer
        do {
            payload = compressed ? try body.compressed() : body.encoded()
        } catch {
            logger.error("cannot encode the registration body", metadata: ["error": "\(error)"])
            return []
        }
        header.bodyCrc32 = CRC32.masked(payload)
        let request = RemotingCommand.request(code: .registerBroker, extFields: header.extFields, body: payload)
        return await withTaskGroup(of: RegisterBrokerResponseHeader?.self) { group in
            for address in addresses {
                group.addTask {
                    do {
                        let response = try await self.send(request, to: address)
                        guard response.responseCode == .success else {
                            self.logger.warning("name server refused the registration", metadata: [
                                "namesrv": "\(address)", "code": "\(response.code)", "remark": "\(response.remark ?? "")"])
                            return nil
                        }
                        return try response.decodeHeader(RegisterBrokerResponseHeader.self)
                    } catch {
                        self.logger.warning("cannot register with a name server", metadata: ["namesrv": "\(address)", "error": "\(error)"])
                        return nil
                    }
                }
            }
            var answers: [RegisterBrokerResponseHeader] = []
            for await answer in group { if let answer { answers.append(answer) } }
            return answers
        }
    }

    /// UNREGISTER_BROKER to every name server, then closes the connections.
    public func unregisterBrokerAll(header: UnregisterBrokerRequestHeader) async {
        let request = RemotingCommand.request(code: .unregisterBroker, extFields: header.extFields)
        await withTaskGroup(of: Void.self) { group in
            for address in addresses {
                group.addTask {
                    do {
                        _ = try await self.send(request, to: address)
                        self.logger.info("unregistered from a name server", metadata: ["namesrv": "\(address)"])
                    } catch {
                        self.logger.warning("cannot unregister from a name server", metadata: ["namesrv": "\(address)", "error": "\(error)"])
                    }
                }
            }
        }
        let open = connections.withLockedValue { connections in
            defer { connections.removeAll() }
            return Array(connections.values)
        }
        for connection in open { connection.close() }
    }

    private func send(_ request: RemotingCommand, to address: String) async throws -> RemotingCommand {
        let connection = try await connection(to: address)
        do {
            return try await connection.send(request, timeout: timeout)
        } catch {
            // A timed-out or broken connection is dropped; the next attempt reconnects.
            connections.withLockedValue { if $0[address] == connection { $0[address] = nil } }
            connection.close()
            throw error
        }
    }

    private func connection(to address: String) async throws -> RemotingConnection {
        if let open = connections.withLockedValue({ $0[address] }), open.isActive { return open }
        let connection = try await RemotingClient.connect(address: address, logger: logger)
        let replaced = connections.withLockedValue { connections in
            defer { connections[address] = connection }
            return connections[address]
        }
        replaced?.close()
        return connection
    }
}
