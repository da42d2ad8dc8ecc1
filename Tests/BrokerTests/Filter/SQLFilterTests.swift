import Broker
import RocketMQModel
import Testing

private func parse(_ text: String) throws -> SQLExpression {
    try SQLExpression.parse(text)
}

private func failure(_ text: String) -> SQLFilterError? {
    do {
        _ = try SQLExpression.parse(text)
        return nil
    } catch {
        return error
    }
}

private func result(_ text: String, _ properties: [String: String]) throws -> SQLEvaluationResult {
    try SQLExpression.parse(text).evaluate(properties)
}

/// The cases of Java's own `ExpressionTest` and `ParserTest` (filter module, 4.9.8), with property values as strings,
/// which is all a broker ever passes.
@Suite struct SQLFilterJavaSuiteTests {
    static let andExpression = "a=3 and b<>4 And c>5 AND d<=4"
    static let orExpression = "a=3 or b<>4 Or c>5 OR d<=4"

    @Test func stringWithQuotes() throws {
        #expect(try result("TAGS is not null and TAGS='''''tag'''''", ["TAGS": "''tag''"]) == .true)
    }

    @Test func betweenPropertiesAndNonNumericStrings() throws {
        // Java's test expects an exception on the way; each of these is an evaluation error or FALSE, never TRUE.
        #expect(try result("a between up and low", ["a": "3.14"]) == .null)
        #expect(try result("a between up and low", ["a": "3.14", "up": "up", "low": "low"]) == .failure)
        #expect(try result("key is not null and key between 0 and 100", ["key": "con"]) == .failure)
        #expect(try result("a between 0 and 100", ["a": "abc"]) == .failure)
        #expect(try result("a=b", ["a": "3.14", "b": "3.14"]) == .true)
        #expect(try result("a<>b", ["a": "3.14", "b": "3.14"]) == .false)
        #expect(try result("a<>b", ["a": "3.14", "b": "3.141"]) == .true)
    }

    @Test func floatsAndExponents() throws {
        #expect(try result("a > 3.1E10", ["a": "3.1415E10"]) == .true)
        #expect(try result("a > 3.14", ["a": "3.1415"]) == .true)
    }

    @Test func twoProperties() throws {
        #expect(try result("a > b", ["a": "10", "b": "20"]) == .false)
        #expect(try result("a > b", ["a": "20", "b": "10"]) == .true)
    }

    @Test func nullOr() throws {
        #expect(try result("a is null OR a='hello'", [:]) == .true)
        #expect(try result("a is null OR a='hello'", ["a": "hello"]) == .true)
        #expect(try result("a is null OR a='hello'", ["a": "abc"]) == .false)
    }

    @Test func booleans() throws {
        #expect(try result("a=TRUE OR b=FALSE", ["a": "true", "b": "false"]) == .true)
        #expect(try result("a=TRUE OR b=FALSE", ["a": "false", "b": "true"]) == .false)
    }

    @Test func equal() throws {
        #expect(try result("a is not null and a='hello'", ["a": "hello"]) == .true)
        #expect(try parse("a is not null and a='hello'").matches([:]) == false)
    }

    @Test func andOr() throws {
        let and = try parse(Self.andExpression)
        #expect(and.matches(["a": "3", "b": "5", "c": "6", "d": "1"]))
        #expect(!and.matches(["a": "4", "b": "5", "c": "6", "d": "1"]))
        let or = try parse(Self.orExpression)
        #expect(or.matches(["a": "3"]))
        #expect(or.matches(["a": "4", "b": "5"]))
        #expect(or.matches(["a": "4", "b": "4", "c": "6"]))
        #expect(or.matches(["a": "4", "b": "4", "c": "3", "d": "2"]))
        #expect(!or.matches(["a": "4", "b": "4", "c": "3", "d": "10"]))
    }

    @Test func inAndNotIn() throws {
        let inList = try parse("a in ('3', '4', '5')")
        let notIn = try parse("a not in ('3', '4', '5')")
        for value in ["3", "4", "5"] {
            #expect(inList.matches(["a": value]))
            #expect(!notIn.matches(["a": value]))
        }
        #expect(!inList.matches(["a": "8"]))
        #expect(notIn.matches(["a": "8"]))
    }

