@testable import RemotingCodec
import Testing

/// `copyString` (one pass, into the caller's room) reads what `readString` reads, fails where it fails,
/// and never writes past its room.
@Suite struct JSONScannerTests {
    static let inputs: [String] = [
        #""""#, #""plain""#, #"'single'"#, #""UNIQ_KEY\u0002C0A8\u0001WAIT\u0002true\u0001""#,
        #""a\"b\\c\/d\be\ff\ng\rh\ti""#, #""\u00e9t\u00C9""#, #""\ud83d\ude00 smile""#, #""caf\u00e9 é ü""#,
        #""end\u0001""#, #""\u0001""#,
        // Malformed: unterminated, bad escapes, lone surrogates, a short \u.
        #""open"#, #""bad\q""#, #""\ud83d""#, #""\ude00""#, #""\ud83dx""#, #""\u12""#, #""\u12"#, #""trailing\"#,
    ]

    static func read(_ text: String) -> Result<String, JSONError> {
        Array(text.utf8).withUnsafeBytes { raw in
            var scanner = JSONScanner(raw)
            do throws(JSONError) { return .success(try scanner.readString()) } catch { return .failure(error) }
        }
    }

    /// Copies into `capacity` bytes followed by guard bytes; the guard must survive.
    static func copy(_ bytes: [UInt8], capacity: Int) -> (Result<[UInt8], JSONError>, guardIntact: Bool) {
        var output = [UInt8](repeating: 0xEE, count: capacity + 8)
        let result = bytes.withUnsafeBytes { raw in
            output.withUnsafeMutableBytes { out -> Result<[UInt8], JSONError> in
                var scanner = JSONScanner(raw)
                do throws(JSONError) {
                    let count = try scanner.copyString(to: out.baseAddress!, capacity: capacity)
                    #expect(scanner.index == raw.count)
                    return .success(Array(out[0..<count]))
                } catch { return .failure(error) }
            }
        }
        return (result, output[capacity...].allSatisfy { $0 == 0xEE })
    }

    @Test(arguments: inputs)
    func copyStringAgreesWithReadString(_ text: String) {
        let bytes = Array(text.utf8)
        let expected = Self.read(text)
        let (copied, intact) = Self.copy(bytes, capacity: bytes.count)
        #expect(intact)
        switch (expected, copied) {
        case (.success(let string), .success(let written)): #expect(Array(string.utf8) == written)
        case (.failure, .failure): break
        default: Issue.record("readString \(expected), copyString \(copied)")
        }
    }

    @Test func invalidRawUTF8IsRefusedAndEscapesAreNot() {
        #expect(throws: Never.self) { try Self.copy(Array(#""\u00e9""#.utf8), capacity: 8).0.get() }
        let raw: [UInt8] = [0x22, 0x61, 0xC3, 0x22]  // "a" then a truncated two-byte sequence
        guard case .failure(.invalidUTF8) = Self.copy(raw, capacity: 4).0 else {
            Issue.record("truncated UTF-8 accepted")
            return
        }
    }

    /// Every room smaller than the text: refused, never a byte past the room.
    @Test(arguments: inputs.prefix(10))
    func tightRoomIsRefusedWithoutOverrun(_ text: String) {
        let bytes = Array(text.utf8)
        guard case .success(let string) = Self.read(text) else { return }
        let needed = string.utf8.count
        for capacity in 0...needed {
            let (copied, intact) = Self.copy(bytes, capacity: capacity)
            #expect(intact, "capacity \(capacity)")
            if capacity < needed {
                guard case .failure = copied else {
                    Issue.record("capacity \(capacity) < \(needed) accepted")
                    continue
                }
            } else {
                #expect((try? copied.get()) == Array(string.utf8))
            }
        }
    }
}
