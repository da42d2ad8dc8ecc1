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
        #"'a single-quoted text with "double" quotes inside it'"#, #""a long text ending in an escape \u0001""#,
        #""open"#, #""bad\q""#, #""\ud83d""#, #""\ude00""#, #""\ud83dx""#, #""\u12""#, #""\u12"#, #""trailing\"#,
    ]

    static func read(_ text: String) -> Result<String, JSONError> {
        Array(text.utf8).withUnsafeBytes { raw in
            var scanner = JSONScanner(raw)
            do throws(JSONError) { return .success(try scanner.readString()) } catch { return .failure(error) }
        }
    }

    /// Copies into `capacity` bytes followed by guard bytes; the guard must survive. `trailing` follows the
    /// string in the input (the rest of a header) and must not be consumed.
    static func copy(_ bytes: [UInt8], capacity: Int, trailing: [UInt8] = []) -> (Result<[UInt8], JSONError>, guardIntact: Bool) {
        var output = [UInt8](repeating: 0xEE, count: capacity + 8)
        let result = (bytes + trailing).withUnsafeBytes { raw in
            output.withUnsafeMutableBytes { out -> Result<[UInt8], JSONError> in
                var scanner = JSONScanner(raw)
                do throws(JSONError) {
                    let count = try scanner.copyString(to: out.baseAddress!, capacity: capacity)
                    #expect(scanner.index == bytes.count)
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
        // The same inside a run copied a word at a time.
        let long: [UInt8] = [0x22] + Array("abcdefghij".utf8) + [0xC3] + Array("klmnopqrstu".utf8) + [0x22]
        guard case .failure(.invalidUTF8) = Self.copy(long, capacity: long.count).0 else {
            Issue.record("truncated UTF-8 in a long run accepted")
            return
        }
    }

    /// Every room smaller than the text: refused, never a byte past the room.
    @Test(arguments: inputs.prefix(12))
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

    /// Strings long enough for the word-at-a-time runs: a quote, escape, control or non-ASCII byte at every
    /// position around the word boundaries. The writer's output reads back as the text; the scanner's copy
    /// equals `readString`; the escapes are those of a byte-by-byte reference.
    @Test func wordAtATimeScansAgreeWithByteByByte() throws {
        let specials: [String] = ["\"", "\\", "\u{01}", "\u{7F}", "\n", "é", "😀", "'"]
        for length in [7, 8, 9, 15, 16, 17, 24, 31, 40] {
            for position in 0..<length {
                for special in specials {
                    var text = String(repeating: "x", count: length)
                    let cut = text.index(text.startIndex, offsetBy: position)
                    text.replaceSubrange(cut...cut, with: special)
                    let written = JSONWriter().string(.string(text))
                    #expect(Array(written.utf8) == Self.referenceEscape(text), "\(length) \(position)")
                    #expect(try Self.read(written).get() == text)
                    let bytes = Array(written.utf8)
                    let (copied, intact) = Self.copy(bytes, capacity: bytes.count)
                    #expect(intact)
                    #expect(try copied.get() == Array(text.utf8))
                }
            }
        }
    }

    /// Short strings with the rest of a header after them (the one-word case): each special byte at each
    /// position, every room from none to a word past the text.
    @Test func shortStringsBeforeMoreHeaderAgreeWithReadString() throws {
        let specials: [String] = ["x", "\"", "\\", "\u{01}", "é", "'"]
        let trailing = Array(#","b":"BenchmarkTest","c":"TBW102"}"#.utf8)
        for length in 0...9 {
            for position in 0..<max(length, 1) {
                for special in specials {
                    var text = String(repeating: "x", count: length)
                    if length > 0 {
                        let cut = text.index(text.startIndex, offsetBy: position)
                        text.replaceSubrange(cut...cut, with: special)
                    }
                    let bytes = Array(JSONWriter().string(.string(text)).utf8)
                    let needed = text.utf8.count
                    for capacity in 0...(needed + 8) {
                        let (copied, intact) = Self.copy(bytes, capacity: capacity, trailing: trailing)
                        #expect(intact, "\(text) capacity \(capacity)")
                        if capacity < needed {
                            #expect(throws: JSONError.self) { try copied.get() }
                        } else {
                            #expect(try copied.get() == Array(text.utf8), "\(text) capacity \(capacity)")
                        }
                    }
                }
            }
        }
        // Single quotes, and a double quote inside them.
        let (copied, _) = Self.copy(Array(#"'a"b'"#.utf8), capacity: 8, trailing: trailing)
        #expect(try copied.get() == Array(#"a"b"#.utf8))
        // Raw non-ASCII in the first word is validated (a truncated sequence is refused).
        let (truncated, _) = Self.copy([0x22, 0x61, 0xC3, 0x22], capacity: 8, trailing: trailing)
        #expect(throws: JSONError.self) { try truncated.get() }
    }

    /// fastjson's escapes one byte at a time.
    static func referenceEscape(_ text: String) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += Array(#"\""#.utf8)
            case UInt8(ascii: "\\"): out += Array(#"\\"#.utf8)
            case 0x08: out += Array(#"\b"#.utf8)
            case 0x09: out += Array(#"\t"#.utf8)
            case 0x0A: out += Array(#"\n"#.utf8)
            case 0x0C: out += Array(#"\f"#.utf8)
            case 0x0D: out += Array(#"\r"#.utf8)
            case 0..<0x20, 0x7F:
                let hex = String(byte, radix: 16, uppercase: true)
                out += Array((#"\u"# + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
            default: out.append(byte)
            }
        }
        return out + [UInt8(ascii: "\"")]
    }
}