    @Test func betweenAndNotBetween() throws {
        let between = try parse("a between 2 and 10")
        let notBetween = try parse("a not between 2 and 10")
        for value in ["2", "10", "3"] {
            #expect(between.matches(["a": value]))
            #expect(!notBetween.matches(["a": value]))
        }
        for value in ["1", "11"] {
            #expect(!between.matches(["a": value]))
            #expect(notBetween.matches(["a": value]))
        }
    }

    @Test func isNullAndIsNotNull() throws {
        #expect(try parse("a is null").matches(["abc": "2"]))
        #expect(try !parse("a is null").matches(["a": "2"]))
        #expect(try parse("a is not null").matches(["a": "2"]))
        #expect(try !parse("a is not null").matches(["abc": "2"]))
    }

    @Test func parserAcceptsWhatJavaAccepts() throws {
        for text in [
            Self.andExpression, Self.orExpression, "a in ('3', '4', '5')",
            "(a not in ('6', '4', '5')) or (b in ('3', '4', '5'))", "(a between 2 and 10) AND (b not between 6 and 9)",
            "a is null", "a is not null", "a <= now",
        ] {
            #expect(throws: Never.self) { try SQLExpression.parse(text) }
        }
        // Blanks do not change the expression.
        #expect(try parse("a=3  and    b<>4 And c>5 AND d<=4").javaDescription == parse(Self.andExpression).javaDescription)
        #expect(try parse(Self.orExpression).javaDescription != parse(Self.andExpression).javaDescription)
    }

    @Test func parserRejectsWhatJavaRejects() {
        #expect(failure("a and between 2 and 10")?.kind == .syntax)
        #expect(failure("a > 100000000000000000000000")?.kind == .numberFormat)
        #expect(failure("a > 1" + String(repeating: "1", count: 400) + ".5")?.kind == .invalidOperand)
        #expect(failure(" a between 10 and 0")?.kind == .invalidOperand)
    }
}

/// Expressions × property sets with the outcomes the Java filter produced (``SQLFilterGolden``).
@Suite struct SQLFilterGoldenTests {
    @Test func evaluationsMatchJava() throws {
        let sets = SQLFilterGolden.propertySets
        for (text, expected) in SQLFilterGolden.evaluations {
            let expression = try SQLExpression.parse(text)
            let actual = String(sets.map { properties -> Character in
                switch expression.evaluate(properties) {
                case .true: return "T"
                case .false: return "F"
                case .null: return "N"
                case .failure: return "E"
                }
            })
            #expect(actual == expected, "\(text)")
        }
    }

    @Test func failuresMatchJavaRemarks() {
        for (text, remark) in SQLFilterGolden.failures {
            #expect(failure(text)?.remark == remark, "\(text)")
        }
    }
}

@Suite struct SQLFilterSemanticsTests {
    @Test func onlyTrueMatches() throws {
        let expression = try parse("a > 5")
        #expect(expression.evaluate(["a": "6"]) == .true)
        #expect(expression.evaluate(["a": "5"]) == .false)
        #expect(expression.evaluate([:]) == .null)
        #expect(expression.evaluate(["a": "six"]) == .failure)
        #expect(expression.matches(["a": "6"]))
        #expect(!expression.matches(["a": "5"]) && !expression.matches([:]) && !expression.matches(["a": "six"]))
    }

    @Test func threeValuedLogic() throws {
        // NULL AND FALSE is FALSE, NULL AND TRUE is NULL, NULL OR TRUE is TRUE, NULL OR FALSE is NULL, NOT NULL is NULL.
        #expect(try result("a = 1 AND b = 1", ["b": "2"]) == .false)
        #expect(try result("a = 1 AND b = 1", ["b": "1"]) == .null)
        #expect(try result("a = 1 OR b = 1", ["b": "1"]) == .true)
        #expect(try result("a = 1 OR b = 1", ["b": "2"]) == .null)
        #expect(try result("NOT (a = 1)", [:]) == .null)
        #expect(try result("NOT (a = 1)", ["a": "2"]) == .true)
        #expect(try result("a IN ('x')", [:]) == .null)
        #expect(try result("a NOT IN ('x')", [:]) == .null)
        #expect(try result("a NOT BETWEEN 1 AND 2", [:]) == .null)
        #expect(try result("NULL", [:]) == .null)
        #expect(try result("TRUE", [:]) == .true)
    }

    @Test func equalityWithMissingProperties() throws {
        // Java's equality: two NULLs are equal, NULL on the left is unknown, NULL on the right is FALSE.
        #expect(try result("a = b", [:]) == .true)
        #expect(try result("a <> b", [:]) == .false)
        #expect(try result("a = b", ["b": "1"]) == .null)
        #expect(try result("a = b", ["a": "1"]) == .false)
        #expect(try result("a <> b", ["a": "1"]) == .true)
        #expect(try result("a = 'x'", [:]) == .null)
        #expect(try result("'x' = a", [:]) == .false)
    }

    @Test func errorsStopTheWholeExpression() throws {
        // Left to right with short circuit: an error before a deciding operand fails everything.
        #expect(try result("a > 5 OR b = 'x'", ["a": "abc", "b": "x"]) == .failure)
        #expect(try result("b = 'x' OR a > 5", ["a": "abc", "b": "x"]) == .true)
        #expect(try result("b = 'y' AND a > 5", ["a": "abc", "b": "x"]) == .false)
    }

    @Test func numericConversionFollowsTheConstant() throws {
        // An Integer constant parses the property with Integer.parseInt.
        #expect(try result("a = 5", ["a": "5"]) == .true)
        #expect(try result("a = 5", ["a": "+5"]) == .true)
        #expect(try result("a = 5", ["a": "05"]) == .true)
        #expect(try result("a = 5", ["a": "5.0"]) == .failure)
        #expect(try result("a = 5", ["a": " 5"]) == .failure)
        #expect(try result("a > 5", ["a": "2147483648"]) == .failure)
        #expect(try result("a = 3", ["a": "\u{663}"]) == .true)  // Arabic-Indic digit three, as Character.digit reads it
        // A constant beyond an int is a Long.
        #expect(try result("a < 2147483648", ["a": "2147483647"]) == .true)
        #expect(try result("a < 2147483648", ["a": "9223372036854775808"]) == .failure)
        // L suffix is dropped; a small value is still an Integer.
        #expect(try result("a = 5L", ["a": "2147483648"]) == .failure)
        // A double constant uses Double.valueOf: trims, takes NaN, Infinity, hex and type suffixes.
        #expect(try result("a = 5.0", ["a": "5"]) == .true)
        #expect(try result("a = 5.0", ["a": " 5 "]) == .true)
        #expect(try result("a = 5.0", ["a": "5f"]) == .true)
        #expect(try result("a = 8.0", ["a": "0x1p3"]) == .true)
        #expect(try result("a > 1.5", ["a": "NaN"]) == .true)  // NaN sorts above everything in Double.compareTo
        #expect(try result("a > 1.5", ["a": "Infinity"]) == .true)
        #expect(try result("a > 1.5", ["a": "1e"]) == .failure)
        // Two strings are compared as doubles.
        #expect(try result("a > b", ["a": "10", "b": "9.5"]) == .true)
        #expect(try result("a >= b", ["a": "x", "b": "1"]) == .failure)
        // Negation applies to numbers only; a negated property is NULL.
        #expect(try result("a = -5", ["a": "-5"]) == .true)
        #expect(try result("a > -b", ["a": "1", "b": "2"]) == .null)
        #expect(try result("a = - - 5", ["a": "5"]) == .true)
    }

    @Test func booleanConversion() throws {
        #expect(try result("a = TRUE", ["a": "TrUe"]) == .true)
        #expect(try result("a = TRUE", ["a": "yes"]) == .false)
        #expect(try result("a = FALSE", ["a": "anything"]) == .true)
        // A boolean on the left of a string: Java casts the Boolean to String and throws.
        #expect(try result("TRUE = a", ["a": "true"]) == .failure)
        // A bare property is a boolean cast: never TRUE, since values are strings.
        #expect(try result("a", ["a": "true"]) == .false)
        #expect(try result("NOT a", ["a": "true"]) == .true)
        #expect(try result("a", [:]) == .null)
        // NOT binds to the operand: (NOT a) = 'x' compares a Boolean with a String.
        #expect(try result("NOT a = 'x'", ["a": "y"]) == .failure)
    }

    @Test func stringsCompareExactly() throws {
        #expect(try result("a = 'x'", ["a": "x"]) == .true)
        #expect(try result("a = 'x'", ["a": "X"]) == .false)
        // Java compares UTF-16 code units: é precomposed is not e + combining acute.
        #expect(try result("a = '\u{e9}'", ["a": "e\u{301}"]) == .false)
        #expect(try result("a IN ('\u{e9}')", ["a": "e\u{301}"]) == .false)
        #expect(try result("a IN ('1','2','3','4','5','6','7','8','9','\u{e9}')", ["a": "\u{e9}"]) == .true)
        #expect(try result("a IN ('1','2','3','4','5','6','7','8','9','\u{e9}')", ["a": "e\u{301}"]) == .false)
        #expect(try result("a = 'it''s'", ["a": "it's"]) == .true)
        #expect(try result("a = ''", ["a": ""]) == .true)
    }

    @Test func tagsAndSystemPropertiesAreOrdinaryProperties() throws {
        var properties = MessageProperties()
        properties.tags = "TagA"
        properties.keys = "k1 k2"
        properties["CLUSTER"] = "DefaultCluster"
        properties["color"] = "red"
        let expression = try parse("TAGS IN ('TagA', 'TagB') AND KEYS = 'k1 k2' AND CLUSTER = 'DefaultCluster' AND color = 'red'")
        #expect(expression.matches(properties))
        properties.tags = "TagC"
        #expect(!expression.matches(properties))
        #expect(expression.propertyNames == ["TAGS", "KEYS", "CLUSTER", "color"])
    }

    @Test func lookupClosure() throws {
        let expression = try parse("a > 5 AND color = 'red'")
        var asked: [String] = []
        let matched = expression.matches { name in
            asked.append(name)
            return ["a": "7", "color": "red"][name]
        }
        #expect(matched)
        #expect(asked == ["a", "color"])
    }

    @Test func grammarDetails() throws {
        // Keywords in any case; identifiers are case-sensitive ASCII with _ and $.
        #expect(try result("a Is NoT nUlL aNd $b_1 = 'x'", ["a": "1", "$b_1": "x"]) == .true)
        #expect(try result("A = 'x'", ["a": "x"]) == .null)
        // The end of input is never required: what follows a complete expression is ignored (but its first token is lexed).
        #expect(try result("a = 'x' ) whatever", ["a": "x"]) == .true)
        #expect(try result("a = 007", ["a": "0"]) == .true)
        #expect(failure("a = 'x' #")?.kind == .lexical)
        #expect(throws: Never.self) { try SQLExpression.parse("a = 'x' ) #") }
        // Comments.
        #expect(try result("/* c */ a = 1 -- c\n AND b = 2", ["a": "1", "b": "2"]) == .true)
        // Unary plus is the operand itself; unary minus on a non-number is NULL.
        #expect(try result("+a = 'x'", ["a": "x"]) == .true)
        #expect(try result("(a) IN ('x')", ["a": "x"]) == .true)
        // Literal range rules.
        #expect(failure("a > 0.0")?.remark == "java.lang.RuntimeException: 0.0 is less than 4.9E-324")
        #expect(failure("a > 1e400")?.remark == "java.lang.RuntimeException: 1e400 is greater than 1.7976931348623157E308")
        #expect(failure("a > 9223372036854775808")?.remark
            == "java.lang.NumberFormatException: For input string: \"9223372036854775808\"")
        #expect(try result("a > 9223372036854775807L", ["a": "1"]) == .false)
    }

    @Test func javaDescriptions() throws {
        #expect(try parse("a > 5 AND color = 'red'").javaDescription == "((a > 5) && (color == 'red'))")
        #expect(try parse("a BETWEEN 1 AND 2.5 OR b IS NOT NULL OR c <> 'it''s'").javaDescription
            == "((((a >= 1) && (a <= 2.5)) || (NOT (b == NULL))) || (NOT (c == 'it''s')))")
        #expect(try parse("NOT NOT a").javaDescription == "(NOT (NOT a))")
        #expect(try parse("a NOT IN ('x', 'y')").javaDescription == "a NOT IN ( x, y )")
        #expect(try parse("a = 12345678.5 OR a = 0.001 OR a = 1e-4").javaDescription
            == "(((a == 1.23456785E7) || (a == 0.001)) || (a == 1.0E-4))")
        // Java keeps 5 or more IN values in a HashSet; error messages show them in its iteration order.
        #expect(failure("a in ('1','2','3','4','5') > 1")?.remark
            == "java.lang.RuntimeException: Value 'a IN ( 1, 2, 3, 4, 5 )' cannot be compared.")
    }

    @Test func javaDoubleTextDiffersFromJDK17ForAFewValues() {
        // JDK 17 prints 1e23 as 9.999999999999999E22; this implementation prints the shortest form (as JDK 19+).
        #expect(failure("a = 1 OR 1e23")?.remark
            == "org.apache.rocketmq.filter.parser.ParseException: Expression will not result in a boolean value: 1.0E23")
    }
}

@Suite struct SQLFilterErrorTests {
    @Test func syntaxErrorsListExpectedTokens() throws {
        let error = try #require(failure("a = 1 AND"))
        #expect(error.kind == .syntax)
        #expect(error.line == 1 && error.column == 9)
        #expect(error.remark == """
            org.apache.rocketmq.filter.parser.ParseException: Encountered "<EOF>" at line 1, column 9.
            Was expecting one of:
                "NOT" ...
                "TRUE" ...
                "FALSE" ...
                "NULL" ...
                <DECIMAL_LITERAL> ...
                <FLOATING_POINT_LITERAL> ...
                <STRING_LITERAL> ...
                <ID> ...
                "(" ...
                "-" ...
                \("")
            """)
        let single = try #require(failure("a IS x"))
        #expect(single.remark == """
            org.apache.rocketmq.filter.parser.ParseException: Encountered " <ID> "x "" at line 1, column 6.
            Was expecting:
                "NOT" ...
                \("")
            """)
    }

    @Test func lexicalErrorsCarryPositions() throws {
        let error = try #require(failure("a = 1\n  AND b # c"))
        #expect(error.kind == .lexical)
        #expect(error.line == 2 && error.column == 9)
        #expect(error.remark
            == "org.apache.rocketmq.filter.parser.TokenMgrError: Lexical error at line 2, column 9.  Encountered: \"#\" (35), after : \"\"")
        // Tabs advance to the next multiple of 8; the last character is reported as <EOF>, one column on.
        #expect(failure("\ta = #")?.remark
            == "org.apache.rocketmq.filter.parser.TokenMgrError: Lexical error at line 1, column 14.  Encountered: <EOF> after : \"\"")
        #expect(failure("a = 'abc")?.remark
            == "org.apache.rocketmq.filter.parser.TokenMgrError: Lexical error at line 1, column 9.  Encountered: <EOF> after : \"\\'abc\"")
    }

    @Test func semanticErrors() {
        #expect(failure("a = NULL")?.remark == "java.lang.RuntimeException: 'NULL' cannot be compared.")
        #expect(failure("a > 'x'")?.remark == "java.lang.RuntimeException: Value ''x'' cannot be compared.")
        #expect(failure("TRUE = 5")?.remark == "java.lang.RuntimeException: 'TRUE' cannot be compared with '5'")
        #expect(failure("5 IN ('x')")?.remark == "java.lang.RuntimeException: Expected a property for In expression, got: 5")
        #expect(failure("a > 1 > 2")?.remark == "java.lang.RuntimeException: Value '(a > 1)' cannot be compared.")
        #expect(failure("a between 1 and 'x'")?.remark
            == "java.lang.RuntimeException: java.lang.NumberFormatException: For input string: \"x\"")
        #expect(failure("a between 'x' and TRUE")?.kind == .classCast)
        #expect(failure("NOT 5")?.kind == .notBoolean)
        #expect(failure("-a")?.remark
            == "org.apache.rocketmq.filter.parser.ParseException: Expression will not result in a boolean value: (- a)")
        #expect(failure("")?.remark.hasPrefix(
            "org.apache.rocketmq.filter.parser.ParseException: Encountered \"<EOF>\" at line 0, column 0.") == true)
    }

    @Test func limits() throws {
        let deepest = String(repeating: "(", count: SQLExpression.maximumNesting) + "a = 1"
            + String(repeating: ")", count: SQLExpression.maximumNesting)
        #expect(try parse(deepest).matches(["a": "1"]))
        let tooDeep = "(" + deepest + ")"
        #expect(failure(tooDeep) == SQLFilterError(kind: .tooDeeplyNested, remark: "java.lang.StackOverflowError"))
        // The unary-plus lookahead scans nested input too, under the same bound.
        let plus = String(repeating: "+ (", count: SQLExpression.maximumNesting + 1) + "a"
        #expect(failure(plus)?.kind == .tooDeeplyNested)
        // Chains: long AND/OR chains and prefix runs are flat; comparison chains count.
        #expect(try parse(Array(repeating: "a = 1", count: 5000).joined(separator: " OR ")).matches(["a": "1"]))
        #expect(try parse(String(repeating: "NOT ", count: 5001) + "a").matches(["a": "x"]))
        #expect(try parse(String(repeating: "- ", count: 5000) + "5 = a").matches(["a": "5"]))
        #expect(throws: Never.self) {
            try SQLExpression.parse(Array(repeating: "a", count: SQLExpression.maximumHeight).joined(separator: " = "))
        }
        #expect(failure(Array(repeating: "a", count: SQLExpression.maximumHeight + 1).joined(separator: " = "))?.kind
            == .tooDeeplyNested)
        let long = "a = '" + String(repeating: "x", count: SQLExpression.maximumLength) + "'"
        #expect(failure(long)?.kind == .tooLong)
        // Runs of unary plus do not rescan the rest of the input for each "+".
        #expect(try parse(String(repeating: "+ ", count: 30000) + "a").matches(["a": "1"]) == false)
    }

    @Test func brokerFacts() throws {
        #expect(SQLFilter.isTagType(nil) && SQLFilter.isTagType("") && SQLFilter.isTagType("TAG"))
        #expect(!SQLFilter.isTagType("SQL92") && !SQLFilter.isTagType("tag"))
        #expect(try SQLFilter.compile(expressionType: "SQL92", expression: "a = 1").text == "a = 1")
        #expect(throws: SQLFilterError.self) { try SQLFilter.compile(expressionType: "sql92", expression: "a = 1") }
        let unsupported = #expect(throws: SQLFilterError.self) {
            try SQLFilter.compile(expressionType: "FOO", expression: "a = 1")
        }
        #expect(unsupported?.kind == .unsupportedExpressionType)
        #expect(unsupported?.remark == "Cannot invoke \"org.apache.rocketmq.filter.FilterSpi.compile(String)\" because "
            + "the return value of \"org.apache.rocketmq.filter.FilterFactory.get(String)\" is null")
        #expect(SQLFilter.notSupportedRemark(expressionType: "SQL92")
            == "The broker does not support consumer to filter message by SQL92")
        #expect(SQLFilterError.checkClientConfigResponseCode == 23)
    }
}

/// Seeded random input: the parser and the evaluator never crash and stay consistent.
@Suite struct SQLFilterFuzzTests {
    /// SplitMix64, for reproducible runs.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let fragments = [
        "a", "b", "TAGS", "'x'", "'", "''", "3", "0", "1.5", ".5", "5.", "1e3", "2147483648", "99999999999999999999",
        "TRUE", "FALSE", "NULL", "=", "<>", ">", ">=", "<", "<=", "AND", "OR", "NOT", "IS", "IN", "BETWEEN", "(", ")",
        ",", "+", "-", "/*", "*/", "--", "\n", "\t", "#", ".", "é", "😀", "\u{0}", "L", "e",
    ]

    @Test func randomTokenSoupsNeverCrash() {
        var generator = Generator(state: 0x5EED)
        let properties: [[String: String]] = [[:], ["a": "3", "b": "x"], ["a": "x", "b": "3", "TAGS": "t"]]
        var compiled = 0
        for _ in 0..<1500 {
            let count = Int.random(in: 1...12, using: &generator)
            let separator = Bool.random(using: &generator) ? " " : ""
            let text = (0..<count).map { _ in Self.fragments.randomElement(using: &generator)! }.joined(separator: separator)
            guard let expression = try? SQLExpression.parse(text) else { continue }
            compiled += 1
            for set in properties {
                let outcome = expression.evaluate(set)
                #expect(expression.matches(set) == (outcome == .true))
            }
        }
        #expect(compiled > 50)
    }

    @Test func randomBytesNeverCrash() {
        var generator = Generator(state: 42)
        for _ in 0..<1500 {
            let bytes = (0..<Int.random(in: 0...24, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let text = String(decoding: bytes, as: UTF8.self)
            if let expression = try? SQLExpression.parse(text) {
                _ = expression.evaluate(["a": "1"])
            }
        }
    }

    @Test func randomNestedExpressionsEvaluateLikeTheirParts() throws {
        // Build random AND/OR/NOT trees of simple comparisons and check the three-valued result against a model.
        var generator = Generator(state: 7)
        let atoms: [(String, ([String: String]) -> SQLEvaluationResult)] = [
            ("a = 'x'", { $0["a"].map { $0 == "x" ? .true : .false } ?? .null }),
            ("b IS NULL", { $0["b"] == nil ? .true : .false }),
            ("c IN ('1', '2')", { $0["c"].map { $0 == "1" || $0 == "2" ? .true : .false } ?? .null }),
            ("TRUE", { _ in .true }),
            ("NULL", { _ in .null }),
        ]
        func and(_ x: SQLEvaluationResult, _ y: SQLEvaluationResult) -> SQLEvaluationResult {
            if x == .false || y == .false { return .false }
            return x == .null || y == .null ? .null : .true
        }
        func or(_ x: SQLEvaluationResult, _ y: SQLEvaluationResult) -> SQLEvaluationResult {
            if x == .true || y == .true { return .true }
            return x == .null || y == .null ? .null : .false
        }
        func not(_ x: SQLEvaluationResult) -> SQLEvaluationResult { x == .null ? .null : (x == .true ? .false : .true) }
        func build(_ depth: Int) -> (String, ([String: String]) -> SQLEvaluationResult) {
            let choice = depth > 3 ? 0 : Int.random(in: 0...3, using: &generator)
            switch choice {
            case 1:
                let (l, lf) = build(depth + 1)
                let (r, rf) = build(depth + 1)
                return ("(\(l) AND \(r))", { and(lf($0), rf($0)) })
            case 2:
                let (l, lf) = build(depth + 1)
                let (r, rf) = build(depth + 1)
                return ("(\(l) OR \(r))", { or(lf($0), rf($0)) })
            case 3:
                let (e, f) = build(depth + 1)
                return ("NOT (\(e))", { not(f($0)) })
            default:
                return atoms.randomElement(using: &generator)!
            }
        }
        let sets: [[String: String]] = [
            [:], ["a": "x"], ["a": "y", "b": "1"], ["c": "1"], ["a": "x", "b": "", "c": "3"], ["c": "2", "a": "x"],
        ]
        for _ in 0..<200 {
            let (text, model) = build(0)
            let expression = try SQLExpression.parse(text)
            for set in sets {
                #expect(expression.evaluate(set) == model(set), "\(text) \(set)")
            }
        }
    }
}
